//! STORE kinds and modifiers.

/// How STORE changes the flags (RFC 9051 section 6.4.6).
///
/// ```text
/// store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP
///                   (flag-list / (flag *(SP flag)))
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum StoreKind {
    /// `FLAGS`: replace.
    Replace,
    /// `+FLAGS`: add.
    Add,
    /// `-FLAGS`: remove.
    Remove,
}

/// A STORE modifier (RFC 7162).
///
/// ```text
/// store-modifier = "UNCHANGEDSINCE" SP mod-sequence-valzer
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum StoreModifier {
    /// Only change messages whose mod-sequence is not greater.
    UnchangedSince(u64),
}
