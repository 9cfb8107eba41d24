//! Response codes.

use std::num::NonZeroU32;

use crate::types::{Atom, Capability, Charset, FlagPerm, SequenceSet, Vec1};

/// A response code in a status response (RFC 9051 section 7.1, RFC 5530,
/// RFC 4315, RFC 7162, RFC 7889).
///
/// ```text
/// resp-text-code = "ALERT" /
///       "BADCHARSET" [SP "(" charset *(SP charset) ")" ] /
///       capability-data / "PARSE" /
///       "PERMANENTFLAGS" SP "(" [flag-perm *(SP flag-perm)] ")" /
///       "READ-ONLY" / "READ-WRITE" / "TRYCREATE" /
///       "UIDNEXT" SP nz-number / "UIDVALIDITY" SP nz-number /
///       resp-code-apnd / resp-code-copy / "UIDNOTSTICKY" /
///       "UNAVAILABLE" / "AUTHENTICATIONFAILED" /
///       "AUTHORIZATIONFAILED" / "EXPIRED" /
///       "PRIVACYREQUIRED" / "CONTACTADMIN" / "NOPERM" /
///       "INUSE" / "EXPUNGEISSUED" / "CORRUPTION" /
///       "SERVERBUG" / "CLIENTBUG" / "CANNOT" /
///       "LIMIT" / "OVERQUOTA" / "ALREADYEXISTS" /
///       "NONEXISTENT" / "NOTSAVED" / "HASCHILDREN" /
///       "CLOSED" / "UNKNOWN-CTE" /
///       atom [SP 1*<any TEXT-CHAR except "]">]
/// resp-code-apnd = "APPENDUID" SP nz-number SP append-uid
/// resp-code-copy = "COPYUID" SP nz-number SP uid-set SP uid-set
/// resp-text-code =/ "UNSEEN" SP nz-number                     ; IMAP4rev1
/// resp-text-code =/ "HIGHESTMODSEQ" SP mod-sequence-value /
///                   "NOMODSEQ" / "MODIFIED" SP sequence-set   ; RFC 7162
/// resp-text-code =/ "TOOBIG"                                  ; RFC 7889
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Code<'a> {
    /// `ALERT`: the text must be shown to the user.
    Alert,
    /// `BADCHARSET [(charsets)]`: the SEARCH charset is not supported.
    BadCharset(Vec<Charset<'a>>),
    /// `CAPABILITY ...`: the capabilities, in a greeting or after login.
    Capability(Vec1<Capability<'a>>),
    /// `PARSE`: a message could not be parsed.
    Parse,
    /// `PERMANENTFLAGS (...)`: flags that are stored permanently.
    PermanentFlags(Vec<FlagPerm<'a>>),
    /// `READ-ONLY`.
    ReadOnly,
    /// `READ-WRITE`.
    ReadWrite,
    /// `TRYCREATE`: the destination mailbox does not exist but could be created.
    TryCreate,
    /// `UIDNEXT n`.
    UidNext(NonZeroU32),
    /// `UIDVALIDITY n`.
    UidValidity(NonZeroU32),
    /// `UNSEEN n`: the first unseen message (IMAP4rev1).
    Unseen(NonZeroU32),
    /// `APPENDUID uidvalidity uid-set` (RFC 4315).
    AppendUid {
        /// The destination's UIDVALIDITY.
        uid_validity: NonZeroU32,
        /// The UIDs of the appended messages.
        uids: SequenceSet,
    },
    /// `COPYUID uidvalidity source dest` (RFC 4315).
    CopyUid {
        /// The destination's UIDVALIDITY.
        uid_validity: NonZeroU32,
        /// The source UIDs.
        source: SequenceSet,
        /// The destination UIDs, in the same order.
        destination: SequenceSet,
    },
    /// `UIDNOTSTICKY`.
    UidNotSticky,
    /// `HIGHESTMODSEQ n` (RFC 7162).
    HighestModSeq(u64),
    /// `NOMODSEQ` (RFC 7162).
    NoModSeq,
    /// `MODIFIED set` (RFC 7162): messages not stored because of UNCHANGEDSINCE.
    Modified(SequenceSet),
    /// `CLOSED` (RFC 7162): the previous mailbox was closed.
    Closed,
    /// `UNAVAILABLE`.
    Unavailable,
    /// `AUTHENTICATIONFAILED`.
    AuthenticationFailed,
    /// `AUTHORIZATIONFAILED`.
    AuthorizationFailed,
    /// `EXPIRED`.
    Expired,
    /// `PRIVACYREQUIRED`.
    PrivacyRequired,
    /// `CONTACTADMIN`.
    ContactAdmin,
    /// `NOPERM`.
    NoPerm,
    /// `INUSE`.
    InUse,
    /// `EXPUNGEISSUED`.
    ExpungeIssued,
    /// `CORRUPTION`.
    Corruption,
    /// `SERVERBUG`.
    ServerBug,
    /// `CLIENTBUG`.
    ClientBug,
    /// `CANNOT`.
    Cannot,
    /// `LIMIT`.
    Limit,
    /// `OVERQUOTA`.
    OverQuota,
    /// `ALREADYEXISTS`.
    AlreadyExists,
    /// `NONEXISTENT`.
    NonExistent,
    /// `NOTSAVED`.
    NotSaved,
    /// `HASCHILDREN`.
    HasChildren,
    /// `UNKNOWN-CTE` (RFC 3516).
    UnknownCte,
    /// `TOOBIG` (RFC 7889).
    TooBig,
    /// Any other code, kept as sent: `atom [SP text]`.
    Other {
        /// The code's name.
        name: Atom<'a>,
        /// The text after it, up to `]`.
        text: Option<std::borrow::Cow<'a, str>>,
    },
}

/// Declares the argument-less codes once, for the parser, the encoder and `into_owned`.
macro_rules! simple_codes {
    ($($variant:ident = $name:literal),* $(,)?) => {
        impl Code<'_> {
            /// The name of an argument-less code, or `None` for codes with arguments.
            pub(crate) fn simple_name(&self) -> Option<&'static str> {
                match self {
                    $(Self::$variant => Some($name),)*
                    _ => None,
                }
            }

            /// The argument-less code called `name` (any case).
            pub(crate) fn simple_from_name(name: &[u8]) -> Option<Code<'static>> {
                $(
                    if name.eq_ignore_ascii_case($name.as_bytes()) {
                        return Some(Code::$variant);
                    }
                )*
                None
            }

            fn simple_into_owned(&self) -> Option<Code<'static>> {
                match self {
                    $(Self::$variant => Some(Code::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

simple_codes!(
    Alert = "ALERT",
    Parse = "PARSE",
    ReadOnly = "READ-ONLY",
    ReadWrite = "READ-WRITE",
    TryCreate = "TRYCREATE",
    UidNotSticky = "UIDNOTSTICKY",
    NoModSeq = "NOMODSEQ",
    Closed = "CLOSED",
    Unavailable = "UNAVAILABLE",
    AuthenticationFailed = "AUTHENTICATIONFAILED",
    AuthorizationFailed = "AUTHORIZATIONFAILED",
    Expired = "EXPIRED",
    PrivacyRequired = "PRIVACYREQUIRED",
    ContactAdmin = "CONTACTADMIN",
    NoPerm = "NOPERM",
    InUse = "INUSE",
    ExpungeIssued = "EXPUNGEISSUED",
    Corruption = "CORRUPTION",
    ServerBug = "SERVERBUG",
    ClientBug = "CLIENTBUG",
    Cannot = "CANNOT",
    Limit = "LIMIT",
    OverQuota = "OVERQUOTA",
    AlreadyExists = "ALREADYEXISTS",
    NonExistent = "NONEXISTENT",
    NotSaved = "NOTSAVED",
    HasChildren = "HASCHILDREN",
    UnknownCte = "UNKNOWN-CTE",
    TooBig = "TOOBIG",
);

impl Code<'_> {
    /// Detaches the value from the buffer it borrows from.
    pub fn into_owned(self) -> Code<'static> {
        if let Some(simple) = self.simple_into_owned() {
            return simple;
        }
        match self {
            Self::BadCharset(list) => {
                Code::BadCharset(list.into_iter().map(Charset::into_owned).collect())
            }
            Self::Capability(list) => Code::Capability(list.map(Capability::into_owned)),
            Self::PermanentFlags(list) => {
                Code::PermanentFlags(list.into_iter().map(FlagPerm::into_owned).collect())
            }
            Self::UidNext(n) => Code::UidNext(n),
            Self::UidValidity(n) => Code::UidValidity(n),
            Self::Unseen(n) => Code::Unseen(n),
            Self::AppendUid { uid_validity, uids } => Code::AppendUid { uid_validity, uids },
            Self::CopyUid {
                uid_validity,
                source,
                destination,
            } => Code::CopyUid {
                uid_validity,
                source,
                destination,
            },
            Self::HighestModSeq(n) => Code::HighestModSeq(n),
            Self::Modified(set) => Code::Modified(set),
            Self::Other { name, text } => Code::Other {
                name: name.into_owned(),
                text: text.map(|t| std::borrow::Cow::Owned(t.into_owned())),
            },
            // Every argument-less code was returned above.
            _ => Code::ServerBug,
        }
    }
}
