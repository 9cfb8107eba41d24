//! The outcome of an SPF check: the result, why, and the Received-SPF header
//! (RFC 7208 §2.6, §9.1).

use std::fmt::{self, Write as _};
use std::net::IpAddr;
use std::str::FromStr;

use crate::dns::DnsError;
use crate::spf::parse::SpfParseError;
use crate::spf::record::Mechanism;

/// The seven results of `check_host()` (RFC 7208 §2.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpfResult {
    /// No SPF record, or the domain is not usable for SPF.
    None,
    /// The domain makes no assertion about this client.
    Neutral,
    /// The client is authorized.
    Pass,
    /// The client is not authorized.
    Fail,
    /// The client is probably not authorized.
    SoftFail,
    /// A transient (DNS) error.
    TempError,
    /// The domain's records could not be interpreted.
    PermError,
}

impl SpfResult {
    /// The lower-case name used in headers and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Neutral => "neutral",
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::SoftFail => "softfail",
            Self::TempError => "temperror",
            Self::PermError => "permerror",
        }
    }
}

impl fmt::Display for SpfResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SpfResult {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, ()> {
        [
            Self::None,
            Self::Neutral,
            Self::Pass,
            Self::Fail,
            Self::SoftFail,
            Self::TempError,
            Self::PermError,
        ]
        .into_iter()
        .find(|r| r.as_str().eq_ignore_ascii_case(text))
        .ok_or(())
    }
}

/// Which identity was checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpfIdentity {
    /// The MAIL FROM reverse-path (or `postmaster@HELO` for the null path).
    MailFrom,
    /// The HELO/EHLO name.
    Helo,
}

impl SpfIdentity {
    /// `mailfrom` or `helo`, as in Received-SPF and Authentication-Results.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MailFrom => "mailfrom",
            Self::Helo => "helo",
        }
    }
}

/// Why the result is `permerror` or `temperror`.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpfProblem {
    /// The record does not parse.
    Syntax(SpfParseError),
    /// More than one `v=spf1` record.
    MultipleRecords,
    /// More than 10 DNS-querying terms.
    TooManyLookups,
    /// More than 2 lookups answered NXDOMAIN or no data.
    TooManyVoidLookups,
    /// An `mx` name with more than 10 MX records.
    TooManyMxOrPtr,
    /// An `include:` target without an SPF record.
    IncludeWithoutRecord,
    /// A `redirect=` target without an SPF record.
    RedirectWithoutRecord,
    /// A DNS failure (for `temperror`).
    Dns(DnsError),
}

impl fmt::Display for SpfProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax(err) => write!(f, "{err}"),
            Self::MultipleRecords => f.write_str("more than one SPF record"),
            Self::TooManyLookups => f.write_str("more than 10 DNS lookups"),
            Self::TooManyVoidLookups => f.write_str("more than 2 void lookups"),
            Self::TooManyMxOrPtr => f.write_str("more than 10 MX records"),
            Self::IncludeWithoutRecord => f.write_str("included domain has no SPF record"),
            Self::RedirectWithoutRecord => f.write_str("redirect domain has no SPF record"),
            Self::Dns(err) => write!(f, "{err}"),
        }
    }
}

/// The outcome of an SPF check.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpfOutput {
    /// The result.
    pub result: SpfResult,
    /// The identity checked.
    pub identity: SpfIdentity,
    /// The domain whose policy was checked (lower case).
    pub domain: String,
    /// The sender as checked (`local@domain`, `postmaster@...` when there was none).
    pub sender: String,
    /// The client address (IPv4-mapped IPv6 addresses as IPv4).
    pub ip: IpAddr,
    /// The HELO/EHLO name given.
    pub helo: String,
    /// On `fail`: the explanation (from `exp=`, or the default one).
    pub explanation: Option<String>,
    /// The mechanism that matched (`Display` gives its text).
    pub mechanism: Option<Mechanism>,
    /// On `permerror`/`temperror`: what went wrong.
    pub problem: Option<SpfProblem>,
}

impl SpfOutput {
    /// The Received-SPF header field (RFC 7208 §9.1), without the trailing CRLF.
    ///
    /// `receiver` is the host name that did the check.
    pub fn received_spf(&self, receiver: &str) -> String {
        let mut out = format!(
            "Received-SPF: {} ({receiver}: {}) ",
            self.result,
            self.comment()
        );
        let _ = write!(out, "client-ip={};", self.ip);
        let _ = write!(out, " envelope-from={};", quoted(&self.sender));
        if !self.helo.is_empty() {
            let _ = write!(out, " helo={};", value(&self.helo));
        }
        if let Some(mechanism) = &self.mechanism {
            let _ = write!(out, " mechanism={};", quoted(&mechanism.to_string()));
        }
        if let Some(problem) = &self.problem {
            let _ = write!(out, " problem={};", quoted(&problem.to_string()));
        }
        let _ = write!(out, " receiver={};", value(receiver));
        let _ = write!(out, " identity={}", self.identity.as_str());
        out
    }

    /// The human-readable comment of the Received-SPF header: parentheses and
    /// control characters (a CR or LF in a sender or HELO name) are left out, so the
    /// comment stays one comment on one line.
    pub fn comment(&self) -> String {
        let (sender, ip) = (&self.sender, self.ip);
        let who = match self.identity {
            SpfIdentity::MailFrom => format!("domain of {sender}"),
            SpfIdentity::Helo => format!("domain of {}", self.helo),
        };
        match self.result {
            SpfResult::Pass => format!("{who} designates {ip} as permitted sender"),
            SpfResult::Fail => format!("{who} does not designate {ip} as permitted sender"),
            SpfResult::SoftFail => {
                format!("{who} is transitioning and does not designate {ip} as permitted sender")
            }
            SpfResult::Neutral => format!("{ip} is neither permitted nor denied by {who}"),
            SpfResult::None => format!("{who} does not designate permitted sender hosts"),
            SpfResult::TempError => format!("error in processing during lookup of {who}"),
            SpfResult::PermError => format!("permanent error in processing {who}"),
        }
        .chars()
        .filter(|c| !matches!(c, '(' | ')') && !c.is_control())
        .collect()
    }
}

/// A key-value value: a dot-atom as it is, anything else quoted.
fn value(text: &str) -> String {
    let atom = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~.".contains(&b));
    match atom {
        true => text.to_owned(),
        false => quoted(text),
    }
}

fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars().filter(|c| !c.is_control()) {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn received_spf_header() {
        let out = SpfOutput {
            result: SpfResult::Pass,
            identity: SpfIdentity::MailFrom,
            domain: "example.com".into(),
            sender: "myname@example.com".into(),
            ip: "192.0.2.1".parse().unwrap(),
            helo: "foo.example.com".into(),
            explanation: None,
            mechanism: Some(Mechanism::Ip4 {
                addr: "192.0.2.0".parse().unwrap(),
                prefix: 24,
            }),
            problem: None,
        };
        assert_eq!(
            out.received_spf("mybox.example.org"),
            "Received-SPF: pass (mybox.example.org: domain of myname@example.com designates \
             192.0.2.1 as permitted sender) client-ip=192.0.2.1; \
             envelope-from=\"myname@example.com\"; helo=foo.example.com; \
             mechanism=\"ip4:192.0.2.0/24\"; receiver=mybox.example.org; identity=mailfrom"
        );
        for result in [
            "none",
            "neutral",
            "pass",
            "fail",
            "softfail",
            "temperror",
            "permerror",
        ] {
            assert_eq!(result.parse::<SpfResult>().unwrap().as_str(), result);
        }
    }

    fn output(identity: SpfIdentity, sender: &str, helo: &str) -> SpfOutput {
        SpfOutput {
            result: SpfResult::Fail,
            identity,
            domain: "bücher.test".into(),
            sender: sender.into(),
            ip: "192.0.2.1".parse().unwrap(),
            helo: helo.into(),
            explanation: Some("日本語の件名テスト #2".into()),
            mechanism: Some(Mechanism::All),
            problem: None,
        }
    }

    #[test]
    fn unicode_identities_stay_in_one_line() {
        let out = output(SpfIdentity::MailFrom, "jöhn@bücher.test", "Привет");
        assert_eq!(
            out.received_spf("mx.例え"),
            "Received-SPF: fail (mx.例え: domain of jöhn@bücher.test does not designate \
             192.0.2.1 as permitted sender) client-ip=192.0.2.1; \
             envelope-from=\"jöhn@bücher.test\"; helo=\"Привет\"; mechanism=\"all\"; \
             receiver=\"mx.例え\"; identity=mailfrom"
        );
        // Control characters (a bare CR in a forged HELO) never start a new line.
        let out = output(
            SpfIdentity::Helo,
            "a\r\nX-Injected: 1@x",
            "h\rX-Injected: 1",
        );
        let header = out.received_spf("mx");
        assert!(!header.contains(['\r', '\n']), "{header:?}");
    }

    proptest! {
        #[test]
        fn received_spf_of_any_identity_is_one_line(
            sender in "\\PC{0,20}|[^\"]{0,20}",
            helo in "\\PC{0,20}|.{0,20}",
            receiver in "\\PC{1,20}",
            helo_identity in any::<bool>(),
        ) {
            let identity = if helo_identity { SpfIdentity::Helo } else { SpfIdentity::MailFrom };
            let out = output(identity, &sender, &helo);
            let header = out.received_spf(&receiver);
            prop_assert!(!header.contains(['\r', '\n']), "{:?}", header);
            prop_assert!(header.starts_with("Received-SPF: fail ("));
            prop_assert!(header.ends_with(identity.as_str()));
            let comment = out.comment();
            prop_assert!(!comment.contains(['(', ')']) && !comment.contains(char::is_control));
        }
    }
}
