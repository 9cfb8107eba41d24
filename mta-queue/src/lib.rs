//! The outbound half of an MTA: a durable spool, a scheduler that delivers per
//! destination within limits, routing rules, MX delivery (RFC 5321 §5), retries and
//! RFC 3464 delivery status notifications.
//!
//! The queue speaks smtp-proto's types: an [`Envelope`] holds smtp-proto
//! [`Mailbox`](mailwright_smtp::Mailbox)es and [`ReversePath`](mailwright_smtp::ReversePath), its
//! DSN parameters ([`Ret`](mailwright_smtp::Ret), [`EnvId`](mailwright_smtp::EnvId),
//! [`Notify`](mailwright_smtp::Notify), [`Orcpt`](mailwright_smtp::Orcpt)), `BODY=`
//! ([`BodyType`](mailwright_smtp::BodyType)) and the `SMTPUTF8` and `REQUIRETLS` flags; a
//! [`Diagnostic`] holds an [`EnhancedStatusCode`](mailwright_smtp::EnhancedStatusCode) and
//! the remote [`Reply`](mailwright_smtp::Reply). smtp-proto is used without its runtime
//! (`default-features = false`).
//!
//! An SMTP server built on smtp-proto turns the envelope its handler receives into the
//! queue's with [`Envelope::from_smtp`] (every parameter kept), hands it with the
//! message to [`Queue::enqueue`], and answers `250` only once that returned a
//! [`QueueId`]: by then the message and its envelope are fsynced (file and directory),
//! so a `kill -9` at any later moment loses nothing. If it fails,
//! `Reply::from(&error)` ([`EnqueueError`]) is the reply to give instead (`452 4.3.1`
//! for a full disk, `451 4.3.0` for a failed write or fsync). From there the queue routes
//! each recipient ([`route`]), resolves MX hosts ([`mx`]), groups recipients per site
//! into transactions and connections within [`Limits`], retries on a
//! [`RetryPolicy`], and bounces with a [DSN](dsn). Every decision is configuration or a
//! hook: [`route::RouteHook`], [`Throttle`]s, [`QueueConfig`]s, local-delivery
//! handlers ([`transport::LocalDelivery`]), and the [event stream](Event).
//!
//! # Example
//!
//! A queue that routes `example.org` to the application and everything else by MX,
//! with a throttle and an event hook:
//!
//! ```
//! # #[cfg(feature = "tokio")]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use mailwright_auth::dns::Zone;
//! use mailwright_queue::route::{RouteAction, Router, Rule};
//! use mailwright_queue::scheduler::RcptOutcome;
//! use mailwright_queue::transport::LocalMessage;
//! use mailwright_queue::{Diagnostic, Envelope, FileSpool, Limits, QueueBuilder, Recipient, SchedulerConfig, Throttle};
//! use mailwright_smtp::{EnhancedStatusCode, Mailbox, Reply};
//! # use mailwright_queue::transport::{ConnectError, ConnectRequest, Connection, OutgoingMessage, SessionError, Transport};
//! # struct Offline; struct Never;
//! # impl Transport for Offline { type Connection = Never;
//! #     async fn connect(&self, _: &ConnectRequest) -> Result<Never, ConnectError> {
//! #         Err(ConnectError::new(Diagnostic::local(EnhancedStatusCode::BAD_CONNECTION, "offline"))) } }
//! # impl Connection for Never {
//! #     async fn send(&mut self, _: OutgoingMessage<'_>) -> Result<Vec<RcptOutcome>, SessionError> { Ok(vec![]) }
//! #     async fn reset(&mut self) -> Result<(), SessionError> { Ok(()) }
//! #     async fn quit(self) {}
//! #     fn supports_dsn(&self) -> bool { true } }
//!
//! tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(async {
//!     let dir = tempfile::tempdir()?;
//!     let spool = Arc::new(FileSpool::open(dir.path())?);
//!     let mut router = Router::new();
//!     router.push(Rule::new("mine").domain("example.org".parse()?).action(RouteAction::Local { handler: "inbox".into() }));
//!     let config = SchedulerConfig::default()
//!         .throttle(Throttle::new(".provider.example".parse()?, Limits::default().connections(2)));
//!     let queue = QueueBuilder::new(spool, Zone::parse("")?, Offline) // a real MTA passes transport::smtp::SmtpTransport
//!         .router(router)
//!         .config(config)
//!         .hostname("mta.example.org")
//!         .local_handler("inbox", Arc::new(|message: LocalMessage| async move {
//!             let ok = Diagnostic::local(EnhancedStatusCode::OK, "stored");
//!             message.recipients.iter().map(|_| RcptOutcome::Delivered(ok.clone())).collect::<Vec<_>>()
//!         }))
//!         .on_event(|event| println!("{event}"))
//!         .start()
//!         .await?;
//!
//!     let envelope = Envelope::new(Mailbox::try_from("alice@example.net")?.into_owned())
//!         .with_recipient(Recipient::new(Mailbox::try_from("bob@example.org")?.into_owned()));
//!     match queue.enqueue(envelope, &b"Subject: hi\r\n\r\nHello Bob.\r\n"[..]).await {
//!         // Durable now: answer 250 with the id.
//!         Ok(id) => println!("250 2.0.0 queued as {id}"),
//!         // 452 4.3.1, 451 4.3.0, ...: never 250.
//!         Err(error) => println!("{}", Reply::from(&error)),
//!     }
//!     while !queue.is_empty() {
//!         tokio::time::sleep(std::time::Duration::from_millis(5)).await;
//!     }
//!     queue.shutdown().await;
//!     Ok::<_, Box<dyn std::error::Error>>(())
//! })
//! # }
//! # #[cfg(not(feature = "tokio"))]
//! # fn main() {}
//! ```
//!
//! # Design
//!
//! ```text
//!   SMTP server ──enqueue──► Spool (trait) ─── FileSpool: one <id>.msg per entry, fsync
//!                               │                        (MemorySpool for tests)
//!                               ▼
//!   ┌──────────── Scheduler (sans-IO, time passed in) ────────────┐
//!   │ Router: rules → MX / relay / LMTP / local / reject, queue   │
//!   │ lanes per site (MX host set) → jobs within Limits, buckets  │
//!   │ outcomes → retry (backoff + jitter) / expire / DSN / remove │
//!   └───────┬──────────────────┬───────────────────┬──────────────┘
//!     Resolve (mx)      Deliver (Job)        Persist / Notify / Remove
//!           ▼                  ▼                   ▼
//!   mailwright_auth::dns      Transport (trait) ── SMTP/LMTP over smtp-proto, or a fake
//!                      LocalDelivery handlers
//!   runtime (tokio): Queue = driver task + job tasks + spool writer + events
//! ```
//!
//! The [`Scheduler`] is the core: it does no I/O and takes `now` as an argument, so its
//! tests run on a simulated clock. The runtime ([`Queue`], feature `tokio`) drives it.
//! The [`Spool`] trait speaks of queue entries, not files: the file spool is the
//! embedded default; a shared backend (PostgreSQL with leases) can take its place.
//!
//! # Features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `tokio` | yes | the [`Queue`] runtime, DNS through `mailauth`'s tokio resolver, the SMTP/LMTP transport |
//! | `__fuzz` | no | private entry points for the fuzz crate |
//!
//! # Standards
//!
//! | RFC | what | status |
//! | --- | --- | --- |
//! | RFC 5321 §5, §4.5.4 | MX selection (preference, random among equals, implicit MX, address fallback), retry strategy | yes |
//! | RFC 7505 | null MX: fails at once with 5.1.10 | yes |
//! | RFC 3461 | NOTIFY, ORCPT, ENVID, RET kept and honoured (and passed on by the transport) | yes |
//! | RFC 6152, RFC 3030, RFC 6531 | `BODY=` and `SMTPUTF8` kept, passed on where the next hop offers them | yes |
//! | RFC 8689 | `REQUIRETLS` kept in the envelope and the spool; not negotiated or enforced yet | recorded |
//! | RFC 3464, RFC 6522 | DSNs as `multipart/report` with `message/delivery-status` | yes |
//! | RFC 6533 | `message/global-delivery-status` for UTF-8 addresses | yes |
//! | RFC 3463 | enhanced status codes | yes |
//! | RFC 3834 | `Auto-Submitted: auto-replied` on DSNs | yes |
//! | RFC 2033 | LMTP delivery (per-recipient replies) | through the transport |
//!
//! # Guarantees
//!
//! * Nothing acknowledged is lost: `enqueue` returns after fsync of the body, the
//!   envelope and the directory; per-recipient state is appended and fsynced as it
//!   changes. A crash between a remote server's `250` and our record of it may deliver a
//!   message twice (RFC 5321 §6.1 accepts this); nothing else may happen twice.
//! * A damaged spool entry found at start is moved to `corrupt/` and reported
//!   ([`EventKind::Corrupt`], [`RecoveryReport`]); its neighbours are unaffected.
//! * No DSN is sent for a message from `<>`, and DSNs are sent from `<>`.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod dsn;
mod entry;
mod envelope;
mod error;
mod event;
#[cfg(feature = "__fuzz")]
#[doc(hidden)]
pub mod fuzz;
mod id;
pub mod mx;
mod retry;
pub mod route;
#[cfg(feature = "tokio")]
mod runtime;
pub mod scheduler;
pub mod spool;
mod status;
mod throttle;
mod time;
pub mod transport;

#[cfg(test)]
mod testing;

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

pub use entry::{QueueEntry, Update};
pub use envelope::{Envelope, FromSmtpError, Recipient};
pub use error::{CorruptReason, EnqueueError, OperationError, SpoolError};
pub use event::{Event, EventKind};
pub use id::{InvalidQueueId, QueueId};
pub use retry::{QueueConfig, RetryPolicy};
#[cfg(feature = "tokio")]
pub use runtime::{EntryFilter, EventHook, Queue, QueueBuilder, RecoveryReport};
pub use scheduler::{Scheduler, SchedulerConfig};
pub use spool::{FileSpool, MemorySpool, Spool};
pub use status::{DeliveryStatus, Diagnostic, RecipientState};
pub use throttle::{Limits, Rate, Throttle, TokenBucket};
pub use time::{Clock, ManualClock, SystemClock, Timestamp};
