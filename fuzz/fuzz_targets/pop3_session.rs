#![no_main]
//! Client bytes into a POP3 server session; see `mail_fuzz::pop3::pop3_session`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mail_fuzz::pop3::pop3_session(data));
