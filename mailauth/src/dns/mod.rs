//! Name resolution for the whole workspace.
//!
//! ```text
//!   SPF / DKIM / DMARC / iprev / MX routing
//!                  │  generic over R: Resolver
//!                  ▼
//!   ┌──────────── Resolver (trait) ────────────┐
//!   │  Cache<R, Clock>   TTL + negative cache  │
//!   │  HickoryResolver   UDP → TCP, real DNS   │
//!   │  Zone              in-memory zone file   │
//!   └──────────────────────────────────────────┘
//! ```
//!
//! [`Resolver`] is the one trait; [`Zone`] answers from zone-file text (its format is
//! documented in the [`zone`] module), [`HickoryResolver`] asks real name servers
//! (feature `tokio`), and [`Cache`] keeps answers of either for their TTL.

mod cache;
#[cfg(feature = "tokio")]
mod hickory;
mod resolver;
pub mod zone;

#[cfg(feature = "tokio")]
pub use cache::TokioClock;
pub use cache::{Cache, Clock, ManualClock};
#[cfg(feature = "tokio")]
pub use hickory::{HickoryResolver, ResolverConfig};
pub(crate) use resolver::normalized;
pub use resolver::{
    DnsError, Lookup, MAX_CNAME_CHAIN, Mx, Rdata, RecordType, Resolver, SharedLookup, Txt,
    normalize_name, reverse_name,
};
pub use zone::{Zone, ZoneBuilder, ZoneError, ZoneErrorKind, ZoneRecord};
