#![no_main]
//! See `mail_fuzz::mailstore::mailstore_message`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mail_fuzz::mailstore::mailstore_message(data));
