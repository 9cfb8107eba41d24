//! Replies, as a server sends them.

use bytes::BufMut;

use crate::reply::Reply;
use crate::types::{EnhancedStatusCode, ReplyCode};

/// Writes `reply`: one line per text line, `-` after the code on all but the last,
/// the enhanced status code (if any) at the start of every line's text (RFC 2034).
pub fn reply(reply: &Reply<'_>, out: &mut impl BufMut) {
    reply_lines(reply.code(), reply.enhanced(), reply.lines(), out);
}

/// Writes a reply from its lines; the session uses this for its own replies (no
/// `Reply` value needed) and to leave enhanced codes out when they are not
/// negotiated. Allocates nothing.
pub(crate) fn reply_lines<'t>(
    code: ReplyCode,
    enhanced: Option<EnhancedStatusCode>,
    lines: impl IntoIterator<Item = &'t str>,
    out: &mut impl BufMut,
) {
    let mut lines = lines.into_iter().peekable();
    while let Some(line) = lines.next() {
        reply_line(code, enhanced, lines.peek().is_some(), &[line], out);
    }
}

/// Writes one reply line whose text is the concatenation of `parts` (`-` after the
/// code when `more` lines follow).
pub(crate) fn reply_line(
    code: ReplyCode,
    enhanced: Option<EnhancedStatusCode>,
    more: bool,
    parts: &[&str],
    out: &mut impl BufMut,
) {
    out.put_slice(&code.digits());
    out.put_u8(if more { b'-' } else { b' ' });
    let empty = parts.iter().all(|part| part.is_empty());
    if let Some(enhanced) = enhanced {
        put_decimal(u64::from(enhanced.class()), out);
        out.put_u8(b'.');
        put_decimal(u64::from(enhanced.subject()), out);
        out.put_u8(b'.');
        put_decimal(u64::from(enhanced.detail()), out);
        if !empty {
            out.put_u8(b' ');
        }
    }
    for part in parts {
        out.put_slice(part.as_bytes());
    }
    out.put_slice(b"\r\n");
}

/// Writes `value` in decimal, without the formatting machinery.
pub(crate) fn put_decimal(value: u64, out: &mut impl BufMut) {
    let mut digits = [0u8; 20];
    out.put_slice(decimal(value, &mut digits).as_bytes());
}

/// `value` in decimal, written into `digits`.
pub(crate) fn decimal(value: u64, digits: &mut [u8; 20]) -> &str {
    let mut at = digits.len();
    let mut rest = value;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    std::str::from_utf8(&digits[at..]).unwrap_or("0")
}
