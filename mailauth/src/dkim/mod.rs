//! DomainKeys Identified Mail: verification and signing (RFC 6376, RFC 8463 Ed25519,
//! RFC 8301 crypto updates).
//!
//! - [`DkimVerifier`] checks every DKIM-Signature of a message (at most 10 by
//!   default): rsa-sha256 and ed25519-sha256; rsa-sha1 and RSA keys under 1024 bits
//!   fail (RFC 8301); simple and relaxed canonicalization; `l=` honoured and reported
//!   ([`DkimOutput::body_extended`]); `t=`/`x=` against the `now` passed in; key
//!   records with `v`, `k`, `p` (empty: revoked), `h`, `s`, `t=y`, `t=s`.
//! - [`DkimSigner`] signs with rsa-sha256 or ed25519-sha256 keys from PEM
//!   ([`SigningKey`](crate::crypto::SigningKey)), relaxed/relaxed and From oversigned by
//!   default, and prints the key's DNS record ([`DkimSigner::dns_record`]).
//! - Both stream the body: [`DkimVerifier::start`] / [`DkimSigner::start`] take the
//!   header section, then body chunks; [`BodyHasher`] is the streaming body hash.

mod canonicalize;
pub(crate) mod header;
mod key_record;
pub(crate) mod parse;
mod sign;
mod signature;
mod verify;

pub use canonicalize::{BodyHash, BodyHasher, Canonicalization, canonicalize_header};
pub use key_record::{DkimKeyRecord, KeyRecordError};
pub use parse::TagListError;
pub use sign::{DEFAULT_SIGNED_HEADERS, DkimSigner, SignContext, SignError};
pub use signature::{Algorithm, DkimSignature, SignatureError};
pub use verify::{DkimError, DkimOutput, DkimResult, DkimVerifier, MIN_RSA_BITS, VerifyContext};
