//! The ENVELOPE of a message (RFC 9051 section 7.5.2), built from its header.

use mail_parser::{HeaderName, HeaderValue, MessageParser};

use super::header;

/// A message's envelope, as IMAP `FETCH ENVELOPE` returns it.
///
/// String fields are the header values as written (unfolded, outer blanks trimmed;
/// encoded-words and 8-bit bytes kept), `None` when the header is absent. `sender` and
/// `reply_to` default to `from` when absent, as RFC 9051 requires.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Envelope {
    /// `Date:`.
    pub date: Option<Vec<u8>>,
    /// `Subject:`.
    pub subject: Option<Vec<u8>>,
    /// `From:`.
    pub from: Vec<Address>,
    /// `Sender:`, else `From:`.
    pub sender: Vec<Address>,
    /// `Reply-To:`, else `From:`.
    pub reply_to: Vec<Address>,
    /// `To:`.
    pub to: Vec<Address>,
    /// `Cc:`.
    pub cc: Vec<Address>,
    /// `Bcc:`.
    pub bcc: Vec<Address>,
    /// `In-Reply-To:`.
    pub in_reply_to: Option<Vec<u8>>,
    /// `Message-ID:`.
    pub message_id: Option<Vec<u8>>,
}

/// One address of an envelope (RFC 9051 `address`).
///
/// A group is spelled as IMAP spells it: a start marker with `mailbox` = the group name
/// and no `host`, the members, then an end marker with every field `None`. A display
/// name with non-ASCII characters is given as an RFC 2047 encoded-word
/// (`=?utf-8?b?...?=`), so the envelope is valid for every IMAP client.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Address {
    /// The display name.
    pub name: Option<Vec<u8>>,
    /// The source route (obsolete, always `None` here).
    pub adl: Option<Vec<u8>>,
    /// The local part, or the group name in a group start marker.
    pub mailbox: Option<Vec<u8>>,
    /// The domain.
    pub host: Option<Vec<u8>>,
}

/// The most bytes of a header block handed to the header parser.
pub(crate) const MAX_PARSED_HEADER: usize = 256 * 1024;

/// What the root header yields besides the envelope: decoded texts for search and sort.
#[derive(Debug, Clone, Default)]
pub(crate) struct HeaderSummary {
    pub(crate) envelope: Envelope,
    /// Decoded subject.
    pub(crate) subject: String,
    /// Decoded `Name <addr>` lists, for FROM/TO/CC/BCC search.
    pub(crate) from: String,
    pub(crate) to: String,
    pub(crate) cc: String,
    pub(crate) bcc: String,
    /// RFC 5256 sort keys: the first address's mailbox, lower-cased.
    pub(crate) sort_from: String,
    pub(crate) sort_to: String,
    pub(crate) sort_cc: String,
    /// RFC 5957 display names (or the address when there is no name), lower-cased.
    pub(crate) display_from: String,
    pub(crate) display_to: String,
    /// `Date:` as seconds since the epoch and the date's own day number.
    pub(crate) sent: Option<(i64, i64)>,
}

/// Builds the envelope and the search texts from a message's header block.
pub(crate) fn summarize(block: &[u8]) -> HeaderSummary {
    let block = &block[..block.len().min(MAX_PARSED_HEADER)];
    let raw = |name: &str| header::first_value(block, name);
    let parsed = MessageParser::new()
        .with_address_headers()
        .with_date_headers()
        .header_text(HeaderName::Subject)
        .parse_headers(block);
    let headers = parsed
        .as_ref()
        .map(|m| m.parts.first().map_or(&[][..], |p| &p.headers[..]));
    let headers = headers.unwrap_or(&[]);
    let address = |name: HeaderName<'static>| -> Option<&mail_parser::Address<'_>> {
        headers
            .iter()
            .find(|h| h.name == name)
            .and_then(|h| h.value.as_address())
    };

    let from = address(HeaderName::From)
        .map(to_envelope)
        .unwrap_or_default();
    let sender = address(HeaderName::Sender)
        .map(to_envelope)
        .filter(|a| !a.is_empty());
    let reply_to = address(HeaderName::ReplyTo)
        .map(to_envelope)
        .filter(|a| !a.is_empty());
    let envelope = Envelope {
        date: raw("Date"),
        subject: raw("Subject"),
        sender: sender.unwrap_or_else(|| from.clone()),
        reply_to: reply_to.unwrap_or_else(|| from.clone()),
        from,
        to: address(HeaderName::To).map(to_envelope).unwrap_or_default(),
        cc: address(HeaderName::Cc).map(to_envelope).unwrap_or_default(),
        bcc: address(HeaderName::Bcc)
            .map(to_envelope)
            .unwrap_or_default(),
        in_reply_to: raw("In-Reply-To"),
        message_id: raw("Message-ID"),
    };
    let subject = headers
        .iter()
        .find(|h| h.name == HeaderName::Subject)
        .and_then(|h| h.value.as_text())
        .map(str::to_owned)
        .unwrap_or_default();
    let sent = headers
        .iter()
        .find(|h| h.name == HeaderName::Date)
        .and_then(|h| match &h.value {
            HeaderValue::DateTime(dt) => date_to_timestamp(dt),
            _ => None,
        });
    let list_text = |name: HeaderName<'static>| address(name).map(address_text).unwrap_or_default();
    let first_mailbox = |name: HeaderName<'static>| {
        address(name)
            .and_then(|a| a.first())
            .and_then(|a| a.address.as_deref())
            .map(|a| a.split('@').next().unwrap_or("").to_ascii_lowercase())
            .unwrap_or_default()
    };
    let display = |name: HeaderName<'static>| {
        address(name)
            .and_then(|a| a.first())
            .and_then(|a| a.name.as_deref().or(a.address.as_deref()))
            .map(str::to_lowercase)
            .unwrap_or_default()
    };
    HeaderSummary {
        subject,
        from: list_text(HeaderName::From),
        to: list_text(HeaderName::To),
        cc: list_text(HeaderName::Cc),
        bcc: list_text(HeaderName::Bcc),
        sort_from: first_mailbox(HeaderName::From),
        sort_to: first_mailbox(HeaderName::To),
        sort_cc: first_mailbox(HeaderName::Cc),
        display_from: display(HeaderName::From),
        display_to: display(HeaderName::To),
        sent,
        envelope,
    }
}

/// Seconds since the epoch and the day number in the date's own zone.
fn date_to_timestamp(dt: &mail_parser::DateTime) -> Option<(i64, i64)> {
    if !(1..=12).contains(&dt.month)
        || !(1..=31).contains(&dt.day)
        || dt.hour > 23
        || dt.minute > 59
    {
        return None;
    }
    let day =
        crate::types::days_from_civil(i64::from(dt.year), i64::from(dt.month), i64::from(dt.day));
    let local = day * 86_400
        + i64::from(dt.hour) * 3600
        + i64::from(dt.minute) * 60
        + i64::from(dt.second.min(60));
    let offset = (i64::from(dt.tz_hour) * 60 + i64::from(dt.tz_minute)) * 60;
    let utc = if dt.tz_before_gmt {
        local + offset
    } else {
        local - offset
    };
    Some((utc, day))
}

fn to_envelope(address: &mail_parser::Address<'_>) -> Vec<Address> {
    let mut out = Vec::new();
    match address {
        mail_parser::Address::List(list) => out.extend(list.iter().map(one_address)),
        mail_parser::Address::Group(groups) => {
            for group in groups {
                match &group.name {
                    Some(name) => {
                        out.push(Address {
                            mailbox: Some(encode_word(name)),
                            ..Address::default()
                        });
                        out.extend(group.addresses.iter().map(one_address));
                        out.push(Address::default());
                    }
                    None => out.extend(group.addresses.iter().map(one_address)),
                }
            }
        }
    }
    out
}

fn one_address(addr: &mail_parser::Addr<'_>) -> Address {
    let (mailbox, host) = match addr.address.as_deref() {
        Some(address) => match address.rsplit_once('@') {
            Some((local, domain)) => (
                Some(local.as_bytes().to_vec()),
                Some(domain.as_bytes().to_vec()),
            ),
            None => (Some(address.as_bytes().to_vec()), None),
        },
        None => (None, None),
    };
    Address {
        name: addr
            .name
            .as_deref()
            .filter(|n| !n.is_empty())
            .map(encode_word),
        adl: None,
        // An address without a domain still needs a host for IMAP clients not to take
        // it for a group marker.
        host: host.or_else(|| mailbox.as_ref().map(|_| Vec::new())),
        mailbox,
    }
}

fn address_text(address: &mail_parser::Address<'_>) -> String {
    let mut out = String::new();
    for addr in address.iter() {
        if !out.is_empty() {
            out.push_str(", ");
        }
        if let Some(name) = addr.name.as_deref() {
            out.push_str(name);
            out.push(' ');
        }
        if let Some(address) = addr.address.as_deref() {
            out.push('<');
            out.push_str(address);
            out.push('>');
        }
    }
    out
}

/// The text as is when it is ASCII, else one RFC 2047 `B` encoded-word in UTF-8.
fn encode_word(text: &str) -> Vec<u8> {
    if text.is_ascii() {
        return text.as_bytes().to_vec();
    }
    let mut out = b"=?utf-8?b?".to_vec();
    base64_encode(text.as_bytes(), &mut out);
    out.extend_from_slice(b"?=");
    out
}

fn base64_encode(input: &[u8], out: &mut Vec<u8>) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]);
            } else {
                out.push(b'=');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_an_envelope() {
        let block = b"Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n\
From: Terry Gray <gray@cac.washington.edu>\r\n\
Subject: IMAP4rev2 WG mtg summary and minutes\r\n\
To: imap@cac.washington.edu\r\n\
cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n\
Message-Id: <B27397-0100000@cac.washington.edu>\r\n\r\n";
        let summary = summarize(block);
        let env = &summary.envelope;
        assert_eq!(
            env.date.as_deref(),
            Some(&b"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)"[..])
        );
        assert_eq!(
            env.subject.as_deref(),
            Some(&b"IMAP4rev2 WG mtg summary and minutes"[..])
        );
        assert_eq!(env.from.len(), 1);
        assert_eq!(env.from[0].name.as_deref(), Some(&b"Terry Gray"[..]));
        assert_eq!(env.from[0].mailbox.as_deref(), Some(&b"gray"[..]));
        assert_eq!(
            env.from[0].host.as_deref(),
            Some(&b"cac.washington.edu"[..])
        );
        assert_eq!(env.sender, env.from);
        assert_eq!(env.reply_to, env.from);
        assert_eq!(env.cc.len(), 2);
        assert_eq!(
            env.message_id.as_deref(),
            Some(&b"<B27397-0100000@cac.washington.edu>"[..])
        );
        assert_eq!(env.in_reply_to, None);
        assert_eq!(summary.sort_from, "gray");
        assert_eq!(summary.sent.map(|s| s.0), Some(837_595_405));
    }

    #[test]
    fn groups_and_non_ascii_names() {
        let block = "To: Friends: Jörg <j@x.de>, b@y;\r\n\r\n".as_bytes();
        let env = summarize(block).envelope;
        assert_eq!(env.to.len(), 4);
        assert_eq!(env.to[0].mailbox.as_deref(), Some(&b"Friends"[..]));
        assert_eq!(env.to[0].host, None);
        assert_eq!(
            env.to[1].name.as_deref(),
            Some(&b"=?utf-8?b?SsO2cmc=?="[..])
        );
        assert_eq!(env.to[3], Address::default());
    }

    #[test]
    fn empty_and_garbage_headers() {
        let env = summarize(b"").envelope;
        assert_eq!(env, Envelope::default());
        let summary = summarize(b"\xff\xfe: \x00\r\nFrom: \xc3(\r\n\r\n");
        assert!(summary.envelope.subject.is_none());
    }
}
