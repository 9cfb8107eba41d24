#![no_main]
//! See `mail_fuzz::mailauth::auth_results`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mail_fuzz::mailauth::auth_results(data));
