//! mta-queue (crate docs are written below).
#![cfg_attr(docsrs, feature(doc_cfg))]

mod entry;
mod envelope;
mod error;
mod id;
pub mod route;
pub mod spool;
mod status;
mod time;

#[cfg(test)]
mod testing;

pub use entry::{QueueEntry, Update};
pub use envelope::{Address, EnvId, Envelope, InvalidAddress, Notify, Orcpt, Recipient, Ret};
pub use error::{CorruptReason, EnqueueError, OperationError, SpoolError};
pub use id::{InvalidQueueId, QueueId};
pub use spool::{FileSpool, MemorySpool, Spool};
pub use status::{
    DeliveryStatus, Diagnostic, EnhancedStatus, InvalidStatus, RecipientState, SmtpReply,
};
pub use time::{Clock, ManualClock, SystemClock, Timestamp};
