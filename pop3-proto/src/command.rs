//! Client commands (data only; parsing in [`parse`](crate::codec::parse), encoding in
//! [`encode`](crate::codec::encode)).

use crate::types::{ApopDigest, Mechanism, MessageNumber, Password, Secret, UserName};

/// A POP3 command, as a client sends it on one line.
///
/// The commands of [RFC 1939](https://www.rfc-editor.org/rfc/rfc1939#section-9) and
/// the extensions this crate supports. Keywords are case-insensitive on input and
/// written in upper case.
#[derive(Clone, Debug, Eq, PartialEq)]
#[non_exhaustive]
pub enum Command<'a> {
    /// `USER name` (RFC 1939 section 7).
    User(UserName<'a>),
    /// `PASS string` (RFC 1939 section 7).
    Pass(Password<'a>),
    /// `APOP name digest` (RFC 1939 section 7).
    Apop {
        /// The maildrop.
        name: UserName<'a>,
        /// MD5 of the greeting's timestamp and the shared secret.
        digest: ApopDigest,
    },
    /// `AUTH mechanism [initial-response]` (RFC 5034 section 4).
    Auth {
        /// The SASL mechanism.
        mechanism: Mechanism<'a>,
        /// The decoded initial response; `Some(empty)` was sent as `=`.
        initial_response: Option<Secret<Vec<u8>>>,
    },
    /// `AUTH` without arguments: list the SASL mechanisms (RFC 1734 style, still sent
    /// by Outlook and others).
    AuthList,
    /// `STAT` (RFC 1939 section 5).
    Stat,
    /// `LIST [msg]` (RFC 1939 section 5).
    List(Option<MessageNumber>),
    /// `RETR msg` (RFC 1939 section 5).
    Retr(MessageNumber),
    /// `DELE msg` (RFC 1939 section 5).
    Dele(MessageNumber),
    /// `NOOP` (RFC 1939 section 5).
    Noop,
    /// `RSET` (RFC 1939 section 5).
    Rset,
    /// `QUIT` (RFC 1939 sections 4 and 6).
    Quit,
    /// `TOP msg n` (RFC 1939 section 7).
    Top {
        /// The message.
        message: MessageNumber,
        /// How many lines of the body to send after the header.
        lines: u32,
    },
    /// `UIDL [msg]` (RFC 1939 section 7).
    Uidl(Option<MessageNumber>),
    /// `CAPA` (RFC 2449 section 5).
    Capa,
    /// `STLS` (RFC 2595 section 4).
    Stls,
    /// `UTF8` (RFC 6856 section 2).
    Utf8,
}

impl Command<'_> {
    /// The command's keyword in upper case, such as `"RETR"`.
    pub fn keyword(&self) -> &'static str {
        match self {
            Self::User(_) => "USER",
            Self::Pass(_) => "PASS",
            Self::Apop { .. } => "APOP",
            Self::Auth { .. } | Self::AuthList => "AUTH",
            Self::Stat => "STAT",
            Self::List(_) => "LIST",
            Self::Retr(_) => "RETR",
            Self::Dele(_) => "DELE",
            Self::Noop => "NOOP",
            Self::Rset => "RSET",
            Self::Quit => "QUIT",
            Self::Top { .. } => "TOP",
            Self::Uidl(_) => "UIDL",
            Self::Capa => "CAPA",
            Self::Stls => "STLS",
            Self::Utf8 => "UTF8",
        }
    }

    /// Whether a successful response to this command is multi-line (ends with a line
    /// holding a single `.`).
    ///
    /// A client needs this to frame responses: `LIST` is multi-line, `LIST 1` is not.
    pub fn has_multiline_response(&self) -> bool {
        matches!(
            self,
            Self::List(None)
                | Self::Uidl(None)
                | Self::Retr(_)
                | Self::Top { .. }
                | Self::Capa
                | Self::AuthList
        )
    }

    /// The command with its borrows released.
    pub fn into_owned(self) -> Command<'static> {
        match self {
            Self::User(name) => Command::User(name.into_owned()),
            Self::Pass(password) => Command::Pass(password.into_owned()),
            Self::Apop { name, digest } => Command::Apop {
                name: name.into_owned(),
                digest,
            },
            Self::Auth {
                mechanism,
                initial_response,
            } => Command::Auth {
                mechanism: mechanism.into_owned(),
                initial_response,
            },
            Self::AuthList => Command::AuthList,
            Self::Stat => Command::Stat,
            Self::List(message) => Command::List(message),
            Self::Retr(message) => Command::Retr(message),
            Self::Dele(message) => Command::Dele(message),
            Self::Noop => Command::Noop,
            Self::Rset => Command::Rset,
            Self::Quit => Command::Quit,
            Self::Top { message, lines } => Command::Top { message, lines },
            Self::Uidl(message) => Command::Uidl(message),
            Self::Capa => Command::Capa,
            Self::Stls => Command::Stls,
            Self::Utf8 => Command::Utf8,
        }
    }
}

/// A client's line during a SASL exchange, after the server sent `+ challenge`
/// ([RFC 5034 section 4](https://www.rfc-editor.org/rfc/rfc5034#section-4)).
///
/// ```text
/// client-response = *(4base64char) [base64-terminal] / "*"
/// ```
#[derive(Clone, Debug, Eq, PartialEq)]
#[non_exhaustive]
pub enum SaslResponse {
    /// Decoded response data (an empty line is an empty response).
    Data(Secret<Vec<u8>>),
    /// `*`: the client cancels the exchange.
    Cancel,
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for Command<'static> {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(match u.int_in_range(0..=16)? {
            0 => Self::User(u.arbitrary()?),
            1 => Self::Pass(u.arbitrary()?),
            2 => Self::Apop {
                name: u.arbitrary()?,
                digest: u.arbitrary()?,
            },
            3 => Self::Auth {
                mechanism: u.arbitrary()?,
                initial_response: u.arbitrary()?,
            },
            4 => Self::AuthList,
            5 => Self::Stat,
            6 => Self::List(u.arbitrary()?),
            7 => Self::Retr(u.arbitrary()?),
            8 => Self::Dele(u.arbitrary()?),
            9 => Self::Noop,
            10 => Self::Rset,
            11 => Self::Quit,
            12 => Self::Top {
                message: u.arbitrary()?,
                lines: u.arbitrary()?,
            },
            13 => Self::Uidl(u.arbitrary()?),
            14 => Self::Capa,
            15 => Self::Stls,
            _ => Self::Utf8,
        })
    }
}
