//! DKIM verification (RFC 6376 §6, RFC 8301, RFC 8463).
//!
//! ```text
//!   headers ──► VerifyContext::new ── parse every DKIM-Signature, one BodyHasher
//!                                      per (c=, a=, l=) combination
//!   body chunks ──► VerifyContext::update (streamed, nothing buffered)
//!   finish(now) ──► per signature: expiry, key lookup (TXT at s._domainkey.d),
//!                   key checks, body hash, header hash, signature
//! ```

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use crate::crypto::{HashAlgorithm, HashContext, PublicKey};
use crate::dkim::canonicalize::{BodyHash, BodyHasher, Canonicalization, canonicalize_header};
use crate::dkim::header::{Field, fields, select, split_message};
use crate::dkim::key_record::{DkimKeyRecord, KeyRecordError};
use crate::dkim::parse::tag_list;
use crate::dkim::signature::{Algorithm, DkimSignature, SignatureError};
use crate::dns::{DnsError, Resolver};

/// The smallest RSA key accepted (RFC 8301 §3.2).
pub const MIN_RSA_BITS: usize = 1024;

/// The result of one signature (RFC 8601 §2.7.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DkimResult {
    /// The message was not signed.
    None,
    /// The signature verified.
    Pass,
    /// The signature did not verify (bad hash or signature, expired, weak or
    /// deprecated crypto).
    Fail,
    /// The signature verified but a local policy rejected it.
    Policy,
    /// The signature could not be processed for other reasons.
    Neutral,
    /// A transient error (DNS) prevented verification.
    TempError,
    /// The signature or key record is unusable.
    PermError,
}

impl DkimResult {
    /// The lower-case name used in Authentication-Results and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Policy => "policy",
            Self::Neutral => "neutral",
            Self::TempError => "temperror",
            Self::PermError => "permerror",
        }
    }
}

impl fmt::Display for DkimResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a signature did not pass.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DkimError {
    /// The DKIM-Signature field is unusable.
    #[error("{0}")]
    Signature(#[from] SignatureError),
    /// No key record at the selector (NXDOMAIN or no TXT).
    #[error("no key record found")]
    KeyNotFound,
    /// The key record does not parse.
    #[error("key record: {0}")]
    KeyRecord(#[from] KeyRecordError),
    /// The key was revoked (empty `p=`).
    #[error("key revoked")]
    KeyRevoked,
    /// The key type does not match the algorithm, or the key bytes are not a key.
    #[error("key unsuitable for the signing algorithm")]
    KeyMismatch,
    /// The key record's `h=` excludes the digest.
    #[error("digest not allowed by key record")]
    HashNotAllowed,
    /// The key record's `s=` excludes email.
    #[error("key not for email")]
    ServiceNotAllowed,
    /// `t=s` and `i=` is in a subdomain of `d=`.
    #[error("identity must equal the signing domain (t=s)")]
    StrictIdentity,
    /// An RSA key under 1024 bits (RFC 8301 §3.2).
    #[error("rsa key shorter than 1024 bits")]
    KeyTooShort,
    /// `a=rsa-sha1` (RFC 8301 §3.1).
    #[error("rsa-sha1 is not accepted")]
    Sha1NotAccepted,
    /// `x=` is in the past.
    #[error("signature expired")]
    Expired,
    /// The body hash differs from `bh=`.
    #[error("body hash did not verify")]
    BodyHashMismatch,
    /// The signature does not match the header hash.
    #[error("signature did not verify")]
    SignatureMismatch,
    /// The key lookup failed.
    #[error("key lookup: {0}")]
    Dns(DnsError),
}

impl DkimError {
    /// The result this error gives.
    pub fn result(&self) -> DkimResult {
        match self {
            Self::Dns(err) if err.is_temporary() => DkimResult::TempError,
            Self::KeyTooShort
            | Self::Sha1NotAccepted
            | Self::Expired
            | Self::BodyHashMismatch
            | Self::SignatureMismatch => DkimResult::Fail,
            _ => DkimResult::PermError,
        }
    }
}

/// The outcome for one DKIM-Signature header field.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DkimOutput {
    /// The result.
    pub result: DkimResult,
    /// Why it is not `pass`.
    pub error: Option<DkimError>,
    /// `d=`, when the field had one.
    pub domain: Option<String>,
    /// `s=`, when the field had one.
    pub selector: Option<String>,
    /// `i=`, when present.
    pub auid: Option<String>,
    /// `a=`, when known.
    pub algorithm: Option<Algorithm>,
    /// `b=` in base64 without whitespace (for `header.b`).
    pub signature_b64: Option<String>,
    /// `l=`, when the signature covers only part of the body.
    pub body_length: Option<u64>,
    /// The body has more canonical bytes than `l=` covers (unsigned content).
    pub body_extended: bool,
    /// The key record says the domain is testing (`t=y`).
    pub testing: bool,
}

impl DkimOutput {
    fn failed(sig: Option<&DkimSignature>, error: DkimError) -> Self {
        let mut out = Self::from_signature(sig);
        out.result = error.result();
        out.error = Some(error);
        out
    }

    fn from_signature(sig: Option<&DkimSignature>) -> Self {
        Self {
            result: DkimResult::Pass,
            error: None,
            domain: sig.map(|s| s.domain.clone()),
            selector: sig.map(|s| s.selector.clone()),
            auid: sig.and_then(|s| s.auid.clone()),
            algorithm: sig.map(|s| s.algorithm),
            signature_b64: sig.map(DkimSignature::signature_base64),
            body_length: sig.and_then(|s| s.body_length),
            body_extended: false,
            testing: false,
        }
    }
}

/// Verifies DKIM signatures through a [`Resolver`].
///
/// ```
/// use mailwright_auth::dkim::{DkimResult, DkimSigner, DkimVerifier};
/// use mailwright_auth::crypto::SigningKey;
/// use mailwright_auth::dns::Zone;
///
/// let key = SigningKey::ed25519_from_seed(&[7; 32]);
/// let zone = Zone::parse(&format!("sel._domainkey.example.com. TXT \"{}\"\n", key.dns_record())).unwrap();
/// let message = b"From: a@example.com\r\nSubject: hi\r\n\r\nHello\r\n";
/// let header = DkimSigner::new(key, "example.com", "sel").sign(message, 1_700_000_000).unwrap();
/// let signed = [header.as_bytes(), message].concat();
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let results = DkimVerifier::new(zone).verify(&signed, 1_700_000_100).await;
/// assert_eq!(results[0].result, DkimResult::Pass);
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct DkimVerifier<R> {
    resolver: R,
    max_signatures: usize,
    keys: Arc<ParsedKeys>,
}

impl<R: Resolver> DkimVerifier<R> {
    /// A verifier asking `resolver` for keys; at most 10 signatures per message are
    /// checked.
    pub fn new(resolver: R) -> Self {
        Self {
            resolver,
            max_signatures: 10,
            keys: Arc::default(),
        }
    }

    /// Sets how many DKIM-Signature fields of one message are checked (the rest are
    /// ignored), bounding the DNS work a message can cause.
    pub fn set_max_signatures(&mut self, max: usize) -> &mut Self {
        self.max_signatures = max;
        self
    }

    /// Verifies every signature of a whole message (CRLF line endings). `now` is the
    /// current time in seconds since the Unix epoch (for `x=`). An unsigned message
    /// gives an empty list.
    pub async fn verify(&self, message: &[u8], now: u64) -> Vec<DkimOutput> {
        let (headers, body) = split_message(message);
        let mut context = self.start(headers);
        context.update(body);
        context.finish(now).await
    }

    /// Starts a streamed verification: `headers` is the header section (up to and
    /// including the CRLF of the last field). Then feed the body with
    /// [`VerifyContext::update`] and call [`VerifyContext::finish`].
    pub fn start(&self, headers: &[u8]) -> VerifyContext<'_, R> {
        let mut signatures = Vec::new();
        let mut hashers: Vec<(HasherKey, BodyHasher)> = Vec::new();
        let fields = fields(headers);
        for (index, field) in fields.iter().enumerate() {
            if !field.is("dkim-signature") || signatures.len() >= self.max_signatures {
                continue;
            }
            let parsed = DkimSignature::parse(field.value).map(|sig| {
                let key = (
                    sig.body_canonicalization,
                    sig.algorithm.hash(),
                    sig.body_length,
                );
                let slot = match hashers.iter().position(|(k, _)| *k == key) {
                    Some(slot) => slot,
                    None => {
                        hashers.push((key, BodyHasher::new(key.0, key.1, key.2)));
                        hashers.len() - 1
                    }
                };
                (sig, slot)
            });
            signatures.push((index, parsed));
        }
        VerifyContext {
            verifier: self,
            headers: headers.to_vec(),
            signatures,
            hashers,
        }
    }
}

/// The body canonicalization, digest and length limit a body hash depends on.
type HasherKey = (Canonicalization, HashAlgorithm, Option<u64>);

/// A parsed signature and the index of its body hasher, or why it did not parse.
type ParsedSignature = Result<(DkimSignature, usize), SignatureError>;

/// A verification in progress: the header section is known, the body streams in.
#[derive(Debug)]
pub struct VerifyContext<'v, R> {
    verifier: &'v DkimVerifier<R>,
    headers: Vec<u8>,
    /// (field index, parsed signature and its body-hasher slot).
    signatures: Vec<(usize, ParsedSignature)>,
    hashers: Vec<(HasherKey, BodyHasher)>,
}

impl<R: Resolver> VerifyContext<'_, R> {
    /// Feeds the next chunk of the body.
    pub fn update(&mut self, chunk: &[u8]) {
        for (_, hasher) in &mut self.hashers {
            hasher.update(chunk);
        }
    }

    /// Ends the body and checks every signature (`now`: seconds since the epoch).
    pub async fn finish(self, now: u64) -> Vec<DkimOutput> {
        let body_hashes: Vec<BodyHash> =
            self.hashers.into_iter().map(|(_, h)| h.finish()).collect();
        let fields = fields(&self.headers);
        let mut outputs = Vec::with_capacity(self.signatures.len());
        for (index, parsed) in self.signatures {
            let output = match parsed {
                Err(err) => {
                    let mut output = DkimOutput::failed(None, DkimError::Signature(err));
                    // Best effort: name the domain and selector for the report.
                    if let Ok(tags) = tag_list(fields[index].value) {
                        let get = |name: &str| {
                            tags.iter()
                                .find(|(n, _)| *n == name)
                                .map(|(_, v)| v.to_ascii_lowercase())
                        };
                        output.domain = get("d");
                        output.selector = get("s");
                    }
                    output
                }
                Ok((sig, slot)) => {
                    let body = &body_hashes[slot];
                    let field = &fields[index];
                    let mut output = DkimOutput::from_signature(Some(&sig));
                    output.body_extended =
                        sig.body_length.is_some_and(|l| body.canonical_length > l);
                    match self
                        .verifier
                        .check(&sig, field, &fields, body, now, &mut output)
                        .await
                    {
                        Ok(()) => output,
                        Err(err) => {
                            output.result = err.result();
                            output.error = Some(err);
                            output
                        }
                    }
                }
            };
            outputs.push(output);
        }
        outputs
    }
}

impl<R: Resolver> DkimVerifier<R> {
    async fn check(
        &self,
        sig: &DkimSignature,
        sig_field: &Field<'_>,
        fields: &[Field<'_>],
        body: &BodyHash,
        now: u64,
        output: &mut DkimOutput,
    ) -> Result<(), DkimError> {
        if sig.expiration.is_some_and(|x| x < now) {
            return Err(DkimError::Expired);
        }
        if sig.algorithm == Algorithm::RsaSha1 {
            return Err(DkimError::Sha1NotAccepted);
        }
        let entry = self.key(sig).await?;
        let record = &entry.record;
        output.testing = record.testing;
        if record.strict
            && let Some(auid) = &sig.auid
        {
            let auid_domain = auid.rsplit_once('@').map_or("", |(_, d)| d);
            if !auid_domain.eq_ignore_ascii_case(&sig.domain) {
                return Err(DkimError::StrictIdentity);
            }
        }
        if body.hash != sig.body_hash {
            return Err(DkimError::BodyHashMismatch);
        }
        let digest = header_hash(sig, sig_field.raw, fields);
        let key = entry.key.as_ref().ok_or(DkimError::KeyMismatch)?;
        match key.verify(sig.algorithm.hash(), &digest, &sig.signature) {
            true => Ok(()),
            false => Err(DkimError::SignatureMismatch),
        }
    }

    /// Fetches and checks the key of a signature.
    async fn key(&self, sig: &DkimSignature) -> Result<Arc<KeyEntry>, DkimError> {
        let name = format!("{}._domainkey.{}", sig.selector, sig.domain);
        let txt = match self.resolver.txt(&name).await {
            Ok(txt) => txt,
            Err(err) if err.is_not_found() || err == DnsError::InvalidName => {
                return Err(DkimError::KeyNotFound);
            }
            Err(err) => return Err(DkimError::Dns(err)),
        };
        let mut first_error = None;
        let entry = txt.records.iter().find_map(|txt| {
            self.keys
                .get_or_parse(&name, &txt.joined())
                .map_err(|err| first_error.get_or_insert(err))
                .ok()
        });
        let entry = match (entry, first_error) {
            (Some(entry), _) => entry,
            (None, Some(err)) => return Err(DkimError::KeyRecord(err)),
            (None, None) => return Err(DkimError::KeyNotFound),
        };
        let record = &entry.record;
        if record.is_revoked() {
            return Err(DkimError::KeyRevoked);
        }
        if record.key_type != sig.algorithm.key_type() {
            return Err(DkimError::KeyMismatch);
        }
        if !record.allows_hash(sig.algorithm.hash()) {
            return Err(DkimError::HashNotAllowed);
        }
        if !record.allows_email() {
            return Err(DkimError::ServiceNotAllowed);
        }
        let key = entry.key.as_ref().ok_or(DkimError::KeyMismatch)?;
        if matches!(key, PublicKey::Rsa(_)) && key.bits() < MIN_RSA_BITS {
            return Err(DkimError::KeyTooShort);
        }
        Ok(entry)
    }
}

/// A key record and its public key, as parsed from one TXT text.
#[derive(Debug)]
struct KeyEntry {
    record: DkimKeyRecord,
    /// `None` when `p=` is not a key of the record's type.
    key: Option<PublicKey>,
}

/// Key records already parsed, by their DNS name and text: DNS is asked every time,
/// only the parsing (base64, DER, the Ed25519 point decompression) is saved when the
/// text is unchanged. Bounded: cleared when full.
#[derive(Debug, Default)]
struct ParsedKeys(Mutex<HashMap<String, ParsedKey>>);

/// A key record's text and what it parsed to.
type ParsedKey = (Vec<u8>, Arc<KeyEntry>);

/// The most parsed key records kept.
const MAX_PARSED_KEYS: usize = 1024;

impl ParsedKeys {
    fn get_or_parse(&self, name: &str, text: &[u8]) -> Result<Arc<KeyEntry>, KeyRecordError> {
        let lock = || self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((known, entry)) = lock().get(name)
            && known.as_slice() == text
        {
            return Ok(Arc::clone(entry));
        }
        let record = DkimKeyRecord::parse(text)?;
        let key = PublicKey::from_dkim_bytes(record.key_type, &record.public_key).ok();
        let entry = Arc::new(KeyEntry { record, key });
        let mut map = lock();
        if map.len() >= MAX_PARSED_KEYS {
            map.clear();
        }
        map.insert(name.to_owned(), (text.to_vec(), Arc::clone(&entry)));
        Ok(entry)
    }
}

/// The header hash of RFC 6376 §3.7: the selected fields canonicalized, then the
/// signature field itself with an empty `b=` and no final CRLF.
pub(crate) fn header_hash(sig: &DkimSignature, sig_field: &[u8], fields: &[Field<'_>]) -> Vec<u8> {
    let mut data = Vec::with_capacity(1024);
    for field in select(fields, &sig.headers).into_iter().flatten() {
        canonicalize_header(sig.header_canonicalization, field.raw, &mut data);
    }
    let stripped = without_b_value(sig_field);
    canonicalize_header(sig.header_canonicalization, &stripped, &mut data);
    if data.ends_with(b"\r\n") {
        data.truncate(data.len() - 2);
    }
    let mut hash = HashContext::new(sig.algorithm.hash());
    hash.update(&data);
    hash.finish()
}

/// The field with the value of its `b=` tag removed (the `b=` itself kept).
pub(crate) fn without_b_value(raw: &[u8]) -> Vec<u8> {
    let colon = raw.iter().position(|&b| b == b':').map_or(0, |c| c + 1);
    let mut out = raw[..colon].to_vec();
    let value = &raw[colon..];
    let mut segments = value.split(|&b| b == b';').peekable();
    while let Some(segment) = segments.next() {
        let trimmed_start = segment
            .iter()
            .position(|&b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
            .unwrap_or(segment.len());
        let rest = &segment[trimmed_start..];
        let is_b = rest.first() == Some(&b'b')
            && rest[1..]
                .iter()
                .find(|&&b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
                == Some(&b'=');
        match is_b {
            true => {
                let eq = segment.iter().position(|&b| b == b'=').map_or(0, |e| e + 1);
                out.extend_from_slice(&segment[..eq]);
                // Keep the CRLF ending the field so canonicalization sees the same
                // structure as the signer did.
                if segments.peek().is_none() && segment.ends_with(b"\r\n") {
                    out.extend_from_slice(b"\r\n");
                }
            }
            false => out.extend_from_slice(segment),
        }
        if segments.peek().is_some() {
            out.push(b';');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn removes_only_the_b_value() {
        assert_eq!(
            without_b_value(b"DKIM-Signature: v=1; bh=abc; b=de\r\n f; d=x\r\n"),
            b"DKIM-Signature: v=1; bh=abc; b=; d=x\r\n"
        );
        assert_eq!(
            without_b_value(b"DKIM-Signature: v=1; bh=abc;\r\n b = de\r\n f\r\n"),
            b"DKIM-Signature: v=1; bh=abc;\r\n b =\r\n"
        );
        assert_eq!(
            without_b_value(b"DKIM-Signature: b=x;bh=y"),
            b"DKIM-Signature: b=;bh=y"
        );
    }

    proptest! {
        #[test]
        fn unicode_signature_fields_never_panic(
            tags in proptest::collection::vec(prop_oneof![
                Just("v=1".to_owned()), Just("a=ed25519-sha256".to_owned()),
                Just("d=bücher.test".to_owned()), Just("s=sél".to_owned()),
                Just("h=from:subject".to_owned()), Just("bh=AAAA".to_owned()),
                Just("b=AA\r\n AA".to_owned()), Just(" b = 日本語 ".to_owned()),
                Just("z=Subject:日本語の件名テスト=20#2".to_owned()), Just("l=3".to_owned()),
                "[a-z]{1,2}=\\PC{0,10}",
                "\\PC{0,10}",
            ], 0..10),
            subject in "\\PC{0,30}",
            body in "\\PC{0,30}",
        ) {
            let value = tags.join(";");
            let field = format!("DKIM-Signature: {value}\r\n");
            // b= emptied: everything else kept, byte for byte.
            let stripped = without_b_value(field.as_bytes());
            prop_assert!(stripped.len() <= field.len());
            prop_assert!(stripped.starts_with(b"DKIM-Signature:"));
            let message = format!(
                "{field}From: \"Jöhn\" <x@bücher.test>\r\nSubject: {subject}\r\n\r\n{body}"
            );
            let verifier = DkimVerifier::new(crate::dns::Zone::default());
            let results = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap()
                .block_on(verifier.verify(message.as_bytes(), 0));
            prop_assert_eq!(results.len(), 1);
            prop_assert!(results[0].result != DkimResult::Pass);
        }
    }
}
