//! The [`Resolver`] trait, its record types and its error.
//!
//! One trait for the whole workspace: SPF, DKIM, DMARC and iprev here, MX routing in
//! `mta-queue`. Implementations answer one question, [`Resolver::query`] (a name and a
//! [`RecordType`] to a [`Lookup`] of [`Rdata`] or a [`DnsError`]); the typed helpers
//! ([`Resolver::txt`], [`Resolver::mx`], [`Resolver::a`], [`Resolver::aaaa`],
//! [`Resolver::ptr`]) are provided on top of it and check the name first.

use std::any::Any;
use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, OnceLock};

/// The largest number of CNAME links a resolver follows before it gives up.
pub const MAX_CNAME_CHAIN: usize = 8;

/// A DNS resolver: the seam between mail authentication (or routing) and the network.
///
/// Implementations: [`HickoryResolver`](crate::dns::HickoryResolver) (real DNS over
/// UDP/TCP), [`Cache`](crate::dns::Cache) (a TTL cache around any resolver) and
/// [`Zone`](crate::dns::Zone) (an in-memory zone for tests and `--zone FILE`). All three
/// are cheap to clone and share (`Arc` inside).
///
/// The futures are `Send`, so a resolver can be used from spawned tokio tasks.
pub trait Resolver: Send + Sync {
    /// Looks up the records of type `rtype` at `name`, following CNAMEs.
    ///
    /// `name` is lower case, without a trailing dot, and valid (see [`normalize_name`]);
    /// the typed helpers guarantee this, direct callers must.
    ///
    /// # Errors
    ///
    /// [`DnsError::NxDomain`] when the name does not exist, [`DnsError::NoData`] when it
    /// exists without records of that type, and a temporary error (see
    /// [`DnsError::is_temporary`]) when no answer could be had.
    fn query(
        &self,
        name: &str,
        rtype: RecordType,
    ) -> impl Future<Output = Result<Lookup<Rdata>, DnsError>> + Send;

    /// As [`Resolver::query`], with the records shared instead of copied.
    ///
    /// Resolvers that hold their answers ([`Zone`](crate::dns::Zone),
    /// [`Cache`](crate::dns::Cache)) hand out the records they keep without copying
    /// them; the default calls [`Resolver::query`] and moves its records into a
    /// [`SharedLookup`]. SPF evaluation asks through this method.
    ///
    /// # Errors
    ///
    /// As [`Resolver::query`].
    fn query_shared(
        &self,
        name: &str,
        rtype: RecordType,
    ) -> impl Future<Output = Result<SharedLookup, DnsError>> + Send {
        let answer = self.query(name, rtype);
        async move { answer.await.map(SharedLookup::from) }
    }

    /// The TXT records at `name`.
    ///
    /// # Errors
    ///
    /// As [`Resolver::query`], plus [`DnsError::InvalidName`] for a malformed name.
    fn txt(&self, name: &str) -> impl Future<Output = Result<Lookup<Txt>, DnsError>> + Send {
        typed(self, name, RecordType::Txt, |rdata| match rdata {
            Rdata::Txt(txt) => Some(txt),
            _ => None,
        })
    }

    /// The MX records at `name`, in the order received (sort by preference to route).
    ///
    /// A null MX (RFC 7505) comes back as one [`Mx`] whose [`Mx::is_null`] is true.
    ///
    /// # Errors
    ///
    /// As [`Resolver::txt`].
    fn mx(&self, name: &str) -> impl Future<Output = Result<Lookup<Mx>, DnsError>> + Send {
        typed(self, name, RecordType::Mx, |rdata| match rdata {
            Rdata::Mx(mx) => Some(mx),
            _ => None,
        })
    }

    /// The IPv4 addresses of `name`.
    ///
    /// # Errors
    ///
    /// As [`Resolver::txt`].
    fn a(&self, name: &str) -> impl Future<Output = Result<Lookup<Ipv4Addr>, DnsError>> + Send {
        typed(self, name, RecordType::A, |rdata| match rdata {
            Rdata::A(ip) => Some(ip),
            _ => None,
        })
    }

    /// The IPv6 addresses of `name`.
    ///
    /// # Errors
    ///
    /// As [`Resolver::txt`].
    fn aaaa(&self, name: &str) -> impl Future<Output = Result<Lookup<Ipv6Addr>, DnsError>> + Send {
        typed(self, name, RecordType::Aaaa, |rdata| match rdata {
            Rdata::Aaaa(ip) => Some(ip),
            _ => None,
        })
    }

    /// The addresses of `name` of the same family as `like` (A for IPv4, AAAA for IPv6).
    ///
    /// # Errors
    ///
    /// As [`Resolver::txt`].
    fn ip_like(
        &self,
        name: &str,
        like: IpAddr,
    ) -> impl Future<Output = Result<Lookup<IpAddr>, DnsError>> + Send {
        let rtype = match like {
            IpAddr::V4(_) => RecordType::A,
            IpAddr::V6(_) => RecordType::Aaaa,
        };
        typed(self, name, rtype, |rdata| match rdata {
            Rdata::A(ip) => Some(IpAddr::V4(ip)),
            Rdata::Aaaa(ip) => Some(IpAddr::V6(ip)),
            _ => None,
        })
    }

    /// The PTR names of `ip` (looked up at its `in-addr.arpa` / `ip6.arpa` name), lower
    /// case and without a trailing dot.
    ///
    /// # Errors
    ///
    /// As [`Resolver::query`].
    fn ptr(&self, ip: IpAddr) -> impl Future<Output = Result<Lookup<String>, DnsError>> + Send {
        let name = reverse_name(ip);
        async move {
            let lookup = self.query(&name, RecordType::Ptr).await?;
            lookup.filter_map(|rdata| match rdata {
                Rdata::Ptr(name) => Some(name),
                _ => None,
            })
        }
    }
}

/// Runs a query for a typed helper: checks the name, keeps the records of one kind.
async fn typed<R, T>(
    resolver: &R,
    name: &str,
    rtype: RecordType,
    pick: impl Fn(Rdata) -> Option<T> + Send,
) -> Result<Lookup<T>, DnsError>
where
    R: Resolver + ?Sized,
{
    let name = normalized(name)?;
    resolver.query(&name, rtype).await?.filter_map(pick)
}

/// The record types the workspace asks for.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordType {
    /// An IPv4 address (RFC 1035).
    A,
    /// An IPv6 address (RFC 3596).
    Aaaa,
    /// A canonical-name alias (RFC 1035).
    Cname,
    /// A mail exchanger (RFC 1035, RFC 7505 for the null MX).
    Mx,
    /// A domain name pointer (RFC 1035).
    Ptr,
    /// Text strings (RFC 1035).
    Txt,
}

impl RecordType {
    /// The mnemonic as written in zone files (`A`, `AAAA`, `CNAME`, `MX`, `PTR`, `TXT`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::A => "A",
            Self::Aaaa => "AAAA",
            Self::Cname => "CNAME",
            Self::Mx => "MX",
            Self::Ptr => "PTR",
            Self::Txt => "TXT",
        }
    }

    /// The type of a mnemonic, case-insensitively.
    pub fn from_mnemonic(text: &str) -> Option<Self> {
        [
            Self::A,
            Self::Aaaa,
            Self::Cname,
            Self::Mx,
            Self::Ptr,
            Self::Txt,
        ]
        .into_iter()
        .find(|rtype| rtype.as_str().eq_ignore_ascii_case(text))
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The data of one resource record.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Rdata {
    /// An IPv4 address.
    A(Ipv4Addr),
    /// An IPv6 address.
    Aaaa(Ipv6Addr),
    /// The target of an alias, lower case without a trailing dot.
    Cname(String),
    /// A mail exchanger.
    Mx(Mx),
    /// A pointer target, lower case without a trailing dot.
    Ptr(String),
    /// Text strings.
    Txt(Txt),
}

impl Rdata {
    /// The type of this record.
    pub fn record_type(&self) -> RecordType {
        match self {
            Self::A(_) => RecordType::A,
            Self::Aaaa(_) => RecordType::Aaaa,
            Self::Cname(_) => RecordType::Cname,
            Self::Mx(_) => RecordType::Mx,
            Self::Ptr(_) => RecordType::Ptr,
            Self::Txt(_) => RecordType::Txt,
        }
    }
}

/// A mail exchanger record.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Mx {
    /// Lower values are tried first.
    pub preference: u16,
    /// The host, lower case without a trailing dot; empty for the root (a null MX).
    pub exchange: String,
}

impl Mx {
    /// Whether this is a null MX (RFC 7505: preference 0, exchange `.`): the domain
    /// accepts no mail.
    pub fn is_null(&self) -> bool {
        self.exchange.is_empty()
    }
}

/// The character-strings of one TXT record, each at most 255 bytes; cheap to clone
/// (the strings are shared).
///
/// A record also keeps what it was read as the first time (an SPF record, say; see
/// `Txt::interpreted`, crate-internal), shared by its clones: records a [`Zone`] or a
/// [`Cache`] hands out again are parsed once. Equality, hashing and `Debug` look at
/// the strings only.
///
/// [`Zone`]: crate::dns::Zone
/// [`Cache`]: crate::dns::Cache
#[derive(Clone, Default)]
pub struct Txt {
    inner: Arc<TxtInner>,
}

#[derive(Default)]
struct TxtInner {
    strings: Box<[Vec<u8>]>,
    /// What a reader made of the strings, set once (see [`Txt::interpreted`]).
    interpreted: OnceLock<Box<dyn Any + Send + Sync>>,
}

impl Txt {
    /// A record made of these strings.
    ///
    /// Strings over 255 bytes are split, as a zone-file compiler would: the record's
    /// meaning (the concatenation) is unchanged.
    pub fn new<I, S>(strings: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let mut out = Vec::new();
        for string in strings {
            let bytes = string.as_ref();
            if bytes.is_empty() {
                out.push(Vec::new());
            }
            out.extend(bytes.chunks(255).map(<[u8]>::to_vec));
        }
        Self {
            inner: Arc::new(TxtInner {
                strings: out.into_boxed_slice(),
                interpreted: OnceLock::new(),
            }),
        }
    }

    /// The strings as they are on the wire.
    pub fn strings(&self) -> &[Vec<u8>] {
        &self.inner.strings
    }

    /// The strings joined with nothing in between, as SPF, DKIM and DMARC read them
    /// (RFC 7208 §3.3, RFC 6376 §3.6.2.2).
    pub fn concat(&self) -> Vec<u8> {
        self.inner.strings.concat()
    }

    /// As [`Txt::concat`], borrowing when the record has a single string.
    pub fn joined(&self) -> Cow<'_, [u8]> {
        match &*self.inner.strings {
            [one] => Cow::Borrowed(one),
            many => Cow::Owned(many.concat()),
        }
    }

    /// What `read` makes of this record, computed on the first call and kept with the
    /// record (shared by its clones) for the next ones.
    ///
    /// `read` must depend on the strings only. A record keeps one value: when it
    /// already holds a value of another type, `read` runs on every call.
    pub(crate) fn interpreted<T>(&self, read: impl FnOnce(&Self) -> T) -> T
    where
        T: Clone + Send + Sync + 'static,
    {
        if let Some(kept) = self.inner.interpreted.get() {
            return match kept.downcast_ref::<T>() {
                Some(value) => value.clone(),
                None => read(self),
            };
        }
        let value = read(self);
        // Another thread may have set it meanwhile: its value is the same.
        let _ = self.inner.interpreted.set(Box::new(value.clone()));
        value
    }
}

impl PartialEq for Txt {
    fn eq(&self, other: &Self) -> bool {
        self.inner.strings == other.inner.strings
    }
}

impl Eq for Txt {}

impl Hash for Txt {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.inner.strings.hash(state);
    }
}

impl fmt::Debug for Txt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Txt")
            .field("strings", &self.inner.strings)
            .finish()
    }
}

/// The records of one answer, with the time they may be cached for.
///
/// Never empty: an answer without records is [`DnsError::NoData`].
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lookup<T> {
    /// The records, in the order received.
    pub records: Vec<T>,
    /// Seconds the records may be cached for (the smallest TTL of the set).
    pub ttl: u32,
}

impl<T> Lookup<T> {
    /// A lookup result with `records` (non-empty) and `ttl`.
    ///
    /// # Errors
    ///
    /// [`DnsError::NoData`] (with `ttl` as its negative TTL) when `records` is empty.
    pub fn new(records: Vec<T>, ttl: u32) -> Result<Self, DnsError> {
        if records.is_empty() {
            return Err(DnsError::NoData { negative_ttl: ttl });
        }
        Ok(Self { records, ttl })
    }

    /// Keeps the records `pick` maps to `Some`.
    ///
    /// # Errors
    ///
    /// [`DnsError::NoData`] when none is left.
    pub fn filter_map<U>(self, pick: impl Fn(T) -> Option<U>) -> Result<Lookup<U>, DnsError> {
        Lookup::new(
            self.records.into_iter().filter_map(pick).collect(),
            self.ttl,
        )
    }
}

/// The records of one answer, shared rather than copied, with the time they may be
/// cached for: what [`Resolver::query_shared`] returns. Cheap to clone.
///
/// Never empty: an answer without records is [`DnsError::NoData`].
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedLookup {
    /// The records, in the order received.
    pub records: Arc<[Rdata]>,
    /// Seconds the records may be cached for (the smallest TTL of the set).
    pub ttl: u32,
}

impl SharedLookup {
    /// The same answer with its own copy of the records.
    pub fn to_lookup(&self) -> Lookup<Rdata> {
        Lookup {
            records: self.records.to_vec(),
            ttl: self.ttl,
        }
    }

    /// The same records with another TTL (no copy).
    pub fn with_ttl(&self, ttl: u32) -> Self {
        Self {
            records: Arc::clone(&self.records),
            ttl,
        }
    }
}

impl From<Lookup<Rdata>> for SharedLookup {
    fn from(lookup: Lookup<Rdata>) -> Self {
        Self {
            records: lookup.records.into(),
            ttl: lookup.ttl,
        }
    }
}

/// Why a lookup gave no records.
///
/// [`NxDomain`](Self::NxDomain) and [`NoData`](Self::NoData) are answers (cacheable,
/// "void" for SPF); the rest are temporary failures except
/// [`InvalidName`](Self::InvalidName), which no retry mends.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DnsError {
    /// The name does not exist (RCODE 3).
    #[error("no such domain")]
    NxDomain {
        /// Seconds this answer may be cached for (from the SOA, RFC 2308).
        negative_ttl: u32,
    },
    /// The name exists but has no records of the asked type.
    #[error("no records of the requested type")]
    NoData {
        /// Seconds this answer may be cached for (from the SOA, RFC 2308).
        negative_ttl: u32,
    },
    /// No server answered in time.
    #[error("dns query timed out")]
    Timeout,
    /// A server answered with an error code other than NXDOMAIN (SERVFAIL, REFUSED, ...).
    #[error("dns server answered with rcode {rcode}")]
    ServerFailure {
        /// The response code (4 bits, or 12 with EDNS).
        rcode: u16,
    },
    /// A response could not be decoded or did not match the query.
    #[error("malformed dns response")]
    MalformedResponse,
    /// A socket error.
    #[error("dns transport error: {0:?}")]
    Io(io::ErrorKind),
    /// No name server is configured.
    #[error("no name server configured")]
    NoNameServer,
    /// CNAMEs chained longer than [`MAX_CNAME_CHAIN`] or in a loop.
    #[error("cname chain too long")]
    CnameChain,
    /// The name is not a valid domain name (empty label, label over 63 bytes, over
    /// 253 bytes in all, or bytes a host name cannot hold).
    #[error("invalid domain name")]
    InvalidName,
}

impl DnsError {
    /// Whether a later retry may succeed (timeouts, server failures, transport errors).
    pub fn is_temporary(&self) -> bool {
        !matches!(
            self,
            Self::NxDomain { .. } | Self::NoData { .. } | Self::InvalidName
        )
    }

    /// Whether the answer was "this name does not exist".
    pub fn is_nxdomain(&self) -> bool {
        matches!(self, Self::NxDomain { .. })
    }

    /// Whether the answer was "the name exists, no records of this type".
    pub fn is_no_data(&self) -> bool {
        matches!(self, Self::NoData { .. })
    }

    /// Whether the answer was NXDOMAIN or no data (a "void lookup", RFC 7208 §4.6.4).
    pub fn is_not_found(&self) -> bool {
        self.is_nxdomain() || self.is_no_data()
    }

    /// The negative-caching time of an NXDOMAIN or no-data answer.
    pub fn negative_ttl(&self) -> Option<u32> {
        match self {
            Self::NxDomain { negative_ttl } | Self::NoData { negative_ttl } => Some(*negative_ttl),
            _ => None,
        }
    }
}

impl From<io::Error> for DnsError {
    fn from(err: io::Error) -> Self {
        match err.kind() {
            io::ErrorKind::TimedOut => Self::Timeout,
            kind => Self::Io(kind),
        }
    }
}

/// Checks a domain name and brings it to the form resolvers take: lower case, no
/// trailing dot.
///
/// ```text
/// name  = label *("." label) ["."]      ; at most 253 bytes without the final dot
/// label = 1*63(%x21-7E except ".")      ; printable ASCII, no empty label
/// ```
///
/// Underscores and other printable bytes are allowed (`_dmarc`, `_domainkey`, SPF
/// macro output); spaces, controls and non-ASCII are not (IDNs must be A-labels).
///
/// # Errors
///
/// [`DnsError::InvalidName`] when the name breaks these rules.
pub fn normalize_name(name: &str) -> Result<String, DnsError> {
    normalized(name).map(Cow::into_owned)
}

/// As [`normalize_name`], borrowing when the name is already in normal form.
pub(crate) fn normalized(name: &str) -> Result<Cow<'_, str>, DnsError> {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() || name.len() > 253 {
        return Err(DnsError::InvalidName);
    }
    let mut label_len = 0usize;
    let mut upper = false;
    for b in name.bytes() {
        if b == b'.' {
            if label_len == 0 {
                return Err(DnsError::InvalidName);
            }
            label_len = 0;
            continue;
        }
        if !b.is_ascii_graphic() || b == b'\\' {
            return Err(DnsError::InvalidName);
        }
        upper |= b.is_ascii_uppercase();
        label_len += 1;
        if label_len > 63 {
            return Err(DnsError::InvalidName);
        }
    }
    if label_len == 0 {
        return Err(DnsError::InvalidName);
    }
    Ok(match upper {
        true => Cow::Owned(name.to_ascii_lowercase()),
        false => Cow::Borrowed(name),
    })
}

/// The reverse-lookup name of an address: `d.c.b.a.in-addr.arpa` or the 32 nibbles of
/// an IPv6 address under `ip6.arpa` (RFC 1035 §3.5, RFC 3596 §2.5).
pub fn reverse_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(ip) => {
            let [a, b, c, d] = ip.octets();
            format!("{d}.{c}.{b}.{a}.in-addr.arpa")
        }
        IpAddr::V6(ip) => {
            let mut name = String::with_capacity(72);
            for byte in ip.octets().iter().rev() {
                for nibble in [byte & 0x0f, byte >> 4] {
                    name.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
                    name.push('.');
                }
            }
            name.push_str("ip6.arpa");
            name
        }
    }
}

impl<R: Resolver + ?Sized> Resolver for &R {
    fn query(
        &self,
        name: &str,
        rtype: RecordType,
    ) -> impl Future<Output = Result<Lookup<Rdata>, DnsError>> + Send {
        (**self).query(name, rtype)
    }

    fn query_shared(
        &self,
        name: &str,
        rtype: RecordType,
    ) -> impl Future<Output = Result<SharedLookup, DnsError>> + Send {
        (**self).query_shared(name, rtype)
    }
}

impl<R: Resolver + ?Sized> Resolver for Arc<R> {
    fn query(
        &self,
        name: &str,
        rtype: RecordType,
    ) -> impl Future<Output = Result<Lookup<Rdata>, DnsError>> + Send {
        (**self).query(name, rtype)
    }

    fn query_shared(
        &self,
        name: &str,
        rtype: RecordType,
    ) -> impl Future<Output = Result<SharedLookup, DnsError>> + Send {
        (**self).query_shared(name, rtype)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn names_are_checked_and_normalized() {
        assert_eq!(normalize_name("Example.COM.").unwrap(), "example.com");
        assert_eq!(
            normalize_name("_dmarc.example.com").unwrap(),
            "_dmarc.example.com"
        );
        for bad in [
            "",
            ".",
            "a..b",
            "a b.com",
            "é.com",
            &"a".repeat(64),
            &"a.".repeat(130),
        ] {
            assert_eq!(normalize_name(bad), Err(DnsError::InvalidName), "{bad:?}");
        }
        assert!(normalize_name(&format!("{}.com", "a".repeat(63))).is_ok());
    }

    #[test]
    fn reverse_names() {
        assert_eq!(
            reverse_name("192.0.2.1".parse().unwrap()),
            "1.2.0.192.in-addr.arpa"
        );
        assert_eq!(
            reverse_name("2001:db8::1".parse().unwrap()),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"
        );
    }

    #[test]
    fn txt_splits_long_strings_and_concatenates() {
        let long = "x".repeat(600);
        let txt = Txt::new([long.as_str(), "y"]);
        assert_eq!(
            txt.strings().iter().map(Vec::len).collect::<Vec<_>>(),
            [255, 255, 90, 1]
        );
        assert_eq!(txt.concat().len(), 601);
    }

    #[test]
    fn txt_keeps_its_interpretation_for_its_clones() {
        let reads = std::cell::Cell::new(0);
        let read = |txt: &Txt| {
            reads.set(reads.get() + 1);
            txt.concat().len()
        };
        let txt = Txt::new(["v=spf1 ", "-all"]);
        let clone = txt.clone();
        assert_eq!(txt.interpreted(read), 11);
        assert_eq!(clone.interpreted(read), 11);
        assert_eq!(reads.get(), 1);
        // Another type is read every time; the kept value stays.
        assert_eq!(clone.interpreted(|t| t.strings().len() as u8), 2);
        assert_eq!(clone.interpreted(read), 11);
        assert_eq!(reads.get(), 1);
        // Equality and hashing see the strings only.
        let fresh = Txt::new(["v=spf1 -all"]);
        assert_ne!(fresh, txt);
        assert_eq!(Txt::new(["v=spf1 ", "-all"]), txt);
        assert_eq!(
            format!("{fresh:?}"),
            format!("{:?}", Txt::new(["v=spf1 -all"]))
        );
    }

    #[test]
    fn error_classes() {
        assert!(DnsError::Timeout.is_temporary());
        assert!(DnsError::ServerFailure { rcode: 2 }.is_temporary());
        assert!(!DnsError::NxDomain { negative_ttl: 1 }.is_temporary());
        assert!(DnsError::NoData { negative_ttl: 1 }.is_not_found());
        assert!(!DnsError::InvalidName.is_temporary());
        assert_eq!(
            Lookup::<u8>::new(vec![], 5),
            Err(DnsError::NoData { negative_ttl: 5 })
        );
    }

    proptest! {
        #[test]
        fn normalized_names_are_ascii_labels(
            labels in proptest::collection::vec(prop_oneof![
                "[A-Za-z0-9_-]{1,20}",
                "[a-z]{60,66}",
                Just("bücher".to_owned()),
                Just("日本語".to_owned()),
                Just("xn--bcher-kva".to_owned()),
                Just(String::new()),
                "\\PC{1,6}",
            ], 0..6),
            dot in any::<bool>(),
            text in any::<String>(),
        ) {
            let name = format!("{}{}", labels.join("."), if dot { "." } else { "" });
            for name in [name, text] {
                match normalize_name(&name) {
                    Ok(normal) => {
                        // ASCII, lower case, no final dot, 1-63 octet labels, at most 253.
                        prop_assert!(name.is_ascii());
                        prop_assert_eq!(&normal, &name.strip_suffix('.').unwrap_or(&name).to_ascii_lowercase());
                        prop_assert!(normal.len() <= 253 && !normal.ends_with('.'));
                        prop_assert!(normal.split('.').all(|l| (1..=63).contains(&l.len())));
                        prop_assert!(!normal.bytes().any(|b| b.is_ascii_uppercase()));
                        prop_assert_eq!(normalize_name(&normal), Ok(normal.clone()));
                    }
                    Err(err) => prop_assert_eq!(err, DnsError::InvalidName),
                }
                if !name.is_ascii() {
                    prop_assert_eq!(normalize_name(&name), Err(DnsError::InvalidName));
                }
            }
        }
    }
}
