#![no_main]
//! See `mail_fuzz::mta_queue::mta_spool`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mail_fuzz::mta_queue::mta_spool(data));
