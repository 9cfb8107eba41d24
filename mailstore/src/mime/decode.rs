//! Undoing transfer encodings and charsets: for `BINARY[...]` and for the text index.

use mail_parser::decoders::base64::base64_decode;
use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::decoders::html::html_to_text;
use mail_parser::decoders::quoted_printable::quoted_printable_decode;

use super::structure::{BodyStructure, PartKind};

/// The most body text of one message that goes into the full-text index.
pub const MAX_INDEXED_TEXT: usize = 1024 * 1024;

/// The body with its `Content-Transfer-Encoding` undone; `None` for an encoding this
/// store does not know (IMAP answers `UNKNOWN-CTE`).
pub(crate) fn transfer_decode(encoding: &str, body: &[u8]) -> Option<Vec<u8>> {
    match encoding.to_ascii_uppercase().as_str() {
        "7BIT" | "8BIT" | "BINARY" | "" => Some(body.to_vec()),
        "BASE64" => Some(base64_decode(body).unwrap_or_default()),
        "QUOTED-PRINTABLE" => Some(quoted_printable_decode(body).unwrap_or_default()),
        _ => None,
    }
}

/// The text of a message's text parts (plain text, HTML stripped of markup), decoded to
/// UTF-8, at most [`MAX_INDEXED_TEXT`] bytes. Attachments are left out.
pub(crate) fn indexable_text(data: &[u8], root: &BodyStructure) -> String {
    let mut out = String::new();
    root.walk(&mut |part| {
        if out.len() >= MAX_INDEXED_TEXT
            || !matches!(part.kind, PartKind::Single)
            || part.media_type != "text"
            || part
                .disposition
                .as_ref()
                .is_some_and(|d| d.kind == "attachment")
        {
            return;
        }
        let (start, end) = part.body_range();
        let Some(body) = data.get(start as usize..end as usize) else {
            return;
        };
        let body = &body[..body.len().min(MAX_INDEXED_TEXT * 2)];
        let Some(decoded) = transfer_decode(&part.encoding, body) else {
            return;
        };
        let text = to_utf8(&decoded, part.param("charset"));
        let text = if part.media_subtype == "html" {
            html_to_text(&text)
        } else {
            text
        };
        if !out.is_empty() {
            out.push('\n');
        }
        let room = MAX_INDEXED_TEXT.saturating_sub(out.len());
        out.push_str(truncate_at_char(&text, room));
    });
    out
}

/// Bytes in a named charset to UTF-8; UTF-8 (lossy) when the charset is unknown.
pub(crate) fn to_utf8(bytes: &[u8], charset: Option<&str>) -> String {
    match charset
        .filter(|c| !c.eq_ignore_ascii_case("utf-8") && !c.eq_ignore_ascii_case("us-ascii"))
        .and_then(|c| charset_decoder(c.as_bytes()))
    {
        Some(decode) => decode(bytes),
        None => String::from_utf8_lossy(bytes).into_owned(),
    }
}

fn truncate_at_char(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mime::structure::scan;

    #[test]
    fn decodes_transfer_encodings() {
        assert_eq!(
            transfer_decode("base64", b"aGVsbG8=\r\n").unwrap(),
            b"hello"
        );
        assert_eq!(
            transfer_decode("Quoted-Printable", b"caf=C3=A9=\r\n!").unwrap(),
            "café!".as_bytes()
        );
        assert_eq!(transfer_decode("8bit", b"x").unwrap(), b"x");
        assert_eq!(transfer_decode("x-uuencode", b"x"), None);
        // Garbage never panics.
        assert!(transfer_decode("base64", b"!!!=\xff").is_some());
    }

    #[test]
    fn extracts_text_parts_only() {
        let msg = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=FC=DFe\r\n--b\r\n\
Content-Type: text/html\r\n\r\n<p>Hello <b>there</b></p>\r\n--b\r\n\
Content-Type: text/plain\r\nContent-Disposition: attachment\r\n\r\nsecret attachment\r\n--b--\r\n";
        let text = indexable_text(msg, &scan(msg));
        assert!(text.contains("Grüße"), "{text}");
        assert!(text.contains("Hello") && text.contains("there"), "{text}");
        assert!(!text.contains("secret"), "{text}");
    }
}
