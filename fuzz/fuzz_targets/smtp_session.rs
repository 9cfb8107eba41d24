#![no_main]
//! client bytes into the smtp-proto server session; see `mail_fuzz::smtp`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mail_fuzz::smtp::smtp_session(data));
