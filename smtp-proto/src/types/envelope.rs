//! The envelope of one mail transaction: sender, recipients and their parameters.

use crate::command::{MailParameters, RcptParameters};
use crate::types::{ForwardPath, ReversePath};

/// The envelope of a mail transaction: what `MAIL FROM` and the accepted `RCPT TO`
/// commands said.
///
/// The server session collects it and hands it to the application with the message
/// ([`MessageDecision::envelope`](crate::server::MessageDecision::envelope)); the
/// client session sends one ([`ClientSession::send_envelope`](crate::client::ClientSession::send_envelope)).
///
/// ```
/// use mailwright_smtp::{Envelope, ForwardPath, Mailbox, ReversePath};
///
/// let mut envelope = Envelope::new(ReversePath::Mailbox(Mailbox::try_from("a@example.org")?));
/// envelope.add_recipient(ForwardPath::Mailbox(Mailbox::try_from("b@example.net")?));
/// assert_eq!(envelope.recipients.len(), 1);
/// # Ok::<(), mailwright_smtp::ValidationError>(())
/// ```
#[derive(Clone, Debug, Eq, PartialEq)]
#[non_exhaustive]
pub struct Envelope<'a> {
    /// The reverse-path of `MAIL FROM`.
    pub from: ReversePath<'a>,
    /// The parameters of `MAIL FROM`.
    pub mail_params: MailParameters<'a>,
    /// The recipients, in order (on the server: the accepted ones).
    pub recipients: Vec<Recipient<'a>>,
}

impl<'a> Envelope<'a> {
    /// An envelope from `from` with no parameters and no recipients yet.
    pub fn new(from: ReversePath<'a>) -> Self {
        Self {
            from,
            mail_params: MailParameters::default(),
            recipients: Vec::new(),
        }
    }

    /// Adds a recipient without parameters.
    pub fn add_recipient(&mut self, path: ForwardPath<'a>) -> &mut Self {
        self.recipients.push(Recipient::new(path));
        self
    }

    /// Whether any address needs `SMTPUTF8`.
    pub fn needs_smtputf8(&self) -> bool {
        !self.from.is_ascii() || self.recipients.iter().any(|rcpt| !rcpt.path.is_ascii())
    }

    /// An owned copy.
    pub fn into_owned(self) -> Envelope<'static> {
        Envelope {
            from: self.from.into_owned(),
            mail_params: self.mail_params.into_owned(),
            recipients: self
                .recipients
                .into_iter()
                .map(Recipient::into_owned)
                .collect(),
        }
    }
}

/// One recipient of an envelope.
#[derive(Clone, Debug, Eq, PartialEq)]
#[non_exhaustive]
pub struct Recipient<'a> {
    /// The forward-path of `RCPT TO`.
    pub path: ForwardPath<'a>,
    /// Its parameters.
    pub params: RcptParameters<'a>,
}

impl<'a> Recipient<'a> {
    /// A recipient without parameters.
    pub fn new(path: ForwardPath<'a>) -> Self {
        Self {
            path,
            params: RcptParameters::default(),
        }
    }

    /// A recipient with parameters.
    pub fn with_params(path: ForwardPath<'a>, params: RcptParameters<'a>) -> Self {
        Self { path, params }
    }

    /// An owned copy.
    pub fn into_owned(self) -> Recipient<'static> {
        Recipient {
            path: self.path.into_owned(),
            params: self.params.into_owned(),
        }
    }
}
