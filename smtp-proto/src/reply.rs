//! Server replies (data only; [`parse::reply`](crate::codec::parse::reply) and
//! [`encode::reply`](crate::codec::encode::reply) convert them).

use std::borrow::Cow;
use std::fmt;

use crate::error::ValidationError;
use crate::types::{EnhancedStatusCode, ReplyClass, ReplyCode, Text};

/// A reply, [RFC 5321 section 4.2](https://www.rfc-editor.org/rfc/rfc5321#section-4.2):
/// a code, an optional enhanced status code
/// ([RFC 2034](https://www.rfc-editor.org/rfc/rfc2034)) and one or more lines of text.
///
/// ```text
/// Reply-line     = *( Reply-code "-" [ textstring ] CRLF )
///                  Reply-code [ SP textstring ] CRLF
/// ```
///
/// The enhanced code is written at the start of every line and always in the class of
/// the reply code (`451` with `5.7.1` sends `4.7.1`); a 3yz reply has none. Texts
/// given to the constructors are made safe with [`Text::lossy`], so a reply can never
/// carry a CR or LF of its own.
///
/// ```
/// use mailwright_smtp::{EnhancedStatusCode, Reply, ReplyCode, codec::encode};
///
/// let reply = Reply::new(ReplyCode::MAILBOX_BUSY, "greylisted, try again later")
///     .with_enhanced(EnhancedStatusCode::DELIVERY_NOT_AUTHORIZED)
///     .with_line("see https://example.org/greylisting");
/// let mut wire = Vec::new();
/// encode::reply(&reply, &mut wire);
/// assert_eq!(
///     wire,
///     b"450-4.7.1 greylisted, try again later\r\n450 4.7.1 see https://example.org/greylisting\r\n"
/// );
/// ```
#[derive(Clone, Debug, Eq, Hash, PartialEq)]
pub struct Reply<'a> {
    code: ReplyCode,
    enhanced: Option<EnhancedStatusCode>,
    first: Text<'a>,
    rest: Vec<Text<'a>>,
}

impl<'a> Reply<'a> {
    /// A one-line reply; control characters in `text` become spaces.
    pub fn new(code: ReplyCode, text: impl Into<Cow<'a, str>>) -> Self {
        Self {
            code,
            enhanced: None,
            first: Text::lossy(text),
            rest: Vec::new(),
        }
    }

    /// A reply from validated parts.
    ///
    /// # Errors
    ///
    /// When `lines` is empty: a reply has at least one line.
    pub fn from_parts(
        code: ReplyCode,
        enhanced: Option<EnhancedStatusCode>,
        lines: Vec<Text<'a>>,
    ) -> Result<Self, ValidationError> {
        let mut lines = lines.into_iter();
        let first = lines.next().ok_or(ValidationError::empty("reply"))?;
        let reply = Self {
            code,
            enhanced: None,
            first,
            rest: lines.collect(),
        };
        Ok(match enhanced {
            Some(enhanced) => reply.with_enhanced(enhanced),
            None => reply,
        })
    }

    /// Sets the enhanced status code, moved to the class of the reply code; ignored
    /// for a 3yz reply, which has none.
    #[must_use]
    pub fn with_enhanced(mut self, enhanced: EnhancedStatusCode) -> Self {
        self.enhanced = match self.code.class() {
            ReplyClass::PositiveIntermediate => None,
            class => Some(enhanced.with_class(class)),
        };
        self
    }

    /// Adds a line of text; control characters become spaces.
    #[must_use]
    pub fn with_line(mut self, text: impl Into<Cow<'a, str>>) -> Self {
        self.rest.push(Text::lossy(text));
        self
    }

    /// The reply code.
    pub fn code(&self) -> ReplyCode {
        self.code
    }

    /// The enhanced status code, if any.
    pub fn enhanced(&self) -> Option<EnhancedStatusCode> {
        self.enhanced
    }

    /// The first line of text.
    pub fn text(&self) -> &str {
        self.first.as_str()
    }

    /// Every line of text, in order.
    pub fn lines(&self) -> impl Iterator<Item = &str> {
        std::iter::once(&self.first)
            .chain(self.rest.iter())
            .map(Text::as_str)
    }

    /// The number of lines.
    pub fn line_count(&self) -> usize {
        1 + self.rest.len()
    }

    /// 2yz or 3yz.
    pub fn is_positive(&self) -> bool {
        self.code.is_positive()
    }

    /// 4yz or 5yz.
    pub fn is_negative(&self) -> bool {
        self.code.is_negative()
    }

    /// An owned copy.
    pub fn into_owned(self) -> Reply<'static> {
        Reply {
            code: self.code,
            enhanced: self.enhanced,
            first: self.first.into_owned(),
            rest: self.rest.into_iter().map(Text::into_owned).collect(),
        }
    }

    /// A reply from parts known to be consistent (used by the parser, which found
    /// the enhanced code on the wire in the right class).
    pub(crate) fn from_wire(
        code: ReplyCode,
        enhanced: Option<EnhancedStatusCode>,
        first: Text<'a>,
        rest: Vec<Text<'a>>,
    ) -> Self {
        Self {
            code,
            enhanced,
            first,
            rest,
        }
    }
}

impl fmt::Display for Reply<'_> {
    /// The code, the enhanced code and the lines joined by a space, on one line (for
    /// logs and error messages).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        if let Some(enhanced) = self.enhanced {
            write!(f, " {enhanced}")?;
        }
        for line in self.lines() {
            if !line.is_empty() {
                write!(f, " {line}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enhanced_code_follows_the_reply_class() {
        let reply = Reply::new(ReplyCode::LOCAL_ERROR, "x")
            .with_enhanced(EnhancedStatusCode::DELIVERY_NOT_AUTHORIZED);
        assert_eq!(reply.enhanced().unwrap().to_string(), "4.7.1");
        let reply = Reply::new(ReplyCode::START_MAIL_INPUT, "go ahead")
            .with_enhanced(EnhancedStatusCode::OK);
        assert_eq!(reply.enhanced(), None);
    }

    #[test]
    fn texts_cannot_inject_lines() {
        let reply = Reply::new(ReplyCode::OK, "ok\r\n250 injected").with_line("a\nb");
        assert!(reply.lines().all(|line| !line.contains(['\r', '\n'])));
        assert_eq!(reply.line_count(), 2);
        assert_eq!(reply.to_string(), "250 ok  250 injected a b");
    }

    #[test]
    fn from_parts_needs_a_line() {
        assert!(Reply::from_parts(ReplyCode::OK, None, Vec::new()).is_err());
        let reply = Reply::from_parts(
            ReplyCode::MAILBOX_UNAVAILABLE,
            Some(EnhancedStatusCode::OK),
            vec![Text::try_from("no").unwrap()],
        )
        .unwrap();
        assert_eq!(reply.enhanced().unwrap().to_string(), "5.0.0");
    }
}
