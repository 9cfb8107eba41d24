//! DMARC policy evaluation (RFC 7489 §6.6): policy discovery at the author domain
//! and then its organizational domain, identifier alignment of the SPF and DKIM
//! results, the result and the disposition to apply.

use std::fmt;

use crate::dkim::{DkimOutput, DkimResult};
use crate::dmarc::alignment::{is_aligned, organizational_domain};
use crate::dmarc::parse::is_dmarc_record;
use crate::dmarc::record::{DmarcRecord, Policy};
use crate::dns::{DnsError, Resolver};
use crate::spf::{SpfOutput, SpfResult};

/// The DMARC result (RFC 8601 §2.7.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DmarcResult {
    /// No DMARC record for the author domain or its organizational domain.
    None,
    /// An aligned SPF or DKIM pass.
    Pass,
    /// No aligned pass.
    Fail,
    /// A DNS failure during policy discovery.
    TempError,
    /// The message has no usable author domain.
    PermError,
}

impl DmarcResult {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::TempError => "temperror",
            Self::PermError => "permerror",
        }
    }
}

impl fmt::Display for DmarcResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the receiver should do with the message (RFC 7489 §6.6.4, §7.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Disposition {
    /// Deliver normally.
    None,
    /// Deliver as suspicious (e.g. to a spam folder).
    Quarantine,
    /// Refuse (SMTP 550 5.7.1).
    Reject,
}

impl Disposition {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Quarantine => "quarantine",
            Self::Reject => "reject",
        }
    }
}

impl From<Policy> for Disposition {
    fn from(policy: Policy) -> Self {
        match policy {
            Policy::None => Self::None,
            Policy::Quarantine => Self::Quarantine,
            Policy::Reject => Self::Reject,
        }
    }
}

impl fmt::Display for Disposition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome of a DMARC check.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DmarcOutput {
    /// The result.
    pub result: DmarcResult,
    /// The author domain the result is about (`header.from`).
    pub domain: Option<String>,
    /// The policy that applies to it (`p=`, or `sp=` for a subdomain), when a record
    /// was found.
    pub policy: Option<Policy>,
    /// What to do with the message, for mail sampled by `pct=` (see
    /// [`DmarcOutput::disposition_for`]).
    pub disposition: Disposition,
    /// The record found.
    pub record: Option<DmarcRecord>,
    /// Where the record was found (the author domain or its organizational domain).
    pub record_domain: Option<String>,
    /// An SPF pass for an aligned domain.
    pub spf_aligned: bool,
    /// A DKIM pass for an aligned domain.
    pub dkim_aligned: bool,
    /// The DNS error behind a `temperror`.
    pub error: Option<DnsError>,
}

impl DmarcOutput {
    fn plain(result: DmarcResult, domain: Option<String>) -> Self {
        Self {
            result,
            domain,
            policy: None,
            disposition: Disposition::None,
            record: None,
            record_domain: None,
            spf_aligned: false,
            dkim_aligned: false,
            error: None,
        }
    }

    /// The disposition for a message whose random sample `roll` (0-99) was drawn:
    /// a failing message is subject to the policy when `roll < pct`, otherwise to the
    /// next weaker policy (RFC 7489 §6.6.4).
    pub fn disposition_for(&self, roll: u8) -> Disposition {
        match (self.result, self.policy, &self.record) {
            (DmarcResult::Fail, Some(policy), Some(record)) => match roll < record.percent {
                true => policy.into(),
                false => policy.weaker().into(),
            },
            _ => Disposition::None,
        }
    }
}

/// Evaluates DMARC through a [`Resolver`].
///
/// ```
/// use mailwright_auth::dmarc::{DmarcResult, DmarcVerifier, Disposition};
/// use mailwright_auth::dns::Zone;
/// use mailwright_auth::spf::{SpfConfig, SpfVerifier};
///
/// let zone = Zone::parse(
///     "example.com. TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n\
///      _dmarc.example.com. TXT \"v=DMARC1; p=reject\"\n",
/// )
/// .unwrap();
/// let message = b"From: alice@example.com\r\n\r\nHi\r\n";
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let spf = SpfVerifier::new(zone.clone(), SpfConfig::new("mx.example.org"))
///     .verify_mail_from("198.51.100.1".parse().unwrap(), "x.example", "alice@example.com", 0)
///     .await;
/// let out = DmarcVerifier::new(zone).verify(message, &spf, &[]).await;
/// assert_eq!(out.result, DmarcResult::Fail);
/// assert_eq!(out.disposition, Disposition::Reject);
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct DmarcVerifier<R> {
    resolver: R,
}

impl<R: Resolver> DmarcVerifier<R> {
    /// A verifier asking `resolver`.
    pub fn new(resolver: R) -> Self {
        Self { resolver }
    }

    /// Checks a message given its SPF (MAIL FROM, or HELO for the null sender) and
    /// DKIM outcomes.
    pub async fn verify(
        &self,
        message: &[u8],
        spf: &SpfOutput,
        dkim: &[DkimOutput],
    ) -> DmarcOutput {
        let domains = crate::dmarc::author::author_domains(message);
        let spf_pass = (spf.result == SpfResult::Pass).then_some(spf.domain.as_str());
        let dkim_pass: Vec<&str> = dkim
            .iter()
            .filter(|sig| sig.result == DkimResult::Pass)
            .filter_map(|sig| sig.domain.as_deref())
            .collect();
        self.verify_domains(&domains, spf_pass, &dkim_pass).await
    }

    /// Checks author domains (see [`author_domains`](crate::dmarc::author_domains))
    /// against the authenticated identifiers: the domain SPF passed for, if any, and
    /// the `d=` of every passing DKIM signature.
    ///
    /// Several author domains (several From addresses or fields) are each checked
    /// (RFC 7489 §6.6.1); the outcome is the failure with the strictest policy, or
    /// else the first temporary error, or else a pass. No author domain gives
    /// `permerror`.
    pub async fn verify_domains(
        &self,
        domains: &[String],
        spf_pass: Option<&str>,
        dkim_pass: &[&str],
    ) -> DmarcOutput {
        let mut outcomes = Vec::with_capacity(domains.len());
        for domain in domains.iter().take(10) {
            outcomes.push(self.check_domain(domain, spf_pass, dkim_pass).await);
        }
        let strictness = |o: &DmarcOutput| match o.disposition {
            Disposition::Reject => 2,
            Disposition::Quarantine => 1,
            Disposition::None => 0,
        };
        let worst_fail = outcomes
            .iter()
            .filter(|o| o.result == DmarcResult::Fail)
            .max_by_key(|o| strictness(o));
        let pick = worst_fail
            .or_else(|| outcomes.iter().find(|o| o.result == DmarcResult::TempError))
            .or_else(|| outcomes.iter().find(|o| o.result == DmarcResult::Pass))
            .or_else(|| outcomes.first());
        match pick {
            Some(outcome) => outcome.clone(),
            None => DmarcOutput::plain(DmarcResult::PermError, None),
        }
    }

    async fn check_domain(
        &self,
        domain: &str,
        spf_pass: Option<&str>,
        dkim_pass: &[&str],
    ) -> DmarcOutput {
        let found = match self.record(domain).await {
            Ok(Some(record)) => Some((record, domain.to_owned(), false)),
            Ok(None) => {
                let org = organizational_domain(domain);
                match org != domain {
                    true => match self.record(&org).await {
                        Ok(found) => found.map(|record| (record, org, true)),
                        Err(err) => return temp(domain, err),
                    },
                    false => None,
                }
            }
            Err(err) => return temp(domain, err),
        };
        let Some((record, record_domain, inherited)) = found else {
            return DmarcOutput::plain(DmarcResult::None, Some(domain.to_owned()));
        };
        let policy = match inherited {
            true => record.subdomain_policy.unwrap_or(record.policy),
            false => record.policy,
        };
        let dkim_aligned = dkim_pass
            .iter()
            .any(|d| is_aligned(record.adkim, domain, d));
        let spf_aligned = spf_pass.is_some_and(|d| is_aligned(record.aspf, domain, d));
        let result = match dkim_aligned || spf_aligned {
            true => DmarcResult::Pass,
            false => DmarcResult::Fail,
        };
        let mut out = DmarcOutput {
            result,
            domain: Some(domain.to_owned()),
            policy: Some(policy),
            disposition: Disposition::None,
            record: Some(record),
            record_domain: Some(record_domain),
            spf_aligned,
            dkim_aligned,
            error: None,
        };
        out.disposition = out.disposition_for(0);
        out
    }

    /// The DMARC record at `_dmarc.<domain>`: `None` when there is none, or more than
    /// one, or it does not parse (RFC 7489 §6.6.3).
    async fn record(&self, domain: &str) -> Result<Option<DmarcRecord>, DnsError> {
        let txt = match self.resolver.txt(&format!("_dmarc.{domain}")).await {
            Ok(txt) => txt,
            Err(err) if err.is_temporary() => return Err(err),
            Err(_) => return Ok(None),
        };
        let mut candidates = txt
            .records
            .iter()
            .map(|t| t.concat())
            .filter(|text| is_dmarc_record(text));
        let (Some(text), None) = (candidates.next(), candidates.next()) else {
            return Ok(None);
        };
        Ok(DmarcRecord::parse(&text).ok())
    }
}

fn temp(domain: &str, err: DnsError) -> DmarcOutput {
    DmarcOutput {
        error: Some(err),
        ..DmarcOutput::plain(DmarcResult::TempError, Some(domain.to_owned()))
    }
}
