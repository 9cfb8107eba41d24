//! What a server listener offers and requires.

use std::borrow::Cow;

use crate::codec::frame::BareLineEndings;
use crate::server::Limits;
use crate::types::{Domain, Mechanism, Text};

/// Which protocol the session speaks.
#[derive(Clone, Copy, Debug, Default, Eq, Hash, PartialEq)]
pub enum Protocol {
    /// SMTP ([RFC 5321](https://www.rfc-editor.org/rfc/rfc5321)): `EHLO`/`HELO`, one
    /// reply after the message.
    #[default]
    Smtp,
    /// LMTP ([RFC 2033](https://www.rfc-editor.org/rfc/rfc2033)): `LHLO`, one reply per
    /// accepted recipient after the message.
    Lmtp,
}

/// The configuration of a server listener: the name it greets with, the extensions it
/// offers, what it requires of clients, and its [`Limits`].
///
/// One value serves every connection of a listener (the session takes it in an
/// `Arc`). Different listeners get different values: port 25 offers STARTTLS and
/// takes mail from anyone; the submission port 587 requires STARTTLS and AUTH before
/// MAIL; port 465 runs implicit TLS.
///
/// ```
/// use mailwright_smtp::server::ServerConfig;
/// use mailwright_smtp::{Domain, Mechanism};
///
/// // A submission listener, as Postfix's smtpd_tls_auth_only + smtpd_sasl_auth_enable.
/// let mut submission = ServerConfig::new(Domain::try_from("mail.example.org")?);
/// submission
///     .starttls(true)
///     .tls_required(true)
///     .auth_mechanisms([Mechanism::PLAIN, Mechanism::LOGIN])
///     .auth_required(true);
/// submission.limits_mut().max_recipients(50);
/// # Ok::<(), mailwright_smtp::ValidationError>(())
/// ```
#[derive(Clone, Debug)]
pub struct ServerConfig {
    pub(crate) hostname: Domain<'static>,
    pub(crate) greeting: Text<'static>,
    pub(crate) protocol: Protocol,
    pub(crate) limits: Limits,
    pub(crate) pipelining: bool,
    pub(crate) eight_bit_mime: bool,
    pub(crate) smtputf8: bool,
    pub(crate) chunking: bool,
    pub(crate) binarymime: bool,
    pub(crate) dsn: bool,
    pub(crate) enhanced_status_codes: bool,
    pub(crate) starttls: bool,
    pub(crate) tls_active: bool,
    pub(crate) tls_required: bool,
    pub(crate) auth_mechanisms: Vec<Mechanism<'static>>,
    pub(crate) auth_requires_tls: bool,
    pub(crate) auth_required: bool,
    pub(crate) vrfy: bool,
    pub(crate) bare_line_endings: BareLineEndings,
}

impl ServerConfig {
    /// A configuration for a server called `hostname`, with the defaults of each
    /// setter below.
    pub fn new(hostname: Domain<'static>) -> Self {
        Self {
            hostname,
            greeting: Text::from_static("ESMTP ready"),
            protocol: Protocol::Smtp,
            limits: Limits::default(),
            pipelining: true,
            eight_bit_mime: true,
            smtputf8: true,
            chunking: true,
            binarymime: false,
            dsn: false,
            enhanced_status_codes: true,
            starttls: false,
            tls_active: false,
            tls_required: false,
            auth_mechanisms: Vec::new(),
            auth_requires_tls: true,
            auth_required: false,
            vrfy: false,
            bare_line_endings: BareLineEndings::Normalize,
        }
    }

    /// The text after the host name in the `220` greeting. Default `ESMTP ready`
    /// (`LMTP ready` is a good choice for LMTP). Control characters become spaces.
    pub fn greeting(&mut self, text: impl Into<Cow<'static, str>>) -> &mut Self {
        self.greeting = Text::lossy(text);
        self
    }

    /// SMTP or LMTP. Default [`Protocol::Smtp`].
    pub fn protocol(&mut self, protocol: Protocol) -> &mut Self {
        self.protocol = protocol;
        self
    }

    /// Replaces the limits.
    pub fn limits(&mut self, limits: Limits) -> &mut Self {
        self.limits = limits;
        self
    }

    /// The limits, to change one.
    pub fn limits_mut(&mut self) -> &mut Limits {
        &mut self.limits
    }

    /// Offer `PIPELINING` (RFC 2920). Default on. The session answers pipelined
    /// commands in order either way; this only says so to the client.
    pub fn pipelining(&mut self, on: bool) -> &mut Self {
        self.pipelining = on;
        self
    }

    /// Offer `8BITMIME` (RFC 6152) and accept `BODY=8BITMIME`. Default on.
    pub fn eight_bit_mime(&mut self, on: bool) -> &mut Self {
        self.eight_bit_mime = on;
        self
    }

    /// Offer `SMTPUTF8` (RFC 6531) and accept UTF-8 addresses with the `SMTPUTF8`
    /// parameter. Default on.
    pub fn smtputf8(&mut self, on: bool) -> &mut Self {
        self.smtputf8 = on;
        self
    }

    /// Offer `CHUNKING` (RFC 3030) and accept `BDAT`. Default on.
    pub fn chunking(&mut self, on: bool) -> &mut Self {
        self.chunking = on;
        self
    }

    /// Offer `BINARYMIME` (RFC 3030) and accept `BODY=BINARYMIME`, whose body comes
    /// only through `BDAT` and is handed out as it is. Needs [`chunking`](Self::chunking).
    /// Default off.
    pub fn binarymime(&mut self, on: bool) -> &mut Self {
        self.binarymime = on;
        self
    }

    /// Offer `DSN` (RFC 3461) and accept `RET`, `ENVID`, `NOTIFY`, `ORCPT`. Default
    /// off: only turn it on when the application sends the notifications.
    pub fn dsn(&mut self, on: bool) -> &mut Self {
        self.dsn = on;
        self
    }

    /// Offer `ENHANCEDSTATUSCODES` (RFC 2034) and put enhanced codes in replies after
    /// `EHLO`/`LHLO`. Default on.
    pub fn enhanced_status_codes(&mut self, on: bool) -> &mut Self {
        self.enhanced_status_codes = on;
        self
    }

    /// Offer `STARTTLS` (RFC 3207) while the connection is not encrypted. Default
    /// off; the tokio server turns it on when it has a TLS configuration. The
    /// application MUST run the handshake after [`Event::StartTls`](crate::server::Event::StartTls).
    pub fn starttls(&mut self, on: bool) -> &mut Self {
        self.starttls = on;
        self
    }

    /// The connection is encrypted from the start (implicit TLS, port 465, RFC 8314).
    /// Default off.
    pub fn tls_active(&mut self, on: bool) -> &mut Self {
        self.tls_active = on;
        self
    }

    /// Refuse `MAIL` (`530 5.7.0`) until the connection is encrypted (RFC 3207
    /// section 4: a listener that requires TLS). Default off.
    pub fn tls_required(&mut self, on: bool) -> &mut Self {
        self.tls_required = on;
        self
    }

    /// The SASL mechanisms offered with `AUTH` (RFC 4954). Default none (no AUTH).
    /// The session runs the exchanges of `PLAIN` and `LOGIN` itself and hands the
    /// application the credentials ([`Event::Auth`](crate::server::Event::Auth));
    /// other mechanisms are left out of the list.
    pub fn auth_mechanisms(
        &mut self,
        mechanisms: impl IntoIterator<Item = Mechanism<'static>>,
    ) -> &mut Self {
        self.auth_mechanisms = mechanisms
            .into_iter()
            .filter(|m| *m == Mechanism::PLAIN || *m == Mechanism::LOGIN)
            .collect();
        self.auth_mechanisms.dedup();
        self
    }

    /// Offer `AUTH` only on encrypted connections; before TLS, `AUTH` gets
    /// `538 5.7.11`. Default on (as Postfix's `smtpd_tls_auth_only`): passwords never
    /// cross the network in clear.
    ///
    /// <div class="warning">Turning this off sends passwords in clear text on
    /// unencrypted connections; do it only for loopback or test listeners.</div>
    pub fn auth_requires_tls(&mut self, on: bool) -> &mut Self {
        self.auth_requires_tls = on;
        self
    }

    /// Refuse `MAIL` (`530 5.7.0`) until the client has authenticated (a submission
    /// listener, RFC 4954 section 6). Default off.
    pub fn auth_required(&mut self, on: bool) -> &mut Self {
        self.auth_required = on;
        self
    }

    /// Hand `VRFY` and `EXPN` to the application ([`Event::Verify`](crate::server::Event::Verify)).
    /// Default off: `VRFY` gets `252 2.5.0` (RFC 5321 section 3.5.3) and `EXPN`
    /// `502 5.5.1`, which tells address harvesters nothing.
    pub fn vrfy(&mut self, on: bool) -> &mut Self {
        self.vrfy = on;
        self
    }

    /// What a DATA body gets for a bare CR or LF. Default
    /// [`BareLineEndings::Normalize`]. End of data is `<CRLF>.<CRLF>` only, whatever
    /// this says.
    pub fn bare_line_endings(&mut self, policy: BareLineEndings) -> &mut Self {
        self.bare_line_endings = policy;
        self
    }

    /// The host name of the greeting and the EHLO reply.
    pub fn hostname(&self) -> &Domain<'static> {
        &self.hostname
    }

    /// Whether the listener speaks LMTP.
    pub fn is_lmtp(&self) -> bool {
        self.protocol == Protocol::Lmtp
    }

    /// Whether STARTTLS is offered on unencrypted connections.
    pub fn offers_starttls(&self) -> bool {
        self.starttls
    }
}

impl Default for ServerConfig {
    /// A configuration for `localhost`.
    fn default() -> Self {
        Self::new(Domain(Cow::Borrowed("localhost")))
    }
}
