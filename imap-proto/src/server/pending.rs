//! What the session waits for: a decision of the application, or more input of a
//! multi-step command (SASL, IDLE, an APPEND's message).

use std::collections::VecDeque;

use crate::command::{
    FetchAttribute, QresyncParameters, SearchKey, SearchReturnOption, SortCriterion, StatusItem,
    StoreKind,
};
use crate::server::list::ListQuery;
use crate::server::sasl::{PasswordCredentials, SaslStep};
use crate::types::{AuthMechanism, DateTime, Flag, SequenceSet, Tag};

#[derive(Debug)]
pub(crate) enum Pending {
    None,
    // ----- decisions -----
    Login(Box<LoginPending>),
    StartTls,
    Select(Box<SelectPending>),
    Mailbox(Box<MailboxPending>),
    List(Box<ListPending>),
    Status(Box<StatusPending>),
    Append(Box<AppendPending>),
    AppendDone(Box<AppendPending>),
    Fetch(Box<FetchPending>),
    Store(Box<StorePending>),
    Search(Box<SearchPending>),
    Copy(Box<CopyPending>),
    Expunge(Box<ExpungePending>),
    // ----- more input -----
    Sasl(Tag<'static>, AuthMechanism<'static>, SaslStep),
    Idle(Tag<'static>),
    AppendStream(Box<AppendPending>),
    AppendTail(Box<AppendPending>),
}

impl Pending {
    /// Whether the application must answer before input is processed.
    pub(crate) fn is_decision(&self) -> bool {
        !matches!(
            self,
            Self::None
                | Self::Sasl(..)
                | Self::Idle(_)
                | Self::AppendStream(_)
                | Self::AppendTail(_)
        )
    }
}

#[derive(Debug)]
pub(crate) struct LoginPending {
    pub(crate) tag: Tag<'static>,
    pub(crate) credentials: PasswordCredentials,
    pub(crate) mechanism: Option<AuthMechanism<'static>>,
}

#[derive(Debug)]
pub(crate) struct SelectPending {
    pub(crate) tag: Tag<'static>,
    pub(crate) name: String,
    pub(crate) read_only: bool,
    pub(crate) condstore: bool,
    pub(crate) qresync: Option<QresyncParameters>,
}

/// A mailbox operation the application carries out.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MailboxOperation {
    /// `CREATE`: make the mailbox (and missing parents).
    Create {
        /// The new mailbox's Unicode name, without a trailing delimiter.
        name: String,
    },
    /// `DELETE`.
    Delete {
        /// The mailbox.
        name: String,
    },
    /// `RENAME`: for INBOX, move its messages to the new mailbox and leave INBOX empty.
    Rename {
        /// The existing name.
        from: String,
        /// The new name.
        to: String,
    },
    /// `SUBSCRIBE`.
    Subscribe {
        /// The mailbox.
        name: String,
    },
    /// `UNSUBSCRIBE`.
    Unsubscribe {
        /// The mailbox.
        name: String,
    },
}

impl MailboxOperation {
    pub(crate) fn command(&self) -> &'static str {
        match self {
            Self::Create { .. } => "CREATE",
            Self::Delete { .. } => "DELETE",
            Self::Rename { .. } => "RENAME",
            Self::Subscribe { .. } => "SUBSCRIBE",
            Self::Unsubscribe { .. } => "UNSUBSCRIBE",
        }
    }
}

#[derive(Debug)]
pub(crate) struct MailboxPending {
    pub(crate) tag: Tag<'static>,
    pub(crate) operation: MailboxOperation,
}

#[derive(Debug)]
pub(crate) struct ListPending {
    pub(crate) tag: Tag<'static>,
    pub(crate) query: ListQuery,
    pub(crate) status: Option<Vec<StatusItem>>,
}

#[derive(Debug)]
pub(crate) struct StatusPending {
    pub(crate) tag: Tag<'static>,
    pub(crate) name: String,
    pub(crate) items: Vec<StatusItem>,
}

#[derive(Debug)]
pub(crate) struct AppendPending {
    pub(crate) tag: Tag<'static>,
    pub(crate) name: String,
    pub(crate) flags: Vec<Flag<'static>>,
    pub(crate) date: Option<DateTime>,
    pub(crate) length: u64,
    pub(crate) remaining: u64,
    pub(crate) binary: bool,
    pub(crate) sync: bool,
}

#[derive(Debug)]
pub(crate) struct FetchPending {
    pub(crate) tag: Tag<'static>,
    pub(crate) uid: bool,
    pub(crate) attributes: Vec<FetchAttribute<'static>>,
    pub(crate) messages: VecDeque<(u32, u32)>,
    pub(crate) changed_since: Option<u64>,
    pub(crate) vanished: Option<SequenceSet>,
    pub(crate) marks_seen: bool,
}

#[derive(Debug)]
pub(crate) struct StorePending {
    pub(crate) tag: Tag<'static>,
    pub(crate) uid: bool,
    pub(crate) uids: Vec<crate::types::Uid>,
    pub(crate) kind: StoreKind,
    pub(crate) silent: bool,
    pub(crate) flags: Vec<Flag<'static>>,
    pub(crate) unchanged_since: Option<u64>,
}

#[derive(Debug)]
pub(crate) struct SearchPending {
    pub(crate) tag: Tag<'static>,
    pub(crate) uid: bool,
    pub(crate) criteria: Vec<SearchKey<'static>>,
    pub(crate) return_options: Option<Vec<SearchReturnOption>>,
    pub(crate) sort: Option<Vec<SortCriterion>>,
    pub(crate) modseq: bool,
}

#[derive(Debug)]
pub(crate) struct CopyPending {
    pub(crate) tag: Tag<'static>,
    pub(crate) uids: Vec<crate::types::Uid>,
    pub(crate) destination: String,
    pub(crate) is_move: bool,
}

#[derive(Debug)]
pub(crate) struct ExpungePending {
    pub(crate) tag: Tag<'static>,
    pub(crate) uids: Option<Vec<crate::types::Uid>>,
    pub(crate) close: bool,
}
