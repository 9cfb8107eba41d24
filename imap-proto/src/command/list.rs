//! LIST-EXTENDED selection and return options (RFC 5258, RFC 5819, RFC 6154).

use crate::command::StatusItem;
use crate::types::Vec1;

/// A LIST selection option.
///
/// ```text
/// list-select-opt = "SUBSCRIBED" / "REMOTE" / "RECURSIVEMATCH" / "SPECIAL-USE"
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum ListSelectOption {
    /// Only subscribed mailboxes.
    Subscribed,
    /// Include remote mailboxes.
    Remote,
    /// Also list parents of matches for the other options.
    RecursiveMatch,
    /// Only mailboxes with a special use (RFC 6154).
    SpecialUse,
}

/// A LIST return option.
///
/// ```text
/// return-option = "SUBSCRIBED" / "CHILDREN" / status-option / "SPECIAL-USE"
/// status-option = "STATUS" SP "(" status-att *(SP status-att) ")"
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum ListReturnOption {
    /// Report `\Subscribed`.
    Subscribed,
    /// Report `\HasChildren` / `\HasNoChildren`.
    Children,
    /// Report special-use attributes.
    SpecialUse,
    /// A STATUS response for each listed selectable mailbox (RFC 5819).
    Status(Vec1<StatusItem>),
}

impl ListSelectOption {
    /// The keyword on the wire.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Subscribed => "SUBSCRIBED",
            Self::Remote => "REMOTE",
            Self::RecursiveMatch => "RECURSIVEMATCH",
            Self::SpecialUse => "SPECIAL-USE",
        }
    }
}
