//! The real resolver: DNS messages built and read by hickory-proto, sent over tokio
//! UDP sockets to recursive name servers, retried over TCP when the answer comes back
//! truncated (RFC 1035 §4.2, RFC 7766).

use std::fmt;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::op::{Edns, Message, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, Record};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

use crate::dns::resolver::{
    DnsError, Lookup, MAX_CNAME_CHAIN, Mx, Rdata, RecordType, Resolver, Txt, normalize_name,
};

/// The EDNS UDP payload size we announce (the DNS flag day 2020 value).
const EDNS_PAYLOAD: u16 = 1232;

/// Where and how the [`HickoryResolver`] asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolverConfig {
    nameservers: Vec<SocketAddr>,
    timeout: Duration,
    attempts: u32,
}

impl ResolverConfig {
    /// One name server (for example `127.0.0.1:5353`), 2 s timeout, 2 attempts.
    pub fn with_nameserver(addr: SocketAddr) -> Self {
        Self::with_nameservers(vec![addr])
    }

    /// These name servers, tried in order, 2 s timeout, 2 attempts.
    pub fn with_nameservers(nameservers: Vec<SocketAddr>) -> Self {
        Self {
            nameservers,
            timeout: Duration::from_secs(2),
            attempts: 2,
        }
    }

    /// Reads `/etc/resolv.conf` (its `nameserver` lines and `options timeout:N
    /// attempts:N`).
    ///
    /// # Errors
    ///
    /// The I/O error when the file cannot be read.
    pub fn from_system_conf() -> std::io::Result<Self> {
        let text = std::fs::read_to_string("/etc/resolv.conf")?;
        Ok(Self::from_resolv_conf(&text))
    }

    /// Reads resolv.conf text; lines it does not know are ignored, as the C library
    /// does. Without a `nameserver` line the list is empty (queries then fail with
    /// [`DnsError::NoNameServer`]).
    pub fn from_resolv_conf(text: &str) -> Self {
        let mut config = Self::with_nameservers(Vec::new());
        for line in text.lines() {
            let mut words = line.split_whitespace();
            match words.next() {
                Some("nameserver") => {
                    // An IPv6 address may carry a zone (`fe80::1%eth0`): dropped.
                    let addr = words.next().and_then(|w| w.split('%').next());
                    if let Some(ip) = addr.and_then(|a| a.parse::<IpAddr>().ok()) {
                        config.nameservers.push(SocketAddr::new(ip, 53));
                    }
                }
                Some("options") => {
                    for option in words {
                        let (key, value) = option.split_once(':').unwrap_or((option, ""));
                        let Ok(value) = value.parse::<u32>() else {
                            continue;
                        };
                        match key {
                            "timeout" => {
                                config.timeout = Duration::from_secs(value.clamp(1, 30).into());
                            }
                            "attempts" => config.attempts = value.clamp(1, 5),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        config
    }

    /// Sets the time to wait for one server's answer (UDP and TCP each).
    pub fn set_timeout(&mut self, timeout: Duration) -> &mut Self {
        self.timeout = timeout;
        self
    }

    /// Sets how many rounds over all servers are tried before giving up.
    pub fn set_attempts(&mut self, attempts: u32) -> &mut Self {
        self.attempts = attempts.max(1);
        self
    }

    /// The configured name servers.
    pub fn nameservers(&self) -> &[SocketAddr] {
        &self.nameservers
    }
}

/// A stub resolver asking recursive name servers; cheap to clone.
///
/// Each query goes over UDP (EDNS payload 1232, a fresh random source port and query
/// id); a truncated answer is asked again over TCP. Servers are tried in order, for
/// the configured number of attempts, until one gives an answer (records, NXDOMAIN or
/// no data). CNAME chains in the answer are followed. Wrap it in a
/// [`Cache`](crate::dns::Cache) to cache answers.
#[derive(Clone)]
pub struct HickoryResolver {
    config: Arc<ResolverConfig>,
}

impl HickoryResolver {
    /// A resolver with this configuration.
    pub fn new(config: ResolverConfig) -> Self {
        Self {
            config: Arc::new(config),
        }
    }

    /// A resolver configured from `/etc/resolv.conf`.
    ///
    /// # Errors
    ///
    /// The I/O error when the file cannot be read.
    pub fn from_system_conf() -> std::io::Result<Self> {
        Ok(Self::new(ResolverConfig::from_system_conf()?))
    }

    /// The configuration.
    pub fn config(&self) -> &ResolverConfig {
        &self.config
    }

    async fn resolve(&self, name: String, rtype: RecordType) -> Result<Lookup<Rdata>, DnsError> {
        let qname = Name::from_ascii(format!("{name}.")).map_err(|_| DnsError::InvalidName)?;
        if self.config.nameservers.is_empty() {
            return Err(DnsError::NoNameServer);
        }
        let mut last = DnsError::Timeout;
        for _ in 0..self.config.attempts {
            for &server in &self.config.nameservers {
                match self.exchange(server, &qname, rtype).await {
                    Ok(response) => match answer(&response, &name, rtype) {
                        Err(err) if err.is_temporary() => last = err,
                        result => return result,
                    },
                    Err(err) => last = err,
                }
            }
        }
        Err(last)
    }

    /// One query to one server: UDP, then TCP if truncated.
    async fn exchange(
        &self,
        server: SocketAddr,
        qname: &Name,
        rtype: RecordType,
    ) -> Result<Message, DnsError> {
        let mut query = Message::query();
        query.metadata.recursion_desired = true;
        query.add_query(Query::query(qname.clone(), wire_type(rtype)));
        let mut edns = Edns::new();
        edns.set_max_payload(EDNS_PAYLOAD);
        query.set_edns(edns);
        let bytes = query.to_vec().map_err(|_| DnsError::InvalidName)?;
        let timeout = self.config.timeout;
        let udp = tokio::time::timeout(timeout, udp_exchange(server, &bytes, &query)).await;
        let response = udp.map_err(|_| DnsError::Timeout)??;
        if !response.metadata.truncation {
            return Ok(response);
        }
        tokio::time::timeout(timeout, tcp_exchange(server, &bytes, &query))
            .await
            .map_err(|_| DnsError::Timeout)?
    }
}

impl Resolver for HickoryResolver {
    fn query(
        &self,
        name: &str,
        rtype: RecordType,
    ) -> impl Future<Output = Result<Lookup<Rdata>, DnsError>> + Send {
        self.resolve(name.to_owned(), rtype)
    }
}

impl fmt::Debug for HickoryResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HickoryResolver")
            .field("nameservers", &self.config.nameservers)
            .finish_non_exhaustive()
    }
}

async fn udp_exchange(
    server: SocketAddr,
    bytes: &[u8],
    query: &Message,
) -> Result<Message, DnsError> {
    let local: SocketAddr = match server {
        SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let socket = UdpSocket::bind(local).await?;
    socket.connect(server).await?;
    socket.send(bytes).await?;
    let mut buf = vec![0u8; 65_535];
    // Datagrams that are not the answer to this query (wrong id or question) are
    // dropped; the caller's timeout bounds the wait.
    loop {
        let len = socket.recv(&mut buf).await?;
        if let Ok(response) = Message::from_vec(&buf[..len])
            && answers(&response, query)
        {
            return Ok(response);
        }
    }
}

async fn tcp_exchange(
    server: SocketAddr,
    bytes: &[u8],
    query: &Message,
) -> Result<Message, DnsError> {
    let mut stream = TcpStream::connect(server).await?;
    let len = u16::try_from(bytes.len()).map_err(|_| DnsError::InvalidName)?;
    let mut framed = Vec::with_capacity(bytes.len() + 2);
    framed.extend_from_slice(&len.to_be_bytes());
    framed.extend_from_slice(bytes);
    stream.write_all(&framed).await?;
    let len = usize::from(stream.read_u16().await?);
    let mut buf = vec![0u8; len];
    stream.read_exact(&mut buf).await?;
    let response = Message::from_vec(&buf).map_err(|_| DnsError::MalformedResponse)?;
    match answers(&response, query) {
        true => Ok(response),
        false => Err(DnsError::MalformedResponse),
    }
}

/// Whether `response` answers `query` (same id, same question).
fn answers(response: &Message, query: &Message) -> bool {
    response.metadata.id == query.metadata.id
        && response.queries.len() == 1
        && query.queries.first().is_some_and(|q| {
            let r = &response.queries[0];
            r.query_type() == q.query_type() && r.name().eq_case(q.name())
        })
}

/// Reads the records of `rtype` for `name` out of a response, following CNAMEs.
fn answer(response: &Message, name: &str, rtype: RecordType) -> Result<Lookup<Rdata>, DnsError> {
    let negative_ttl = negative_ttl(response);
    match response.metadata.response_code {
        ResponseCode::NoError => {}
        ResponseCode::NXDomain => return Err(DnsError::NxDomain { negative_ttl }),
        code => {
            return Err(DnsError::ServerFailure {
                rcode: u16::from(code),
            });
        }
    }
    let mut current = name.to_owned();
    let mut ttl = u32::MAX;
    for _ in 0..=MAX_CNAME_CHAIN {
        let mut records = Vec::new();
        let mut cname = None;
        for record in &response.answers {
            if owner(record).as_deref() != Some(current.as_str()) {
                continue;
            }
            match convert(&record.data) {
                Some(data) if data.record_type() == rtype => {
                    ttl = ttl.min(record.ttl);
                    records.push(data);
                }
                Some(Rdata::Cname(target)) => cname = Some((target, record.ttl)),
                _ => {}
            }
        }
        if !records.is_empty() {
            return Lookup::new(records, ttl);
        }
        match cname {
            Some((target, cname_ttl)) => {
                ttl = ttl.min(cname_ttl);
                current = target;
            }
            None => return Err(DnsError::NoData { negative_ttl }),
        }
    }
    Err(DnsError::CnameChain)
}

/// The negative-caching TTL of a response: the SOA's TTL capped by its MINIMUM
/// (RFC 2308 §5), or 0 (do not cache) without a SOA.
fn negative_ttl(response: &Message) -> u32 {
    response
        .authorities
        .iter()
        .find_map(|record| match &record.data {
            RData::SOA(soa) => Some(record.ttl.min(soa.minimum)),
            _ => None,
        })
        .unwrap_or(0)
}

fn owner(record: &Record) -> Option<String> {
    normalize_name(&record.name.to_ascii()).ok()
}

fn host(name: &Name) -> String {
    let text = name.to_ascii();
    normalize_name(&text).unwrap_or_default()
}

fn convert(data: &RData) -> Option<Rdata> {
    Some(match data {
        RData::A(a) => Rdata::A(a.0),
        RData::AAAA(aaaa) => Rdata::Aaaa(aaaa.0),
        RData::CNAME(cname) => Rdata::Cname(host(&cname.0)),
        RData::PTR(ptr) => Rdata::Ptr(host(&ptr.0)),
        RData::MX(mx) => Rdata::Mx(Mx {
            preference: mx.preference,
            exchange: host(&mx.exchange),
        }),
        RData::TXT(txt) => Rdata::Txt(Txt::new(txt.txt_data.iter())),
        _ => return None,
    })
}

fn wire_type(rtype: RecordType) -> hickory_proto::rr::RecordType {
    use hickory_proto::rr::RecordType as Wire;
    match rtype {
        RecordType::A => Wire::A,
        RecordType::Aaaa => Wire::AAAA,
        RecordType::Cname => Wire::CNAME,
        RecordType::Mx => Wire::MX,
        RecordType::Ptr => Wire::PTR,
        RecordType::Txt => Wire::TXT,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn reads_resolv_conf() {
        let config = ResolverConfig::from_resolv_conf(
            "# comment\nsearch example.com\nnameserver 192.0.2.53\nnameserver ::1\n\
             nameserver fe80::1%eth0\nnameserver bogus\noptions ndots:2 timeout:5 attempts:3\n",
        );
        assert_eq!(
            config.nameservers(),
            [
                "192.0.2.53:53".parse().unwrap(),
                "[::1]:53".parse().unwrap(),
                "[fe80::1]:53".parse().unwrap()
            ]
        );
        assert_eq!(config.timeout, Duration::from_secs(5));
        assert_eq!(config.attempts, 3);
    }

    #[test]
    fn no_nameserver_is_an_error() {
        let resolver = HickoryResolver::new(ResolverConfig::with_nameservers(vec![]));
        let result = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(resolver.txt("example.com"));
        assert_eq!(result, Err(DnsError::NoNameServer));
    }

    proptest! {
        #[test]
        fn resolv_conf_of_any_text_stays_in_range(
            lines in proptest::collection::vec(prop_oneof![
                Just("nameserver ".to_owned()),
                Just("options timeout:".to_owned()),
                Just("options attempts:".to_owned()),
                Just("192.0.2.1".to_owned()),
                Just("fe80::1%é".to_owned()),
                Just("日本語".to_owned()),
                "[0-9]{1,12}",
                "\\PC{0,10}",
            ], 0..8),
            text in any::<String>(),
        ) {
            for text in [lines.join("\n"), lines.concat(), text] {
                let config = ResolverConfig::from_resolv_conf(&text);
                prop_assert!((1..=30).contains(&config.timeout.as_secs()));
                prop_assert!((1..=5).contains(&config.attempts));
                prop_assert!(config.nameservers().iter().all(|s| s.port() == 53));
            }
        }
    }
}
