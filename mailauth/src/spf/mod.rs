//! Sender Policy Framework (RFC 7208).
//!
//! [`SpfRecord`] is the parsed record (`parse` / `Display` round trip);
//! [`SpfVerifier`] runs `check_host()` through any [`Resolver`](crate::dns::Resolver)
//! with an explicit [`LookupBudget`] (10 DNS terms, 2 void lookups), for the MAIL FROM
//! and HELO identities, and gives an [`SpfOutput`]: one of the seven [`SpfResult`]s,
//! the explanation on `fail`, and a Received-SPF header.
//!
//! Supported: every mechanism (`all`, `include`, `a`, `mx`, `ptr`, `ip4`, `ip6`,
//! `exists`) with dual CIDR lengths, `redirect=` and `exp=`, unknown modifiers
//! (ignored), the whole macro language (all eleven letters, digit and `r`
//! transformers, delimiters, `%%`, `%_`, `%-`, URL escaping of upper-case letters),
//! the 10-lookup and 2-void-lookup limits, the 10-name limits of `mx` and `ptr`, and
//! the 253-byte truncation of expanded names.

mod evaluate;
mod macro_expand;
mod parse;
mod received;
mod record;

pub use evaluate::{DEFAULT_EXPLANATION, LookupBudget, SpfConfig, SpfVerifier};
pub use parse::{SpfParseError, is_spf_record};
pub use received::{SpfIdentity, SpfOutput, SpfProblem, SpfResult};
pub use record::{
    Directive, Macro, MacroLetter, MacroPart, MacroString, Mechanism, Qualifier, SpfRecord,
};
