//! Count and depth limits of the parsers (on top of the framer's size limits).

/// Most elements in one list (flags, sequence-set parts, fetch items, ...).
pub(crate) const MAX_LIST: usize = 100_000;

/// Deepest nesting of search keys (`NOT`, `OR`, parentheses) and body structures.
pub(crate) const MAX_DEPTH: usize = 32;
