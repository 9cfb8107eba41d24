//! The seam between the queue and the network: a [`Transport`] opens [`Connection`]s
//! to one address and sends transactions over them; a [`LocalDelivery`] handler takes
//! messages routed to the application.
//!
//! The runtime does the rest (which host, which address, failover, limits, outcomes),
//! so a transport is small, and tests use a fake one. The SMTP/LMTP transport over
//! smtp-proto's client is [`smtp::SmtpTransport`] (feature `tokio`).

#[cfg(feature = "tokio")]
pub mod smtp;

use std::fmt;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use mailwright_smtp::ReversePath;

use crate::envelope::{Envelope, Recipient};
use crate::id::QueueId;
use crate::route::Credentials;
use crate::scheduler::RcptOutcome;
use crate::status::Diagnostic;

/// Where to connect.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// A TCP address.
    Tcp(SocketAddr),
    /// A unix socket (LMTP).
    Unix(PathBuf),
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Tcp(addr) => write!(f, "{addr}"),
            Self::Unix(path) => write!(f, "unix:{}", path.display()),
        }
    }
}

/// SMTP or LMTP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// RFC 5321 (EHLO, one reply to DATA).
    Smtp,
    /// RFC 2033 (LHLO, one reply per recipient after DATA).
    Lmtp,
}

/// TLS on a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TlsRequirement {
    /// TLS from the first byte.
    Implicit,
    /// STARTTLS or fail.
    StartTlsRequired,
    /// STARTTLS when offered.
    Opportunistic,
    /// No TLS.
    Disabled,
}

/// Everything a transport needs to open one connection.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct ConnectRequest {
    /// The address.
    pub endpoint: Endpoint,
    /// The host name the address belongs to (TLS server name, logs, Remote-MTA).
    pub host: String,
    /// Local address to bind first.
    pub source: Option<IpAddr>,
    /// Our EHLO/LHLO name.
    pub ehlo: String,
    /// SMTP or LMTP.
    pub protocol: Protocol,
    /// TLS.
    pub tls: TlsRequirement,
    /// Check the certificate's chain and name.
    pub verify_certificates: bool,
    /// AUTH credentials.
    pub auth: Option<Credentials>,
}

/// Why a connection could not be made ready.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectError {
    /// What to record (4.4.1 for no answer, the greeting's reply, 4.7.5 for TLS, ...).
    pub diagnostic: Diagnostic,
}

impl ConnectError {
    /// A connect error with this diagnostic.
    pub fn new(diagnostic: Diagnostic) -> Self {
        Self { diagnostic }
    }
}

/// One transaction to send.
#[non_exhaustive]
#[derive(Clone, Copy, Debug)]
pub struct OutgoingMessage<'a> {
    /// The entry (for logs).
    pub id: QueueId,
    /// The message's envelope: `MAIL FROM` and the parameters to pass on (`RET=`,
    /// `ENVID=`, `BODY=`, `SMTPUTF8`). Its recipients are all the message's, not only
    /// this transaction's: those are in `recipients`.
    pub envelope: &'a Envelope,
    /// The recipients (`RCPT TO`, with `NOTIFY=`/`ORCPT=` to pass on).
    pub recipients: &'a [&'a Recipient],
    /// The message.
    pub body: &'a [u8],
}

/// A connection failure in the middle of a session (421, a dropped connection, a
/// timeout): the connection is unusable and the site is backed off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionError {
    /// What happened.
    pub diagnostic: Diagnostic,
}

/// Opens connections.
pub trait Transport: Send + Sync + 'static {
    /// The connection type.
    type Connection: Connection;

    /// Connects to `request.endpoint` and makes the session ready for a transaction
    /// (greeting, EHLO, STARTTLS, AUTH).
    ///
    /// # Errors
    ///
    /// [`ConnectError`] when the address is unreachable or the server refuses us (the
    /// runtime then tries the next address or host).
    fn connect(
        &self,
        request: &ConnectRequest,
    ) -> impl Future<Output = Result<Self::Connection, ConnectError>> + Send;
}

/// A ready session.
pub trait Connection: Send + 'static {
    /// Sends one transaction; one outcome per recipient, in order.
    ///
    /// # Errors
    ///
    /// [`SessionError`] when the session broke; outcomes not had are deferred.
    fn send(
        &mut self,
        message: OutgoingMessage<'_>,
    ) -> impl Future<Output = Result<Vec<RcptOutcome>, SessionError>> + Send;

    /// Gets ready for the next transaction (RSET).
    ///
    /// # Errors
    ///
    /// [`SessionError`] when the session broke.
    fn reset(&mut self) -> impl Future<Output = Result<(), SessionError>> + Send;

    /// Ends the session politely (QUIT).
    fn quit(self) -> impl Future<Output = ()> + Send;

    /// Whether the server takes DSN parameters (RFC 3461): if not, success notices
    /// asked for are ours to send. LMTP sessions answer true when they deliver finally
    /// (the runtime treats LMTP as final delivery either way).
    fn supports_dsn(&self) -> bool;
}

/// A message handed to a local-delivery handler.
#[non_exhaustive]
#[derive(Debug)]
pub struct LocalMessage {
    /// The entry.
    pub id: QueueId,
    /// `MAIL FROM`.
    pub sender: ReversePath<'static>,
    /// The recipients to deliver to.
    pub recipients: Vec<Recipient>,
    /// The message.
    pub body: Arc<[u8]>,
}

/// A boxed future, for [`LocalDelivery`] (which is used as a trait object).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The application's delivery of messages routed with `RouteAction::Local` (a
/// mailbox store, a webhook, ...): one outcome per recipient, in order.
pub trait LocalDelivery: Send + Sync + 'static {
    /// Delivers.
    fn deliver(&self, message: LocalMessage) -> BoxFuture<'_, Vec<RcptOutcome>>;
}

impl<F, Fut> LocalDelivery for F
where
    F: Fn(LocalMessage) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Vec<RcptOutcome>> + Send + 'static,
{
    fn deliver(&self, message: LocalMessage) -> BoxFuture<'_, Vec<RcptOutcome>> {
        Box::pin(self(message))
    }
}
