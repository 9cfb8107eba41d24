//! Changes to the selected mailbox made by others, reported by the application.

use crate::server::MessageFlags;
use crate::types::Uid;

/// What changed in the selected mailbox since the last report.
///
/// The application passes this to
/// [`ServerSession::handle_mailbox_changes`](crate::server::ServerSession::handle_mailbox_changes)
/// whenever its store notifies it; the session sends EXISTS, EXPUNGE/VANISHED and
/// FETCH responses at the moments RFC 9051 section 7.5.1 allows, and keeps the
/// message sequence numbers in step. Reports may repeat or overlap: UIDs the
/// session already knows about (or never knew) are ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MailboxChanges {
    /// New messages, by UID.
    pub added: Vec<Uid>,
    /// Removed messages, by UID.
    pub expunged: Vec<Uid>,
    /// Messages whose flags changed.
    pub flags: Vec<MessageFlags>,
    /// The mailbox's highest mod-sequence after the changes.
    pub highest_modseq: Option<u64>,
}

impl MailboxChanges {
    /// No changes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds new messages.
    pub fn added(mut self, uids: impl IntoIterator<Item = Uid>) -> Self {
        self.added.extend(uids);
        self
    }

    /// Adds removed messages.
    pub fn expunged(mut self, uids: impl IntoIterator<Item = Uid>) -> Self {
        self.expunged.extend(uids);
        self
    }

    /// Adds a flag change.
    pub fn flags_changed(mut self, flags: MessageFlags) -> Self {
        self.flags.push(flags);
        self
    }

    /// Sets the highest mod-sequence.
    pub fn with_highest_modseq(mut self, modseq: u64) -> Self {
        self.highest_modseq = Some(modseq);
        self
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.expunged.is_empty() && self.flags.is_empty()
    }
}
