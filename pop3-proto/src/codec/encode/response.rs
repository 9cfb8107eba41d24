//! Response lines.

use base64::Engine;
use bytes::BufMut;

use crate::codec::encode::decimal;
use crate::codec::parse::SASL_BASE64;
use crate::response::{ScanListing, Stat, Status, StatusLine, UniqueIdListing};
use crate::types::{Capability, Mechanism};

/// Appends a status line: `+OK` / `-ERR`, ` [code]`, ` text`, CRLF.
///
/// ```
/// use mailwright_pop3::{ResponseCode, StatusLine, Text, codec::encode};
///
/// let mut out = Vec::new();
/// let line = StatusLine::err_with_code(
///     ResponseCode::IN_USE,
///     Text::try_from("maildrop already locked").unwrap(),
/// );
/// encode::status_line(&line, &mut out);
/// assert_eq!(out, b"-ERR [IN-USE] maildrop already locked\r\n");
/// ```
pub fn status_line(line: &StatusLine<'_>, out: &mut impl BufMut) {
    out.put_slice(match line.status {
        Status::Ok => b"+OK",
        Status::Err => b"-ERR",
    });
    if let Some(code) = &line.code {
        out.put_slice(b" [");
        out.put_slice(code.as_str().as_bytes());
        out.put_u8(b']');
    }
    if let Some(text) = &line.text {
        out.put_u8(b' ');
        out.put_slice(text.as_str().as_bytes());
    }
    out.put_slice(b"\r\n");
}

/// Appends a SASL challenge: `+ base64` (or `+ ` for an empty one), CRLF.
pub fn continuation(data: &[u8], out: &mut impl BufMut) {
    out.put_slice(b"+ ");
    out.put_slice(SASL_BASE64.encode(data).as_bytes());
    out.put_slice(b"\r\n");
}

/// Appends `+OK nn mm`, the answer to `STAT`.
pub fn stat(stat: &Stat, out: &mut impl BufMut) {
    out.put_slice(b"+OK ");
    decimal(out, stat.count.into());
    out.put_u8(b' ');
    decimal(out, stat.octets);
    out.put_slice(b"\r\n");
}

/// Appends a scan listing, `msg octets` CRLF (a data line of `LIST`; after `+OK ` the
/// answer to `LIST msg`).
pub fn scan_listing(listing: &ScanListing, out: &mut impl BufMut) {
    decimal(out, listing.message.get().into());
    out.put_u8(b' ');
    decimal(out, listing.octets);
    out.put_slice(b"\r\n");
}

/// Appends a unique-id listing, `msg unique-id` CRLF (a data line of `UIDL`; after
/// `+OK ` the answer to `UIDL msg`).
pub fn unique_id_listing(listing: &UniqueIdListing<'_>, out: &mut impl BufMut) {
    decimal(out, listing.message.get().into());
    out.put_u8(b' ');
    out.put_slice(listing.unique_id.as_str().as_bytes());
    out.put_slice(b"\r\n");
}

/// Appends one `CAPA` data line.
pub fn capability(capability: &Capability<'_>, out: &mut impl BufMut) {
    out.put_slice(capability.tag().as_bytes());
    for param in capability.params() {
        out.put_u8(b' ');
        out.put_slice(param.as_bytes());
    }
    out.put_slice(b"\r\n");
}

/// Appends one data line of the mechanism list (the answer to `AUTH` alone).
pub fn mechanism(mechanism: &Mechanism<'_>, out: &mut impl BufMut) {
    out.put_slice(mechanism.as_str().as_bytes());
    out.put_slice(b"\r\n");
}

/// Appends the end of a multi-line response: `.` CRLF.
pub fn multiline_end(out: &mut impl BufMut) {
    out.put_slice(b".\r\n");
}
