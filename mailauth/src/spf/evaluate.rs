//! `check_host()` (RFC 7208 §4-§6): record lookup and selection, directive evaluation
//! with the lookup limits, `redirect=`, and the `exp=` explanation.

use std::borrow::Cow;
use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use crate::dns::{DnsError, Rdata, RecordType, Resolver, SharedLookup, Txt, normalized};
use crate::spf::macro_expand::{MacroEnv, expand, expand_domain};
use crate::spf::parse::{MacroContext, SpfParseError, is_spf_record, macro_string};
use crate::spf::received::{SpfIdentity, SpfOutput, SpfProblem, SpfResult};
use crate::spf::record::{MacroString, Mechanism, Qualifier, SpfRecord};

/// The explanation used on `fail` when the record has no usable `exp=`.
pub const DEFAULT_EXPLANATION: &str = "%{d} does not designate %{i} as a permitted sender";

/// How many more DNS-querying terms and void lookups an evaluation may make (RFC 7208
/// §4.6.4). Passed to [`SpfVerifier::check_host`] and spent as it goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LookupBudget {
    /// DNS-querying mechanisms and `redirect=` left (RFC: 10 in all).
    pub lookups: u32,
    /// Lookups answered with NXDOMAIN or no data left (RFC: 2 in all).
    pub void_lookups: u32,
}

impl LookupBudget {
    /// A budget of `lookups` DNS terms and `void_lookups` void lookups.
    pub fn new(lookups: u32, void_lookups: u32) -> Self {
        Self {
            lookups,
            void_lookups,
        }
    }
}

impl Default for LookupBudget {
    /// The RFC's limits: 10 DNS terms, 2 void lookups.
    fn default() -> Self {
        Self::new(10, 2)
    }
}

/// Settings of an [`SpfVerifier`].
#[derive(Clone, Debug)]
pub struct SpfConfig {
    receiver: String,
    default_explanation: MacroString,
    budget: LookupBudget,
}

impl SpfConfig {
    /// `receiver` is the checking host's name (the `r` macro and Received-SPF).
    pub fn new(receiver: &str) -> Self {
        Self {
            receiver: receiver.to_owned(),
            default_explanation: explanation_text(DEFAULT_EXPLANATION),
            budget: LookupBudget::default(),
        }
    }

    /// Sets the explanation given on `fail` when the record has no usable `exp=`; it
    /// may use macros (`%{d}`, `%{i}`, ...). Text that is not a valid macro-string is
    /// used as it is.
    pub fn set_default_explanation(&mut self, text: &str) -> &mut Self {
        self.default_explanation = explanation_text(text);
        self
    }

    /// Sets the lookup limits of each evaluation (default 10 and 2).
    pub fn set_budget(&mut self, budget: LookupBudget) -> &mut Self {
        self.budget = budget;
        self
    }

    /// The checking host's name.
    pub fn receiver(&self) -> &str {
        &self.receiver
    }
}

fn explanation_text(text: &str) -> MacroString {
    macro_string(text, MacroContext::Explanation).unwrap_or_else(|_| MacroString {
        parts: vec![crate::spf::record::MacroPart::Literal(text.to_owned())],
    })
}

/// Evaluates SPF policies through a [`Resolver`].
///
/// ```
/// use mailwright_auth::dns::Zone;
/// use mailwright_auth::spf::{SpfConfig, SpfResult, SpfVerifier};
///
/// let zone = Zone::parse("example.com. TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n").unwrap();
/// let spf = SpfVerifier::new(zone, SpfConfig::new("mx.example.org"));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let out = spf
///     .verify_mail_from("192.0.2.7".parse().unwrap(), "mail.example.com", "alice@example.com", 0)
///     .await;
/// assert_eq!(out.result, SpfResult::Pass);
/// let out = spf
///     .verify_mail_from("198.51.100.1".parse().unwrap(), "x.example", "alice@example.com", 0)
///     .await;
/// assert_eq!(out.result, SpfResult::Fail);
/// assert_eq!(
///     out.explanation.as_deref(),
///     Some("example.com does not designate 198.51.100.1 as a permitted sender")
/// );
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct SpfVerifier<R> {
    resolver: R,
    config: SpfConfig,
    parsed: Arc<ParsedRecords>,
}

/// The last record parsed for each domain, with its text: DNS is still asked every
/// time (answers and TTLs stay the resolver's business); when the text is the same,
/// the parse is reused. Bounded: cleared when full.
#[derive(Debug, Default)]
struct ParsedRecords(Mutex<HashMap<String, ParsedRecord>>);

/// A record's text and what it parsed to.
type ParsedRecord = (Vec<u8>, Arc<SpfRecord>);

/// The most parsed records kept.
const MAX_PARSED_RECORDS: usize = 1024;

/// What a TXT record is to SPF; kept with the record (see `Txt::interpreted`), so
/// records a zone or a cache hands out again are neither compared nor parsed again.
#[derive(Clone, Debug)]
enum SpfText {
    /// Not a `v=spf1` record.
    Other,
    /// An SPF record, parsed.
    Record(Arc<SpfRecord>),
    /// A `v=spf1` record that does not parse.
    Invalid(SpfParseError),
}

impl ParsedRecords {
    /// What `txt`, found at `domain`, is to SPF.
    fn read(&self, domain: &str, txt: &Txt) -> SpfText {
        let text = txt.joined();
        if !is_spf_record(&text) {
            return SpfText::Other;
        }
        match self.get_or_parse(domain, &text) {
            Ok(record) => SpfText::Record(record),
            Err(err) => SpfText::Invalid(err),
        }
    }

    fn get_or_parse(&self, domain: &str, text: &[u8]) -> Result<Arc<SpfRecord>, SpfParseError> {
        let lock = || self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((known, record)) = lock().get(domain)
            && known.as_slice() == text
        {
            return Ok(Arc::clone(record));
        }
        let parsed = std::str::from_utf8(text)
            .map_err(|_| SpfParseError::InvalidCharacter)
            .and_then(SpfRecord::parse)?;
        let record = Arc::new(parsed);
        let mut map = lock();
        if map.len() >= MAX_PARSED_RECORDS {
            map.clear();
        }
        map.insert(domain.to_owned(), (text.to_vec(), Arc::clone(&record)));
        Ok(record)
    }
}

/// The inputs of one evaluation that stay the same through recursion.
struct Env<'a> {
    ip: IpAddr,
    sender: &'a str,
    local: &'a str,
    sender_domain: &'a str,
    helo: &'a str,
    now: u64,
}

impl<'a> Env<'a> {
    fn macros(&self, domain: &'a str, receiver: &'a str) -> MacroEnv<'a> {
        MacroEnv {
            sender: self.sender,
            local: self.local,
            sender_domain: self.sender_domain,
            domain,
            ip: self.ip,
            helo: self.helo,
            receiver,
            now: self.now,
            validated_name: None,
        }
    }
}

/// What one `check_host()` level found.
struct Outcome {
    result: SpfResult,
    problem: Option<SpfProblem>,
    matched: Option<Matched>,
}

/// The directive that gave a result.
struct Matched {
    record: Arc<SpfRecord>,
    index: usize,
    /// On `fail`: the domain of the record, for the explanation's `%{d}`.
    fail_domain: Option<String>,
}

impl Outcome {
    fn plain(result: SpfResult) -> Self {
        Self {
            result,
            problem: None,
            matched: None,
        }
    }

    fn error(result: SpfResult, problem: SpfProblem) -> Self {
        Self {
            problem: Some(problem),
            ..Self::plain(result)
        }
    }

    fn perm(problem: SpfProblem) -> Self {
        Self::error(SpfResult::PermError, problem)
    }

    fn temp(err: DnsError) -> Self {
        Self::error(SpfResult::TempError, SpfProblem::Dns(err))
    }
}

/// Whether a mechanism matched, or an error ended the evaluation.
/// The error side is boxed: it is rare, and a small `Ok` moves cheaply.
type MatchResult = Result<bool, Box<Outcome>>;

impl<R: Resolver> SpfVerifier<R> {
    /// A verifier asking `resolver`.
    pub fn new(resolver: R, config: SpfConfig) -> Self {
        Self {
            resolver,
            config,
            parsed: Arc::default(),
        }
    }

    /// The settings.
    pub fn config(&self) -> &SpfConfig {
        &self.config
    }

    /// Checks the MAIL FROM identity (RFC 7208 §2.4). An empty `sender` (the null
    /// reverse-path) is checked as `postmaster@<helo>`. `now` (seconds since the Unix
    /// epoch) feeds the `t` macro.
    pub async fn verify_mail_from(
        &self,
        ip: IpAddr,
        helo: &str,
        sender: &str,
        now: u64,
    ) -> SpfOutput {
        if sender.is_empty() {
            let mut out = self.verify_helo(ip, helo, now).await;
            out.identity = SpfIdentity::MailFrom;
            return out;
        }
        let domain = sender.rsplit_once('@').map_or(sender, |(_, d)| d);
        let mut budget = self.config.budget;
        let mut out = self
            .check_host(ip, domain, sender, helo, now, &mut budget)
            .await;
        out.identity = SpfIdentity::MailFrom;
        out
    }

    /// Checks the HELO identity (RFC 7208 §2.3), as `postmaster@<helo>`. An address
    /// literal or a name that is not a domain gives `none`.
    pub async fn verify_helo(&self, ip: IpAddr, helo: &str, now: u64) -> SpfOutput {
        let sender = format!("postmaster@{helo}");
        let mut budget = self.config.budget;
        let mut out = self
            .check_host(ip, helo, &sender, helo, now, &mut budget)
            .await;
        out.identity = SpfIdentity::Helo;
        out
    }

    /// The `check_host()` function of RFC 7208 §4 with an explicit lookup budget.
    ///
    /// `sender` is `local@domain` (a sender without `@` is taken as a domain, with
    /// local-part `postmaster`).
    pub async fn check_host(
        &self,
        ip: IpAddr,
        domain: &str,
        sender: &str,
        helo: &str,
        now: u64,
        budget: &mut LookupBudget,
    ) -> SpfOutput {
        let ip = ip.to_canonical();
        let (local, sender_domain) = match sender.rsplit_once('@') {
            Some(("", d)) => ("postmaster", d),
            Some((l, d)) => (l, d),
            None => ("postmaster", sender),
        };
        let mut full_sender = String::with_capacity(local.len() + sender_domain.len() + 1);
        full_sender.push_str(local);
        full_sender.push('@');
        full_sender.push_str(sender_domain);
        let env = Env {
            ip,
            sender: &full_sender,
            local,
            sender_domain,
            helo,
            now,
        };
        let domain = domain.to_ascii_lowercase();
        let outcome = self.check(&env, &domain, budget).await;
        let explanation = match &outcome.matched {
            Some(Matched {
                record,
                fail_domain: Some(fail_domain),
                ..
            }) => Some(
                self.explanation(&env, fail_domain, record.exp.as_ref())
                    .await,
            ),
            _ => None,
        };
        SpfOutput {
            result: outcome.result,
            identity: SpfIdentity::MailFrom,
            domain,
            sender: full_sender,
            ip,
            helo: helo.to_owned(),
            explanation,
            mechanism: outcome
                .matched
                .map(|m| m.record.directives[m.index].mechanism.clone()),
            problem: outcome.problem,
        }
    }

    /// One level of check_host().
    async fn check(&self, env: &Env<'_>, domain: &str, budget: &mut LookupBudget) -> Outcome {
        // RFC 7208 §4.3: a malformed or single-label domain gives none.
        let Ok(domain) = normalized(domain) else {
            return Outcome::plain(SpfResult::None);
        };
        if !domain.contains('.') {
            return Outcome::plain(SpfResult::None);
        }
        let record = match self.fetch_record(&domain).await {
            Ok(Some(record)) => record,
            Ok(None) => return Outcome::plain(SpfResult::None),
            Err(outcome) => return outcome,
        };
        self.evaluate(env, &domain, &record, budget).await
    }

    /// [`Self::check`] for include and redirect, boxed: the recursion needs one
    /// indirection, and only these levels pay for it.
    fn check_boxed<'a>(
        &'a self,
        env: &'a Env<'a>,
        domain: &'a str,
        budget: &'a mut LookupBudget,
    ) -> Pin<Box<dyn Future<Output = Outcome> + Send + 'a>> {
        Box::pin(self.check(env, domain, budget))
    }

    /// RFC 7208 §4.4, §4.5: the one SPF record of a domain.
    async fn fetch_record(&self, domain: &str) -> Result<Option<Arc<SpfRecord>>, Outcome> {
        // `domain` is already normalized: ask without the typed helper's check.
        let txt = match self.resolver.query_shared(domain, RecordType::Txt).await {
            Ok(txt) => txt,
            Err(err) if err.is_temporary() => return Err(Outcome::temp(err)),
            Err(_) => return Ok(None),
        };
        let mut found = None;
        for rdata in txt.records.iter() {
            let Rdata::Txt(txt) = rdata else {
                continue;
            };
            match txt.interpreted(|txt| self.parsed.read(domain, txt)) {
                SpfText::Other => {}
                spf if found.is_none() => found = Some(spf),
                _ => return Err(Outcome::perm(SpfProblem::MultipleRecords)),
            }
        }
        match found {
            None | Some(SpfText::Other) => Ok(None),
            Some(SpfText::Record(record)) => Ok(Some(record)),
            Some(SpfText::Invalid(err)) => Err(Outcome::perm(SpfProblem::Syntax(err))),
        }
    }

    async fn evaluate(
        &self,
        env: &Env<'_>,
        domain: &str,
        record: &Arc<SpfRecord>,
        budget: &mut LookupBudget,
    ) -> Outcome {
        for (index, directive) in record.directives.iter().enumerate() {
            if directive.mechanism.queries_dns() {
                if budget.lookups == 0 {
                    return Outcome::perm(SpfProblem::TooManyLookups);
                }
                budget.lookups -= 1;
            }
            let matched = match self
                .matches(env, domain, &directive.mechanism, budget)
                .await
            {
                Ok(matched) => matched,
                Err(outcome) => return *outcome,
            };
            if matched {
                let result = match directive.qualifier {
                    Qualifier::Pass => SpfResult::Pass,
                    Qualifier::Fail => SpfResult::Fail,
                    Qualifier::SoftFail => SpfResult::SoftFail,
                    Qualifier::Neutral => SpfResult::Neutral,
                };
                return Outcome {
                    result,
                    problem: None,
                    matched: Some(Matched {
                        record: Arc::clone(record),
                        index,
                        fail_domain: (result == SpfResult::Fail).then(|| domain.to_owned()),
                    }),
                };
            }
        }
        let Some(redirect) = record.redirect.as_ref().filter(|_| !record.has_all()) else {
            return Outcome::plain(SpfResult::Neutral);
        };
        if budget.lookups == 0 {
            return Outcome::perm(SpfProblem::TooManyLookups);
        }
        budget.lookups -= 1;
        let target = self.target(env, domain, redirect).await;
        let outcome = self.check_boxed(env, &target, budget).await;
        match outcome.result {
            SpfResult::None => Outcome::perm(SpfProblem::RedirectWithoutRecord),
            _ => outcome,
        }
    }

    async fn matches(
        &self,
        env: &Env<'_>,
        domain: &str,
        mechanism: &Mechanism,
        budget: &mut LookupBudget,
    ) -> MatchResult {
        match mechanism {
            Mechanism::All => Ok(true),
            Mechanism::Ip4 { addr, prefix } => Ok(in_network(env.ip, IpAddr::V4(*addr), *prefix)),
            Mechanism::Ip6 { addr, prefix } => Ok(in_network(env.ip, IpAddr::V6(*addr), *prefix)),
            Mechanism::Include(spec) => {
                let target = self.target(env, domain, spec).await;
                let inner = self.check_boxed(env, &target, budget).await;
                match inner.result {
                    SpfResult::Pass => Ok(true),
                    SpfResult::Fail | SpfResult::SoftFail | SpfResult::Neutral => Ok(false),
                    SpfResult::TempError => Err(Box::new(inner)),
                    SpfResult::PermError => Err(Box::new(Outcome {
                        matched: None,
                        ..inner
                    })),
                    SpfResult::None => {
                        Err(Box::new(Outcome::perm(SpfProblem::IncludeWithoutRecord)))
                    }
                }
            }
            Mechanism::A {
                domain: spec,
                cidr4,
                cidr6,
            } => {
                let target = self.optional_target(env, domain, spec.as_ref()).await;
                match self.lookup(&target, address_type(env.ip)).await {
                    Ok(ips) => Ok(ips
                        .records
                        .iter()
                        .any(|ip| address_in_network(env.ip, ip, *cidr4, *cidr6))),
                    Err(err) => void_or_error(err, budget).map(|()| false).map_err(Box::new),
                }
            }
            Mechanism::Mx {
                domain: spec,
                cidr4,
                cidr6,
            } => {
                let target = self.optional_target(env, domain, spec.as_ref()).await;
                let answer = match self.lookup(&target, RecordType::Mx).await {
                    Ok(answer) => answer,
                    Err(err) => {
                        return void_or_error(err, budget).map(|()| false).map_err(Box::new);
                    }
                };
                let hosts = || {
                    answer.records.iter().filter_map(|rdata| match rdata {
                        Rdata::Mx(mx) => Some(mx),
                        _ => None,
                    })
                };
                if hosts().count() > 10 {
                    return Err(Box::new(Outcome::perm(SpfProblem::TooManyMxOrPtr)));
                }
                for host in hosts().filter(|mx| !mx.is_null()) {
                    match self.lookup(&host.exchange, address_type(env.ip)).await {
                        Ok(ips) => {
                            let hit = ips
                                .records
                                .iter()
                                .any(|ip| address_in_network(env.ip, ip, *cidr4, *cidr6));
                            if hit {
                                return Ok(true);
                            }
                        }
                        Err(err) if err.is_temporary() => return Err(Box::new(Outcome::temp(err))),
                        Err(_) => {}
                    }
                }
                Ok(false)
            }
            Mechanism::Ptr(spec) => {
                let target = self.optional_target(env, domain, spec.as_ref()).await;
                let names = self.validated_names(env.ip, budget).await;
                Ok(names
                    .iter()
                    .any(|name| name == &target || is_subdomain(name, &target)))
            }
            Mechanism::Exists(spec) => {
                let target = self.target(env, domain, spec).await;
                match self.lookup(&target, RecordType::A).await {
                    Ok(_) => Ok(true),
                    Err(err) => void_or_error(err, budget).map(|()| false).map_err(Box::new),
                }
            }
        }
    }

    /// The records of type `rtype` at `name` (checked and normalized first), shared
    /// with the resolver; an answer without any record of that type is no data.
    async fn lookup(&self, name: &str, rtype: RecordType) -> Result<SharedLookup, DnsError> {
        let name = normalized(name)?;
        let answer = self.resolver.query_shared(&name, rtype).await?;
        match answer
            .records
            .iter()
            .any(|rdata| rdata.record_type() == rtype)
        {
            true => Ok(answer),
            false => Err(DnsError::NoData {
                negative_ttl: answer.ttl,
            }),
        }
    }

    /// The client's validated reverse names (RFC 7208 §5.5): at most 10 PTR names
    /// whose addresses include the client. DNS errors only shrink the list.
    async fn validated_names(&self, ip: IpAddr, budget: &mut LookupBudget) -> Vec<String> {
        let names = match self.resolver.ptr(ip).await {
            Ok(lookup) => lookup.records,
            Err(err) => {
                if err.is_not_found() {
                    budget.void_lookups = budget.void_lookups.saturating_sub(1);
                }
                return Vec::new();
            }
        };
        let mut validated = Vec::new();
        for name in names.into_iter().take(10) {
            if let Ok(ips) = self.resolver.ip_like(&name, ip).await
                && ips.records.contains(&ip)
            {
                validated.push(name);
            }
        }
        validated
    }

    /// The `p` macro's value: the validated name equal to, else under, `domain`, else
    /// any validated name.
    async fn validated_name(&self, ip: IpAddr, domain: &str) -> Option<String> {
        let mut scratch = LookupBudget::new(0, u32::MAX);
        let names = self.validated_names(ip, &mut scratch).await;
        let best = names
            .iter()
            .find(|n| n.as_str() == domain)
            .or_else(|| names.iter().find(|n| is_subdomain(n, domain)))
            .or_else(|| names.first());
        best.cloned()
    }

    /// Expands a domain-spec against the current domain; a spec of plain text is
    /// used as it is.
    async fn target<'s>(&self, env: &Env<'_>, domain: &str, spec: &'s MacroString) -> Cow<'s, str> {
        if let Some(name) = spec.as_plain_domain() {
            return Cow::Borrowed(name);
        }
        let validated = match spec.uses_validated_name() {
            true => self.validated_name(env.ip, domain).await,
            false => None,
        };
        let mut macros = env.macros(domain, &self.config.receiver);
        macros.validated_name = validated.as_deref();
        let mut target = expand_domain(spec, &macros);
        target.make_ascii_lowercase();
        Cow::Owned(target)
    }

    async fn optional_target<'d>(
        &self,
        env: &Env<'_>,
        domain: &'d str,
        spec: Option<&'d MacroString>,
    ) -> Cow<'d, str> {
        match spec {
            Some(spec) => self.target(env, domain, spec).await,
            None => Cow::Borrowed(domain),
        }
    }

    /// RFC 7208 §6.2: the explanation of a `fail`, from `exp=` or the default.
    async fn explanation(&self, env: &Env<'_>, domain: &str, exp: Option<&MacroString>) -> String {
        let from_exp = match exp {
            Some(exp) => self.exp_text(env, domain, exp).await,
            None => None,
        };
        let text = from_exp
            .as_ref()
            .unwrap_or(&self.config.default_explanation);
        let validated = match text.uses_validated_name() {
            true => self.validated_name(env.ip, domain).await,
            false => None,
        };
        let mut macros = env.macros(domain, &self.config.receiver);
        macros.validated_name = validated.as_deref();
        expand(text, &macros)
    }

    /// The explain-string at the `exp=` name, when there is exactly one valid one.
    async fn exp_text(
        &self,
        env: &Env<'_>,
        domain: &str,
        exp: &MacroString,
    ) -> Option<MacroString> {
        let target = self.target(env, domain, exp).await;
        let txt = self.resolver.txt(&target).await.ok()?;
        let [record] = txt.records.as_slice() else {
            return None;
        };
        let text = String::from_utf8(record.concat()).ok()?;
        macro_string(&text, MacroContext::Explanation).ok()
    }
}

/// A void answer spends the void budget (permerror when it is gone); a temporary
/// failure is a temperror; an invalid name counts as no match.
fn void_or_error(err: DnsError, budget: &mut LookupBudget) -> Result<(), Outcome> {
    if err.is_not_found() {
        if budget.void_lookups == 0 {
            return Err(Outcome::perm(SpfProblem::TooManyVoidLookups));
        }
        budget.void_lookups -= 1;
        Ok(())
    } else if err.is_temporary() {
        Err(Outcome::temp(err))
    } else {
        Ok(())
    }
}

fn is_subdomain(name: &str, parent: &str) -> bool {
    name.len() > parent.len()
        && name.ends_with(parent)
        && name.as_bytes()[name.len() - parent.len() - 1] == b'.'
}

/// The address record type of the client's family (A for IPv4, AAAA for IPv6).
fn address_type(client: IpAddr) -> RecordType {
    match client {
        IpAddr::V4(_) => RecordType::A,
        IpAddr::V6(_) => RecordType::Aaaa,
    }
}

/// Whether an A or AAAA record's network, at the dual CIDR length, holds the client.
fn address_in_network(client: IpAddr, rdata: &Rdata, cidr4: u8, cidr6: u8) -> bool {
    match rdata {
        Rdata::A(addr) => in_network(client, IpAddr::V4(*addr), cidr4),
        Rdata::Aaaa(addr) => in_network(client, IpAddr::V6(*addr), cidr6),
        _ => false,
    }
}

/// Whether `client` is in `network/prefix` (families must agree).
pub(crate) fn in_network(client: IpAddr, network: IpAddr, prefix: u8) -> bool {
    match (client, network) {
        (IpAddr::V4(c), IpAddr::V4(n)) => {
            let mask = u32::MAX
                .checked_shl(32 - u32::from(prefix.min(32)))
                .unwrap_or(0);
            u32::from(c) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(c), IpAddr::V6(n)) => {
            let mask = u128::MAX
                .checked_shl(128 - u32::from(prefix.min(128)))
                .unwrap_or(0);
            u128::from(c) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::dns::Zone;

    fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    /// Every macro letter and transformer over the sender, domain and HELO name.
    const ZONE: &str = r#"
example.com. TXT "v=spf1 exists:%{l}._e.%{d} a:%{h2r} -all exp=exp.%{d}"
exp.example.com. TXT "%{l} (%{L}) from %{i} via %{h}: %{l1r-}, %{S}, %{d2r}, %{o}, %{p}"
macro.example. TXT "v=spf1 redirect=%{l1r.-}.%{o}"
"#;

    fn verifier() -> SpfVerifier<Zone> {
        SpfVerifier::new(Zone::parse(ZONE).unwrap(), SpfConfig::new("mx.example.org"))
    }

    #[test]
    fn utf8_senders_and_helo_names() {
        block_on(async {
            let spf = verifier();
            let ip = "198.51.100.1".parse().unwrap();
            for (helo, sender) in [
                ("bücher.test", "jöhn@example.com"),
                ("日本語の件名テスト #2", "Привет@example.com"),
                ("x.example", "日本語の件名テスト.#2@example.com"),
            ] {
                let out = spf.verify_mail_from(ip, helo, sender, 0).await;
                assert_eq!(out.result, SpfResult::Fail, "{sender}");
                let local = sender.rsplit_once('@').unwrap().0;
                let explanation = out.explanation.clone().unwrap();
                assert!(explanation.starts_with(local), "{explanation}");
                assert!(!out.received_spf("mx").contains(['\r', '\n']));
            }
            // A U-label domain is not a DNS name: none.
            let out = spf
                .verify_mail_from(ip, "bücher.test", "a@bücher.test", 0)
                .await;
            assert_eq!(out.result, SpfResult::None);
            let out = spf.verify_helo(ip, "日本語.テスト", 0).await;
            assert_eq!(out.result, SpfResult::None);
            // A redirect to a name built from a UTF-8 local-part.
            let out = spf
                .verify_mail_from(ip, "h", "ö.ü-é@macro.example", 0)
                .await;
            assert_eq!(out.result, SpfResult::PermError);
        });
    }

    fn text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just(".".to_owned()),
                Just("-".to_owned()),
                Just("Привет".to_owned()),
                Just("bücher".to_owned()),
                Just("日本語の件名テスト #2".to_owned()),
                "[a-z0-9]{1,70}",
                "\\PC{1,8}",
            ],
            0..12,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn unicode_identities_evaluate_without_panic(
            local in text(),
            helo in text(),
            domain in text(),
        ) {
            let spf = verifier();
            let ip = "2001:db8::1".parse().unwrap();
            let sender = format!("{local}@example.com");
            let out = block_on(spf.verify_mail_from(ip, &helo, &sender, 0));
            if !local.is_empty() && !local.contains('@') {
                // Nothing the macros build matches: -all, explained with the
                // local-part as it is.
                prop_assert_eq!(out.result, SpfResult::Fail);
                let explanation = out.explanation.clone().unwrap_or_default();
                prop_assert!(explanation.starts_with(&local), "{}", explanation);
            }
            prop_assert!(!out.received_spf("mx").contains(['\r', '\n']));
            let other_sender = format!("{local}@{domain}");
            let other = block_on(spf.verify_mail_from(ip, &helo, &other_sender, 0));
            if other_sender.rsplit_once('@').is_some_and(|(_, d)| !d.is_ascii()) {
                prop_assert_eq!(other.result, SpfResult::None);
            }
            // The redirect target is built from the local-part: never a record.
            let redirect = block_on(spf.verify_mail_from(ip, &helo, &format!("{local}@macro.example"), 0));
            prop_assert_eq!(redirect.result, SpfResult::PermError);
        }
    }
}
