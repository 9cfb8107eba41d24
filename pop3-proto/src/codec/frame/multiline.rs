//! Received data lines of a multi-line response (client side).

/// One line of a multi-line response as a client receives it.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum MultilineItem<'a> {
    /// A data line with the dot-stuffing removed, without its CRLF.
    Line(&'a [u8]),
    /// The terminating line, a single `.`.
    End,
}

/// Reads one line (without its CRLF) of a multi-line response: the terminator, or a
/// data line with its leading `.` removed when it had one
/// ([RFC 1939 section 3](https://www.rfc-editor.org/rfc/rfc1939#section-3)).
///
/// ```
/// use mailwright_pop3::codec::frame::{MultilineItem, multiline_item};
///
/// assert_eq!(multiline_item(b".."), MultilineItem::Line(b"."));
/// assert_eq!(multiline_item(b"."), MultilineItem::End);
/// ```
pub fn multiline_item(line: &[u8]) -> MultilineItem<'_> {
    match line {
        b"." => MultilineItem::End,
        [b'.', rest @ ..] => MultilineItem::Line(rest),
        line => MultilineItem::Line(line),
    }
}
