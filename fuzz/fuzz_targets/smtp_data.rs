#![no_main]
//! DATA/BDAT body decoding at any split; see `mail_fuzz::smtp`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mail_fuzz::smtp::smtp_data(data));
