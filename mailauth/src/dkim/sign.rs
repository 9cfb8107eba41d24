//! DKIM signing (RFC 6376 §5, RFC 8463): rsa-sha256 and ed25519-sha256.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::crypto::{KeyError, KeyType, SigningKey};
use crate::dkim::canonicalize::{BodyHasher, Canonicalization};
use crate::dkim::header::{fields, split_message};
use crate::dkim::signature::{Algorithm, DkimSignature};
use crate::dkim::verify::header_hash;

/// The header fields signed by default, each as many times as it occurs.
pub const DEFAULT_SIGNED_HEADERS: &[&str] = &[
    "from",
    "reply-to",
    "subject",
    "date",
    "to",
    "cc",
    "message-id",
    "in-reply-to",
    "references",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "sender",
    "list-id",
    "list-unsubscribe",
    "list-unsubscribe-post",
];

/// A message could not be signed.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// The message has no From field (RFC 6376 §5.4: From must be signed).
    #[error("message has no from header field")]
    MissingFrom,
    /// The key failed.
    #[error("{0}")]
    Key(#[from] KeyError),
}

/// Signs messages for one domain and selector.
///
/// Defaults: relaxed/relaxed canonicalization, the [`DEFAULT_SIGNED_HEADERS`] that
/// are present, From oversigned (listed once more than it occurs, so no From can be
/// added later), `t=` set, no `x=`, no `l=`.
///
/// ```
/// use mailwright_auth::crypto::SigningKey;
/// use mailwright_auth::dkim::DkimSigner;
///
/// let signer = DkimSigner::new(SigningKey::ed25519_from_seed(&[1; 32]), "example.com", "sel");
/// let header = signer.sign(b"From: a@example.com\r\n\r\nHi\r\n", 1_700_000_000).unwrap();
/// assert!(header.starts_with("DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;"));
/// assert!(header.contains(" h=from:from;"));
/// ```
#[derive(Clone, Debug)]
pub struct DkimSigner {
    key: SigningKey,
    domain: String,
    selector: String,
    headers: Vec<String>,
    oversign: Vec<String>,
    header_canonicalization: Canonicalization,
    body_canonicalization: Canonicalization,
    expire_after: Option<u64>,
    auid: Option<String>,
    body_length: bool,
}

impl DkimSigner {
    /// A signer with `key` for `d=domain`, `s=selector`.
    pub fn new(key: SigningKey, domain: &str, selector: &str) -> Self {
        Self {
            key,
            domain: domain.to_ascii_lowercase(),
            selector: selector.to_ascii_lowercase(),
            headers: DEFAULT_SIGNED_HEADERS
                .iter()
                .map(|h| (*h).to_owned())
                .collect(),
            oversign: vec!["from".to_owned()],
            header_canonicalization: Canonicalization::Relaxed,
            body_canonicalization: Canonicalization::Relaxed,
            expire_after: None,
            auid: None,
            body_length: false,
        }
    }

    /// Sets the header field names to sign (From is always added).
    pub fn set_headers<I, S>(&mut self, names: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.headers = names
            .into_iter()
            .map(|n| n.as_ref().to_ascii_lowercase())
            .collect();
        if !self.headers.iter().any(|h| h == "from") {
            self.headers.insert(0, "from".to_owned());
        }
        self
    }

    /// Sets the names to oversign (listed once more than they occur); default From.
    pub fn set_oversigned<I, S>(&mut self, names: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.oversign = names
            .into_iter()
            .map(|n| n.as_ref().to_ascii_lowercase())
            .collect();
        self
    }

    /// Sets the header and body canonicalization.
    pub fn set_canonicalization(
        &mut self,
        header: Canonicalization,
        body: Canonicalization,
    ) -> &mut Self {
        self.header_canonicalization = header;
        self.body_canonicalization = body;
        self
    }

    /// Adds `x=` this many seconds after the signing time.
    pub fn set_expiration(&mut self, seconds: u64) -> &mut Self {
        self.expire_after = Some(seconds);
        self
    }

    /// Adds `i=` (must be in `d=` or below).
    pub fn set_auid(&mut self, auid: &str) -> &mut Self {
        self.auid = Some(auid.to_owned());
        self
    }

    /// Adds `l=` with the body length (lets recipients ignore appended content;
    /// see RFC 6376 §8.2 before using it).
    pub fn set_body_length(&mut self, on: bool) -> &mut Self {
        self.body_length = on;
        self
    }

    /// The algorithm the key gives.
    pub fn algorithm(&self) -> Algorithm {
        match self.key.key_type() {
            KeyType::Rsa => Algorithm::RsaSha256,
            KeyType::Ed25519 => Algorithm::Ed25519Sha256,
        }
    }

    /// The TXT record to publish at `<selector>._domainkey.<domain>`.
    pub fn dns_record(&self) -> String {
        self.key.dns_record()
    }

    /// The name the key record is published at.
    pub fn dns_name(&self) -> String {
        format!("{}._domainkey.{}", self.selector, self.domain)
    }

    /// Signs a whole message (CRLF line endings) and returns the DKIM-Signature field
    /// (ending in CRLF) to put on top of it. `now`: seconds since the epoch (`t=`).
    ///
    /// # Errors
    ///
    /// [`SignError::MissingFrom`], or a key failure.
    pub fn sign(&self, message: &[u8], now: u64) -> Result<String, SignError> {
        let (headers, body) = split_message(message);
        let mut context = self.start(headers);
        context.update(body);
        context.finish(now)
    }

    /// Starts a streamed signature over `headers` (the header section); feed the body
    /// with [`SignContext::update`], then [`SignContext::finish`].
    pub fn start(&self, headers: &[u8]) -> SignContext<'_> {
        SignContext {
            signer: self,
            headers: headers.to_vec(),
            body: BodyHasher::new(self.body_canonicalization, self.algorithm().hash(), None),
        }
    }
}

/// A signature in progress: headers known, body streaming in.
#[derive(Debug)]
pub struct SignContext<'s> {
    signer: &'s DkimSigner,
    headers: Vec<u8>,
    body: BodyHasher,
}

impl SignContext<'_> {
    /// Feeds the next chunk of the body.
    pub fn update(&mut self, chunk: &[u8]) {
        self.body.update(chunk);
    }

    /// Ends the body and returns the DKIM-Signature field with its CRLF.
    ///
    /// # Errors
    ///
    /// As [`DkimSigner::sign`].
    pub fn finish(self, now: u64) -> Result<String, SignError> {
        let signer = self.signer;
        let fields = fields(&self.headers);
        if !fields.iter().any(|f| f.is("from")) {
            return Err(SignError::MissingFrom);
        }
        let mut names = Vec::new();
        for name in &signer.headers {
            let count = fields.iter().filter(|f| f.is(name)).count();
            let extra = usize::from(signer.oversign.iter().any(|o| o == name));
            names.extend(std::iter::repeat_n(name.clone(), count + extra));
        }
        let body = self.body.finish();
        let mut sig = DkimSignature {
            algorithm: signer.algorithm(),
            signature: Vec::new(),
            body_hash: body.hash,
            header_canonicalization: signer.header_canonicalization,
            body_canonicalization: signer.body_canonicalization,
            domain: signer.domain.clone(),
            headers: names,
            auid: signer.auid.clone(),
            body_length: signer.body_length.then_some(body.canonical_length),
            selector: signer.selector.clone(),
            timestamp: Some(now),
            expiration: signer.expire_after.map(|secs| now.saturating_add(secs)),
        };
        // The field as it will appear, folded, with an empty b= at the end.
        let unsigned = fold_field(&sig);
        let digest = header_hash(&sig, unsigned.as_bytes(), &fields);
        sig.signature = signer.key.sign_sha256(&digest)?;
        let b64 = STANDARD.encode(&sig.signature);
        let mut out = unsigned;
        out.truncate(out.len() - 2); // the CRLF after "b="
        // Fold the signature under 78 columns; whitespace inside b= is ignored.
        let line_start = out.rfind("\r\n").map_or(0, |i| i + 2);
        let mut column = out.len() - line_start + 7 * usize::from(line_start > 0);
        let mut rest = b64.as_str();
        while !rest.is_empty() {
            if column >= 76 {
                out.push_str("\r\n\t");
                column = 8;
            }
            let take = (76 - column).min(rest.len());
            out.push_str(&rest[..take]);
            rest = &rest[take..];
            column += take;
        }
        out.push_str("\r\n");
        Ok(out)
    }
}

/// The DKIM-Signature field without the b= value, folded under 78 columns, CRLF.
fn fold_field(sig: &DkimSignature) -> String {
    let text = sig.to_string();
    let text = text.strip_suffix("b=").unwrap_or(&text);
    let mut out = String::from("DKIM-Signature:");
    let mut column = out.len();
    for (i, word) in text.split(' ').chain(std::iter::once("b=")).enumerate() {
        if word.is_empty() {
            continue;
        }
        if i > 0 && column + 1 + word.len() > 76 {
            out.push_str("\r\n\t");
            column = 8;
        } else {
            out.push(' ');
            column += 1;
        }
        // Long h= lists fold at their colons.
        for (j, part) in word.split_inclusive(':').enumerate() {
            if j > 0 && column + part.len() > 76 {
                out.push_str("\r\n\t");
                column = 8;
            }
            out.push_str(part);
            column += part.len();
        }
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::dkim::{DkimError, DkimResult, DkimVerifier};
    use crate::dns::{Rdata, Txt, Zone};
    use std::future::Future;

    fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    /// Header text with the multi-byte characters real mail carries.
    fn unicode_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just("日本語の件名テスト #2".to_owned()),
                Just("Привет".to_owned()),
                Just("=?UTF-8?Q?J=C3=B6rg?=".to_owned()),
                Just("  \t".to_owned()),
                Just("\r\n ".to_owned()),
                "\\PC{1,10}",
            ],
            1..6,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn unicode_messages_sign_and_verify(
            display in "[^\"\\\\\r\n]{0,12}",
            subject in unicode_text(),
            body in proptest::collection::vec(unicode_text(), 0..5),
            appended in "(é|日本語|x)\\PC{0,19}",
            relaxed in (any::<bool>(), any::<bool>()),
            body_length in any::<bool>(),
        ) {
            let canon = |r| if r { Canonicalization::Relaxed } else { Canonicalization::Simple };
            let mut signer = DkimSigner::new(SigningKey::ed25519_from_seed(&[9; 32]), "example.com", "sel");
            signer.set_canonicalization(canon(relaxed.0), canon(relaxed.1));
            signer.set_body_length(body_length);
            let message = format!(
                "From: \"{display}\" <jöhn@bücher.test>\r\nSubject: {subject}\r\n\r\n{}\r\n",
                body.join("\r\n"),
            );
            let field = signer.sign(message.as_bytes(), 1_000).unwrap();
            prop_assert!(field.is_ascii() && field.ends_with("\r\n"));
            let mut zone = Zone::builder();
            zone.record(&signer.dns_name(), 300, Rdata::Txt(Txt::new([signer.dns_record()]))).unwrap();
            let verifier = DkimVerifier::new(zone.build());
            let signed = format!("{field}{message}");
            let results = block_on(verifier.verify(signed.as_bytes(), 1_000));
            prop_assert_eq!(results.len(), 1);
            prop_assert_eq!(results[0].result, DkimResult::Pass, "{:?}", results[0].error);
            // Unicode appended to the body: covered by l= or a body hash failure.
            let extended = format!("{signed}{appended}\r\n");
            let results = block_on(verifier.verify(extended.as_bytes(), 1_000));
            match body_length {
                true => prop_assert!(results[0].result == DkimResult::Pass && results[0].body_extended),
                false => prop_assert_eq!(results[0].error.clone(), Some(DkimError::BodyHashMismatch)),
            }
        }
    }
}
