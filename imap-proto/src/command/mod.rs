//! Commands a client sends (RFC 9051 section 6 and the extension RFCs), as data.
//!
//! [`Command`] is a tag and a [`CommandBody`]. Parse one with
//! [`crate::codec::parse::command`], encode one with [`crate::codec::encode::command`].

mod fetch;
mod list;
mod search;
mod select;
mod status;
mod store;

use std::borrow::Cow;

pub use fetch::{FetchAttribute, FetchItems, FetchModifier, Part, Partial, Section};
pub use list::{ListReturnOption, ListSelectOption};
pub use mailwright_base::{SortCriterion, SortKey};
pub use search::{EntryType, SearchKey, SearchReturnOption};
pub use select::{QresyncParameters, SelectParameter};
pub use status::StatusItem;
pub use store::{StoreKind, StoreModifier};

use crate::types::{
    AString, AuthMechanism, Capability, Charset, DateTime, Flag, IString, ListMailbox, Literal,
    Literal8, Mailbox, NString, Secret, SequenceSet, Tag, Vec1,
};

/// A command: the client's tag and what it asks for.
///
/// ```text
/// command = tag SP (command-any / command-auth / command-nonauth /
///           command-select) CRLF
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Command<'a> {
    /// The tag the completion response repeats.
    pub tag: Tag<'a>,
    /// What the command asks for.
    pub body: CommandBody<'a>,
}

/// The message of an APPEND: a literal, or a binary literal with BINARY (RFC 3516).
///
/// ```text
/// append-data = literal / literal8 / append-data-ext
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum AppendData<'a> {
    /// `{n}` + message.
    Literal(Literal<'a>),
    /// `~{n}` + message that may hold NUL and raw 8-bit data.
    Binary(Literal8<'a>),
}

/// The parameters of ID (RFC 2971): field/value pairs, or `NIL`.
///
/// ```text
/// id-params-list = "(" *(string SP nstring) ")" / nil
/// ```
pub type IdParameters<'a> = Option<Vec<(IString<'a>, NString<'a>)>>;

/// What a command asks for, one variant per command.
///
/// Commands that have a `UID` form carry `uid: bool`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum CommandBody<'a> {
    /// `CAPABILITY` (any state).
    Capability,
    /// `NOOP` (any state).
    Noop,
    /// `LOGOUT` (any state).
    Logout,
    /// `ID` (RFC 2971, any state).
    Id {
        /// The client's identification, or `NIL`.
        parameters: IdParameters<'a>,
    },
    /// `STARTTLS` (not authenticated).
    StartTls,
    /// `AUTHENTICATE mechanism [initial-response]` (not authenticated; SASL-IR).
    Authenticate {
        /// The SASL mechanism.
        mechanism: AuthMechanism<'a>,
        /// The decoded initial response (SASL-IR, RFC 4959); `Some(empty)` for `=`.
        initial_response: Option<Secret<Cow<'a, [u8]>>>,
    },
    /// `LOGIN userid password` (not authenticated).
    Login {
        /// The user name.
        username: AString<'a>,
        /// The password.
        password: Secret<AString<'a>>,
    },
    /// `ENABLE capability...` (RFC 5161, authenticated).
    Enable {
        /// What the client wants enabled.
        capabilities: Vec1<Capability<'a>>,
    },
    /// `SELECT mailbox [params]`.
    Select {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// CONDSTORE / QRESYNC parameters (RFC 7162).
        parameters: Vec<SelectParameter>,
    },
    /// `EXAMINE mailbox [params]`: SELECT read-only.
    Examine {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// CONDSTORE / QRESYNC parameters (RFC 7162).
        parameters: Vec<SelectParameter>,
    },
    /// `CREATE mailbox`.
    Create {
        /// The new mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `DELETE mailbox`.
    Delete {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `RENAME from to`.
    Rename {
        /// The existing name.
        from: Mailbox<'a>,
        /// The new name.
        to: Mailbox<'a>,
    },
    /// `SUBSCRIBE mailbox`.
    Subscribe {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `UNSUBSCRIBE mailbox`.
    Unsubscribe {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `LIST [(select-opts)] reference pattern(s) [RETURN (opts)]` (RFC 9051, RFC 5258).
    List {
        /// Selection options (LIST-EXTENDED); empty for a basic LIST.
        selection: Vec<ListSelectOption>,
        /// The reference name.
        reference: Mailbox<'a>,
        /// One pattern, or several in parentheses.
        patterns: Vec1<ListMailbox<'a>>,
        /// Return options (LIST-EXTENDED, LIST-STATUS, SPECIAL-USE).
        return_options: Vec<ListReturnOption>,
    },
    /// `LSUB reference pattern` (IMAP4rev1).
    Lsub {
        /// The reference name.
        reference: Mailbox<'a>,
        /// The pattern.
        pattern: ListMailbox<'a>,
    },
    /// `NAMESPACE` (RFC 2342).
    Namespace,
    /// `STATUS mailbox (items)`.
    Status {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// The items asked for.
        items: Vec1<StatusItem>,
    },
    /// `APPEND mailbox [(flags)] [date-time] literal`.
    Append {
        /// Where to append.
        mailbox: Mailbox<'a>,
        /// Flags to set on the new message.
        flags: Vec<Flag<'a>>,
        /// The internal date to give the new message.
        date: Option<DateTime>,
        /// The message.
        message: AppendData<'a>,
    },
    /// `IDLE` (RFC 2177); the client ends it with `DONE`.
    Idle,
    /// `CHECK` (IMAP4rev1; IMAP4rev2 servers treat it as NOOP).
    Check,
    /// `CLOSE`.
    Close,
    /// `UNSELECT` (RFC 3691).
    Unselect,
    /// `EXPUNGE`.
    Expunge,
    /// `UID EXPUNGE sequence-set` (RFC 4315).
    UidExpunge {
        /// The UIDs to expunge, if marked `\Deleted`.
        sequence_set: SequenceSet,
    },
    /// `[UID] SEARCH [RETURN (opts)] [CHARSET c] keys`.
    Search {
        /// ESEARCH return options (RFC 4731, RFC 9051); `None` without `RETURN`.
        return_options: Option<Vec<SearchReturnOption>>,
        /// The charset of the strings in `criteria`.
        charset: Option<Charset<'a>>,
        /// The keys, all of which must match.
        criteria: Vec1<SearchKey<'a>>,
        /// `UID SEARCH`.
        uid: bool,
    },
    /// `[UID] SORT (criteria) charset keys` (RFC 5256).
    Sort {
        /// Sort order.
        criteria: Vec1<SortCriterion>,
        /// The charset of the strings in `search`.
        charset: Charset<'a>,
        /// The keys that select the messages.
        search: Vec1<SearchKey<'a>>,
        /// `UID SORT`.
        uid: bool,
    },
    /// `[UID] FETCH set items [(modifiers)]`.
    Fetch {
        /// The messages.
        sequence_set: SequenceSet,
        /// What to fetch.
        items: FetchItems<'a>,
        /// CHANGEDSINCE / VANISHED (RFC 7162).
        modifiers: Vec<FetchModifier>,
        /// `UID FETCH`.
        uid: bool,
    },
    /// `[UID] STORE set [(modifiers)] [+|-]FLAGS[.SILENT] flags`.
    Store {
        /// The messages.
        sequence_set: SequenceSet,
        /// Replace, add or remove.
        kind: StoreKind,
        /// `.SILENT`: no FETCH responses for the change.
        silent: bool,
        /// The flags.
        flags: Vec<Flag<'a>>,
        /// UNCHANGEDSINCE (RFC 7162).
        modifiers: Vec<StoreModifier>,
        /// `UID STORE`.
        uid: bool,
    },
    /// `[UID] COPY set mailbox`.
    Copy {
        /// The messages.
        sequence_set: SequenceSet,
        /// The destination.
        mailbox: Mailbox<'a>,
        /// `UID COPY`.
        uid: bool,
    },
    /// `[UID] MOVE set mailbox` (RFC 6851).
    Move {
        /// The messages.
        sequence_set: SequenceSet,
        /// The destination.
        mailbox: Mailbox<'a>,
        /// `UID MOVE`.
        uid: bool,
    },
}

impl<'a> Command<'a> {
    /// A command from its parts.
    pub fn new(tag: Tag<'a>, body: CommandBody<'a>) -> Self {
        Self { tag, body }
    }

    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> Command<'static> {
        Command {
            tag: self.tag.into_owned(),
            body: self.body.into_owned(),
        }
    }
}

impl AppendData<'_> {
    /// The message bytes.
    pub fn data(&self) -> &[u8] {
        match self {
            Self::Literal(l) => l.data(),
            Self::Binary(l) => l.data(),
        }
    }

    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> AppendData<'static> {
        match self {
            Self::Literal(l) => AppendData::Literal(l.into_owned()),
            Self::Binary(l) => AppendData::Binary(l.into_owned()),
        }
    }
}

impl CommandBody<'_> {
    /// The command's name as sent (`UID FETCH`, `LOGIN`, ...), for replies and logs.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Capability => "CAPABILITY",
            Self::Noop => "NOOP",
            Self::Logout => "LOGOUT",
            Self::Id { .. } => "ID",
            Self::StartTls => "STARTTLS",
            Self::Authenticate { .. } => "AUTHENTICATE",
            Self::Login { .. } => "LOGIN",
            Self::Enable { .. } => "ENABLE",
            Self::Select { .. } => "SELECT",
            Self::Examine { .. } => "EXAMINE",
            Self::Create { .. } => "CREATE",
            Self::Delete { .. } => "DELETE",
            Self::Rename { .. } => "RENAME",
            Self::Subscribe { .. } => "SUBSCRIBE",
            Self::Unsubscribe { .. } => "UNSUBSCRIBE",
            Self::List { .. } => "LIST",
            Self::Lsub { .. } => "LSUB",
            Self::Namespace => "NAMESPACE",
            Self::Status { .. } => "STATUS",
            Self::Append { .. } => "APPEND",
            Self::Idle => "IDLE",
            Self::Check => "CHECK",
            Self::Close => "CLOSE",
            Self::Unselect => "UNSELECT",
            Self::Expunge => "EXPUNGE",
            Self::UidExpunge { .. } => "UID EXPUNGE",
            Self::Search { uid: false, .. } => "SEARCH",
            Self::Search { uid: true, .. } => "UID SEARCH",
            Self::Sort { uid: false, .. } => "SORT",
            Self::Sort { uid: true, .. } => "UID SORT",
            Self::Fetch { uid: false, .. } => "FETCH",
            Self::Fetch { uid: true, .. } => "UID FETCH",
            Self::Store { uid: false, .. } => "STORE",
            Self::Store { uid: true, .. } => "UID STORE",
            Self::Copy { uid: false, .. } => "COPY",
            Self::Copy { uid: true, .. } => "UID COPY",
            Self::Move { uid: false, .. } => "MOVE",
            Self::Move { uid: true, .. } => "UID MOVE",
        }
    }

    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> CommandBody<'static> {
        use CommandBody as C;
        match self {
            C::Capability => C::Capability,
            C::Noop => C::Noop,
            C::Logout => C::Logout,
            C::Id { parameters } => C::Id {
                parameters: parameters.map(|list| {
                    list.into_iter()
                        .map(|(k, v)| (k.into_owned(), v.into_owned()))
                        .collect()
                }),
            },
            C::StartTls => C::StartTls,
            C::Authenticate {
                mechanism,
                initial_response,
            } => C::Authenticate {
                mechanism: mechanism.into_owned(),
                initial_response: initial_response
                    .map(|r| Secret::new(Cow::Owned(r.into_declassified().into_owned()))),
            },
            C::Login { username, password } => C::Login {
                username: username.into_owned(),
                password: Secret::new(password.into_declassified().into_owned()),
            },
            C::Enable { capabilities } => C::Enable {
                capabilities: capabilities.map(Capability::into_owned),
            },
            C::Select {
                mailbox,
                parameters,
            } => C::Select {
                mailbox: mailbox.into_owned(),
                parameters,
            },
            C::Examine {
                mailbox,
                parameters,
            } => C::Examine {
                mailbox: mailbox.into_owned(),
                parameters,
            },
            C::Create { mailbox } => C::Create {
                mailbox: mailbox.into_owned(),
            },
            C::Delete { mailbox } => C::Delete {
                mailbox: mailbox.into_owned(),
            },
            C::Rename { from, to } => C::Rename {
                from: from.into_owned(),
                to: to.into_owned(),
            },
            C::Subscribe { mailbox } => C::Subscribe {
                mailbox: mailbox.into_owned(),
            },
            C::Unsubscribe { mailbox } => C::Unsubscribe {
                mailbox: mailbox.into_owned(),
            },
            C::List {
                selection,
                reference,
                patterns,
                return_options,
            } => C::List {
                selection,
                reference: reference.into_owned(),
                patterns: patterns.map(ListMailbox::into_owned),
                return_options,
            },
            C::Lsub { reference, pattern } => C::Lsub {
                reference: reference.into_owned(),
                pattern: pattern.into_owned(),
            },
            C::Namespace => C::Namespace,
            C::Status { mailbox, items } => C::Status {
                mailbox: mailbox.into_owned(),
                items,
            },
            C::Append {
                mailbox,
                flags,
                date,
                message,
            } => C::Append {
                mailbox: mailbox.into_owned(),
                flags: flags.into_iter().map(Flag::into_owned).collect(),
                date,
                message: message.into_owned(),
            },
            C::Idle => C::Idle,
            C::Check => C::Check,
            C::Close => C::Close,
            C::Unselect => C::Unselect,
            C::Expunge => C::Expunge,
            C::UidExpunge { sequence_set } => C::UidExpunge { sequence_set },
            C::Search {
                return_options,
                charset,
                criteria,
                uid,
            } => C::Search {
                return_options,
                charset: charset.map(Charset::into_owned),
                criteria: criteria.map(SearchKey::into_owned),
                uid,
            },
            C::Sort {
                criteria,
                charset,
                search,
                uid,
            } => C::Sort {
                criteria,
                charset: charset.into_owned(),
                search: search.map(SearchKey::into_owned),
                uid,
            },
            C::Fetch {
                sequence_set,
                items,
                modifiers,
                uid,
            } => C::Fetch {
                sequence_set,
                items: items.into_owned(),
                modifiers,
                uid,
            },
            C::Store {
                sequence_set,
                kind,
                silent,
                flags,
                modifiers,
                uid,
            } => C::Store {
                sequence_set,
                kind,
                silent,
                flags: flags.into_iter().map(Flag::into_owned).collect(),
                modifiers,
                uid,
            },
            C::Copy {
                sequence_set,
                mailbox,
                uid,
            } => C::Copy {
                sequence_set,
                mailbox: mailbox.into_owned(),
                uid,
            },
            C::Move {
                sequence_set,
                mailbox,
                uid,
            } => C::Move {
                sequence_set,
                mailbox: mailbox.into_owned(),
                uid,
            },
        }
    }
}
