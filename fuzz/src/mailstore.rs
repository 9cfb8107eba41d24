//! mailstore targets: the MIME scanner with its cache codec and section lookup, the
//! section-specifier parser, and the Maildir file-name flag parser.

/// `mailstore_message`: arbitrary bytes stored as a message: structure scan, envelope,
/// text extraction, cache round trip, section lookup stay in bounds.
pub fn mailstore_message(data: &[u8]) {
    mailwright_store::fuzz::message(data);
}

/// `mailstore_section`: `BODY[...]` section text; what parses re-encodes and parses back.
pub fn mailstore_section(data: &[u8]) {
    mailwright_store::fuzz::section(data);
}

/// `mailstore_maildir_name`: Maildir file names (`base:2,FS`); flags and base survive
/// a rewrite.
pub fn mailstore_maildir_name(data: &[u8]) {
    mailwright_store::fuzz::maildir_name(data);
}
