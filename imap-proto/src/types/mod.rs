//! Validated protocol values: strings in their wire forms, numbers, flags,
//! mailbox names, dates. Each newtype can only hold a value that its ABNF rule
//! allows, so encoding a value never fails.

#[cfg(feature = "arbitrary")]
mod arbitrary;
mod atom;
mod capability;
pub(crate) mod char_class;
mod charset;
mod datetime;
mod flag;
mod literal;
mod mailbox;
pub(crate) mod newtype;
mod quoted;
pub(crate) mod registry;
mod sequence;
mod string;
mod tag;
mod text;
mod vec1;

pub use atom::{Atom, AtomExt};
pub use capability::{AuthMechanism, Capability};
pub use charset::Charset;
pub use datetime::{Date, DateTime};
pub use flag::{Flag, FlagPerm, MailboxAttribute};
pub use literal::{Literal, Literal8, LiteralMode};
pub use mailbox::{ListChars, ListMailbox, Mailbox};
pub use mailwright_base::Secret;
/// Modified UTF-7 (RFC 3501 section 5.1.3), the mailbox name encoding of IMAP4rev1.
pub use mailwright_base::mutf7 as utf7;
pub use quoted::Quoted;
pub use sequence::{SeqOrUid, Sequence, SequenceSet};
pub use string::{AString, IString, NString};
pub use tag::Tag;
pub use text::Text;
pub use vec1::Vec1;

/// A unique identifier of a message in a mailbox (RFC 9051 section 2.3.1.1).
///
/// ```text
/// uniqueid = nz-number
/// ```
pub type Uid = std::num::NonZeroU32;

/// The largest value of a `mod-sequence-value` (RFC 7162 section 7): 2^63 - 1.
pub const MAX_MODSEQ: u64 = i64::MAX as u64;
