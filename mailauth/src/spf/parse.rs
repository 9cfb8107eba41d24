//! The SPF record parser (RFC 7208 §4.5, §4.6, §12).
//!
//! One function per ABNF rule. Any syntax error makes the record unusable, which
//! evaluation reports as `permerror` (RFC 7208 §4.6).

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::spf::record::{
    Directive, Macro, MacroLetter, MacroPart, MacroString, Mechanism, Qualifier, SpfRecord,
};

/// Why an SPF record (or an explanation string) does not parse.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SpfParseError {
    /// The text does not start with `v=spf1` followed by a space or the end.
    #[error("not an SPF record (no v=spf1)")]
    NotSpf,
    /// A byte outside printable ASCII and space.
    #[error("invalid character in record")]
    InvalidCharacter,
    /// A term that is neither a known mechanism nor a modifier.
    #[error("unknown mechanism or malformed term")]
    UnknownTerm,
    /// A domain-spec that is empty or does not end in a valid top label or a macro.
    #[error("invalid domain-spec")]
    InvalidDomainSpec,
    /// A malformed macro (`%` not followed by `{`, `%`, `_` or `-`; bad letter,
    /// transformer or delimiter).
    #[error("invalid macro")]
    InvalidMacro,
    /// `c`, `r` or `t` outside explanation text.
    #[error("macro letter allowed only in explanations")]
    ExpOnlyMacro,
    /// A CIDR length out of range or written with a leading zero.
    #[error("invalid cidr length")]
    InvalidCidr,
    /// An `ip4:`/`ip6:` network that is not an address of that family.
    #[error("invalid ip network")]
    InvalidIp,
    /// `redirect=` or `exp=` given twice.
    #[error("duplicate redirect or exp modifier")]
    DuplicateModifier,
}

impl SpfRecord {
    /// Parses an SPF record.
    ///
    /// ```
    /// use mailwright_auth::spf::{Mechanism, SpfRecord};
    ///
    /// let record = SpfRecord::parse("v=spf1 ip4:192.0.2.0/24 include:_spf.example.net -all").unwrap();
    /// assert_eq!(record.directives.len(), 3);
    /// assert!(matches!(record.directives[0].mechanism, Mechanism::Ip4 { prefix: 24, .. }));
    /// assert_eq!(record.to_string(), "v=spf1 ip4:192.0.2.0/24 include:_spf.example.net -all");
    /// ```
    ///
    /// # Errors
    ///
    /// [`SpfParseError`] saying which rule failed.
    pub fn parse(text: &str) -> Result<Self, SpfParseError> {
        record(text)
    }
}

/// Whether a TXT record's text is an SPF version 1 record (RFC 7208 §4.5): it starts
/// with `v=spf1` (any case) followed by a space or the end.
pub fn is_spf_record(text: &[u8]) -> bool {
    text.len() >= 6
        && text[..6].eq_ignore_ascii_case(b"v=spf1")
        && text.get(6).is_none_or(|&b| b == b' ')
}

/// ```text
/// record = version terms *SP
/// terms  = *( 1*SP ( directive / modifier ) )
/// ```
pub(crate) fn record(text: &str) -> Result<SpfRecord, SpfParseError> {
    if !is_spf_record(text.as_bytes()) {
        return Err(SpfParseError::NotSpf);
    }
    if !text.bytes().all(|b| b == b' ' || b.is_ascii_graphic()) {
        return Err(SpfParseError::InvalidCharacter);
    }
    let mut record = SpfRecord::new(Vec::new());
    for term in text[6..].split(' ').filter(|t| !t.is_empty()) {
        if let Some((name, value)) = modifier_parts(term) {
            let value_spec = || domain_spec(value);
            if name.eq_ignore_ascii_case("redirect") {
                if record.redirect.is_some() {
                    return Err(SpfParseError::DuplicateModifier);
                }
                record.redirect = Some(value_spec()?);
            } else if name.eq_ignore_ascii_case("exp") {
                if record.exp.is_some() {
                    return Err(SpfParseError::DuplicateModifier);
                }
                record.exp = Some(value_spec()?);
            } else {
                let value = macro_string(value, MacroContext::Unknown)?;
                record.unknown_modifiers.push((name.to_owned(), value));
            }
        } else {
            record.directives.push(directive(term)?);
        }
    }
    Ok(record)
}

/// ```text
/// modifier = name "=" macro-string
/// name     = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
/// ```
fn modifier_parts(term: &str) -> Option<(&str, &str)> {
    let end = term
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(term.len());
    let name = &term[..end];
    let value = term[end..].strip_prefix('=')?;
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        .then_some((name, value))
}

/// ```text
/// directive = [ qualifier ] mechanism
/// ```
fn directive(term: &str) -> Result<Directive, SpfParseError> {
    let (qualifier, rest) = match term.as_bytes().first() {
        Some(b'+') => (Qualifier::Pass, &term[1..]),
        Some(b'-') => (Qualifier::Fail, &term[1..]),
        Some(b'~') => (Qualifier::SoftFail, &term[1..]),
        Some(b'?') => (Qualifier::Neutral, &term[1..]),
        _ => (Qualifier::Pass, term),
    };
    Ok(Directive {
        qualifier,
        mechanism: mechanism(rest)?,
    })
}

/// ```text
/// mechanism = ( all / include / a / mx / ptr / ip4 / ip6 / exists )
/// ```
fn mechanism(text: &str) -> Result<Mechanism, SpfParseError> {
    let end = text
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(text.len());
    let (name, rest) = text.split_at(end);
    let name = name.to_ascii_lowercase();
    match name.as_str() {
        "all" if rest.is_empty() => Ok(Mechanism::All),
        "include" => Ok(Mechanism::Include(domain_spec(required(rest)?)?)),
        "exists" => Ok(Mechanism::Exists(domain_spec(required(rest)?)?)),
        "ptr" => match rest {
            "" => Ok(Mechanism::Ptr(None)),
            _ => Ok(Mechanism::Ptr(Some(domain_spec(required(rest)?)?))),
        },
        "a" | "mx" => {
            let (domain, cidr4, cidr6) = domain_and_dual_cidr(rest)?;
            Ok(match name.as_str() {
                "a" => Mechanism::A {
                    domain,
                    cidr4,
                    cidr6,
                },
                _ => Mechanism::Mx {
                    domain,
                    cidr4,
                    cidr6,
                },
            })
        }
        "ip4" => {
            let (addr, prefix) = split_cidr(required(rest)?);
            let addr: Ipv4Addr = addr.parse().map_err(|_| SpfParseError::InvalidIp)?;
            let prefix = prefix.map_or(Ok(32), |p| cidr_length(p, 32))?;
            Ok(Mechanism::Ip4 { addr, prefix })
        }
        "ip6" => {
            let (addr, prefix) = split_cidr(required(rest)?);
            let addr: Ipv6Addr = addr.parse().map_err(|_| SpfParseError::InvalidIp)?;
            let prefix = prefix.map_or(Ok(128), |p| cidr_length(p, 128))?;
            Ok(Mechanism::Ip6 { addr, prefix })
        }
        _ => Err(SpfParseError::UnknownTerm),
    }
}

/// The `":" value` a mechanism requires.
fn required(rest: &str) -> Result<&str, SpfParseError> {
    rest.strip_prefix(':').ok_or(SpfParseError::UnknownTerm)
}

fn split_cidr(text: &str) -> (&str, Option<&str>) {
    match text.split_once('/') {
        Some((addr, prefix)) => (addr, Some(prefix)),
        None => (text, None),
    }
}

/// ```text
/// [ ":" domain-spec ] dual-cidr-length
/// dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ]
/// ```
fn domain_and_dual_cidr(text: &str) -> Result<(Option<MacroString>, u8, u8), SpfParseError> {
    let mut rest = text;
    let mut cidr6 = 128;
    let mut cidr4 = 32;
    if let Some((head, digits)) = trailing_number(rest, "//") {
        cidr6 = cidr_length(digits, 128)?;
        rest = head;
    }
    if let Some((head, digits)) = trailing_number(rest, "/") {
        cidr4 = cidr_length(digits, 32)?;
        rest = head;
    }
    let domain = match rest {
        "" => None,
        _ => Some(domain_spec(
            rest.strip_prefix(':').ok_or(SpfParseError::UnknownTerm)?,
        )?),
    };
    Ok((domain, cidr4, cidr6))
}

/// Splits `text` into what is before a final `sep DIGITS` and the digits.
fn trailing_number<'a>(text: &'a str, sep: &str) -> Option<(&'a str, &'a str)> {
    let digits_start = text.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits_start == text.len() {
        return None;
    }
    let head = text[..digits_start].strip_suffix(sep)?;
    if sep == "/" && head.ends_with('/') {
        return None;
    }
    Some((head, &text[digits_start..]))
}

/// ```text
/// ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT) ; value range 0-32
/// ip6-cidr-length = "/" ("0" / %x31-39 0*2DIGIT) ; value range 0-128
/// ```
fn cidr_length(digits: &str, max: u8) -> Result<u8, SpfParseError> {
    let ok = !digits.is_empty()
        && digits.len() <= 3
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    match digits.parse::<u8>() {
        Ok(value) if ok && value <= max => Ok(value),
        _ => Err(SpfParseError::InvalidCidr),
    }
}

/// ```text
/// domain-spec = macro-string domain-end
/// domain-end  = ( "." toplabel [ "." ] ) / macro-expand
/// ```
pub(crate) fn domain_spec(text: &str) -> Result<MacroString, SpfParseError> {
    let spec = macro_string(text, MacroContext::DomainSpec)?;
    // A macro followed only by the root dot ("%{d}.") ends the name too: the trailing
    // dot of a fully qualified name is ignored (RFC 7208 §7.3).
    let end = match spec.parts.as_slice() {
        [.., MacroPart::Macro(_), MacroPart::Literal(dot)] if dot == "." => spec.parts.len() - 2,
        _ => spec.parts.len().saturating_sub(1),
    };
    match spec.parts.get(end) {
        None => Err(SpfParseError::InvalidDomainSpec),
        Some(MacroPart::Literal(literal)) => {
            let literal = literal.strip_suffix('.').unwrap_or(literal);
            match literal.rsplit_once('.') {
                Some((_, top)) if toplabel(top) => Ok(spec),
                _ => Err(SpfParseError::InvalidDomainSpec),
            }
        }
        Some(_) => Ok(spec),
    }
}

/// ```text
/// toplabel = ( *alphanum ALPHA *alphanum ) /
///            ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
/// ```
fn toplabel(label: &str) -> bool {
    let bytes = label.as_bytes();
    let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    if !bytes
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
    {
        return false;
    }
    match bytes.contains(&b'-') {
        true => first.is_ascii_alphanumeric() && last.is_ascii_alphanumeric(),
        false => bytes.iter().any(u8::is_ascii_alphabetic),
    }
}

/// Where a macro-string appears: the letters allowed differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MacroContext {
    /// A domain-spec: no `c`, `r`, `t`; no spaces.
    DomainSpec,
    /// An unknown modifier's value: any letter, no spaces.
    Unknown,
    /// Explanation text (RFC 7208 §6.2 `explain-string`): any letter, spaces allowed.
    Explanation,
}

/// ```text
/// macro-string = *( macro-expand / macro-literal )
/// macro-expand = ( "%{" macro-letter transformers *delimiter "}" ) / "%%" / "%_" / "%-"
/// ```
pub(crate) fn macro_string(
    text: &str,
    context: MacroContext,
) -> Result<MacroString, SpfParseError> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c != '%' {
            let allowed =
                c.is_ascii_graphic() || (c == ' ' && context == MacroContext::Explanation);
            if !allowed {
                return Err(SpfParseError::InvalidCharacter);
            }
            literal.push(c);
            rest = &rest[1..];
            continue;
        }
        let part = match rest.as_bytes().get(1) {
            Some(b'%') => MacroPart::Percent,
            Some(b'_') => MacroPart::Space,
            Some(b'-') => MacroPart::UrlSpace,
            Some(b'{') => {
                let end = rest.find('}').ok_or(SpfParseError::InvalidMacro)?;
                let m = macro_expand(&rest[2..end])?;
                if m.letter.is_exp_only() && context == MacroContext::DomainSpec {
                    return Err(SpfParseError::ExpOnlyMacro);
                }
                rest = &rest[end + 1..];
                if !literal.is_empty() {
                    parts.push(MacroPart::Literal(std::mem::take(&mut literal)));
                }
                parts.push(MacroPart::Macro(m));
                continue;
            }
            _ => return Err(SpfParseError::InvalidMacro),
        };
        rest = &rest[2..];
        if !literal.is_empty() {
            parts.push(MacroPart::Literal(std::mem::take(&mut literal)));
        }
        parts.push(part);
    }
    if !literal.is_empty() {
        parts.push(MacroPart::Literal(literal));
    }
    Ok(MacroString { parts })
}

/// The inside of `%{...}`: `macro-letter transformers *delimiter`.
fn macro_expand(inner: &str) -> Result<Macro, SpfParseError> {
    let mut chars = inner.chars();
    let letter_char = chars.next().ok_or(SpfParseError::InvalidMacro)?;
    let letter = MacroLetter::from_char(letter_char).ok_or(SpfParseError::InvalidMacro)?;
    let rest = chars.as_str();
    let digits_end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let keep = match &rest[..digits_end] {
        "" => None,
        digits => {
            let trimmed = digits.trim_start_matches('0');
            if trimmed.is_empty() {
                return Err(SpfParseError::InvalidMacro);
            }
            Some(trimmed.parse::<u8>().unwrap_or(u8::MAX))
        }
    };
    let mut rest = &rest[digits_end..];
    let reverse = rest.starts_with(['r', 'R']);
    if reverse {
        rest = &rest[1..];
    }
    if !rest
        .chars()
        .all(|c| matches!(c, '.' | '-' | '+' | ',' | '/' | '_' | '='))
    {
        return Err(SpfParseError::InvalidMacro);
    }
    Ok(Macro {
        letter,
        url_escape: letter_char.is_ascii_uppercase(),
        keep,
        reverse,
        delimiters: rest.to_owned(),
    })
}

#[cfg(test)]
mod tests;
