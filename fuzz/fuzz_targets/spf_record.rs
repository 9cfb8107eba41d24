#![no_main]
//! See `mail_fuzz::mailauth::spf_record`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mail_fuzz::mailauth::spf_record(data));
