#![no_main]
//! See `mail_fuzz::mailauth::dkim_signature`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mail_fuzz::mailauth::dkim_signature(data));
