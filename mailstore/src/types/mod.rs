//! Validated values the store speaks in: UIDs, sets of UIDs, flags, mailbox names, dates.
//!
//! None of them know about files or SQL: they are the vocabulary of the [`crate::store`]
//! traits, shared by every backend.

mod date;
mod flag;
mod id;
mod mailbox_name;
mod special_use;
mod uid_set;

pub(crate) use date::days_from_civil;
pub use date::{Date, InternalDate};
pub use flag::{Flag, FlagOp, Flags, Keyword, SystemFlag};
pub use id::{AccountName, MailboxId, ModSeq, Uid, UidValidity};
pub use mailbox_name::{HIERARCHY_DELIMITER, MailboxName};
pub use special_use::{SpecialUse, SpecialUses};
pub use uid_set::UidSet;

/// A value could not be constructed because it breaks the rules of its type.
///
/// Says which rule (`what`) and, where one byte is to blame, its index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what}{}", match .at { Some(at) => format!(" at byte {at}"), None => String::new() })]
pub struct ValidationError {
    what: &'static str,
    at: Option<usize>,
}

impl ValidationError {
    pub(crate) const fn new(what: &'static str, at: Option<usize>) -> Self {
        Self { what, at }
    }

    /// The rule that was broken, e.g. `"mailbox name"`.
    pub fn what(&self) -> &'static str {
        self.what
    }

    /// The index of the offending byte, when one byte is to blame.
    pub fn at(&self) -> Option<usize> {
        self.at
    }
}
