//! imap-proto (work in progress).
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod command;
pub mod encode;
pub mod error;
pub mod frame;
pub mod parse;
pub mod response;
pub mod server;
#[cfg(feature = "tokio")]
pub mod tokio;
pub mod types;

#[cfg(test)]
mod testing;
