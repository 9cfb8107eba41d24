//! `mailserver`: the reference mail server of the workspace, as a library and a binary.
//!
//! It composes the crates into a complete server: `smtp-proto` for SMTP in and
//! submission, `mailauth` for SPF/DKIM/DMARC, `mailstore` for the mailboxes,
//! `imap-proto` and `pop3-proto` for reading them, `mta-queue` for delivery out. The
//! glue lives here, one module per concern; the binary (`src/main.rs`) only parses the
//! command line. The modules are public so that other front ends reuse them, the admin
//! API's handlers first of all (the web admin pages in [`web`] do).
//!
//! ```text
//!  listeners ──> smtp_inbound / submission ──> delivery ──> mailstore (local)
//!      │                                           └──────> queue ──> mta-queue (remote)
//!      ├──> imap_backend ──> mailstore           users (SQLite, argon2)
//!      ├──> pop3_maildrop ─> mailstore           config, tls, dkim_keys
//!      └──> admin (axum JSON API, /metrics) ──> users, queue, metrics
//!           └──> web (HTML admin pages, sessions) ──> admin's handlers
//! ```

pub mod admin;
pub mod cli;
pub mod config;
pub mod data;
pub mod delivery;
pub mod dkim_keys;
pub mod headers;
pub mod imap_backend;
pub mod listener;
pub mod mail_auth;
pub mod metrics;
pub mod offload;
pub mod pop3_maildrop;
pub mod provision;
pub mod queue;
pub mod rate_limit;
pub mod server;
pub mod smtp;
pub mod smtp_inbound;
pub mod state;
pub mod submission;
pub mod tls;
pub mod users;
pub mod web;

/// The package README's examples (shell and Python, not Rust: nothing to compile).
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
