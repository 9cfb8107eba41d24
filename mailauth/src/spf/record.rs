//! The SPF record as data (RFC 7208 §4.6, §12), and its canonical text.
//!
//! [`SpfRecord::parse`](crate::spf::SpfRecord::parse) reads it (see [`parse`](super::parse));
//! `Display` writes it back, so that parsing the output gives an equal value.

use std::fmt::{self, Write as _};
use std::net::{Ipv4Addr, Ipv6Addr};

/// A parsed SPF record.
///
/// ```text
/// record = version terms *SP
/// version = "v=spf1"
/// terms = *( 1*SP ( directive / modifier ) )
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpfRecord {
    /// The directives in record order.
    pub directives: Vec<Directive>,
    /// The `redirect=` modifier.
    pub redirect: Option<MacroString>,
    /// The `exp=` modifier.
    pub exp: Option<MacroString>,
    /// Modifiers this implementation does not know, kept for the round trip; they are
    /// ignored during evaluation (RFC 7208 §6).
    pub unknown_modifiers: Vec<(String, MacroString)>,
}

impl SpfRecord {
    /// A record with these directives and no modifiers.
    pub fn new(directives: Vec<Directive>) -> Self {
        Self {
            directives,
            redirect: None,
            exp: None,
            unknown_modifiers: Vec::new(),
        }
    }

    /// Whether an `all` mechanism appears (then `redirect=` is ignored, RFC 7208 §6.1).
    pub fn has_all(&self) -> bool {
        self.directives
            .iter()
            .any(|d| matches!(d.mechanism, Mechanism::All))
    }
}

/// A qualifier and a mechanism.
///
/// ```text
/// directive = [ qualifier ] mechanism
/// qualifier = "+" / "-" / "?" / "~"
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// The result when the mechanism matches.
    pub qualifier: Qualifier,
    /// The test.
    pub mechanism: Mechanism,
}

/// What a matching directive yields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Qualifier {
    /// `+` (the default): pass.
    Pass,
    /// `-`: fail.
    Fail,
    /// `~`: softfail.
    SoftFail,
    /// `?`: neutral.
    Neutral,
}

impl Qualifier {
    /// The qualifier character.
    pub fn as_char(self) -> char {
        match self {
            Self::Pass => '+',
            Self::Fail => '-',
            Self::SoftFail => '~',
            Self::Neutral => '?',
        }
    }
}

/// An SPF mechanism (RFC 7208 §5).
///
/// ```text
/// mechanism = ( all / include / a / mx / ptr / ip4 / ip6 / exists )
/// a         = "a" [ ":" domain-spec ] [ dual-cidr-length ]
/// ip4       = "ip4" ":" ip4-network [ ip4-cidr-length ]
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mechanism {
    /// `all`: always matches.
    All,
    /// `include:domain`: matches when the included domain's policy passes.
    Include(MacroString),
    /// `a[:domain][/v4][//v6]`: the client is one of the domain's addresses.
    A {
        /// The domain (the current domain when absent).
        domain: Option<MacroString>,
        /// Prefix length for IPv4 (0-32).
        cidr4: u8,
        /// Prefix length for IPv6 (0-128).
        cidr6: u8,
    },
    /// `mx[:domain][/v4][//v6]`: the client is one of the domain's mail exchangers.
    Mx {
        /// The domain (the current domain when absent).
        domain: Option<MacroString>,
        /// Prefix length for IPv4 (0-32).
        cidr4: u8,
        /// Prefix length for IPv6 (0-128).
        cidr6: u8,
    },
    /// `ptr[:domain]`: the client's validated reverse name is in the domain.
    Ptr(Option<MacroString>),
    /// `ip4:network[/len]`.
    Ip4 {
        /// The network address.
        addr: Ipv4Addr,
        /// Prefix length (0-32).
        prefix: u8,
    },
    /// `ip6:network[/len]`.
    Ip6 {
        /// The network address.
        addr: Ipv6Addr,
        /// Prefix length (0-128).
        prefix: u8,
    },
    /// `exists:domain`: the expanded name has an A record.
    Exists(MacroString),
}

impl Mechanism {
    /// Whether evaluating this mechanism queries DNS (and so counts toward the limit of
    /// 10, RFC 7208 §4.6.4).
    pub fn queries_dns(&self) -> bool {
        matches!(
            self,
            Self::Include(_) | Self::A { .. } | Self::Mx { .. } | Self::Ptr(_) | Self::Exists(_)
        )
    }
}

/// A macro-string: literal text with macros expanded at evaluation (RFC 7208 §7).
///
/// ```text
/// macro-string  = *( macro-expand / macro-literal )
/// macro-expand  = ( "%{" macro-letter transformers *delimiter "}" ) / "%%" / "%_" / "%-"
/// macro-literal = %x21-24 / %x26-7E
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct MacroString {
    /// The parts in order.
    pub parts: Vec<MacroPart>,
}

/// One part of a [`MacroString`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MacroPart {
    /// Literal text (never contains `%`).
    Literal(String),
    /// `%{...}`.
    Macro(Macro),
    /// `%%`: a percent sign.
    Percent,
    /// `%_`: a space.
    Space,
    /// `%-`: `%20`, a URL-encoded space.
    UrlSpace,
}

/// A macro expansion `%{letter digits r delimiters}`.
///
/// ```text
/// macro-letter = "s" / "l" / "o" / "d" / "i" / "p" / "h" / "c" / "r" / "t" / "v"
/// transformers = *DIGIT [ "r" ]
/// delimiter    = "." / "-" / "+" / "," / "/" / "_" / "="
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Macro {
    /// Which value.
    pub letter: MacroLetter,
    /// Upper-case letter: URL-escape the result.
    pub url_escape: bool,
    /// Keep this many right-hand parts (never 0).
    pub keep: Option<u8>,
    /// Reverse the parts first.
    pub reverse: bool,
    /// The delimiters to split on (`.` when empty), in the order written.
    pub delimiters: String,
}

/// The value a macro stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MacroLetter {
    /// `s`: the sender (`local@domain`).
    Sender,
    /// `l`: the sender's local-part.
    Local,
    /// `o`: the sender's domain.
    SenderDomain,
    /// `d`: the current domain.
    Domain,
    /// `i`: the client IP (dotted IPv4, or 32 dotted nibbles for IPv6).
    Ip,
    /// `p`: the client's validated reverse name.
    ValidatedName,
    /// `v`: `in-addr` or `ip6`.
    IpVersion,
    /// `h`: the HELO/EHLO domain.
    Helo,
    /// `c`: the client IP in readable form (explanations only).
    ClientIp,
    /// `r`: the checking host's name (explanations only).
    Receiver,
    /// `t`: the current time in seconds since the epoch (explanations only).
    Timestamp,
}

impl MacroLetter {
    /// The lower-case letter.
    pub fn as_char(self) -> char {
        match self {
            Self::Sender => 's',
            Self::Local => 'l',
            Self::SenderDomain => 'o',
            Self::Domain => 'd',
            Self::Ip => 'i',
            Self::ValidatedName => 'p',
            Self::IpVersion => 'v',
            Self::Helo => 'h',
            Self::ClientIp => 'c',
            Self::Receiver => 'r',
            Self::Timestamp => 't',
        }
    }

    /// The letter for a character (either case).
    pub fn from_char(c: char) -> Option<Self> {
        Some(match c.to_ascii_lowercase() {
            's' => Self::Sender,
            'l' => Self::Local,
            'o' => Self::SenderDomain,
            'd' => Self::Domain,
            'i' => Self::Ip,
            'p' => Self::ValidatedName,
            'v' => Self::IpVersion,
            'h' => Self::Helo,
            'c' => Self::ClientIp,
            'r' => Self::Receiver,
            't' => Self::Timestamp,
            _ => return None,
        })
    }

    /// Whether the letter may only appear in explanation text (`c`, `r`, `t`).
    pub fn is_exp_only(self) -> bool {
        matches!(self, Self::ClientIp | Self::Receiver | Self::Timestamp)
    }
}

impl fmt::Display for SpfRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("v=spf1")?;
        for directive in &self.directives {
            write!(f, " {directive}")?;
        }
        if let Some(redirect) = &self.redirect {
            write!(f, " redirect={redirect}")?;
        }
        if let Some(exp) = &self.exp {
            write!(f, " exp={exp}")?;
        }
        for (name, value) in &self.unknown_modifiers {
            write!(f, " {name}={value}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Directive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.qualifier != Qualifier::Pass {
            f.write_char(self.qualifier.as_char())?;
        }
        write!(f, "{}", self.mechanism)
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let domain_and_cidr = |f: &mut fmt::Formatter<'_>,
                               name: &str,
                               domain: &Option<MacroString>,
                               cidr4: u8,
                               cidr6: u8| {
            f.write_str(name)?;
            if let Some(domain) = domain {
                write!(f, ":{domain}")?;
            }
            if cidr4 != 32 {
                write!(f, "/{cidr4}")?;
            }
            if cidr6 != 128 {
                write!(f, "//{cidr6}")?;
            }
            Ok(())
        };
        match self {
            Self::All => f.write_str("all"),
            Self::Include(domain) => write!(f, "include:{domain}"),
            Self::A {
                domain,
                cidr4,
                cidr6,
            } => domain_and_cidr(f, "a", domain, *cidr4, *cidr6),
            Self::Mx {
                domain,
                cidr4,
                cidr6,
            } => domain_and_cidr(f, "mx", domain, *cidr4, *cidr6),
            Self::Ptr(None) => f.write_str("ptr"),
            Self::Ptr(Some(domain)) => write!(f, "ptr:{domain}"),
            Self::Ip4 { addr, prefix } => match prefix {
                32 => write!(f, "ip4:{addr}"),
                _ => write!(f, "ip4:{addr}/{prefix}"),
            },
            Self::Ip6 { addr, prefix } => match prefix {
                128 => write!(f, "ip6:{addr}"),
                _ => write!(f, "ip6:{addr}/{prefix}"),
            },
            Self::Exists(domain) => write!(f, "exists:{domain}"),
        }
    }
}

impl fmt::Display for MacroString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in &self.parts {
            match part {
                MacroPart::Literal(text) => f.write_str(text)?,
                MacroPart::Percent => f.write_str("%%")?,
                MacroPart::Space => f.write_str("%_")?,
                MacroPart::UrlSpace => f.write_str("%-")?,
                MacroPart::Macro(m) => {
                    let letter = m.letter.as_char();
                    let letter = match m.url_escape {
                        true => letter.to_ascii_uppercase(),
                        false => letter,
                    };
                    write!(f, "%{{{letter}")?;
                    if let Some(keep) = m.keep {
                        write!(f, "{keep}")?;
                    }
                    if m.reverse {
                        f.write_char('r')?;
                    }
                    write!(f, "{}}}", m.delimiters)?;
                }
            }
        }
        Ok(())
    }
}
