#![no_main]
//! See `mail_fuzz::imap::imap_command`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mail_fuzz::imap::imap_command(data));
