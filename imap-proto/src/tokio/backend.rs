//! What the application provides to the driver: a [`Backend`] that logs users in,
//! and an [`Account`] per logged-in connection that works on mailboxes.
//!
//! The traits speak of mailbox names, UIDs and flags only: message sequence
//! numbers, literal handling and the moments of untagged updates stay in the
//! session. A Maildir/SQLite store or a database implements them the same way.

use std::future::Future;
use std::net::SocketAddr;

use bytes::Bytes;

use crate::command::{
    FetchAttribute, QresyncParameters, SearchKey, SortCriterion, StatusItem, StoreKind,
};
use crate::response::FetchData;
use crate::server::{
    AppendUid, CopyResult, LoginRejection, MailboxChanges, MailboxInfo, Rejection, SelectedMailbox,
    StatusInfo, StoreResult,
};
use crate::types::{DateTime, Flag, SequenceSet, Uid};

/// The connection a login comes from.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
#[non_exhaustive]
pub struct Peer {
    /// The client's address.
    pub address: SocketAddr,
    /// Whether the connection runs TLS.
    pub tls: bool,
}

/// Checks credentials and opens accounts.
pub trait Backend: Send + Sync + 'static {
    /// The per-connection view of a user's mailboxes.
    type Account: Account;

    /// Verifies a user name and password (LOGIN, AUTHENTICATE PLAIN/LOGIN) and opens
    /// the account. `authzid` is PLAIN's authorization identity, when sent.
    ///
    /// Return [`LoginRejection::BadCredentials`] for a wrong password: the session
    /// counts it and holds the answer back (the failed-login delay).
    fn login(
        &self,
        username: &str,
        password: &[u8],
        authzid: Option<&str>,
        peer: Peer,
    ) -> impl Future<Output = Result<Self::Account, LoginRejection>> + Send;

    /// Whether accounts implement [`Account::search`] with SORT criteria (turns the
    /// SORT capability on). Default `false`.
    fn supports_sort(&self) -> bool {
        false
    }
}

/// What a SELECT or EXAMINE asks for.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SelectRequest {
    /// EXAMINE.
    pub read_only: bool,
    /// The client wants mod-sequences.
    pub condstore: bool,
    /// QRESYNC data to answer with changes since the client's state.
    pub qresync: Option<QresyncParameters>,
}

/// What a FETCH asks of each message.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct FetchRequest {
    /// The data items (UID is added by the session for UID FETCH).
    pub attributes: Vec<FetchAttribute<'static>>,
    /// Leave out messages whose mod-sequence is not greater.
    pub changed_since: Option<u64>,
    /// Set `\Seen` on the messages (and include `FLAGS` when it changed).
    pub mark_seen: bool,
}

impl FetchRequest {
    /// A request for `attributes` of every message, without CHANGEDSINCE and without
    /// setting `\Seen` (the session builds its own; this one is for calling a backend
    /// directly, in its tests for instance).
    #[must_use]
    pub fn new(attributes: Vec<FetchAttribute<'static>>) -> Self {
        Self {
            attributes,
            changed_since: None,
            mark_seen: false,
        }
    }
}

/// One user's mailboxes, for one connection. Methods run one at a time.
pub trait Account: Send + 'static {
    /// All mailboxes of the user (the session matches the LIST patterns), with
    /// status values filled in when `status` is given.
    fn list(
        &mut self,
        status: Option<&[StatusItem]>,
    ) -> impl Future<Output = Result<Vec<MailboxInfo>, Rejection>> + Send;

    /// STATUS of a mailbox.
    fn status(
        &mut self,
        mailbox: &str,
        items: &[StatusItem],
    ) -> impl Future<Output = Result<StatusInfo, Rejection>> + Send;

    /// CREATE.
    fn create(&mut self, mailbox: &str) -> impl Future<Output = Result<(), Rejection>> + Send;

    /// DELETE.
    fn delete(&mut self, mailbox: &str) -> impl Future<Output = Result<(), Rejection>> + Send;

    /// RENAME (for INBOX: move its messages to the new mailbox).
    fn rename(
        &mut self,
        from: &str,
        to: &str,
    ) -> impl Future<Output = Result<(), Rejection>> + Send;

    /// SUBSCRIBE (`true`) or UNSUBSCRIBE (`false`).
    fn subscribe(
        &mut self,
        mailbox: &str,
        subscribed: bool,
    ) -> impl Future<Output = Result<(), Rejection>> + Send;

    /// Opens a mailbox; from now on [`changes`](Self::changes) reports its changes.
    fn select(
        &mut self,
        mailbox: &str,
        request: &SelectRequest,
    ) -> impl Future<Output = Result<SelectedMailbox, Rejection>> + Send;

    /// Closes the selected mailbox (no more change reports).
    fn deselect(&mut self);

    /// Whether a message of `size` octets may be appended to `mailbox`, before any
    /// of it is read (`NO [TRYCREATE]`, `NO [TOOBIG]`, `NO [OVERQUOTA]`).
    fn check_append(
        &mut self,
        mailbox: &str,
        size: u64,
    ) -> impl Future<Output = Result<(), Rejection>> + Send;

    /// APPEND: stores a message.
    fn append(
        &mut self,
        mailbox: &str,
        flags: &[Flag<'static>],
        date: Option<DateTime>,
        message: Bytes,
    ) -> impl Future<Output = Result<AppendUid, Rejection>> + Send;

    /// FETCH data of messages of the selected mailbox; messages that are gone (or
    /// unchanged since CHANGEDSINCE) are left out of the answer.
    fn fetch(
        &mut self,
        uids: &[Uid],
        request: &FetchRequest,
    ) -> impl Future<Output = Result<Vec<(Uid, Vec<FetchData<'static>>)>, Rejection>> + Send;

    /// UIDs in `range` expunged after mod-sequence `since` (QRESYNC's VANISHED
    /// modifier). Default: none known.
    fn vanished(
        &mut self,
        since: u64,
        range: &SequenceSet,
    ) -> impl Future<Output = Result<Vec<Uid>, Rejection>> + Send {
        let _ = (since, range);
        async { Ok(Vec::new()) }
    }

    /// STORE on messages of the selected mailbox.
    fn store(
        &mut self,
        uids: &[Uid],
        kind: StoreKind,
        flags: &[Flag<'static>],
        unchanged_since: Option<u64>,
    ) -> impl Future<Output = Result<StoreResult, Rejection>> + Send;

    /// SEARCH (and SORT, when `sort` is given) among `candidates` of the selected
    /// mailbox: the matching UIDs (in sort order for SORT) and, when asked, the
    /// highest mod-sequence among them.
    fn search(
        &mut self,
        criteria: &[SearchKey<'static>],
        candidates: &[Uid],
        sort: Option<&[SortCriterion]>,
    ) -> impl Future<Output = Result<(Vec<Uid>, Option<u64>), Rejection>> + Send;

    /// COPY or MOVE messages of the selected mailbox to `destination`.
    fn copy(
        &mut self,
        uids: &[Uid],
        destination: &str,
        is_move: bool,
    ) -> impl Future<Output = Result<CopyResult, Rejection>> + Send;

    /// Removes messages with `\Deleted` from the selected mailbox (only those in
    /// `uids` when given); returns the removed UIDs.
    fn expunge(
        &mut self,
        uids: Option<&[Uid]>,
    ) -> impl Future<Output = Result<Vec<Uid>, Rejection>> + Send;

    /// Waits for the next change of the selected mailbox made elsewhere.
    ///
    /// MUST be cancel-safe: the driver drops this future whenever input arrives,
    /// and no change may be lost by that. The default never resolves (no change
    /// notifications; clients still see changes after re-selecting).
    fn changes(&mut self) -> impl Future<Output = MailboxChanges> + Send {
        std::future::pending()
    }
}
