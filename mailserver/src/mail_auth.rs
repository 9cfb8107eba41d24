//! SPF, DKIM and DMARC checks of incoming mail through mailauth, and the
//! `Authentication-Results` field they give (RFC 8601).

use std::net::IpAddr;
use std::sync::Arc;

use mailwright_auth::auth_results::{AuthenticationResults, MethodResult};
use mailwright_auth::dkim::{DkimOutput, DkimVerifier};
use mailwright_auth::dmarc::{Disposition, DmarcOutput, DmarcVerifier};
use mailwright_auth::dns::{Cache, HickoryResolver, ResolverConfig, TokioClock};
use mailwright_auth::spf::{SpfConfig, SpfOutput, SpfVerifier};

use crate::config::DnsSettings;

/// The resolver every part of the server shares: hickory with a TTL cache.
pub type Dns = Arc<Cache<HickoryResolver, TokioClock>>;

/// Makes the shared resolver: the configured servers, or `/etc/resolv.conf`.
///
/// # Errors
/// When `/etc/resolv.conf` is needed and cannot be read.
pub fn resolver(settings: &DnsSettings) -> std::io::Result<Dns> {
    Ok(Arc::new(Cache::new(
        uncached_resolver(settings)?,
        TokioClock::new(),
    )))
}

/// A resolver without the cache, for questions whose answer must be fresh (the web
/// admin's "check DNS" after an operator published records).
///
/// # Errors
/// When `/etc/resolv.conf` is needed and cannot be read.
pub fn uncached_resolver(settings: &DnsSettings) -> std::io::Result<HickoryResolver> {
    let mut config = if settings.servers.is_empty() {
        ResolverConfig::from_system_conf()?
    } else {
        ResolverConfig::with_nameservers(settings.servers.clone())
    };
    config.set_timeout(settings.timeout);
    Ok(HickoryResolver::new(config))
}

/// What the checks at end of data found.
#[derive(Debug)]
pub struct Verdict {
    /// One outcome per DKIM signature.
    pub dkim: Vec<DkimOutput>,
    /// The DMARC outcome.
    pub dmarc: DmarcOutput,
    /// What DMARC asks to do with the message (after `pct=` sampling).
    pub disposition: Disposition,
    /// The `Authentication-Results:` field, with its CRLF.
    pub header: String,
}

/// The verifiers, sharing one resolver.
#[derive(Debug, Clone)]
pub struct Checks {
    hostname: String,
    spf: SpfVerifier<Dns>,
    dkim: DkimVerifier<Dns>,
    dmarc: DmarcVerifier<Dns>,
}

fn unix_now() -> u64 {
    // Signature expiry and the SPF `t` macro compare with the real time.
    #[allow(clippy::disallowed_methods)]
    let now = std::time::SystemTime::now();
    now.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Checks {
    /// Verifiers reporting as `hostname` (the authserv-id).
    pub fn new(dns: Dns, hostname: &str) -> Self {
        Self {
            hostname: hostname.to_owned(),
            spf: SpfVerifier::new(Arc::clone(&dns), SpfConfig::new(hostname)),
            dkim: DkimVerifier::new(Arc::clone(&dns)),
            dmarc: DmarcVerifier::new(dns),
        }
    }

    /// SPF for the MAIL FROM identity (`sender` empty for `<>`).
    pub async fn spf(&self, ip: IpAddr, helo: &str, sender: &str) -> SpfOutput {
        self.spf
            .verify_mail_from(ip, helo, sender, unix_now())
            .await
    }

    /// DKIM and DMARC for a complete message, with the SPF outcome from MAIL FROM.
    pub async fn verify(&self, message: &[u8], spf: &SpfOutput) -> Verdict {
        let dkim = self.dkim.verify(message, unix_now()).await;
        let dmarc = self.dmarc.verify(message, spf, &dkim).await;
        let disposition = dmarc.disposition_for(rand::random_range(0..100));
        let mut results = AuthenticationResults::new(&self.hostname);
        results.push(MethodResult::spf(spf));
        if dkim.is_empty() {
            results.push(MethodResult::dkim_none());
        }
        for output in &dkim {
            results.push(MethodResult::dkim(output));
        }
        results.push(MethodResult::dmarc(&dmarc));
        Verdict {
            dkim,
            dmarc,
            disposition,
            header: format!("{results}\r\n"),
        }
    }
}
