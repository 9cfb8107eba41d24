#![no_main]
//! See `mail_fuzz::mailauth::zone_file`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mail_fuzz::mailauth::zone_file(data));
