#![no_main]
//! See `mail_fuzz::imap::imap_encode`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mail_fuzz::imap::imap_encode(data));
