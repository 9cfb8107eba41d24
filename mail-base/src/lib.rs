//! The few values that several crates of the workspace share, defined once.
//!
//! The protocol crates (SMTP, IMAP, POP3) and the mailbox store depend on no other
//! crate of the workspace but this one, so that one concept has one type:
//!
//! | module | what | used by |
//! | --- | --- | --- |
//! | [`secret`] | [`Secret`]: a password or SASL response whose `Debug` is redacted and whose memory is zeroized | SMTP, IMAP and POP3 `AUTH`/`LOGIN`/`PASS` |
//! | [`mutf7`] | modified UTF-7 (RFC 3501 section 5.1.3) | IMAP4rev1 mailbox names; Maildir++ folder names on disk |
//! | [`sort`] | [`SortKey`] and [`SortCriterion`] (RFC 5256, RFC 5957) | IMAP `SORT`; the store's sorted search |
//! | `blocking` (feature `tokio`) | `short`: a short blocking call from async code (`block_in_place`), a panic turned into `None` | the IMAP and POP3 adapters' store calls |
//! | `listener` (feature `tokio`) | the tokio listener code: connection limits, accept loop with graceful shutdown, TLS per listener, handshake and write timeouts | the tokio edges of SMTP, IMAP and POP3 |
//!
//! ```
//! use mailwright_base::{Secret, SortCriterion, SortKey, mutf7};
//!
//! assert_eq!(mutf7::encode("Entwürfe"), "Entw&APw-rfe");
//! assert_eq!(mutf7::decode("Entw&APw-rfe").unwrap(), "Entwürfe");
//!
//! let by_date = SortCriterion::reverse(SortKey::Date);
//! assert!(by_date.reverse);
//!
//! let password = Secret::new(String::from("tanstaaf"));
//! assert_eq!(format!("{password:?}"), "/* REDACTED */");
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod blocking;
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod listener;
pub mod mutf7;
pub mod secret;
pub mod sort;

pub use mutf7::Mutf7Error;
pub use secret::Secret;
pub use sort::{SortCriterion, SortKey};

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
