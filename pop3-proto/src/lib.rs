//! POP3 for Rust (docs written below once the layers are in).
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod command;
pub mod encode;
pub mod error;
pub mod frame;
pub mod maildrop;
pub mod parse;
pub mod response;
pub mod server;
pub mod types;

#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod tokio;

#[cfg(test)]
mod testing;

pub use command::{Command, SaslResponse};
pub use error::{ParseError, ValidationError};
pub use response::{ResponseLine, ScanListing, Stat, Status, StatusLine, UniqueIdListing};
pub use types::{
    ApopDigest, ApopTimestamp, Capability, Mechanism, MessageNumber, Password, ResponseCode,
    Secret, Text, UniqueId, UserName,
};
