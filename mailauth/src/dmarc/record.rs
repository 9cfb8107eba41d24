//! The DMARC policy record as data (RFC 7489 §6.3) and its canonical text.

use std::fmt;

/// A requested policy (`p=`, `sp=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Policy {
    /// `none`: monitor only.
    None,
    /// `quarantine`: treat failing mail as suspicious.
    Quarantine,
    /// `reject`: refuse failing mail.
    Reject,
}

impl Policy {
    /// The tag value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Quarantine => "quarantine",
            Self::Reject => "reject",
        }
    }

    /// The policy of a tag value, case-insensitively.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::None, Self::Quarantine, Self::Reject]
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(name))
    }

    /// The next weaker policy, applied to mail not sampled by `pct=` (RFC 7489 §6.6.4).
    pub fn weaker(self) -> Self {
        match self {
            Self::Reject => Self::Quarantine,
            Self::Quarantine | Self::None => Self::None,
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Identifier alignment mode (`adkim=`, `aspf=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AlignmentMode {
    /// `r` (default): same organizational domain.
    Relaxed,
    /// `s`: exactly the same domain.
    Strict,
}

impl AlignmentMode {
    /// `r` or `s`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Relaxed => "r",
            Self::Strict => "s",
        }
    }
}

/// Failure reporting options (`fo=`, RFC 7489 §6.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct FailureOptions {
    /// `0`: report when all mechanisms fail to give an aligned pass (the default).
    pub all_fail: bool,
    /// `1`: report when any mechanism fails to give an aligned pass.
    pub any_fail: bool,
    /// `d`: report DKIM failures.
    pub dkim: bool,
    /// `s`: report SPF failures.
    pub spf: bool,
}

/// A parsed DMARC record.
///
/// ```text
/// dmarc-record = dmarc-version dmarc-sep [dmarc-request] [dmarc-sep dmarc-srequest]
///                [dmarc-sep dmarc-auri] [dmarc-sep dmarc-furi] [dmarc-sep dmarc-adkim]
///                [dmarc-sep dmarc-aspf] [dmarc-sep dmarc-ainterval] [dmarc-sep dmarc-fo]
///                [dmarc-sep dmarc-rfmt] [dmarc-sep dmarc-percent] [dmarc-sep]
/// dmarc-version = "v" *WSP "=" *WSP %x44 %x4d %x41 %x52 %x43 %x31   ; v=DMARC1
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DmarcRecord {
    /// `p=`.
    pub policy: Policy,
    /// `sp=` (subdomains; `p=` when absent).
    pub subdomain_policy: Option<Policy>,
    /// `pct=` (0-100, default 100).
    pub percent: u8,
    /// `adkim=` (default relaxed).
    pub adkim: AlignmentMode,
    /// `aspf=` (default relaxed).
    pub aspf: AlignmentMode,
    /// `rua=` aggregate report URIs.
    pub rua: Vec<String>,
    /// `ruf=` failure report URIs.
    pub ruf: Vec<String>,
    /// `fo=` (default `0`).
    pub failure_options: FailureOptions,
    /// `rf=` report formats (default `afrf`).
    pub report_formats: Vec<String>,
    /// `ri=` seconds between aggregate reports (default 86400).
    pub report_interval: u32,
}

impl DmarcRecord {
    /// A record with policy `p` and every other tag at its default.
    pub fn new(policy: Policy) -> Self {
        Self {
            policy,
            subdomain_policy: None,
            percent: 100,
            adkim: AlignmentMode::Relaxed,
            aspf: AlignmentMode::Relaxed,
            rua: Vec::new(),
            ruf: Vec::new(),
            failure_options: FailureOptions {
                all_fail: true,
                ..FailureOptions::default()
            },
            report_formats: vec!["afrf".to_owned()],
            report_interval: 86_400,
        }
    }
}

impl fmt::Display for DmarcRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v=DMARC1; p={}", self.policy)?;
        if let Some(sp) = self.subdomain_policy {
            write!(f, "; sp={sp}")?;
        }
        if !self.rua.is_empty() {
            write!(f, "; rua={}", self.rua.join(","))?;
        }
        if !self.ruf.is_empty() {
            write!(f, "; ruf={}", self.ruf.join(","))?;
        }
        write!(
            f,
            "; adkim={}; aspf={}; ri={}",
            self.adkim.as_str(),
            self.aspf.as_str(),
            self.report_interval
        )?;
        let fo = self.failure_options;
        let flags: Vec<&str> = [
            (fo.all_fail, "0"),
            (fo.any_fail, "1"),
            (fo.dkim, "d"),
            (fo.spf, "s"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect();
        if !flags.is_empty() {
            write!(f, "; fo={}", flags.join(":"))?;
        }
        write!(
            f,
            "; rf={}; pct={}",
            self.report_formats.join(":"),
            self.percent
        )
    }
}
