//! Mail authentication for the workspace, and its one DNS layer.
//!
//! ```
//! use mailauth::dns::{Resolver, Zone};
//!
//! let zone = Zone::parse("example.com. TXT \"v=spf1 -all\"\n").unwrap();
//! let txt = tokio::runtime::Builder::new_current_thread()
//!     .build()
//!     .unwrap()
//!     .block_on(zone.txt("example.com"))
//!     .unwrap();
//! assert_eq!(txt.records[0].concat(), b"v=spf1 -all");
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod auth_results;
pub mod crypto;
pub mod dkim;
pub mod dmarc;
pub mod dns;
pub mod spf;
