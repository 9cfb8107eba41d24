//! What the application provides to the server driver.

use std::future::Future;
use std::net::SocketAddr;

use bytes::Bytes;

use crate::command::{MailParameters, RcptParameters};
use crate::reply::Reply;
use crate::server::{AbortReason, Credentials, HelloKind, ServerConfig, VerifyKind};
use crate::tokio::TlsInfo;
use crate::types::{Argument, Envelope, ForwardPath, Host, ReplyCode, ReversePath};

/// Creates a [`SessionHandler`] for each connection of a listener.
///
/// One value serves every connection (it is shared in an `Arc`); keep per-connection
/// state in the `Session` it returns.
pub trait Handler: Send + Sync + 'static {
    /// The per-connection handler.
    type Session: SessionHandler;

    /// A connection came in (after implicit TLS, before the greeting). Return the
    /// session's handler, or a reply that refuses the connection (`554 5.7.1` for a
    /// blocked address, `421 4.3.2` when overloaded); the driver sends it and closes.
    fn connect(
        &self,
        info: &ConnectionInfo,
    ) -> impl Future<Output = Result<Self::Session, Reply<'static>>> + Send;
}

/// One handler shared by several servers (an inbound and a submission server with
/// different configurations, say).
impl<H: Handler> Handler for std::sync::Arc<H> {
    type Session = H::Session;

    fn connect(
        &self,
        info: &ConnectionInfo,
    ) -> impl Future<Output = Result<Self::Session, Reply<'static>>> + Send {
        H::connect(self, info)
    }
}

/// The decisions of one connection, one async method per event of the session.
///
/// Every method has a default that does what the RFC allows without further
/// knowledge: greet, refuse AUTH (no user database), accept senders and
/// recipients, answer `VRFY` with `252`, discard the body and accept the message.
/// The session has checked every protocol rule before a method is called.
pub trait SessionHandler: Send + 'static {
    /// `EHLO`/`HELO`/`LHLO`. `Err(reply)` refuses the greeting.
    fn hello(
        &mut self,
        ctx: &Context,
        host: &Host<'static>,
        kind: HelloKind,
    ) -> impl Future<Output = Result<(), Reply<'static>>> + Send {
        let _ = (ctx, host, kind);
        async { Ok(()) }
    }

    /// Credentials from `AUTH PLAIN`/`LOGIN`: check them.
    fn auth(
        &mut self,
        ctx: &Context,
        credentials: &Credentials,
    ) -> impl Future<Output = AuthResult> + Send {
        let _ = (ctx, credentials);
        async { AuthResult::InvalidCredentials }
    }

    /// `MAIL FROM`. `Err(reply)` refuses the sender.
    fn mail_from(
        &mut self,
        ctx: &Context,
        from: &ReversePath<'static>,
        params: &MailParameters<'static>,
    ) -> impl Future<Output = Result<(), Reply<'static>>> + Send {
        let _ = (ctx, from, params);
        async { Ok(()) }
    }

    /// `RCPT TO`; `envelope` holds the sender and the recipients accepted so far.
    /// `Err(reply)` refuses the recipient (the relay check belongs here: refuse
    /// foreign domains unless `ctx.authenticated` or the peer is trusted).
    fn rcpt_to(
        &mut self,
        ctx: &Context,
        to: &ForwardPath<'static>,
        params: &RcptParameters<'static>,
        envelope: &Envelope<'static>,
    ) -> impl Future<Output = Result<(), Reply<'static>>> + Send {
        let _ = (ctx, to, params, envelope);
        async { Ok(()) }
    }

    /// `VRFY`/`EXPN`, when the configuration hands them over.
    fn verify(
        &mut self,
        ctx: &Context,
        kind: VerifyKind,
        argument: &Argument<'static>,
    ) -> impl Future<Output = Reply<'static>> + Send {
        let _ = (ctx, kind, argument);
        async {
            Reply::new(
                ReplyCode::CANNOT_VERIFY,
                "cannot VRFY user, but will accept message and attempt delivery",
            )
        }
    }

    /// The next piece of the message body, in order.
    fn body_chunk(&mut self, ctx: &Context, chunk: Bytes) -> impl Future<Output = ()> + Send {
        let _ = (ctx, chunk);
        async {}
    }

    /// The body is complete: store the message (durably, if the reply will say it is
    /// queued) and return the outcome. The client hears nothing before this returns.
    fn message(
        &mut self,
        ctx: &Context,
        envelope: &Envelope<'static>,
        size: u64,
    ) -> impl Future<Output = MessageOutcome> + Send {
        let _ = (ctx, envelope, size);
        async { MessageOutcome::Accepted("0".to_owned()) }
    }

    /// The body in progress is void (too large, refused, connection lost): drop what
    /// was stored of it.
    fn message_aborted(
        &mut self,
        ctx: &Context,
        reason: AbortReason,
    ) -> impl Future<Output = ()> + Send {
        let _ = (ctx, reason);
        async {}
    }
}

/// The answer to credentials.
#[derive(Clone, Debug, Eq, PartialEq)]
#[non_exhaustive]
pub enum AuthResult {
    /// Good credentials: `235 2.7.0`.
    Accepted,
    /// Wrong credentials: `535 5.7.8`, counted towards the failure limit.
    InvalidCredentials,
    /// Refused with another reply (`454 4.7.0` when the user database is down).
    Rejected(Reply<'static>),
}

/// The answer to a complete message.
#[derive(Clone, Debug, Eq, PartialEq)]
#[non_exhaustive]
pub enum MessageOutcome {
    /// Stored under this queue id: `250 2.0.0 OK queued as <id>` (for every recipient
    /// in LMTP).
    Accepted(String),
    /// Refused with this reply (for every recipient in LMTP).
    Rejected(Reply<'static>),
    /// LMTP: one reply per accepted recipient, in envelope order.
    PerRecipient(Vec<Reply<'static>>),
}

/// The connection a session runs on.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ConnectionInfo {
    /// The client's address.
    pub peer: SocketAddr,
    /// The address the client connected to (which listener).
    pub local: SocketAddr,
    /// What TLS negotiated, if the connection is encrypted.
    pub tls: Option<TlsInfo>,
}

impl ConnectionInfo {
    /// Information about a connection from `peer` to `local`, not encrypted.
    pub fn new(peer: SocketAddr, local: SocketAddr) -> Self {
        Self {
            peer,
            local,
            tls: None,
        }
    }
}

/// What a handler method knows about the session.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Context {
    /// The connection: addresses and TLS.
    pub connection: ConnectionInfo,
    /// The accepted greeting name, if any.
    pub hello: Option<(Host<'static>, HelloKind)>,
    /// The identity the client authenticated as.
    pub authenticated: Option<String>,
    /// The listener's configuration.
    pub config: std::sync::Arc<ServerConfig>,
}
