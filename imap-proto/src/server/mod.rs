//! The sans-IO server session: [`ServerSession`] turns client bytes into
//! [`Event`]s with decision objects and the application's answers into responses.
//!
//! Protocol rules live here, never in the application: the connection states, which
//! command is allowed when, literal continuations and limits, SASL exchanges, the
//! message sequence number map of the selected mailbox, and the moments when
//! untagged EXISTS/EXPUNGE/FETCH/VANISHED responses may be sent.

mod answer;
mod answer_handling;
mod changes;
mod config;
mod dispatch;
mod error;
mod event;
mod limits;
mod list;
mod pending;
mod sasl;
mod search;
mod session;
mod state;
pub(crate) mod view;

pub use answer::{
    AppendUid, CopyResult, LoginRejection, MailboxInfo, MessageFlags, Rejection, SelectedMailbox,
    StatusInfo, StoreResult,
};
pub use changes::MailboxChanges;
pub use config::{Extension, ServerConfig};
pub use error::SessionError;
pub use event::{
    AppendCompleteDecision, AppendDecision, CopyDecision, Event, ExpungeDecision, FetchDecision,
    ListDecision, LoginDecision, MailboxDecision, SearchDecision, SelectDecision, StatusDecision,
    StoreDecision,
};
pub use limits::{Limits, MIN_AUTOLOGOUT};
pub use list::pattern_matches;
pub use pending::MailboxOperation;
pub use session::ServerSession;
pub use state::State;
