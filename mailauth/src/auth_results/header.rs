//! The Authentication-Results data and its text form (RFC 8601 §2.2).

use std::fmt;
use std::net::IpAddr;

use crate::dkim::{DkimOutput, DkimResult};
use crate::dmarc::DmarcOutput;
use crate::spf::{SpfIdentity, SpfOutput};

/// An Authentication-Results header field.
///
/// ```text
/// authres-payload = [CFWS] authserv-id [ CFWS authres-version ]
///                   ( no-result / 1*resinfo ) [CFWS] CRLF
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthenticationResults {
    /// The authserv-id: the name of the host that did the checks.
    pub authserv_id: String,
    /// The authres-version, when given.
    pub version: Option<u32>,
    /// The results, in order (empty prints as `none`).
    pub results: Vec<MethodResult>,
}

/// One `method=result` with its reason and properties.
///
/// ```text
/// resinfo    = [CFWS] ";" methodspec [ CFWS reasonspec ] [ CFWS 1*propspec ]
/// methodspec = [CFWS] method [CFWS] "=" [CFWS] result
/// reasonspec = "reason" [CFWS] "=" [CFWS] value
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MethodResult {
    /// The method (`spf`, `dkim`, `dmarc`, `iprev`, ...), lower case.
    pub method: String,
    /// The method version, when given (`dkim/1`).
    pub method_version: Option<u32>,
    /// The result keyword, lower case.
    pub result: String,
    /// The `reason=` text.
    pub reason: Option<String>,
    /// The properties (`smtp.mailfrom=...`, `header.d=...`).
    pub properties: Vec<Property>,
}

/// A `ptype.property=value` (RFC 8601 §2.3).
///
/// ```text
/// propspec = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Property {
    /// `smtp`, `header`, `body` or `policy`, lower case.
    pub ptype: String,
    /// The property name (`mailfrom`, `helo`, `d`, `s`, `b`, `from`, `iprev`), lower case.
    pub name: String,
    /// The value.
    pub value: String,
}

impl AuthenticationResults {
    /// An empty header field for `authserv_id`.
    pub fn new(authserv_id: &str) -> Self {
        Self {
            authserv_id: authserv_id.to_owned(),
            version: None,
            results: Vec::new(),
        }
    }

    /// Adds a result.
    pub fn push(&mut self, result: MethodResult) -> &mut Self {
        self.results.push(result);
        self
    }

    /// The value after `Authentication-Results:` (folded, no final CRLF).
    pub fn value(&self) -> String {
        let mut out = value_text(&self.authserv_id);
        if let Some(version) = self.version {
            out.push_str(&format!(" {version}"));
        }
        if self.results.is_empty() {
            out.push_str("; none");
        }
        for result in &self.results {
            out.push_str(&format!(";\r\n\t{result}"));
        }
        out
    }
}

impl fmt::Display for AuthenticationResults {
    /// The whole field, `Authentication-Results: ...`, folded one result per line,
    /// without the final CRLF.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Authentication-Results: {}", self.value())
    }
}

impl MethodResult {
    /// `method=result` without properties.
    pub fn new(method: &str, result: &str) -> Self {
        Self {
            method: method.to_ascii_lowercase(),
            method_version: None,
            result: result.to_ascii_lowercase(),
            reason: None,
            properties: Vec::new(),
        }
    }

    /// Adds a property.
    pub fn with_property(mut self, ptype: &str, name: &str, value: &str) -> Self {
        self.properties.push(Property {
            ptype: ptype.to_ascii_lowercase(),
            name: name.to_ascii_lowercase(),
            value: value.to_owned(),
        });
        self
    }

    /// Sets the reason.
    pub fn with_reason(mut self, reason: &str) -> Self {
        self.reason = Some(reason.to_owned());
        self
    }

    /// The value of property `ptype.name`, if present.
    pub fn property(&self, ptype: &str, name: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|p| p.ptype.eq_ignore_ascii_case(ptype) && p.name.eq_ignore_ascii_case(name))
            .map(|p| p.value.as_str())
    }

    /// `spf=<result> smtp.mailfrom=<sender>` (or `smtp.helo=` for the HELO identity).
    pub fn spf(out: &SpfOutput) -> Self {
        let result = Self::new("spf", out.result.as_str());
        match out.identity {
            SpfIdentity::MailFrom => result.with_property("smtp", "mailfrom", &out.sender),
            SpfIdentity::Helo => result.with_property("smtp", "helo", &out.helo),
        }
    }

    /// `dkim=<result> header.d=... header.s=... header.b=<first 8 characters>`, with
    /// the error as the reason.
    pub fn dkim(out: &DkimOutput) -> Self {
        let mut result = Self::new("dkim", out.result.as_str());
        if let Some(error) = &out.error {
            result.reason = Some(error.to_string());
        }
        if let Some(d) = &out.domain {
            result = result.with_property("header", "d", d);
        }
        if let Some(s) = &out.selector {
            result = result.with_property("header", "s", s);
        }
        if let Some(b) = &out.signature_b64 {
            let short: String = b.chars().take(8).collect();
            result = result.with_property("header", "b", &short);
        }
        result
    }

    /// `dkim=none` for a message without signatures.
    pub fn dkim_none() -> Self {
        Self::new("dkim", DkimResult::None.as_str())
    }

    /// `dmarc=<result> header.from=<domain>` (and `policy.dmarc=<disposition>` when a
    /// policy applies).
    pub fn dmarc(out: &DmarcOutput) -> Self {
        let mut result = Self::new("dmarc", out.result.as_str());
        if out.policy.is_some() {
            result = result.with_property("policy", "dmarc", out.disposition.as_str());
        }
        if let Some(domain) = &out.domain {
            result = result.with_property("header", "from", domain);
        }
        result
    }

    /// `iprev=<result> policy.iprev=<ip>` (RFC 8601 §3: pass, fail, temperror,
    /// permerror).
    pub fn iprev(result: &str, ip: IpAddr) -> Self {
        Self::new("iprev", result).with_property("policy", "iprev", &ip.to_string())
    }
}

impl fmt::Display for MethodResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.method)?;
        if let Some(version) = self.method_version {
            write!(f, "/{version}")?;
        }
        write!(f, "={}", self.result)?;
        if let Some(reason) = &self.reason {
            write!(f, " reason={}", quoted(reason))?;
        }
        for p in &self.properties {
            write!(f, " {}.{}={}", p.ptype, p.name, pvalue_text(&p.value))?;
        }
        Ok(())
    }
}

/// A `value` (RFC 2045 token, else a quoted-string).
pub(crate) fn value_text(text: &str) -> String {
    match !text.is_empty() && text.bytes().all(is_token_byte) {
        true => text.to_owned(),
        false => quoted(text),
    }
}

/// A `pvalue`: a token, `local-part@domain`, or else a quoted-string.
fn pvalue_text(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| is_token_byte(b) || b == b'@' || b == b'.' || b == b'/' || b == b'=')
        && !text.starts_with('@')
        && text.bytes().filter(|&b| b == b'@').count() <= 1;
    match plain {
        true => text.to_owned(),
        false => quoted(text),
    }
}

/// RFC 2045 token characters: printable ASCII except SPACE and tspecials.
pub(crate) fn is_token_byte(b: u8) -> bool {
    b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&b)
}

fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars().filter(|c| *c != '\r' && *c != '\n') {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}
