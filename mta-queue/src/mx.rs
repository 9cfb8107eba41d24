//! MX resolution per RFC 5321 §5.1 and RFC 7505, over [`mailwright_auth::dns::Resolver`].
//!
//! * MX records are sorted by preference, with equal preferences in random order.
//! * No MX records (the name exists: NODATA) means the domain itself is the one host
//!   (the implicit MX), if it has an address.
//! * A null MX (`0 .`) means the domain takes no mail: the recipient fails at once
//!   with 5.1.10.
//! * NXDOMAIN fails at once (5.1.2); temporary DNS errors defer (4.4.3).
//! * Each host's addresses are IPv6 then IPv4, filtered by the rule's [`IpFamily`].

use std::net::IpAddr;
use std::time::Duration;

use mailwright_auth::dns::{DnsError, Resolver};
use mailwright_smtp::EnhancedStatusCode;

use crate::route::IpFamily;
use crate::status::{Diagnostic, codes};

/// One mail exchanger of a domain.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MxHost {
    /// Lower is tried first.
    pub preference: u16,
    /// The host name (lower case, no trailing dot), or an address literal's text.
    pub name: String,
}

/// What a domain's MX lookup came to.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MxResolution {
    /// Hosts to try, in order, and how long the answer may be kept.
    Hosts {
        /// Preference order, equal preferences shuffled.
        hosts: Vec<MxHost>,
        /// Cache lifetime of the answer.
        ttl: Duration,
    },
    /// The domain cannot take mail (null MX, no such domain): fail the recipients.
    Permanent(Diagnostic),
    /// DNS failed; try later.
    Temporary(Diagnostic),
}

/// Resolves the mail exchangers of `domain`.
///
/// An address literal (`[192.0.2.1]`, `[IPv6:2001:db8::1]`) is its own single host.
pub async fn resolve_mx<R: Resolver + ?Sized>(
    resolver: &R,
    domain: &str,
    rng: &mut fastrand::Rng,
) -> MxResolution {
    if let Some(ip) = address_literal(domain) {
        return MxResolution::Hosts {
            hosts: vec![MxHost {
                preference: 0,
                name: ip.to_string(),
            }],
            ttl: Duration::from_secs(86_400),
        };
    }
    match resolver.mx(domain).await {
        Ok(lookup) => {
            if lookup.records.iter().any(|mx| mx.is_null()) {
                return MxResolution::Permanent(Diagnostic::local(
                    EnhancedStatusCode::NULL_MX,
                    &format!("{domain} does not accept mail (null MX, RFC 7505)"),
                ));
            }
            let hosts = lookup
                .records
                .into_iter()
                .map(|mx| MxHost {
                    preference: mx.preference,
                    name: mx.exchange,
                })
                .collect();
            MxResolution::Hosts {
                hosts: order(hosts, rng),
                ttl: Duration::from_secs(u64::from(lookup.ttl)),
            }
        }
        Err(DnsError::NoData { negative_ttl }) => implicit_mx(resolver, domain, negative_ttl).await,
        Err(error) if error.is_nxdomain() => MxResolution::Permanent(Diagnostic::local(
            EnhancedStatusCode::BAD_DESTINATION_SYSTEM,
            &format!("{domain}: no such domain"),
        )),
        Err(DnsError::InvalidName) => MxResolution::Permanent(Diagnostic::local(
            EnhancedStatusCode::BAD_DESTINATION_SYSTEM,
            &format!("{domain}: not a valid domain name"),
        )),
        Err(error) => MxResolution::Temporary(Diagnostic::local(
            codes::DIRECTORY_FAILURE,
            &format!("MX lookup of {domain} failed: {error}"),
        )),
    }
}

/// No MX records: the domain is its own mail host if it has an address (RFC 5321
/// §5.1).
async fn implicit_mx<R: Resolver + ?Sized>(resolver: &R, domain: &str, ttl: u32) -> MxResolution {
    let host = || MxResolution::Hosts {
        hosts: vec![MxHost {
            preference: 0,
            name: domain.to_owned(),
        }],
        ttl: Duration::from_secs(u64::from(ttl)),
    };
    let v6 = resolver.aaaa(domain).await;
    if v6.is_ok() {
        return host();
    }
    let v4 = resolver.a(domain).await;
    if v4.is_ok() {
        return host();
    }
    match (v6, v4) {
        (Err(a), Err(b)) if a.is_temporary() || b.is_temporary() => {
            MxResolution::Temporary(Diagnostic::local(
                codes::DIRECTORY_FAILURE,
                &format!("address lookup of {domain} failed"),
            ))
        }
        _ => MxResolution::Permanent(Diagnostic::local(
            EnhancedStatusCode::BAD_DESTINATION_SYSTEM,
            &format!("{domain} has neither MX nor address records"),
        )),
    }
}

/// Sorts by preference and shuffles each run of equal preferences (RFC 5321 §5.1:
/// "the sender-SMTP MUST randomize them to spread the load").
pub fn order(mut hosts: Vec<MxHost>, rng: &mut fastrand::Rng) -> Vec<MxHost> {
    hosts.sort_by_key(|h| h.preference);
    hosts.dedup_by(|a, b| a.name == b.name);
    let mut start = 0;
    while start < hosts.len() {
        let pref = hosts[start].preference;
        let end = hosts[start..]
            .iter()
            .position(|h| h.preference != pref)
            .map_or(hosts.len(), |n| start + n);
        rng.shuffle(&mut hosts[start..end]);
        start = end;
    }
    hosts
}

/// The addresses of `host` to connect to, IPv6 first, then IPv4, as `family` allows.
///
/// # Errors
///
/// A diagnostic (temporary, 4.4.3 / 4.4.4) when no address could be had.
pub async fn resolve_addresses<R: Resolver + ?Sized>(
    resolver: &R,
    host: &str,
    family: IpFamily,
) -> Result<Vec<IpAddr>, Diagnostic> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return match family.allows(ip) {
            true => Ok(vec![ip]),
            false => Err(Diagnostic::local(
                codes::UNABLE_TO_ROUTE,
                &format!("{ip} is of an address family this route does not use"),
            )),
        };
    }
    let mut addresses = Vec::new();
    let mut temporary = false;
    if family != IpFamily::V4Only {
        match resolver.aaaa(host).await {
            Ok(lookup) => addresses.extend(lookup.records.into_iter().map(IpAddr::V6)),
            Err(error) => temporary |= error.is_temporary(),
        }
    }
    if family != IpFamily::V6Only {
        match resolver.a(host).await {
            Ok(lookup) => addresses.extend(lookup.records.into_iter().map(IpAddr::V4)),
            Err(error) => temporary |= error.is_temporary(),
        }
    }
    if addresses.is_empty() {
        let (status, what) = match temporary {
            true => (codes::DIRECTORY_FAILURE, "address lookup failed"),
            false => (codes::UNABLE_TO_ROUTE, "no usable address"),
        };
        return Err(Diagnostic::local(status, &format!("{host}: {what}")));
    }
    Ok(addresses)
}

/// The address of a domain literal `[1.2.3.4]` / `[IPv6:..]`.
fn address_literal(domain: &str) -> Option<IpAddr> {
    let inner = domain.strip_prefix('[')?.strip_suffix(']')?;
    let text = inner
        .strip_prefix("ipv6:")
        .or_else(|| inner.strip_prefix("IPv6:"))
        .unwrap_or(inner);
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailwright_auth::dns::Zone;

    fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    fn zone() -> Zone {
        Zone::parse(
            "example.com. MX 20 mx3.example.com.
example.com. MX 10 mx1.example.com.
example.com. MX 10 mx2.example.com.
mx1.example.com. A 192.0.2.1
mx1.example.com. AAAA 2001:db8::1
mx2.example.com. A 192.0.2.2
implicit.example. A 192.0.2.9
nullmx.example. MX 0 .
nomail.example. TXT \"v=spf1 -all\"
slow.example. TIMEOUT
",
        )
        .unwrap()
    }

    #[test]
    fn preference_order_with_random_ties() {
        let zone = zone();
        let mut seen_first = std::collections::HashSet::new();
        for seed in 0..40 {
            let mut rng = fastrand::Rng::with_seed(seed);
            let MxResolution::Hosts { hosts, ttl } =
                block_on(resolve_mx(&zone, "example.com", &mut rng))
            else {
                panic!("hosts expected");
            };
            assert_eq!(ttl, Duration::from_secs(300));
            assert_eq!(hosts.len(), 3);
            assert_eq!(hosts[2].name, "mx3.example.com");
            seen_first.insert(hosts[0].name.clone());
        }
        assert_eq!(seen_first.len(), 2, "equal preferences are shuffled");
    }

    #[test]
    fn implicit_null_nxdomain_temporary() {
        let zone = zone();
        let mut rng = fastrand::Rng::with_seed(1);
        let mut resolve = |domain: &str| block_on(resolve_mx(&zone, domain, &mut rng));
        assert!(
            matches!(resolve("implicit.example"), MxResolution::Hosts { hosts, .. } if hosts[0].name == "implicit.example")
        );
        assert!(
            matches!(resolve("nullmx.example"), MxResolution::Permanent(d) if d.status == EnhancedStatusCode::NULL_MX)
        );
        assert!(
            matches!(resolve("nowhere.example"), MxResolution::Permanent(d) if d.status == EnhancedStatusCode::BAD_DESTINATION_SYSTEM)
        );
        assert!(matches!(
            resolve("nomail.example"),
            MxResolution::Permanent(_)
        ));
        assert!(
            matches!(resolve("slow.example"), MxResolution::Temporary(d) if d.status == codes::DIRECTORY_FAILURE)
        );
        assert!(
            matches!(resolve("[192.0.2.5]"), MxResolution::Hosts { hosts, .. } if hosts[0].name == "192.0.2.5")
        );
        assert!(
            matches!(resolve("[IPv6:2001:db8::5]"), MxResolution::Hosts { hosts, .. } if hosts[0].name == "2001:db8::5")
        );
    }

    proptest::proptest! {
        /// Recipient domains of any Unicode (address literals among them): resolution
        /// never panics, a literal is its own host only when it names an address, and
        /// every diagnostic is bounded and free of control characters.
        #[test]
        fn unicode_domains_resolve_or_fail_cleanly(
            domain in proptest::prop_oneof![
                "\\PC{0,40}",
                "\\[(IPv6:|ipv6:)?([0-9a-f:.]|\\PC){0,20}\\]",
                "(([a-z]|\\PC){1,8}\\.){0,3}example\\.com",
                "\\PC{200,260}",
            ],
        ) {
            let zone = zone();
            let mut rng = fastrand::Rng::with_seed(7);
            let literal = address_literal(&domain);
            if literal.is_some() {
                proptest::prop_assert!(domain.is_ascii());
            }
            match block_on(resolve_mx(&zone, &domain, &mut rng)) {
                MxResolution::Hosts { hosts, .. } => {
                    if let Some(ip) = literal {
                        proptest::prop_assert_eq!(hosts[0].name.clone(), ip.to_string());
                    }
                }
                MxResolution::Permanent(d) | MxResolution::Temporary(d) => {
                    proptest::prop_assert!(d.text.len() <= 512);
                    proptest::prop_assert!(!d.text.chars().any(char::is_control));
                }
            }
        }
    }

    #[test]
    fn addresses_v6_first_and_by_family() {
        let zone = zone();
        let any = block_on(resolve_addresses(&zone, "mx1.example.com", IpFamily::Any)).unwrap();
        assert_eq!(
            any,
            [
                "2001:db8::1".parse::<IpAddr>().unwrap(),
                "192.0.2.1".parse().unwrap()
            ]
        );
        let v4 = block_on(resolve_addresses(
            &zone,
            "mx1.example.com",
            IpFamily::V4Only,
        ))
        .unwrap();
        assert_eq!(v4, ["192.0.2.1".parse::<IpAddr>().unwrap()]);
        let none = block_on(resolve_addresses(
            &zone,
            "mx2.example.com",
            IpFamily::V6Only,
        ))
        .unwrap_err();
        assert_eq!(none.status, codes::UNABLE_TO_ROUTE);
        let slow = block_on(resolve_addresses(&zone, "slow.example", IpFamily::Any)).unwrap_err();
        assert_eq!(slow.status, codes::DIRECTORY_FAILURE);
        assert!(block_on(resolve_addresses(&zone, "::1", IpFamily::V4Only)).is_err());
    }
}
