//! What the scheduler asks the runtime to do ([`Action`]), the delivery work it hands
//! out ([`Job`], [`Batch`]) and what the runtime reports back ([`RcptOutcome`],
//! [`JobEnd`]).

use std::sync::Arc;

use crate::dsn::DsnKind;
use crate::entry::Update;
use crate::envelope::Envelope;
use crate::id::QueueId;
use crate::mx::MxHost;
use crate::route::{DeliveryOptions, LmtpTarget, Relay};
use crate::status::Diagnostic;

/// Identifies a job (one connection's worth of work) while it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(pub(crate) u64);

/// Work for the runtime. Every action MUST be carried out and, where the variant says
/// so, answered with the matching `handle_*` call; the scheduler keeps the recipients
/// involved out of other work until then.
#[non_exhaustive]
#[derive(Debug)]
pub enum Action {
    /// Resolve the MX hosts of `domain`, then call
    /// [`Scheduler::handle_resolved`](crate::Scheduler::handle_resolved).
    Resolve {
        /// The recipient domain.
        domain: String,
    },
    /// Open a connection and deliver the job's batch; report with
    /// [`handle_batch`](crate::Scheduler::handle_batch), ask for more with
    /// [`next_batch`](crate::Scheduler::next_batch), and end with
    /// [`handle_job_end`](crate::Scheduler::handle_job_end).
    Deliver(Job),
    /// Record changes to an entry in the spool (no answer needed).
    Persist {
        /// The entry.
        id: QueueId,
        /// The changes, in order.
        updates: Vec<Update>,
    },
    /// Remove an entry from the spool: every recipient is final (no answer needed).
    Remove {
        /// The entry.
        id: QueueId,
    },
    /// Build and enqueue a delivery status notification, then call
    /// [`handle_notified`](crate::Scheduler::handle_notified).
    Notify(DsnRequest),
}

/// A DSN to send about some recipients of an entry.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct DsnRequest {
    /// The entry reported on.
    pub id: QueueId,
    /// Failure, delay or success.
    pub kind: DsnKind,
    /// The recipients (indexes into the envelope) it reports on.
    pub recipients: Vec<u32>,
}

/// Where a job connects.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Mail exchangers in the order to try, and the port.
    Mx {
        /// Hosts, by preference.
        hosts: Vec<MxHost>,
        /// The port.
        port: u16,
    },
    /// A smarthost.
    Relay(Relay),
    /// An LMTP server.
    Lmtp(LmtpTarget),
    /// The application's local-delivery handler of this name.
    Local {
        /// The handler's name.
        handler: String,
    },
}

/// One connection's worth of work: where to go, how, and the first transaction.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct Job {
    /// Its identifier for the `handle_*` calls.
    pub id: JobId,
    /// The site (destination) key, for logs and limits.
    pub site: String,
    /// Where to connect.
    pub target: Target,
    /// How to connect (source address, EHLO name, TLS, address family).
    pub options: Arc<DeliveryOptions>,
    /// The first transaction.
    pub batch: Batch,
}

/// One transaction: a message and some of its recipients.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct Batch {
    /// The entry.
    pub id: QueueId,
    /// Its envelope (sender, DSN parameters, every recipient).
    pub envelope: Arc<Envelope>,
    /// The recipients to send to in this transaction (indexes into
    /// `envelope.recipients`).
    pub recipients: Vec<u32>,
    /// Body size, for the SIZE parameter.
    pub size: u64,
}

/// What [`next_batch`](crate::Scheduler::next_batch) says.
#[derive(Debug)]
pub enum NextBatch {
    /// Send this next on the same connection (RSET first).
    Batch(Batch),
    /// Nothing waits now, but the connection may stay open: the caller may wait (a
    /// couple of seconds, until [`Scheduler::take_idle_work`](crate::Scheduler::take_idle_work)
    /// says there is work) and ask again, or QUIT and report the end. While a job is
    /// idle, new messages for its lane wait for it instead of opening a connection.
    Idle,
    /// Nothing more on this connection: QUIT and report the end.
    Close,
}

/// The outcome for one recipient of a batch.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RcptOutcome {
    /// Accepted by the next hop (2xx).
    Delivered(Diagnostic),
    /// Failed temporarily (4xx, or the transaction failed).
    Deferred(Diagnostic),
    /// Failed permanently (5xx).
    Failed(Diagnostic),
}

impl RcptOutcome {
    /// The outcome a reply diagnostic stands for: 2xx delivered, 4xx deferred, 5xx
    /// failed (by its status class).
    pub fn from_diagnostic(diagnostic: Diagnostic) -> Self {
        match diagnostic.status.class() {
            2 => Self::Delivered(diagnostic),
            4 => Self::Deferred(diagnostic),
            _ => Self::Failed(diagnostic),
        }
    }
}

/// How a job ended.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobEnd {
    /// Normally (QUIT after the last batch).
    Done,
    /// The connection failed: every host unreachable, a 4xx/5xx greeting or EHLO, a
    /// 421, required TLS missing. A batch not yet reported gets `diagnostic` (deferred
    /// if temporary, failed if permanent), and the site is backed off if temporary.
    Failed(Diagnostic),
}
