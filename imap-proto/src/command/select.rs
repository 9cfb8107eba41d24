//! SELECT/EXAMINE parameters of CONDSTORE and QRESYNC (RFC 7162).

use std::num::NonZeroU32;

use crate::types::SequenceSet;

/// A SELECT or EXAMINE parameter.
///
/// ```text
/// select-param = "CONDSTORE" / "QRESYNC" SP "(" uidvalidity SP
///                mod-sequence-value [SP known-uids]
///                [SP seq-match-data] ")"
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum SelectParameter {
    /// `CONDSTORE`: enable CONDSTORE with this SELECT.
    CondStore,
    /// `QRESYNC (...)`: quick resynchronisation data.
    Qresync(QresyncParameters),
}

/// What a client remembers of a mailbox for QRESYNC.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct QresyncParameters {
    /// The UIDVALIDITY the client knows.
    pub uid_validity: NonZeroU32,
    /// The last HIGHESTMODSEQ the client knows.
    pub modseq: u64,
    /// The UIDs the client knows about, if it says.
    pub known_uids: Option<SequenceSet>,
    /// Known message numbers and their UIDs, pairwise (`seq-match-data`).
    pub seq_match: Option<(SequenceSet, SequenceSet)>,
}
