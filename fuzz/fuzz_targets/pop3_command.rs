#![no_main]
//! POP3 command lines through the framer and the parsers; see `mail_fuzz::pop3`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mail_fuzz::pop3::pop3_command(data));
