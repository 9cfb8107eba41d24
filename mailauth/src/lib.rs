//! Mail authentication (SPF, DKIM, DMARC, Authentication-Results) and the DNS layer
//! of the workspace.
//!
//! An MTA checks incoming mail with it (the reference server does: SPF at MAIL FROM,
//! DKIM and DMARC at end of data, an Authentication-Results field on delivery), signs
//! outgoing mail with it, and routes by MX through its [`dns::Resolver`] (mta-queue).
//! The `mailauth` binary exposes the same checks on the command line.
//!
//! ```
//! use mailwright_auth::dns::Zone;
//! use mailwright_auth::spf::{SpfConfig, SpfResult, SpfVerifier};
//!
//! let zone = Zone::parse("example.com. TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n").unwrap();
//! let spf = SpfVerifier::new(zone, SpfConfig::new("mx.example.org"));
//! let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
//! let out = runtime.block_on(spf.verify_mail_from(
//!     "192.0.2.7".parse().unwrap(),
//!     "mail.example.com",
//!     "alice@example.com",
//!     1_700_000_000,
//! ));
//! assert_eq!(out.result, SpfResult::Pass);
//! println!("{}", out.received_spf("mx.example.org"));
//! ```
//!
//! # Design
//!
//! ```text
//!            message bytes, client IP, HELO, MAIL FROM, now
//!                                │
//!   ┌──────────────┬─────────────┼───────────────┬────────────────┐
//!   │ spf          │ dkim        │ dmarc         │ auth_results   │   pure parsing,
//!   │ record/parse │ signature,  │ record/parse, │ produce/parse  │   canonicalization,
//!   │ macro_expand │ key_record, │ alignment     │                │   macro expansion,
//!   │ evaluate     │ canonicalize│ (PSL),        │                │   alignment: no I/O
//!   │              │ sign/verify │ evaluate      │                │
//!   └──────┬───────┴──────┬──────┴───────┬───────┴────────────────┘
//!          └──────────────┴──────────────┘ generic over R: Resolver,
//!                         │                lookup budgets and time passed in
//!   ┌─────────────── dns::Resolver ────────────────┐
//!   │ Zone (zone file)  Cache<R, Clock>  HickoryResolver (UDP → TCP, tokio)
//!   └───────────────────────────────────────────────┘
//! ```
//!
//! Evaluation never reads the clock (`now` is an argument; the cache takes a
//! [`dns::Clock`]) and never calls DNS except through the resolver it is given, so
//! tests use a [`dns::Zone`] and production a [`dns::Cache`] around a
//! [`dns::HickoryResolver`]. The DKIM body hash is computed from chunks as they arrive
//! ([`dkim::BodyHasher`], [`dkim::DkimVerifier::start`], [`dkim::DkimSigner::start`]).
//!
//! The zone-file format of [`dns::Zone`] (used by `--zone FILE`) is documented in the
//! [`dns::zone`] module.
//!
//! # Features
//!
//! | feature | default | what it adds |
//! | --- | --- | --- |
//! | `tokio` | yes | [`dns::HickoryResolver`] (real DNS over tokio sockets) and [`dns::TokioClock`] |
//!
//! # Supported specifications
//!
//! | RFC | what | status |
//! | --- | --- | --- |
//! | RFC 7208 | SPF: all mechanisms and modifiers, macros, limits, HELO, explanations, Received-SPF | complete |
//! | RFC 6376 | DKIM signing and verification, simple/relaxed, `l=`, `t=`/`x=`, key records | complete (no `z=` diagnostics) |
//! | RFC 8463 | Ed25519-SHA256 for DKIM | complete |
//! | RFC 8301 | rsa-sha1 refused, RSA keys under 1024 bits refused | complete |
//! | RFC 7489 | DMARC records, policy discovery, alignment, disposition, `pct` | complete (no report generation) |
//! | RFC 8601 | Authentication-Results produce and parse | complete |
//! | RFC 7505 | null MX visible to callers | complete |
//! | RFC 1035, 2308, 3596, 7766 | DNS messages, negative caching, AAAA, TCP fallback | stub resolver |
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod auth_results;
pub mod crypto;
pub mod dkim;
pub mod dmarc;
pub mod dns;
pub mod spf;

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
