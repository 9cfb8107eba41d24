//! `arbitrary::Arbitrary` for the protocol types (feature `arbitrary`), for fuzzers.
//!
//! Every value built here is valid: the impls draw from the ABNF character classes
//! and go through the checked constructors, so a fuzzer that encodes them exercises
//! "a valid value always encodes to bytes that parse back to it".

use std::net::IpAddr;

use arbitrary::{Arbitrary, Result, Unstructured};

use crate::command::{Command, MailParameters, RcptParameters};
use crate::reply::Reply;
use crate::types::{
    AddressLiteral, Argument, BodyType, Domain, EnhancedStatusCode, ForwardPath, Host, LocalPart,
    Mailbox, Mechanism, Notify, Orcpt, ReplyCode, Ret, ReversePath, SaslResponse, Text, XText,
};

/// A string of 1..=max characters drawn from `alphabet`.
fn word(u: &mut Unstructured<'_>, alphabet: &[u8], max: usize) -> Result<String> {
    let len = u.int_in_range(1..=max)?;
    (0..len)
        .map(|_| u.choose(alphabet).map(|&b| char::from(b)))
        .collect()
}

const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const ATEXT: &[u8] = b"abcxyzABCXYZ0129!#$%&'*+-/=?^_`{|}~";
const PRINTABLE: &[u8] = b"abcXYZ019 !\"#%&'()*+,-./:;<=>?@[\\]^_`{|}~";

impl<'a> Arbitrary<'a> for Domain<'static> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let labels = u.int_in_range(1..=4)?;
        let mut name = String::new();
        for i in 0..labels {
            if i > 0 {
                name.push('.');
            }
            if u.ratio(1, 10)? {
                name.push_str("bücher");
            } else {
                name.push_str(&word(u, LETTERS, 12)?);
            }
        }
        Domain::try_from(name).map_err(|_| arbitrary::Error::IncorrectFormat)
    }
}

impl<'a> Arbitrary<'a> for AddressLiteral<'static> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Self::from(IpAddr::arbitrary(u)?))
    }
}

impl<'a> Arbitrary<'a> for Host<'static> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(if u.ratio(1, 5)? {
            Host::Literal(AddressLiteral::arbitrary(u)?)
        } else {
            Host::Domain(Domain::arbitrary(u)?)
        })
    }
}

impl<'a> Arbitrary<'a> for LocalPart<'static> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let text = if u.ratio(1, 4)? {
            let content = word(u, PRINTABLE, 16)?;
            LocalPart::from_content(&content)
                .map_err(|_| arbitrary::Error::IncorrectFormat)?
                .into_owned()
                .into_inner()
                .into_owned()
        } else {
            word(u, ATEXT, 16)?
        };
        LocalPart::try_from(text).map_err(|_| arbitrary::Error::IncorrectFormat)
    }
}

impl<'a> Arbitrary<'a> for Mailbox<'static> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Mailbox::new(LocalPart::arbitrary(u)?, Host::arbitrary(u)?))
    }
}

impl<'a> Arbitrary<'a> for ReversePath<'static> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(if u.ratio(1, 8)? {
            ReversePath::Null
        } else {
            ReversePath::Mailbox(Mailbox::arbitrary(u)?)
        })
    }
}

impl<'a> Arbitrary<'a> for ForwardPath<'static> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(if u.ratio(1, 8)? {
            ForwardPath::Postmaster
        } else {
            ForwardPath::Mailbox(Mailbox::arbitrary(u)?)
        })
    }
}

impl<'a> Arbitrary<'a> for XText<'static> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut bytes = Vec::<u8>::arbitrary(u)?;
        bytes.truncate(32);
        if bytes.is_empty() {
            bytes.push(b'x');
        }
        XText::encode(&bytes).map_err(|_| arbitrary::Error::IncorrectFormat)
    }
}

impl<'a> Arbitrary<'a> for MailParameters<'static> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut params = MailParameters::default();
        params.size = Option::<u64>::arbitrary(u)?;
        params.body = *u.choose(&[
            None,
            Some(BodyType::SevenBit),
            Some(BodyType::EightBitMime),
            Some(BodyType::BinaryMime),
        ])?;
        params.smtputf8 = bool::arbitrary(u)?;
        params.ret = *u.choose(&[None, Some(Ret::Full), Some(Ret::Headers)])?;
        params.envid = Option::<XText<'static>>::arbitrary(u)?;
        params.auth = Option::<XText<'static>>::arbitrary(u)?;
        Ok(params)
    }
}

impl<'a> Arbitrary<'a> for RcptParameters<'static> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut params = RcptParameters::default();
        params.notify = if bool::arbitrary(u)? {
            let (s, f, d) = <(bool, bool, bool)>::arbitrary(u)?;
            Some(Notify::on(s, f, d).unwrap_or(Notify::NEVER))
        } else {
            None
        };
        if bool::arbitrary(u)? {
            params.orcpt = Some(Orcpt::rfc822(&Mailbox::arbitrary(u)?.to_string()));
        }
        Ok(params)
    }
}

impl<'a> Arbitrary<'a> for Argument<'static> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let text = word(u, PRINTABLE, 20)?;
        Argument::try_from(text.trim().to_owned()).map_err(|_| arbitrary::Error::IncorrectFormat)
    }
}

impl<'a> Arbitrary<'a> for Command<'static> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(match u.int_in_range(0..=14)? {
            0 => Command::Ehlo(Host::arbitrary(u)?),
            1 => Command::Helo(Host::arbitrary(u)?),
            2 => Command::Lhlo(Host::arbitrary(u)?),
            3 => Command::Mail {
                from: ReversePath::arbitrary(u)?,
                params: MailParameters::arbitrary(u)?,
            },
            4 => Command::Rcpt {
                to: ForwardPath::arbitrary(u)?,
                params: RcptParameters::arbitrary(u)?,
            },
            5 => Command::Data,
            6 => Command::Bdat {
                size: u64::arbitrary(u)?,
                last: bool::arbitrary(u)?,
            },
            7 => Command::Rset,
            8 => Command::Noop(Option::<Argument<'static>>::arbitrary(u)?),
            9 => Command::Quit,
            10 => Command::Vrfy(Argument::arbitrary(u)?),
            11 => Command::Expn(Argument::arbitrary(u)?),
            12 => Command::Help(Option::<Argument<'static>>::arbitrary(u)?),
            13 => Command::StartTls,
            _ => Command::Auth {
                mechanism: Mechanism::try_from(word(u, b"ABCXYZ019-_", 20)?)
                    .map_err(|_| arbitrary::Error::IncorrectFormat)?,
                initial_response: if bool::arbitrary(u)? {
                    Some(SaslResponse::encode(&Vec::<u8>::arbitrary(u)?))
                } else {
                    None
                },
            },
        })
    }
}

impl<'a> Arbitrary<'a> for ReplyCode {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let code =
            u.int_in_range(2..=5)? * 100 + u.int_in_range(0..=5)? * 10 + u.int_in_range(0..=9)?;
        Self::try_from(code).map_err(|_| arbitrary::Error::IncorrectFormat)
    }
}

impl<'a> Arbitrary<'a> for EnhancedStatusCode {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let class = *u.choose(&[2, 4, 5])?;
        Self::new(class, u.int_in_range(0..=999)?, u.int_in_range(0..=999)?)
            .map_err(|_| arbitrary::Error::IncorrectFormat)
    }
}

impl<'a> Arbitrary<'a> for Text<'static> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        // Starts with a letter: a leading "2.0.0" would read back as an enhanced code.
        let mut text = word(u, b"abcXYZ", 1)?;
        if bool::arbitrary(u)? {
            text.push_str(&word(u, PRINTABLE, 30)?);
        }
        Text::try_from(text).map_err(|_| arbitrary::Error::IncorrectFormat)
    }
}

impl<'a> Arbitrary<'a> for Reply<'static> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let code = ReplyCode::arbitrary(u)?;
        let enhanced = Option::<EnhancedStatusCode>::arbitrary(u)?;
        let count = u.int_in_range(1..=4)?;
        let lines = (0..count)
            .map(|_| Text::arbitrary(u))
            .collect::<Result<Vec<_>>>()?;
        Reply::from_parts(code, enhanced, lines).map_err(|_| arbitrary::Error::IncorrectFormat)
    }
}
