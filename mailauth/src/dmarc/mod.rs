//! Domain-based Message Authentication, Reporting and Conformance (RFC 7489).
//!
//! [`DmarcRecord`] parses and prints records (all tags: `p`, `sp`, `pct`, `adkim`,
//! `aspf`, `rua`, `ruf`, `fo`, `rf`, `ri`); [`organizational_domain`] uses the Public
//! Suffix List of the `psl` crate; [`DmarcVerifier`] discovers the policy (author
//! domain, then organizational domain with `sp=`), checks strict or relaxed
//! alignment of the SPF and DKIM results against the RFC5322.From domain(s), and
//! gives the [`DmarcResult`], the policy and the [`Disposition`] to apply.

mod alignment;
mod author;
mod evaluate;
mod parse;
mod record;

pub use alignment::{is_aligned, organizational_domain};
pub use author::author_domains;
pub use evaluate::{Disposition, DmarcOutput, DmarcResult, DmarcVerifier};
pub use parse::{DmarcParseError, is_dmarc_record};
pub use record::{AlignmentMode, DmarcRecord, FailureOptions, Policy};
