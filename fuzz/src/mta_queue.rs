//! mta-queue targets: the spool's envelope-file format and recovery around a damaged
//! file.

/// `mta_spool`: arbitrary bytes as a queue file: parsing never panics and
/// re-encodes to the same entry; recovery of a spool holding it between two good
/// entries keeps both neighbours and loads or sets aside the fuzzed one.
pub fn mta_spool(data: &[u8]) {
    mailwright_queue::fuzz::spool_file(data);
}
