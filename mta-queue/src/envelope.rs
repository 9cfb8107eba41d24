//! The envelope of a queued message: reverse-path, recipients and every parameter
//! that came with them (RFC 3461 DSN, `BODY=`, `SMTPUTF8`, `REQUIRETLS`), in
//! smtp-proto's types.
//!
//! The queue keeps these as the SMTP server received them: [`Envelope::from_smtp`] is
//! the one conversion from the envelope smtp-proto's server hands to the application.

use mailwright_smtp::{BodyType, EnvId, Mailbox, Notify, Orcpt, Ret, ReversePath, XText};

/// One recipient of a message with its DSN parameters.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    /// The forward-path's mailbox: where the message goes, and the domain it is
    /// routed on.
    pub address: Mailbox<'static>,
    /// `NOTIFY=`, if given; `None` means [`Notify::DEFAULT`].
    pub notify: Option<Notify>,
    /// `ORCPT=`, if given.
    pub orcpt: Option<Orcpt<'static>>,
}

impl Recipient {
    /// A recipient without DSN parameters.
    pub fn new(address: Mailbox<'static>) -> Self {
        Self {
            address,
            notify: None,
            orcpt: None,
        }
    }

    /// Sets `NOTIFY=`.
    pub fn with_notify(mut self, notify: Notify) -> Self {
        self.notify = Some(notify);
        self
    }

    /// Sets `ORCPT=`.
    pub fn with_orcpt(mut self, orcpt: Orcpt<'static>) -> Self {
        self.orcpt = Some(orcpt);
        self
    }

    /// The conditions this recipient asked to be notified of ([`Notify::DEFAULT`]
    /// when it gave no `NOTIFY`).
    pub fn notify_or_default(&self) -> Notify {
        self.notify.unwrap_or(Notify::DEFAULT)
    }

    /// The domain the recipient is routed on: the mailbox's domain (or address
    /// literal, with its brackets) in ASCII lower case.
    pub fn domain(&self) -> String {
        domain_of(&self.address)
    }
}

/// The domain of `mailbox` as routing compares it: ASCII lower case, no trailing dot.
pub(crate) fn domain_of(mailbox: &Mailbox<'_>) -> String {
    mailbox
        .host()
        .as_str()
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// A message's envelope: who sent it, to whom, with which parameters, and which named
/// queue it was submitted to.
///
/// ```
/// use mailwright_queue::{Envelope, Recipient};
/// use mailwright_smtp::Mailbox;
///
/// let envelope = Envelope::new(Mailbox::try_from("alice@example.org")?.into_owned())
///     .with_recipient(Recipient::new(Mailbox::try_from("bob@example.net")?.into_owned()));
/// assert_eq!(envelope.recipients.len(), 1);
/// assert_eq!(envelope.queue, "default");
/// # Ok::<(), mailwright_smtp::ValidationError>(())
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// The reverse-path; [`ReversePath::Null`] (`<>`: bounces, DSNs) is never sent a
    /// DSN.
    pub sender: ReversePath<'static>,
    /// The recipients, in the order given.
    pub recipients: Vec<Recipient>,
    /// `RET=`, if given.
    pub ret: Option<Ret>,
    /// `ENVID=`, if given.
    pub envid: Option<EnvId<'static>>,
    /// `BODY=` (RFC 6152, RFC 3030), if given.
    pub body: Option<BodyType>,
    /// `SMTPUTF8` (RFC 6531) was given.
    pub smtputf8: bool,
    /// `REQUIRETLS` (RFC 8689) was given: the message may only travel over TLS with a
    /// verified certificate. Recorded and kept in the spool; smtp-proto does not
    /// negotiate it yet and the delivery does not enforce it yet.
    pub requiretls: bool,
    /// The named queue the message was submitted to (`"default"` unless set); routing
    /// rules match on it and may move the message to another queue.
    pub queue: String,
}

impl Envelope {
    /// The name of the queue messages go to unless told otherwise.
    pub const DEFAULT_QUEUE: &'static str = "default";

    /// An envelope with this reverse-path (a [`Mailbox`] or [`ReversePath::Null`]),
    /// no parameters and no recipients yet.
    pub fn new(sender: impl Into<ReversePath<'static>>) -> Self {
        Self {
            sender: sender.into(),
            recipients: Vec::new(),
            ret: None,
            envid: None,
            body: None,
            smtputf8: false,
            requiretls: false,
            queue: Self::DEFAULT_QUEUE.to_owned(),
        }
    }

    /// The queue envelope of a message smtp-proto's server received: the reverse-path,
    /// the accepted recipients, and every parameter the queue keeps (`RET`, `ENVID`,
    /// `BODY`, `SMTPUTF8`, `REQUIRETLS` if the client sent it; per recipient `NOTIFY`
    /// and `ORCPT`). `ENVID` and `ORCPT` are kept in canonical xtext (what the spool
    /// stores decoded and reads back), so the entry is the same before and after a
    /// restart. `SIZE` and `AUTH=` are the receiving server's business and not kept.
    ///
    /// ```
    /// use mailwright_queue::Envelope;
    /// use mailwright_smtp::{BodyType, ForwardPath, Mailbox, Notify, Orcpt, Recipient, ReversePath, Ret, XText};
    ///
    /// let mut received = mailwright_smtp::Envelope::new(ReversePath::Mailbox(Mailbox::try_from("alice@example.org")?));
    /// received.mail_params.ret = Some(Ret::Headers);
    /// received.mail_params.envid = Some(XText::try_from("QQ314159")?);
    /// received.mail_params.body = Some(BodyType::EightBitMime);
    /// let mut rcpt = Recipient::new(ForwardPath::Mailbox(Mailbox::try_from("bob@example.net")?));
    /// rcpt.params.notify = Some(Notify::NEVER);
    /// rcpt.params.orcpt = Some(Orcpt::rfc822("bob@example.net"));
    /// received.recipients.push(rcpt);
    ///
    /// let envelope = Envelope::from_smtp(&received)?;
    /// assert_eq!(envelope.ret, Some(Ret::Headers));
    /// assert_eq!(envelope.envid.as_ref().map(|e| e.as_str()), Some("QQ314159"));
    /// assert_eq!(envelope.body, Some(BodyType::EightBitMime));
    /// assert_eq!(envelope.recipients[0].notify, Some(Notify::NEVER));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`FromSmtpError::BarePostmaster`] for a `RCPT TO:<Postmaster>` without a
    /// domain, which only the receiving server can resolve (to its postmaster's
    /// mailbox) before it queues the message.
    pub fn from_smtp(envelope: &mailwright_smtp::Envelope<'_>) -> Result<Self, FromSmtpError> {
        let params = &envelope.mail_params;
        let mut out = Self::new(envelope.from.clone().into_owned());
        out.ret = params.ret;
        out.envid = params
            .envid
            .as_ref()
            .map(|xtext| EnvId::new(canonical(xtext)));
        out.body = params.body;
        out.smtputf8 = params.smtputf8;
        out.requiretls = params.other().iter().any(|p| p.keyword.is("REQUIRETLS"));
        out.recipients.reserve(envelope.recipients.len());
        for (index, rcpt) in envelope.recipients.iter().enumerate() {
            let address = rcpt
                .path
                .mailbox()
                .ok_or(FromSmtpError::BarePostmaster { index })?;
            let orcpt = rcpt.params.orcpt.as_ref().map(|orcpt| {
                // Kept as received when its type is not an atom any more (it was
                // parsed as one), which cannot happen.
                Orcpt::new(
                    orcpt.addr_type().to_owned().into(),
                    canonical(orcpt.address()),
                )
                .unwrap_or_else(|_| orcpt.clone().into_owned())
            });
            out.recipients.push(Recipient {
                address: address.clone().into_owned(),
                notify: rcpt.params.notify,
                orcpt,
            });
        }
        Ok(out)
    }

    /// Adds a recipient.
    pub fn with_recipient(mut self, recipient: Recipient) -> Self {
        self.recipients.push(recipient);
        self
    }

    /// Sets `RET=`.
    pub fn with_ret(mut self, ret: Ret) -> Self {
        self.ret = Some(ret);
        self
    }

    /// Sets `ENVID=`.
    pub fn with_envid(mut self, envid: EnvId<'static>) -> Self {
        self.envid = Some(envid);
        self
    }

    /// Sets `BODY=`.
    pub fn with_body(mut self, body: BodyType) -> Self {
        self.body = Some(body);
        self
    }

    /// Sets the `SMTPUTF8` flag.
    pub fn with_smtputf8(mut self, smtputf8: bool) -> Self {
        self.smtputf8 = smtputf8;
        self
    }

    /// Sets the `REQUIRETLS` flag.
    pub fn with_requiretls(mut self, requiretls: bool) -> Self {
        self.requiretls = requiretls;
        self
    }

    /// Sets the named queue.
    pub fn with_queue(mut self, queue: impl Into<String>) -> Self {
        self.queue = queue.into();
        self
    }
}

impl TryFrom<&mailwright_smtp::Envelope<'_>> for Envelope {
    type Error = FromSmtpError;

    /// [`Envelope::from_smtp`].
    fn try_from(envelope: &mailwright_smtp::Envelope<'_>) -> Result<Self, Self::Error> {
        Self::from_smtp(envelope)
    }
}

/// Why a received SMTP envelope cannot be queued as it is.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FromSmtpError {
    /// The recipient at this index is `<Postmaster>` without a domain.
    #[error("recipient {index} is <Postmaster> without a domain")]
    BarePostmaster {
        /// Its index in the SMTP envelope.
        index: usize,
    },
}

/// The canonical xtext of the value `xtext` stands for (upper-case `+HH` for every
/// byte outside `xchar`, nothing else escaped).
pub(crate) fn canonical(xtext: &XText<'_>) -> XText<'static> {
    XText::encode(xtext.decode().as_bytes()).unwrap_or_else(|_| xtext.clone().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailwright_smtp::{EsmtpParameter, ForwardPath, RcptParameters};
    use proptest::prelude::*;

    fn mailbox(text: &str) -> Mailbox<'static> {
        Mailbox::try_from(text.to_owned()).unwrap()
    }

    /// An envelope as smtp-proto's server hands it over, carrying every parameter.
    fn received() -> mailwright_smtp::Envelope<'static> {
        let mut envelope =
            mailwright_smtp::Envelope::new(ReversePath::Mailbox(mailbox("jörg@bücher.example")));
        let params = &mut envelope.mail_params;
        params.size = Some(1234);
        params.body = Some(BodyType::BinaryMime);
        params.smtputf8 = true;
        params.ret = Some(Ret::Full);
        params.envid = Some(XText::try_from("QQ+20314+2b159").unwrap());
        params.auth = Some(XText::try_from("<>").unwrap());
        params
            .add_other(EsmtpParameter {
                keyword: "REQUIRETLS".try_into().unwrap(),
                value: None,
            })
            .unwrap();
        let mut first = RcptParameters::default();
        first.notify = Notify::on(true, true, false);
        first.orcpt = Some("rfc822;Bob+20<bob+2Btag@example.net>".parse().unwrap());
        envelope
            .recipients
            .push(mailwright_smtp::Recipient::with_params(
                ForwardPath::Mailbox(mailbox("bob+tag@example.net")),
                first,
            ));
        let mut second = RcptParameters::default();
        second.notify = Some(Notify::NEVER);
        second.orcpt = Some(Orcpt::encode("utf-8", "日本@例え.jp").unwrap());
        envelope
            .recipients
            .push(mailwright_smtp::Recipient::with_params(
                ForwardPath::Mailbox(mailbox("\"c d\"@[192.0.2.1]")),
                second,
            ));
        envelope.add_recipient(ForwardPath::Mailbox(mailbox("Carol@Example.COM")));
        envelope
    }

    #[test]
    fn from_smtp_keeps_every_parameter() {
        let envelope = Envelope::from_smtp(&received()).unwrap();
        assert_eq!(
            envelope.sender,
            ReversePath::Mailbox(mailbox("jörg@bücher.example"))
        );
        assert_eq!(envelope.ret, Some(Ret::Full));
        // Canonical xtext: the lower-case escape is upper case now; the same value.
        assert_eq!(envelope.envid.as_ref().unwrap().as_str(), "QQ+20314+2B159");
        assert_eq!(envelope.envid.as_ref().unwrap().decode(), "QQ 314+159");
        assert_eq!(envelope.body, Some(BodyType::BinaryMime));
        assert!(envelope.smtputf8);
        assert!(envelope.requiretls);
        assert_eq!(envelope.queue, Envelope::DEFAULT_QUEUE);
        let [bob, cd, carol] = &envelope.recipients[..] else {
            panic!("three recipients: {envelope:?}");
        };
        assert_eq!(bob.address, mailbox("bob+tag@example.net"));
        assert_eq!(bob.notify, Notify::on(true, true, false));
        let orcpt = bob.orcpt.as_ref().unwrap();
        assert_eq!(orcpt.addr_type(), "rfc822");
        assert_eq!(orcpt.address().decode(), "Bob <bob+tag@example.net>");
        assert_eq!(cd.domain(), "[192.0.2.1]");
        assert_eq!(cd.notify, Some(Notify::NEVER));
        assert_eq!(
            cd.orcpt.as_ref().unwrap().address().decode(),
            "日本@例え.jp"
        );
        assert_eq!(carol.domain(), "example.com");
        assert_eq!((carol.notify, &carol.orcpt), (None, &None));
        assert_eq!(carol.notify_or_default(), Notify::DEFAULT);
        assert_eq!(Envelope::try_from(&received()), Ok(envelope));
    }

    #[test]
    fn from_smtp_without_parameters() {
        let mut received = mailwright_smtp::Envelope::new(ReversePath::Null);
        received.add_recipient(ForwardPath::Mailbox(mailbox("a@example.org")));
        let envelope = Envelope::from_smtp(&received).unwrap();
        let expected = Envelope::new(ReversePath::Null)
            .with_recipient(Recipient::new(mailbox("a@example.org")));
        assert_eq!(envelope, expected);
        received.add_recipient(ForwardPath::Postmaster);
        assert_eq!(
            Envelope::from_smtp(&received),
            Err(FromSmtpError::BarePostmaster { index: 1 })
        );
    }

    proptest! {
        /// Any xtext of any Unicode: the canonical form stands for the same value,
        /// and is its own canonical form.
        #[test]
        fn canonical_xtext(text in prop_oneof![any::<String>(), "([a-z+=]|\\+[0-9A-Fa-f]{2}|\\PC){1,20}"]) {
            if let Ok(xtext) = XText::try_from(text.as_str()) {
                let canon = canonical(&xtext);
                prop_assert_eq!(canon.decode(), xtext.decode());
                prop_assert_eq!(canonical(&canon), canon.clone());
                prop_assert!(canon.as_str().is_ascii());
            }
        }
    }
}
