#![no_main]
//! SMTP replies through the reply framer and the parser; see `mail_fuzz::smtp`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mail_fuzz::smtp::smtp_reply(data));
