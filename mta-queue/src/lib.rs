//! mta-queue (crate docs are written below).
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

pub use entry::{QueueEntry, Update};
pub use envelope::{Address, EnvId, Envelope, InvalidAddress, Notify, Orcpt, Recipient, Ret};
pub use error::{CorruptReason, EnqueueError, OperationError, SpoolError};
pub use event::{Event, EventKind};
pub use id::{InvalidQueueId, QueueId};
pub use retry::{QueueConfig, RetryPolicy};
#[cfg(feature = "tokio")]
pub use runtime::{EntryFilter, EventHook, Queue, QueueBuilder, RecoveryReport};
pub use scheduler::{Scheduler, SchedulerConfig};
pub use spool::{FileSpool, MemorySpool, Spool};
pub use status::{
    DeliveryStatus, Diagnostic, EnhancedStatus, InvalidStatus, RecipientState, SmtpReply,
};
pub use throttle::{Limits, Rate, Throttle, TokenBucket};
pub use time::{Clock, ManualClock, SystemClock, Timestamp};
