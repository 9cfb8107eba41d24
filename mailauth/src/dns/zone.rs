//! An in-memory zone: a [`Resolver`] that answers from records loaded from zone-file
//! text (tests, and the command-line tools' `--zone FILE`).
//!
//! # Zone-file format
//!
//! A documented subset of the RFC 1035 §5 master-file syntax, one record per line:
//!
//! ```text
//! line   = owner [ttl] [class] type rdata     ; ttl and class in either order
//!        / SP owner-less-record               ; a line starting with a blank reuses the last owner
//!        / ""                                 ; blank line
//! owner  = fully qualified name, e.g. "example.com." (the final dot may be left out)
//! ttl    = decimal seconds (default 300)
//! class  = "IN"
//! type   = "A" / "AAAA" / "MX" / "TXT" / "PTR" / "CNAME" / "TIMEOUT"
//! ```
//!
//! | type | rdata | example |
//! | --- | --- | --- |
//! | `A` | an IPv4 address | `mx1.example.com. A 192.0.2.25` |
//! | `AAAA` | an IPv6 address | `mx1.example.com. AAAA 2001:db8::25` |
//! | `MX` | preference and host (`.` for a null MX) | `example.com. MX 10 mx1.example.com.` |
//! | `TXT` | one or more strings, quoted or bare | `example.com. 300 IN TXT "v=spf1 " "-all"` |
//! | `PTR` | a host | `4.3.2.1.in-addr.arpa. PTR mail.example.com.` |
//! | `CNAME` | a host | `www.example.com. CNAME example.com.` |
//! | `TIMEOUT` | nothing | `slow.example.com. TIMEOUT` |
//!
//! `;` starts a comment (outside quotes). Inside quotes, `\"`, `\\` and `\DDD` (a decimal
//! byte value) are escapes. A DNS character-string holds at most 255 bytes, so a
//! longer TXT record is written as several strings, which SPF, DKIM and DMARC read
//! joined together; a longer quoted string is accepted and split into 255-byte
//! strings (the meaning is the same). Names are case-insensitive; `$ORIGIN`,
//! `$TTL`, `@`, relative names, wildcards and parentheses are not part of the subset.
//!
//! `TIMEOUT` is a testing pseudo-record: a query for that name of a type that has no
//! record in the file fails with [`DnsError::Timeout`], which SPF and DMARC turn into
//! `temperror`.
//!
//! # Answers
//!
//! Records of the asked type are returned; otherwise a CNAME at the name is followed
//! (up to [`MAX_CNAME_CHAIN`] links); otherwise `TIMEOUT` applies; otherwise a name that
//! has records (or names below it) answers [`DnsError::NoData`] and any other name
//! [`DnsError::NxDomain`], both with a negative TTL of 300 seconds.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::{self, Write as _};
use std::future::Future;
use std::hash::{BuildHasherDefault, Hasher};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use crate::dns::resolver::{
    DnsError, Lookup, MAX_CNAME_CHAIN, Mx, Rdata, RecordType, Resolver, SharedLookup, Txt,
    normalize_name,
};

/// The TTL of records written without one, and the negative TTL of the zone's
/// NXDOMAIN and no-data answers.
pub const DEFAULT_TTL: u32 = 300;

/// An in-memory zone; cheap to clone (the records are shared).
///
/// ```
/// use mailwright_auth::dns::{Resolver, Zone};
///
/// let zone = Zone::parse("example.com. 300 IN TXT \"v=spf1 \" \"-all\"\n").unwrap();
/// # tokio_test_block_on(async {
/// let txt = zone.txt("example.com").await.unwrap();
/// assert_eq!(txt.records[0].concat(), b"v=spf1 -all");
/// assert!(zone.txt("nowhere.example").await.unwrap_err().is_nxdomain());
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Zone {
    data: Arc<ZoneData>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct ZoneData {
    records: BTreeMap<String, Vec<ZoneRecord>>,
    timeouts: BTreeSet<String>,
    answers: Answers,
}

/// Every answer with records, made once when the zone is built: queries hand out
/// shared records (no copy, no search through the records).
#[derive(Clone, Default)]
struct Answers(HashMap<String, Vec<(RecordType, SharedLookup)>, BuildHasherDefault<NameHasher>>);

/// A fast hash for the names of [`Answers`] (the multiply-rotate hash of rustc's
/// `FxHasher`). Not resistant to flooding, which needs many colliding keys *stored*:
/// the keys are the zone's own names, fixed when it is built; queried names are
/// only looked up.
#[derive(Clone, Copy, Default)]
struct NameHasher(u64);

impl NameHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl Answers {
    fn of(data: &ZoneData) -> Self {
        const TYPES: [RecordType; 6] = [
            RecordType::A,
            RecordType::Aaaa,
            RecordType::Cname,
            RecordType::Mx,
            RecordType::Ptr,
            RecordType::Txt,
        ];
        let answers = data
            .records
            .keys()
            .map(|name| {
                let found = TYPES
                    .into_iter()
                    .filter_map(|rtype| Some((rtype, data.answer(name, rtype).ok()?.into())))
                    .collect();
                (name.clone(), found)
            })
            .collect();
        Self(answers)
    }

    fn get(&self, name: &str, rtype: RecordType) -> Option<&SharedLookup> {
        let found = self.0.get(name)?;
        found
            .iter()
            .find(|(t, _)| *t == rtype)
            .map(|(_, answer)| answer)
    }
}

impl PartialEq for Answers {
    /// Answers follow from the records, which [`ZoneData`] compares.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Answers {}

impl fmt::Debug for Answers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Answers")
            .field("names", &self.0.len())
            .finish_non_exhaustive()
    }
}

/// One record of a [`Zone`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZoneRecord {
    /// Seconds it may be cached for.
    pub ttl: u32,
    /// The record data.
    pub data: Rdata,
}

impl Zone {
    /// Parses zone-file text (see the [module docs](self) for the format).
    ///
    /// # Errors
    ///
    /// [`ZoneError`] with the 1-based line number and what is wrong on it.
    pub fn parse(text: &str) -> Result<Self, ZoneError> {
        let mut builder = ZoneBuilder::default();
        let mut last_owner: Option<String> = None;
        for (index, line) in text.lines().enumerate() {
            let at = |kind| ZoneError {
                line: index + 1,
                kind,
            };
            let tokens = tokenize(line).map_err(at)?;
            let Some(first) = tokens.first() else {
                continue;
            };
            let (owner, rest) = if line.starts_with([' ', '\t']) {
                let owner = last_owner
                    .clone()
                    .ok_or_else(|| at(ZoneErrorKind::MissingOwner))?;
                (owner, &tokens[..])
            } else {
                let owner = owner_name(first).map_err(at)?;
                (owner, &tokens[1..])
            };
            last_owner = Some(owner.clone());
            parse_record(&mut builder, owner, rest).map_err(at)?;
        }
        Ok(builder.build())
    }

    /// A builder for zones made in code.
    pub fn builder() -> ZoneBuilder {
        ZoneBuilder::default()
    }

    /// The records at `name` (lower case, no trailing dot).
    pub fn records(&self, name: &str) -> &[ZoneRecord] {
        self.data.records(name)
    }

    /// Whether `name` carries the `TIMEOUT` pseudo-record.
    pub fn is_timeout(&self, name: &str) -> bool {
        self.data.timeouts.contains(name)
    }

    /// The zone as zone-file text that [`Zone::parse`] reads back to an equal zone.
    pub fn to_zone_file(&self) -> String {
        let mut out = String::new();
        for (name, records) in &self.data.records {
            for record in records {
                let _ = writeln!(
                    out,
                    "{}. {} IN {} {}",
                    NameText(name),
                    record.ttl,
                    record.data.record_type(),
                    RdataText(&record.data)
                );
            }
        }
        for name in &self.data.timeouts {
            let _ = writeln!(out, "{}. TIMEOUT", NameText(name));
        }
        out
    }
}

impl ZoneData {
    fn records(&self, name: &str) -> &[ZoneRecord] {
        self.records.get(name).map_or(&[], Vec::as_slice)
    }

    fn answer(&self, name: &str, rtype: RecordType) -> Result<Lookup<Rdata>, DnsError> {
        let mut current = name;
        let mut ttl = u32::MAX;
        for _ in 0..=MAX_CNAME_CHAIN {
            let records = self.records(current);
            let mut data = Vec::with_capacity(records.len());
            for record in records.iter().filter(|r| r.data.record_type() == rtype) {
                ttl = ttl.min(record.ttl);
                data.push(record.data.clone());
            }
            if !data.is_empty() {
                return Lookup::new(data, ttl);
            }
            if let Some(ZoneRecord {
                ttl: cname_ttl,
                data: Rdata::Cname(target),
            }) = records
                .iter()
                .find(|r| r.data.record_type() == RecordType::Cname)
            {
                ttl = ttl.min(*cname_ttl);
                current = target;
                continue;
            }
            if self.timeouts.contains(current) {
                return Err(DnsError::Timeout);
            }
            let exists = !records.is_empty()
                || self.records.keys().any(|key| {
                    key.len() > current.len()
                        && key.ends_with(current)
                        && key.as_bytes()[key.len() - current.len() - 1] == b'.'
                });
            return Err(match exists {
                true => DnsError::NoData {
                    negative_ttl: DEFAULT_TTL,
                },
                false => DnsError::NxDomain {
                    negative_ttl: DEFAULT_TTL,
                },
            });
        }
        Err(DnsError::CnameChain)
    }
}

impl Resolver for Zone {
    fn query(
        &self,
        name: &str,
        rtype: RecordType,
    ) -> impl Future<Output = Result<Lookup<Rdata>, DnsError>> + Send {
        let answer = match self.data.answers.get(name, rtype) {
            Some(shared) => Ok(shared.to_lookup()),
            None => self.data.answer(name, rtype),
        };
        async move { answer }
    }

    fn query_shared(
        &self,
        name: &str,
        rtype: RecordType,
    ) -> impl Future<Output = Result<SharedLookup, DnsError>> + Send {
        let answer = match self.data.answers.get(name, rtype) {
            Some(shared) => Ok(shared.clone()),
            None => self.data.answer(name, rtype).map(SharedLookup::from),
        };
        async move { answer }
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_zone_file())
    }
}

/// Builds a [`Zone`] record by record.
#[derive(Debug, Default)]
pub struct ZoneBuilder {
    data: ZoneData,
}

impl ZoneBuilder {
    /// Adds a record at `name`.
    ///
    /// # Errors
    ///
    /// [`DnsError::InvalidName`] when `name` is not a valid domain name.
    pub fn record(&mut self, name: &str, ttl: u32, data: Rdata) -> Result<&mut Self, DnsError> {
        let name = normalize_name(name)?;
        self.data
            .records
            .entry(name)
            .or_default()
            .push(ZoneRecord { ttl, data });
        Ok(self)
    }

    /// Marks `name` with the `TIMEOUT` pseudo-record.
    ///
    /// # Errors
    ///
    /// [`DnsError::InvalidName`] when `name` is not a valid domain name.
    pub fn timeout(&mut self, name: &str) -> Result<&mut Self, DnsError> {
        self.data.timeouts.insert(normalize_name(name)?);
        Ok(self)
    }

    /// The finished zone.
    pub fn build(mut self) -> Zone {
        self.data.answers = Answers::of(&self.data);
        Zone {
            data: Arc::new(self.data),
        }
    }
}

/// A zone file could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("zone file line {line}: {kind}")]
pub struct ZoneError {
    /// The 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub kind: ZoneErrorKind,
}

/// What is wrong on a zone-file line.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ZoneErrorKind {
    /// The owner or a host in the rdata is not a valid domain name.
    #[error("invalid domain name")]
    InvalidName,
    /// A line starting with a blank, with no earlier owner to reuse.
    #[error("no owner name")]
    MissingOwner,
    /// The type is missing or not one of the subset.
    #[error("unknown or missing record type")]
    UnknownType,
    /// The rdata is missing or malformed for the type.
    #[error("malformed rdata")]
    BadRdata,
    /// More tokens than the type takes.
    #[error("unexpected data after the record")]
    TrailingData,
    /// A TTL or preference that is not a number in range.
    #[error("invalid number")]
    BadNumber,
    /// A quoted string without its closing quote.
    #[error("unterminated quoted string")]
    UnterminatedQuote,
    /// A backslash escape that is not `\X` or `\DDD` (at most 255).
    #[error("invalid escape")]
    BadEscape,
}

/// One token of a zone-file line: its bytes and whether it was quoted.
#[derive(Debug)]
struct Token {
    bytes: Vec<u8>,
    quoted: bool,
}

impl Token {
    fn text(&self) -> Option<&str> {
        match self.quoted {
            true => None,
            false => std::str::from_utf8(&self.bytes).ok(),
        }
    }
}

/// Splits a line into blank-separated tokens, honouring quotes, escapes and comments.
fn tokenize(line: &str) -> Result<Vec<Token>, ZoneErrorKind> {
    let bytes = line.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\r' => i += 1,
            b';' => break,
            b'"' => {
                i += 1;
                let mut out = Vec::new();
                loop {
                    match bytes.get(i) {
                        None => return Err(ZoneErrorKind::UnterminatedQuote),
                        Some(b'"') => {
                            i += 1;
                            break;
                        }
                        Some(b'\\') => i = unescape(bytes, i, &mut out)?,
                        Some(&b) => {
                            out.push(b);
                            i += 1;
                        }
                    }
                }
                tokens.push(Token {
                    bytes: out,
                    quoted: true,
                });
            }
            _ => {
                let mut out = Vec::new();
                while let Some(&b) = bytes.get(i) {
                    match b {
                        b' ' | b'\t' | b'\r' | b';' | b'"' => break,
                        b'\\' => i = unescape(bytes, i, &mut out)?,
                        _ => {
                            out.push(b);
                            i += 1;
                        }
                    }
                }
                tokens.push(Token {
                    bytes: out,
                    quoted: false,
                });
            }
        }
    }
    Ok(tokens)
}

/// Reads the escape at `bytes[i] == b'\\'` into `out`; returns the index after it.
fn unescape(bytes: &[u8], i: usize, out: &mut Vec<u8>) -> Result<usize, ZoneErrorKind> {
    let digits = bytes
        .get(i + 1..i + 4)
        .filter(|d| d.iter().all(u8::is_ascii_digit));
    if let Some(digits) = digits {
        let value = digits
            .iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
        out.push(u8::try_from(value).map_err(|_| ZoneErrorKind::BadEscape)?);
        return Ok(i + 4);
    }
    match bytes.get(i + 1) {
        Some(&b) if !b.is_ascii_digit() => {
            out.push(b);
            Ok(i + 2)
        }
        _ => Err(ZoneErrorKind::BadEscape),
    }
}

fn owner_name(token: &Token) -> Result<String, ZoneErrorKind> {
    let text = token.text().ok_or(ZoneErrorKind::InvalidName)?;
    normalize_name(text).map_err(|_| ZoneErrorKind::InvalidName)
}

/// A host in rdata: a domain name, or `.` (the root, only meaningful for a null MX).
fn host_name(token: &Token) -> Result<String, ZoneErrorKind> {
    match token.text() {
        Some(".") => Ok(String::new()),
        _ => owner_name(token),
    }
}

fn parse_record(
    builder: &mut ZoneBuilder,
    owner: String,
    tokens: &[Token],
) -> Result<(), ZoneErrorKind> {
    let mut ttl = None;
    let mut rest = tokens;
    let rtype = loop {
        let (first, tail) = rest.split_first().ok_or(ZoneErrorKind::UnknownType)?;
        let text = first.text().ok_or(ZoneErrorKind::UnknownType)?;
        rest = tail;
        if text.bytes().all(|b| b.is_ascii_digit()) && ttl.is_none() {
            ttl = Some(text.parse::<u32>().map_err(|_| ZoneErrorKind::BadNumber)?);
        } else if !text.eq_ignore_ascii_case("IN") {
            break text;
        }
    };
    let ttl = ttl.unwrap_or(DEFAULT_TTL);
    if rtype.eq_ignore_ascii_case("TIMEOUT") {
        if !rest.is_empty() {
            return Err(ZoneErrorKind::TrailingData);
        }
        builder.data.timeouts.insert(owner);
        return Ok(());
    }
    let rtype = RecordType::from_mnemonic(rtype).ok_or(ZoneErrorKind::UnknownType)?;
    let data = match rtype {
        RecordType::Txt => {
            if rest.is_empty() {
                return Err(ZoneErrorKind::BadRdata);
            }
            let strings = rest.iter().map(|t| t.bytes.as_slice());
            let txt = Txt::new(strings);
            rest = &[];
            Rdata::Txt(txt)
        }
        RecordType::Mx => {
            let [preference, host, tail @ ..] = rest else {
                return Err(ZoneErrorKind::BadRdata);
            };
            rest = tail;
            let preference = preference
                .text()
                .and_then(|p| p.parse().ok())
                .ok_or(ZoneErrorKind::BadNumber)?;
            Rdata::Mx(Mx {
                preference,
                exchange: host_name(host)?,
            })
        }
        _ => {
            let (value, tail) = rest.split_first().ok_or(ZoneErrorKind::BadRdata)?;
            rest = tail;
            let text = value.text().ok_or(ZoneErrorKind::BadRdata)?;
            match rtype {
                RecordType::A => Rdata::A(
                    text.parse::<Ipv4Addr>()
                        .map_err(|_| ZoneErrorKind::BadRdata)?,
                ),
                RecordType::Aaaa => Rdata::Aaaa(
                    text.parse::<Ipv6Addr>()
                        .map_err(|_| ZoneErrorKind::BadRdata)?,
                ),
                RecordType::Ptr => Rdata::Ptr(owner_name(value)?),
                _ => Rdata::Cname(owner_name(value)?),
            }
        }
    };
    if !rest.is_empty() {
        return Err(ZoneErrorKind::TrailingData);
    }
    builder
        .data
        .records
        .entry(owner)
        .or_default()
        .push(ZoneRecord { ttl, data });
    Ok(())
}

/// Writes a name with the bytes the tokenizer treats specially (`;`, `"`) escaped.
struct NameText<'a>(&'a str);

impl fmt::Display for NameText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            if c == ';' || c == '"' {
                f.write_char('\\')?;
            }
            f.write_char(c)?;
        }
        Ok(())
    }
}

/// Writes rdata in zone-file syntax.
struct RdataText<'a>(&'a Rdata);

impl fmt::Display for RdataText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Rdata::A(ip) => write!(f, "{ip}"),
            Rdata::Aaaa(ip) => write!(f, "{ip}"),
            Rdata::Cname(host) | Rdata::Ptr(host) => write!(f, "{}.", NameText(host)),
            Rdata::Mx(mx) => write!(f, "{} {}.", mx.preference, NameText(&mx.exchange)),
            Rdata::Txt(txt) => {
                for (i, string) in txt.strings().iter().enumerate() {
                    if i > 0 {
                        f.write_char(' ')?;
                    }
                    f.write_char('"')?;
                    for &b in string {
                        match b {
                            b'"' | b'\\' => write!(f, "\\{}", char::from(b))?,
                            0x20..=0x7e => f.write_char(char::from(b))?,
                            _ => write!(f, "\\{b:03}")?,
                        }
                    }
                    f.write_char('"')?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    const SAMPLE: &str = r#"; a comment line
example.com.  300 IN TXT "v=spf1 ip4:192.0.2.0/24 " "-all" ; trailing comment
example.com.  MX   10 mx1.example.com.
              MX   20 MX2.Example.COM.
mx1.example.com. IN 60 A 192.0.2.25
mx1.example.com. AAAA 2001:db8::25
4.3.2.1.in-addr.arpa. PTR mail.example.com.
www.example.com. CNAME example.com.
null.example. MX 0 .
esc.example. TXT "a\"b\\c\065" bare
slow.example.com. TIMEOUT
slow.example.com. A 192.0.2.9
_spf.deep.example.org. TXT "v=spf1 -all"
"#;

    #[test]
    fn parses_the_documented_subset() {
        let zone = Zone::parse(SAMPLE).unwrap();
        let txt = &zone.records("example.com")[0];
        assert_eq!(txt.ttl, 300);
        assert_eq!(
            txt.data,
            Rdata::Txt(Txt::new(["v=spf1 ip4:192.0.2.0/24 ", "-all"]))
        );
        assert_eq!(
            zone.records("example.com")[2].data,
            Rdata::Mx(Mx {
                preference: 20,
                exchange: "mx2.example.com".into()
            })
        );
        assert_eq!(zone.records("mx1.example.com")[0].ttl, 60);
        assert_eq!(zone.records("mx1.example.com")[1].ttl, DEFAULT_TTL);
        assert_eq!(
            zone.records("esc.example")[0].data,
            Rdata::Txt(Txt::new([&b"a\"b\\cA"[..], b"bare"]))
        );
        assert!(zone.is_timeout("slow.example.com"));
    }

    #[test]
    fn answers_follow_the_rules() {
        let zone = Zone::parse(SAMPLE).unwrap();
        block_on(async {
            let mx = zone.mx("example.com").await.unwrap();
            assert_eq!(mx.records.len(), 2);
            assert!(zone.mx("null.example").await.unwrap().records[0].is_null());
            // CNAME followed, TTL the smallest along the chain.
            let txt = zone.txt("WWW.example.com.").await.unwrap();
            assert_eq!(txt.records[0].concat(), b"v=spf1 ip4:192.0.2.0/24 -all");
            assert_eq!(
                zone.ptr("1.2.3.4".parse().unwrap()).await.unwrap().records,
                ["mail.example.com"]
            );
            // TIMEOUT only for types without records.
            assert_eq!(zone.txt("slow.example.com").await, Err(DnsError::Timeout));
            assert!(zone.a("slow.example.com").await.is_ok());
            // No data at an existing name and at an empty non-terminal.
            assert!(zone.a("example.com").await.unwrap_err().is_no_data());
            assert!(zone.txt("deep.example.org").await.unwrap_err().is_no_data());
            assert!(zone.txt("eep.example.org").await.unwrap_err().is_nxdomain());
            assert_eq!(zone.txt("bad..name").await, Err(DnsError::InvalidName));
        });
    }

    #[test]
    fn shared_answers_are_the_copied_answers() {
        let zone = Zone::parse(SAMPLE).unwrap();
        let types = [
            RecordType::A,
            RecordType::Aaaa,
            RecordType::Cname,
            RecordType::Mx,
            RecordType::Ptr,
            RecordType::Txt,
        ];
        let names = [
            "example.com",
            "www.example.com",
            "mx1.example.com",
            "4.3.2.1.in-addr.arpa",
            "slow.example.com",
            "deep.example.org",
            "nowhere.example",
        ];
        block_on(async {
            for name in names {
                for rtype in types {
                    let copied = zone.query(name, rtype).await;
                    let shared = zone.query_shared(name, rtype).await;
                    assert_eq!(shared.map(|s| s.to_lookup()), copied, "{name} {rtype}");
                }
            }
            // The same records every time, not copies.
            let one = zone.query_shared("www.example.com", RecordType::Txt).await;
            let two = zone.query_shared("www.example.com", RecordType::Txt).await;
            assert!(Arc::ptr_eq(&one.unwrap().records, &two.unwrap().records));
            // A zone made without the builder answers all the same.
            assert!(
                Zone::default()
                    .query_shared("example.com", RecordType::A)
                    .await
                    .unwrap_err()
                    .is_nxdomain()
            );
        });
    }

    #[test]
    fn special_characters_in_names_round_trip() {
        // Found by the zone_file fuzz target: an escaped ';' in a name.
        let zone = Zone::parse("_300\\;.spf1 PTR r\\\"7.\n").unwrap();
        assert_eq!(zone.records("_300;.spf1").len(), 1);
        assert_eq!(Zone::parse(&zone.to_zone_file()).unwrap(), zone);
    }

    #[test]
    fn cname_loops_stop() {
        let zone =
            Zone::parse("a.example. CNAME b.example.\nb.example. CNAME a.example.\n").unwrap();
        assert_eq!(block_on(zone.txt("a.example")), Err(DnsError::CnameChain));
    }

    #[test]
    fn rejects_bad_lines() {
        let cases: &[(&str, ZoneErrorKind)] = &[
            ("example.com. BOGUS x", ZoneErrorKind::UnknownType),
            ("example.com.", ZoneErrorKind::UnknownType),
            ("example.com. A 999.1.1.1", ZoneErrorKind::BadRdata),
            ("example.com. AAAA 192.0.2.1", ZoneErrorKind::BadRdata),
            ("example.com. MX ten mx.example.", ZoneErrorKind::BadNumber),
            ("example.com. MX 10", ZoneErrorKind::BadRdata),
            (
                "example.com. A 192.0.2.1 extra",
                ZoneErrorKind::TrailingData,
            ),
            ("example.com. TXT \"open", ZoneErrorKind::UnterminatedQuote),
            ("example.com. TXT \"\\999\"", ZoneErrorKind::BadEscape),
            ("example.com. TXT", ZoneErrorKind::BadRdata),
            ("example..com. A 192.0.2.1", ZoneErrorKind::InvalidName),
            ("  A 192.0.2.1", ZoneErrorKind::MissingOwner),
            ("x. 99999999999 A 192.0.2.1", ZoneErrorKind::BadNumber),
            ("x. TIMEOUT now", ZoneErrorKind::TrailingData),
        ];
        for (line, kind) in cases {
            assert_eq!(
                Zone::parse(&format!("; first\n{line}\n")),
                Err(ZoneError {
                    line: 2,
                    kind: *kind
                }),
                "{line}"
            );
        }
        // A quoted string over 255 bytes becomes several character-strings.
        let long = Zone::parse(&format!("x. TXT \"{}\"", "a".repeat(300))).unwrap();
        let Rdata::Txt(txt) = &long.records("x")[0].data else {
            panic!("not TXT")
        };
        assert_eq!(txt.strings().len(), 2);
        assert_eq!(txt.concat().len(), 300);
    }

    fn name() -> impl Strategy<Value = String> {
        proptest::collection::vec("[a-z0-9_][a-z0-9-]{0,10}", 1..4).prop_map(|l| l.join("."))
    }

    fn rdata() -> impl Strategy<Value = Rdata> {
        prop_oneof![
            any::<[u8; 4]>().prop_map(|b| Rdata::A(Ipv4Addr::from(b))),
            any::<[u8; 16]>().prop_map(|b| Rdata::Aaaa(Ipv6Addr::from(b))),
            name().prop_map(Rdata::Cname),
            name().prop_map(Rdata::Ptr),
            (any::<u16>(), prop_oneof![name(), Just(String::new())]).prop_map(
                |(preference, exchange)| Rdata::Mx(Mx {
                    preference,
                    exchange
                })
            ),
            proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 1..4)
                .prop_map(|s| Rdata::Txt(Txt::new(s))),
        ]
    }

    proptest! {
        #[test]
        fn encode_then_parse_round_trips(
            records in proptest::collection::vec((name(), any::<u32>(), rdata()), 0..8),
            timeouts in proptest::collection::vec(name(), 0..3),
        ) {
            let mut builder = Zone::builder();
            for (name, ttl, data) in records {
                builder.record(&name, ttl, data).unwrap();
            }
            for name in timeouts {
                builder.timeout(&name).unwrap();
            }
            let zone = builder.build();
            prop_assert_eq!(Zone::parse(&zone.to_zone_file()).unwrap(), zone);
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
            if let Ok(zone) = Zone::parse(&text) {
                prop_assert_eq!(Zone::parse(&zone.to_zone_file()).unwrap(), zone);
            }
        }

        #[test]
        fn unicode_text_and_names(
            owner in name(),
            strings in proptest::collection::vec(prop_oneof![
                Just("日本語の件名テスト #2".to_owned()),
                Just("v=spf1 include:bücher.test -all".to_owned()),
                Just("Привет \\\" \\\\ ;".to_owned()),
                "\\PC{0,20}",
            ], 1..4),
            u_label in "(bücher|日本語|привет|é)\\.[a-z]{1,5}\\.?",
            pieces in proptest::collection::vec(prop_oneof![
                Just(" ".to_owned()), Just("\"".to_owned()), Just("\\".to_owned()),
                Just(";".to_owned()), Just("\n".to_owned()), Just("TXT".to_owned()),
                Just("MX 10".to_owned()), Just("A 192.0.2.1".to_owned()),
                Just("é.example.".to_owned()), Just("\\195\\169".to_owned()), "\\PC{1,6}",
            ], 0..20),
        ) {
            // TXT strings in UTF-8 (written with escapes where the syntax needs them)
            // are kept byte for byte.
            let quoted: Vec<String> = strings
                .iter()
                .map(|s| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")))
                .collect();
            let zone = Zone::parse(&format!("{owner}. TXT {}\n", quoted.join(" "))).unwrap();
            let Rdata::Txt(txt) = &zone.records(&owner)[0].data else {
                panic!("not TXT");
            };
            prop_assert_eq!(txt.concat(), strings.concat().into_bytes());
            prop_assert_eq!(Zone::parse(&zone.to_zone_file()).unwrap(), zone);
            // U-labels are not names (IDNs must be A-labels), as owner or as host.
            for line in [
                format!("{u_label} A 192.0.2.1"),
                format!("{owner}. MX 10 {u_label}"),
                format!("{owner}. CNAME {u_label}"),
            ] {
                prop_assert_eq!(
                    Zone::parse(&line).map_err(|e| e.kind),
                    Err(ZoneErrorKind::InvalidName)
                );
            }
            // Anything else: an error or a zone that prints back to itself.
            if let Ok(zone) = Zone::parse(&pieces.concat()) {
                prop_assert_eq!(Zone::parse(&zone.to_zone_file()).unwrap(), zone);
            }
        }
    }
}
