#![no_main]
//! SMTP command lines through the bounded framer and the parser; see `mail_fuzz::smtp`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mail_fuzz::smtp::smtp_command(data));
