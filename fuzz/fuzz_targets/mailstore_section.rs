#![no_main]
//! See `mail_fuzz::mailstore::mailstore_section`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mail_fuzz::mailstore::mailstore_section(data));
