//! Bodies of the fuzz targets, one plain function per target.
//!
//! `fuzz_targets/<name>.rs` only calls one function here, so the same body runs under
//! libFuzzer (`cargo fuzz run <name>`) and on stable Rust, where `tests/corpus.rs`
//! replays every file of `corpus/<name>/` through it. A target function must return
//! normally for every input: a panic is a finding.

pub mod imap;
pub mod mailauth;
pub mod mailstore;
pub mod mta_queue;
pub mod pop3;
pub mod smtp;
