//! Events of the server session and the decision objects that answer them.
//!
//! A decision borrows the session mutably: while it lives, nothing else can drive
//! the session, and [`ServerSession::poll_event`] hands out the same event again
//! until it is answered. Dropping a decision without answering it leaves the
//! session waiting (the tokio driver does this on purpose in the middle of a long
//! FETCH, to write what is ready).

use std::num::NonZeroU32;

use bytes::Bytes;

use crate::command::{
    FetchAttribute, QresyncParameters, SearchKey, SortCriterion, StatusItem, StoreKind,
};
use crate::response::FetchData;
use crate::server::pending::{
    AppendPending, CopyPending, ExpungePending, FetchPending, ListPending, LoginPending,
    MailboxPending, Pending, SearchPending, SelectPending, StatusPending, StorePending,
};
use crate::server::{
    AppendUid, CopyResult, LoginRejection, MailboxInfo, MailboxOperation, Rejection,
    SelectedMailbox, ServerSession, StatusInfo, StoreResult, pattern_matches,
};
use crate::types::{AuthMechanism, DateTime, Flag, Uid};

/// Something the application must act on.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// LOGIN or AUTHENTICATE (PLAIN, LOGIN): check the credentials.
    Login(LoginDecision<'a>),
    /// STARTTLS was accepted and its `OK` is in the output: write that output, run
    /// the TLS handshake, then call [`ServerSession::tls_started`]. Repeated until then.
    StartTls,
    /// SELECT or EXAMINE: open the mailbox and answer with a snapshot.
    Select(SelectDecision<'a>),
    /// CREATE, DELETE, RENAME, SUBSCRIBE or UNSUBSCRIBE.
    Mailbox(MailboxDecision<'a>),
    /// LIST or LSUB: answer with the user's mailboxes; the session matches patterns.
    List(ListDecision<'a>),
    /// STATUS of a mailbox.
    Status(StatusDecision<'a>),
    /// An APPEND announced its message: accept to receive it, refuse before any byte
    /// of it is read.
    Append(AppendDecision<'a>),
    /// The next piece of an accepted APPEND's message. Not repeated: keep it.
    AppendData(Bytes),
    /// The whole APPEND message arrived: store it and answer.
    AppendComplete(AppendCompleteDecision<'a>),
    /// FETCH or UID FETCH: answer message by message.
    Fetch(FetchDecision<'a>),
    /// STORE or UID STORE: change flags.
    Store(StoreDecision<'a>),
    /// SEARCH, UID SEARCH, SORT or UID SORT.
    Search(SearchDecision<'a>),
    /// COPY, MOVE and their UID forms.
    Copy(CopyDecision<'a>),
    /// EXPUNGE, UID EXPUNGE, or the silent expunge of CLOSE.
    Expunge(ExpungeDecision<'a>),
}

macro_rules! pending_view {
    ($decision:ident, $variant:ident, $ty:ty) => {
        impl $decision<'_> {
            fn pending(&self) -> Option<&$ty> {
                match &self.session.pending {
                    Pending::$variant(p) => Some(p),
                    _ => None,
                }
            }

            fn take(&mut self) -> Option<Box<$ty>> {
                match std::mem::replace(&mut self.session.pending, Pending::None) {
                    Pending::$variant(p) => Some(p),
                    other => {
                        self.session.pending = other;
                        None
                    }
                }
            }
        }
    };
}

/// Credentials to check. MUST be answered with [`accept`](Self::accept) or
/// [`reject`](Self::reject) before the session reads another command.
#[derive(Debug)]
pub struct LoginDecision<'a> {
    pub(crate) session: &'a mut ServerSession,
}
pending_view!(LoginDecision, Login, LoginPending);

impl LoginDecision<'_> {
    /// The user name (authentication identity).
    pub fn username(&self) -> &str {
        self.pending()
            .map_or("", |p| p.credentials.username.as_str())
    }

    /// The password.
    pub fn password(&self) -> &[u8] {
        self.pending()
            .map_or(&[], |p| p.credentials.password.declassify())
    }

    /// PLAIN's authorization identity, when the client asked to act as another user.
    pub fn authzid(&self) -> Option<&str> {
        self.pending()
            .and_then(|p| p.credentials.authzid.as_deref())
    }

    /// The SASL mechanism, or `None` for LOGIN.
    pub fn mechanism(&self) -> Option<&AuthMechanism<'static>> {
        self.pending().and_then(|p| p.mechanism.as_ref())
    }

    /// The user is logged in: `OK [CAPABILITY ...] Logged in`.
    pub fn accept(mut self) {
        if let Some(p) = self.take() {
            self.session.login_accepted(*p);
        }
    }

    /// The login fails; bad credentials count towards the failure limit and are
    /// answered after the failed-login delay.
    pub fn reject(mut self, rejection: LoginRejection) {
        if let Some(p) = self.take() {
            self.session.login_rejected(*p, rejection);
        }
    }
}

/// A mailbox to open.
#[derive(Debug)]
pub struct SelectDecision<'a> {
    pub(crate) session: &'a mut ServerSession,
}
pending_view!(SelectDecision, Select, SelectPending);

impl SelectDecision<'_> {
    /// The mailbox's Unicode name.
    pub fn mailbox(&self) -> &str {
        self.pending().map_or("", |p| p.name.as_str())
    }

    /// EXAMINE rather than SELECT.
    pub fn is_read_only(&self) -> bool {
        self.pending().is_some_and(|p| p.read_only)
    }

    /// Whether the client wants mod-sequences (CONDSTORE enabled or asked for).
    pub fn wants_modseq(&self) -> bool {
        self.pending().is_some_and(|p| p.condstore) || self.session.enabled.condstore
    }

    /// The client's QRESYNC data: fill [`SelectedMailbox::changed`] with messages
    /// changed since its mod-sequence (when the UIDVALIDITY matches).
    pub fn qresync(&self) -> Option<&QresyncParameters> {
        self.pending().and_then(|p| p.qresync.as_ref())
    }

    /// The mailbox is open.
    pub fn accept(mut self, mailbox: SelectedMailbox) {
        if let Some(p) = self.take() {
            self.session.select_accepted(*p, mailbox);
        }
    }

    /// The mailbox cannot be opened; the client stays in the authenticated state.
    pub fn reject(mut self, rejection: Rejection) {
        if let Some(p) = self.take() {
            self.session.reject_command(p.tag, rejection);
        }
    }
}

/// A mailbox operation to carry out.
#[derive(Debug)]
pub struct MailboxDecision<'a> {
    pub(crate) session: &'a mut ServerSession,
}
pending_view!(MailboxDecision, Mailbox, MailboxPending);

impl MailboxDecision<'_> {
    /// What to do.
    pub fn operation(&self) -> Option<&MailboxOperation> {
        self.pending().map(|p| &p.operation)
    }

    /// Done.
    pub fn accept(mut self) {
        if let Some(p) = self.take() {
            let text = format!("{} completed", p.operation.command());
            self.session.complete_ok(p.tag, None, &text, true);
        }
    }

    /// Not done.
    pub fn reject(mut self, rejection: Rejection) {
        if let Some(p) = self.take() {
            self.session.reject_command(p.tag, rejection);
        }
    }
}

/// A LIST or LSUB to answer with the user's mailboxes.
#[derive(Debug)]
pub struct ListDecision<'a> {
    pub(crate) session: &'a mut ServerSession,
}
pending_view!(ListDecision, List, ListPending);

impl ListDecision<'_> {
    /// Whether a mailbox name matches one of the patterns (to skip work for the rest).
    pub fn matches(&self, name: &str) -> bool {
        let delimiter = Some(self.session.config.delimiter);
        self.pending().is_some_and(|p| {
            p.query
                .patterns
                .iter()
                .any(|pat| pattern_matches(pat, name, delimiter))
        })
    }

    /// The STATUS items asked for with `RETURN (STATUS ...)`: fill
    /// [`MailboxInfo::status`] of the matching mailboxes.
    pub fn status_items(&self) -> Option<&[StatusItem]> {
        self.pending().and_then(|p| p.status.as_deref())
    }

    /// LSUB (subscribed mailboxes only) rather than LIST.
    pub fn is_lsub(&self) -> bool {
        self.pending().is_some_and(|p| p.query.lsub)
    }

    /// Answers with the user's mailboxes (all of them, or at least those that
    /// [`matches`](Self::matches) accepts, with their parents).
    pub fn respond(mut self, mailboxes: Vec<MailboxInfo>) {
        if let Some(p) = self.take() {
            self.session.list_answered(*p, &mailboxes);
        }
    }

    /// The list cannot be read.
    pub fn reject(mut self, rejection: Rejection) {
        if let Some(p) = self.take() {
            self.session.reject_command(p.tag, rejection);
        }
    }
}

/// A STATUS to answer.
#[derive(Debug)]
pub struct StatusDecision<'a> {
    pub(crate) session: &'a mut ServerSession,
}
pending_view!(StatusDecision, Status, StatusPending);

impl StatusDecision<'_> {
    /// The mailbox's Unicode name.
    pub fn mailbox(&self) -> &str {
        self.pending().map_or("", |p| p.name.as_str())
    }

    /// The items asked for.
    pub fn items(&self) -> &[StatusItem] {
        self.pending().map_or(&[], |p| p.items.as_slice())
    }

    /// The values; the session sends the requested ones.
    pub fn respond(mut self, status: StatusInfo) {
        if let Some(p) = self.take() {
            self.session.status_answered(*p, status);
        }
    }

    /// No such mailbox, or it cannot be read.
    pub fn reject(mut self, rejection: Rejection) {
        if let Some(p) = self.take() {
            self.session.reject_command(p.tag, rejection);
        }
    }
}

/// An announced APPEND message, before its bytes are read.
#[derive(Debug)]
pub struct AppendDecision<'a> {
    pub(crate) session: &'a mut ServerSession,
}
pending_view!(AppendDecision, Append, AppendPending);

/// An APPEND message that arrived whole.
#[derive(Debug)]
pub struct AppendCompleteDecision<'a> {
    pub(crate) session: &'a mut ServerSession,
}
pending_view!(AppendCompleteDecision, AppendDone, AppendPending);

macro_rules! append_accessors {
    ($decision:ident) => {
        impl $decision<'_> {
            /// The destination's Unicode name.
            pub fn mailbox(&self) -> &str {
                self.pending().map_or("", |p| p.name.as_str())
            }

            /// Flags for the new message.
            pub fn flags(&self) -> &[Flag<'static>] {
                self.pending().map_or(&[], |p| p.flags.as_slice())
            }

            /// The internal date the client asked for.
            pub fn date(&self) -> Option<DateTime> {
                self.pending().and_then(|p| p.date)
            }

            /// The message size in octets.
            pub fn length(&self) -> u64 {
                self.pending().map_or(0, |p| p.length)
            }

            /// Whether the message came as a binary literal (`~{n}`, RFC 3516).
            pub fn is_binary(&self) -> bool {
                self.pending().is_some_and(|p| p.binary)
            }
        }
    };
}
append_accessors!(AppendDecision);
append_accessors!(AppendCompleteDecision);

impl AppendDecision<'_> {
    /// Receive the message: it follows in [`Event::AppendData`] pieces and ends
    /// with [`Event::AppendComplete`].
    pub fn accept(mut self) {
        if let Some(p) = self.take() {
            self.session.append_accepted(p);
        }
    }

    /// Refuse before reading the message (`NO [TRYCREATE]` for a missing mailbox,
    /// `NO [TOOBIG]`, `NO [OVERQUOTA]`...).
    pub fn reject(mut self, rejection: Rejection) {
        if let Some(p) = self.take() {
            self.session.append_refused(*p, rejection);
        }
    }
}

impl AppendCompleteDecision<'_> {
    /// Stored; `uid` gives `[APPENDUID ...]` (UIDPLUS).
    pub fn accept(mut self, uid: Option<AppendUid>) {
        if let Some(p) = self.take() {
            self.session.append_stored(*p, uid);
        }
    }

    /// Not stored.
    pub fn reject(mut self, rejection: Rejection) {
        if let Some(p) = self.take() {
            self.session.reject_command(p.tag, rejection);
        }
    }
}

/// A FETCH to answer message by message.
///
/// Call [`respond`](Self::respond) (or [`skip`](Self::skip)) for each message of
/// [`messages`](Self::messages), then [`finish`](Self::finish). Each response goes
/// to the output at once, so a driver that drains
/// [`ServerSession::poll_output`] between messages (dropping this decision and
/// polling the event again) streams a large FETCH.
#[derive(Debug)]
pub struct FetchDecision<'a> {
    pub(crate) session: &'a mut ServerSession,
}
pending_view!(FetchDecision, Fetch, FetchPending);

impl FetchDecision<'_> {
    /// The data items to return, macros expanded. For UID FETCH the session adds
    /// `UID` itself; with CHANGEDSINCE, `MODSEQ` is among them.
    pub fn attributes(&self) -> &[FetchAttribute<'static>] {
        self.pending().map_or(&[], |p| p.attributes.as_slice())
    }

    /// Messages still to answer, as (sequence number, UID), ascending.
    pub fn messages(&self) -> impl Iterator<Item = (NonZeroU32, Uid)> + '_ {
        self.pending()
            .into_iter()
            .flat_map(|p| p.messages.iter())
            .map(|&(seq, uid)| (crate::server::view::uid(seq), crate::server::view::uid(uid)))
    }

    /// UID FETCH rather than FETCH.
    pub fn is_uid(&self) -> bool {
        self.pending().is_some_and(|p| p.uid)
    }

    /// CHANGEDSINCE: skip messages whose mod-sequence is not greater.
    pub fn changed_since(&self) -> Option<u64> {
        self.pending().and_then(|p| p.changed_since)
    }

    /// The VANISHED modifier (QRESYNC): the UID range whose expunged UIDs (since
    /// [`changed_since`](Self::changed_since)) to report with
    /// [`report_vanished`](Self::report_vanished).
    pub fn vanished_range(&self) -> Option<&crate::types::SequenceSet> {
        self.pending().and_then(|p| p.vanished.as_ref())
    }

    /// Whether fetching sets `\Seen` (a non-peek body part of a read-write
    /// mailbox): set it, and include `FLAGS` in the response when it changed.
    pub fn marks_seen(&self) -> bool {
        self.pending().is_some_and(|p| p.marks_seen)
    }

    /// Sends `* VANISHED (EARLIER) uids`; call before the first response. Afterwards
    /// [`vanished_range`](Self::vanished_range) is `None`.
    pub fn report_vanished(&mut self, uids: &[Uid]) {
        self.session.fetch_vanished(uids);
    }

    /// The data of one message (by UID); sent at once.
    pub fn respond(&mut self, uid: Uid, items: Vec<FetchData<'static>>) {
        self.session.fetch_respond(uid, items);
    }

    /// Leaves a message out (gone, or unchanged since CHANGEDSINCE).
    pub fn skip(&mut self, uid: Uid) {
        self.session.fetch_skip(uid);
    }

    /// Ends the FETCH; messages not answered are left out.
    pub fn finish(mut self) {
        if let Some(p) = self.take() {
            self.session.fetch_finished(*p);
        }
    }

    /// The FETCH fails.
    pub fn reject(mut self, rejection: Rejection) {
        if let Some(p) = self.take() {
            self.session.reject_command(p.tag, rejection);
        }
    }
}

/// A flag change to carry out.
#[derive(Debug)]
pub struct StoreDecision<'a> {
    pub(crate) session: &'a mut ServerSession,
}
pending_view!(StoreDecision, Store, StorePending);

impl StoreDecision<'_> {
    /// The messages, by UID.
    pub fn uids(&self) -> &[Uid] {
        self.pending().map_or(&[], |p| p.uids.as_slice())
    }

    /// Replace, add or remove.
    pub fn kind(&self) -> StoreKind {
        self.pending().map_or(StoreKind::Add, |p| p.kind)
    }

    /// The flags.
    pub fn flags(&self) -> &[Flag<'static>] {
        self.pending().map_or(&[], |p| p.flags.as_slice())
    }

    /// UNCHANGEDSINCE (RFC 7162): leave messages with a greater mod-sequence alone
    /// and list them in [`StoreResult::modified`].
    pub fn unchanged_since(&self) -> Option<u64> {
        self.pending().and_then(|p| p.unchanged_since)
    }

    /// The flags are stored; the session sends FETCH responses unless `.SILENT`.
    pub fn respond(mut self, result: StoreResult) {
        if let Some(p) = self.take() {
            self.session.store_answered(*p, result);
        }
    }

    /// Nothing was stored.
    pub fn reject(mut self, rejection: Rejection) {
        if let Some(p) = self.take() {
            self.session.reject_command(p.tag, rejection);
        }
    }
}

/// A SEARCH (or SORT) to evaluate.
///
/// The criteria are rewritten to UIDs: message numbers and `*` became `UID`
/// ranges of the client's view, so the store never needs sequence numbers.
#[derive(Debug)]
pub struct SearchDecision<'a> {
    pub(crate) session: &'a mut ServerSession,
}
pending_view!(SearchDecision, Search, SearchPending);

impl SearchDecision<'_> {
    /// The keys, all of which must match.
    pub fn criteria(&self) -> &[SearchKey<'static>] {
        self.pending().map_or(&[], |p| p.criteria.as_slice())
    }

    /// SORT criteria, for SORT / UID SORT.
    pub fn sort(&self) -> Option<&[SortCriterion]> {
        self.pending().and_then(|p| p.sort.as_deref())
    }

    /// The UIDs the client knows of (the messages to search among).
    pub fn candidates(&self) -> impl Iterator<Item = Uid> + '_ {
        self.session
            .view
            .iter()
            .flat_map(|v| v.uids().iter())
            .map(|&u| crate::server::view::uid(u))
    }

    /// Whether the results should carry the highest mod-sequence (a MODSEQ key).
    pub fn wants_modseq(&self) -> bool {
        self.pending().is_some_and(|p| p.modseq)
    }

    /// The matching messages (in SORT order for SORT), and the highest
    /// mod-sequence among them when [`wants_modseq`](Self::wants_modseq).
    pub fn respond(mut self, matches: Vec<Uid>, highest_modseq: Option<u64>) {
        if let Some(p) = self.take() {
            self.session.search_answered(*p, matches, highest_modseq);
        }
    }

    /// The search fails.
    pub fn reject(mut self, rejection: Rejection) {
        if let Some(p) = self.take() {
            self.session.reject_command(p.tag, rejection);
        }
    }
}

/// A COPY or MOVE to carry out.
#[derive(Debug)]
pub struct CopyDecision<'a> {
    pub(crate) session: &'a mut ServerSession,
}
pending_view!(CopyDecision, Copy, CopyPending);

impl CopyDecision<'_> {
    /// The messages, by UID.
    pub fn uids(&self) -> &[Uid] {
        self.pending().map_or(&[], |p| p.uids.as_slice())
    }

    /// The destination's Unicode name.
    pub fn destination(&self) -> &str {
        self.pending().map_or("", |p| p.destination.as_str())
    }

    /// MOVE: remove the messages from the selected mailbox after copying.
    pub fn is_move(&self) -> bool {
        self.pending().is_some_and(|p| p.is_move)
    }

    /// Done; for MOVE, the source UIDs of `result` are the removed messages.
    pub fn respond(mut self, result: CopyResult) {
        if let Some(p) = self.take() {
            self.session.copy_answered(*p, result);
        }
    }

    /// Nothing was copied (`NO [TRYCREATE]` for a missing destination).
    pub fn reject(mut self, rejection: Rejection) {
        if let Some(p) = self.take() {
            self.session.reject_command(p.tag, rejection);
        }
    }
}

/// An expunge to carry out: remove messages with `\Deleted`.
#[derive(Debug)]
pub struct ExpungeDecision<'a> {
    pub(crate) session: &'a mut ServerSession,
}
pending_view!(ExpungeDecision, Expunge, ExpungePending);

impl ExpungeDecision<'_> {
    /// UID EXPUNGE: only these messages (if `\Deleted`); `None`: all `\Deleted` ones.
    pub fn uids(&self) -> Option<&[Uid]> {
        self.pending().and_then(|p| p.uids.as_deref())
    }

    /// The silent expunge of CLOSE; the mailbox is closed afterwards.
    pub fn is_close(&self) -> bool {
        self.pending().is_some_and(|p| p.close)
    }

    /// Done: the messages removed.
    pub fn respond(mut self, expunged: Vec<Uid>) {
        if let Some(p) = self.take() {
            self.session.expunge_answered(*p, &expunged);
        }
    }

    /// Nothing was removed.
    pub fn reject(mut self, rejection: Rejection) {
        if let Some(p) = self.take() {
            if p.close {
                self.session.deselect();
            }
            self.session.reject_command(p.tag, rejection);
        }
    }
}
