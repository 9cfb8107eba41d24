#![no_main]
//! See `mail_fuzz::imap::imap_fragmentizer`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mail_fuzz::imap::imap_fragmentizer(data));
