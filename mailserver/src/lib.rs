//! `mailserver`: the reference mail server of the workspace, as a library and a binary.
//!
//! It composes the crates into a complete server: `smtp-proto` for SMTP in and
//! submission, `mailauth` for SPF/DKIM/DMARC, `mailstore` for the mailboxes,
//! `imap-proto` and `pop3-proto` for reading them, `mta-queue` for delivery out. The
//! glue lives here, one module per concern; the binary (`src/main.rs`) only parses the
//! command line. The modules are public so that other front ends reuse them, the admin
//! API's handlers first of all (the web admin pages in [`web`] do).
//!
//! One module per service, each starting its own listeners from the configuration:
//!
//! ```text
//!  smtp (inbound 25, submission 587/465; one rcpt lookup) ──> delivery ──> mailstore
//!                                                        └──> queue ──> mta-queue (out)
//!  imap (143/993) ──> mailstore            users (SQLite, argon2), config, tls,
//!  pop3 (110/995) ──> mailstore            dkim_keys, mail_auth (SPF/DKIM/DMARC)
//!  admin (JSON API, /metrics) ──> users, queue, metrics
//!   └── web (HTML admin pages, sessions) ──> admin's handlers
//! ```

pub mod admin;
pub mod cli;
pub mod config;
pub mod data;
pub mod delivery;
pub mod dkim_keys;
pub mod headers;
pub mod imap;
pub mod listener;
pub mod mail_auth;
pub mod metrics;
pub mod pop3;
pub mod provision;
pub mod queue;
pub mod rate_limit;
pub mod server;
pub mod smtp;
pub mod state;
pub mod tls;
pub mod users;
pub mod web;

/// The package README's examples (shell and Python, not Rust: nothing to compile).
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
