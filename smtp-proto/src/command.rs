//! Client commands (data only; [`parse::command`](crate::codec::parse::command) and
//! [`encode::command`](crate::codec::encode::command) convert them).

use crate::error::ValidationError;
use crate::types::{
    Argument, BodyType, EsmtpParameter, ForwardPath, Host, Mechanism, Notify, Orcpt, Ret,
    ReversePath, SaslResponse, XText,
};

/// A client command of [RFC 5321 section 4.1](https://www.rfc-editor.org/rfc/rfc5321#section-4.1),
/// LMTP's `LHLO` ([RFC 2033](https://www.rfc-editor.org/rfc/rfc2033)) and the ESMTP
/// extensions this crate implements.
///
/// Borrowed from the line it was parsed from; [`into_owned`](Self::into_owned) makes
/// it `'static`. Verbs are case-insensitive on input and upper case on output.
///
/// ```
/// use mailwright_smtp::{Command, ReversePath, codec::encode, codec::parse};
///
/// let command = parse::command(b"mail from:<user@example.org> SIZE=1000\r\n")?;
/// let Command::Mail { from, params } = &command else { panic!() };
/// assert!(matches!(from, ReversePath::Mailbox(_)));
/// assert_eq!(params.size, Some(1000));
///
/// let mut wire = Vec::new();
/// encode::command(&command, &mut wire);
/// assert_eq!(wire, b"MAIL FROM:<user@example.org> SIZE=1000\r\n");
/// # Ok::<(), mailwright_smtp::ParseError>(())
/// ```
#[derive(Clone, Debug, Eq, PartialEq)]
#[non_exhaustive]
pub enum Command<'a> {
    /// `EHLO domain-or-literal` (section 4.1.1.1).
    Ehlo(Host<'a>),
    /// `HELO domain` (section 4.1.1.1); an address literal is accepted too.
    Helo(Host<'a>),
    /// `LHLO domain-or-literal` (RFC 2033 section 4.1).
    Lhlo(Host<'a>),
    /// `MAIL FROM:<reverse-path> [parameters]` (section 4.1.1.2).
    Mail {
        /// The sender, or the null path.
        from: ReversePath<'a>,
        /// The ESMTP parameters.
        params: MailParameters<'a>,
    },
    /// `RCPT TO:<forward-path> [parameters]` (section 4.1.1.3).
    Rcpt {
        /// The recipient.
        to: ForwardPath<'a>,
        /// The ESMTP parameters.
        params: RcptParameters<'a>,
    },
    /// `DATA` (section 4.1.1.4).
    Data,
    /// `BDAT chunk-size [LAST]` (RFC 3030 section 2); `size` octets follow the line.
    Bdat {
        /// The number of octets that follow.
        size: u64,
        /// Whether this is the last chunk of the message.
        last: bool,
    },
    /// `RSET` (section 4.1.1.5).
    Rset,
    /// `NOOP [string]` (section 4.1.1.9).
    Noop(Option<Argument<'a>>),
    /// `QUIT` (section 4.1.1.10).
    Quit,
    /// `VRFY string` (section 4.1.1.6).
    Vrfy(Argument<'a>),
    /// `EXPN string` (section 4.1.1.7).
    Expn(Argument<'a>),
    /// `HELP [string]` (section 4.1.1.8).
    Help(Option<Argument<'a>>),
    /// `STARTTLS` (RFC 3207 section 4).
    StartTls,
    /// `AUTH mechanism [initial-response]` (RFC 4954 section 4).
    Auth {
        /// The SASL mechanism.
        mechanism: Mechanism<'a>,
        /// The initial response, base64 (`=` for empty).
        initial_response: Option<SaslResponse<'a>>,
    },
}

impl Command<'_> {
    /// The verb, upper case.
    pub fn verb(&self) -> &'static str {
        match self {
            Self::Ehlo(_) => "EHLO",
            Self::Helo(_) => "HELO",
            Self::Lhlo(_) => "LHLO",
            Self::Mail { .. } => "MAIL",
            Self::Rcpt { .. } => "RCPT",
            Self::Data => "DATA",
            Self::Bdat { .. } => "BDAT",
            Self::Rset => "RSET",
            Self::Noop(_) => "NOOP",
            Self::Quit => "QUIT",
            Self::Vrfy(_) => "VRFY",
            Self::Expn(_) => "EXPN",
            Self::Help(_) => "HELP",
            Self::StartTls => "STARTTLS",
            Self::Auth { .. } => "AUTH",
        }
    }

    /// An owned copy that no longer borrows the line.
    pub fn into_owned(self) -> Command<'static> {
        match self {
            Self::Ehlo(host) => Command::Ehlo(host.into_owned()),
            Self::Helo(host) => Command::Helo(host.into_owned()),
            Self::Lhlo(host) => Command::Lhlo(host.into_owned()),
            Self::Mail { from, params } => Command::Mail {
                from: from.into_owned(),
                params: params.into_owned(),
            },
            Self::Rcpt { to, params } => Command::Rcpt {
                to: to.into_owned(),
                params: params.into_owned(),
            },
            Self::Data => Command::Data,
            Self::Bdat { size, last } => Command::Bdat { size, last },
            Self::Rset => Command::Rset,
            Self::Noop(arg) => Command::Noop(arg.map(Argument::into_owned)),
            Self::Quit => Command::Quit,
            Self::Vrfy(arg) => Command::Vrfy(arg.into_owned()),
            Self::Expn(arg) => Command::Expn(arg.into_owned()),
            Self::Help(arg) => Command::Help(arg.map(Argument::into_owned)),
            Self::StartTls => Command::StartTls,
            Self::Auth {
                mechanism,
                initial_response,
            } => Command::Auth {
                mechanism: mechanism.into_owned(),
                initial_response: initial_response.map(SaslResponse::into_owned),
            },
        }
    }
}

/// One client line of the SASL exchange after a `334` challenge,
/// [RFC 4954 section 4](https://www.rfc-editor.org/rfc/rfc4954#section-4).
#[derive(Clone, Debug, Eq, PartialEq)]
pub enum SaslLine<'a> {
    /// A base64 response (`=` stands for the empty response, sent as an empty line).
    Response(SaslResponse<'a>),
    /// `*`: the client cancels the exchange.
    Cancel,
}

impl SaslLine<'_> {
    /// An owned copy.
    pub fn into_owned(self) -> SaslLine<'static> {
        match self {
            Self::Response(response) => SaslLine::Response(response.into_owned()),
            Self::Cancel => SaslLine::Cancel,
        }
    }
}

/// The parameters of `MAIL FROM`: the ones of the extensions this crate implements
/// as fields, any other in [`other`](Self::other).
#[derive(Clone, Debug, Default, Eq, PartialEq)]
#[non_exhaustive]
pub struct MailParameters<'a> {
    /// `SIZE=n`: the declared message size ([RFC 1870](https://www.rfc-editor.org/rfc/rfc1870)).
    pub size: Option<u64>,
    /// `BODY=7BIT|8BITMIME|BINARYMIME` ([RFC 6152](https://www.rfc-editor.org/rfc/rfc6152),
    /// [RFC 3030](https://www.rfc-editor.org/rfc/rfc3030)).
    pub body: Option<BodyType>,
    /// `SMTPUTF8` ([RFC 6531](https://www.rfc-editor.org/rfc/rfc6531)).
    pub smtputf8: bool,
    /// `RET=FULL|HDRS` ([RFC 3461](https://www.rfc-editor.org/rfc/rfc3461)).
    pub ret: Option<Ret>,
    /// `ENVID=xtext` ([RFC 3461](https://www.rfc-editor.org/rfc/rfc3461)).
    pub envid: Option<XText<'a>>,
    /// `AUTH=xtext` or `AUTH=<>` ([RFC 4954 section 5](https://www.rfc-editor.org/rfc/rfc4954#section-5)).
    pub auth: Option<XText<'a>>,
    other: Vec<EsmtpParameter<'a>>,
}

impl<'a> MailParameters<'a> {
    /// The keywords that have their own fields.
    pub const KNOWN: [&'static str; 6] = ["SIZE", "BODY", "SMTPUTF8", "RET", "ENVID", "AUTH"];

    /// Parameters of extensions without a field, in the order sent.
    pub fn other(&self) -> &[EsmtpParameter<'a>] {
        &self.other
    }

    /// Adds a parameter of an extension without a field.
    ///
    /// # Errors
    ///
    /// When the keyword is one of [`KNOWN`](Self::KNOWN) (set the field instead) or
    /// is already present.
    pub fn add_other(&mut self, param: EsmtpParameter<'a>) -> Result<(), ValidationError> {
        add_other(&mut self.other, &Self::KNOWN, param)
    }

    /// No parameter at all.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// An owned copy.
    pub fn into_owned(self) -> MailParameters<'static> {
        MailParameters {
            size: self.size,
            body: self.body,
            smtputf8: self.smtputf8,
            ret: self.ret,
            envid: self.envid.map(XText::into_owned),
            auth: self.auth.map(XText::into_owned),
            other: self
                .other
                .into_iter()
                .map(EsmtpParameter::into_owned)
                .collect(),
        }
    }
}

/// The parameters of `RCPT TO`: the DSN ones as fields, any other in
/// [`other`](Self::other).
#[derive(Clone, Debug, Default, Eq, PartialEq)]
#[non_exhaustive]
pub struct RcptParameters<'a> {
    /// `NOTIFY=` ([RFC 3461](https://www.rfc-editor.org/rfc/rfc3461)).
    pub notify: Option<Notify>,
    /// `ORCPT=` ([RFC 3461](https://www.rfc-editor.org/rfc/rfc3461)).
    pub orcpt: Option<Orcpt<'a>>,
    other: Vec<EsmtpParameter<'a>>,
}

impl<'a> RcptParameters<'a> {
    /// The keywords that have their own fields.
    pub const KNOWN: [&'static str; 2] = ["NOTIFY", "ORCPT"];

    /// Parameters of extensions without a field, in the order sent.
    pub fn other(&self) -> &[EsmtpParameter<'a>] {
        &self.other
    }

    /// Adds a parameter of an extension without a field.
    ///
    /// # Errors
    ///
    /// When the keyword is one of [`KNOWN`](Self::KNOWN) or is already present.
    pub fn add_other(&mut self, param: EsmtpParameter<'a>) -> Result<(), ValidationError> {
        add_other(&mut self.other, &Self::KNOWN, param)
    }

    /// No parameter at all.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// An owned copy.
    pub fn into_owned(self) -> RcptParameters<'static> {
        RcptParameters {
            notify: self.notify,
            orcpt: self.orcpt.map(Orcpt::into_owned),
            other: self
                .other
                .into_iter()
                .map(EsmtpParameter::into_owned)
                .collect(),
        }
    }
}

fn add_other<'a>(
    other: &mut Vec<EsmtpParameter<'a>>,
    known: &[&str],
    param: EsmtpParameter<'a>,
) -> Result<(), ValidationError> {
    if known.iter().any(|keyword| param.keyword.is(keyword)) {
        return Err(ValidationError::malformed(
            "esmtp-param",
            "a keyword without its own field",
        ));
    }
    if other.iter().any(|known| known.keyword == param.keyword) {
        return Err(ValidationError::malformed(
            "esmtp-param",
            "a keyword sent once",
        ));
    }
    other.push(param);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::EsmtpKeyword;

    #[test]
    fn other_parameters_refuse_known_and_repeated_keywords() {
        let param = |keyword: &'static str| EsmtpParameter {
            keyword: EsmtpKeyword::try_from(keyword).unwrap(),
            value: None,
        };
        let mut mail = MailParameters::default();
        assert!(mail.is_empty());
        assert!(mail.add_other(param("size")).is_err());
        assert!(mail.add_other(param("REQUIRETLS")).is_ok());
        assert!(mail.add_other(param("requiretls")).is_err());
        assert_eq!(mail.other().len(), 1);
        assert!(!mail.is_empty());
        let mut rcpt = RcptParameters::default();
        assert!(rcpt.add_other(param("Notify")).is_err());
        assert!(rcpt.add_other(param("X-PRIORITY")).is_ok());
    }
}
