//! Replies, as a server sends them.

use bytes::BufMut;

use crate::reply::Reply;
use crate::types::{EnhancedStatusCode, ReplyCode};

/// Writes `reply`: one line per text line, `-` after the code on all but the last,
/// the enhanced status code (if any) at the start of every line's text (RFC 2034).
pub fn reply(reply: &Reply<'_>, out: &mut impl BufMut) {
    reply_lines(reply.code(), reply.enhanced(), reply.lines(), out);
}

/// Writes a reply from its parts; the session uses this for its own replies
/// (no `Reply` value needed) and to leave enhanced codes out when they are not
/// negotiated.
pub(crate) fn reply_lines<'t>(
    code: ReplyCode,
    enhanced: Option<EnhancedStatusCode>,
    lines: impl IntoIterator<Item = &'t str>,
    out: &mut impl BufMut,
) {
    let digits = code.digits();
    let enhanced = enhanced.map(|code| code.to_string());
    let mut lines = lines.into_iter().peekable();
    while let Some(line) = lines.next() {
        out.put_slice(&digits);
        out.put_u8(if lines.peek().is_some() { b'-' } else { b' ' });
        if let Some(enhanced) = &enhanced {
            out.put_slice(enhanced.as_bytes());
            if !line.is_empty() {
                out.put_u8(b' ');
            }
        }
        out.put_slice(line.as_bytes());
        out.put_slice(b"\r\n");
    }
}
