//! Values between imap-proto and mailstore: mailbox names, flags, dates, UIDs, special
//! use, search keys, envelopes and body structures. Pure functions.

use mailwright_imap::command::SearchKey as ImapKey;
use mailwright_imap::response::{
    Address as ImapAddress, BasicFields, BodyStructure as ImapBody, Disposition as ImapDisposition,
    Envelope as ImapEnvelope, ExtensionTail, LanguageTail, LocationTail, MultiPartExtension,
    SinglePartExtension, SpecificFields,
};
use mailwright_imap::types::{
    DateTime, Flag as ImapFlag, IString, MailboxAttribute, NString, Vec1,
};
use mailwright_store::mime::{Address, BodyStructure, Envelope, PartKind};
use mailwright_store::{
    Date, Flag, Flags, InternalDate, MailboxName, SearchKey, SpecialUse, SpecialUses, SystemFlag,
    Uid, UidSet,
};

use crate::options::Delimiter;

/// The store's name of an IMAP mailbox name (levels separated by `delimiter`); `None`
/// when the store cannot hold it.
pub(crate) fn to_store_name(name: &str, delimiter: Delimiter) -> Option<MailboxName> {
    match delimiter {
        Delimiter::Dot => MailboxName::try_from(name).ok(),
        // A `.` would become a level of its own in the store.
        Delimiter::Slash if name.contains(mailwright_store::types::HIERARCHY_DELIMITER) => None,
        Delimiter::Slash => MailboxName::try_from(name.replace(
            '/',
            &mailwright_store::types::HIERARCHY_DELIMITER.to_string(),
        ))
        .ok(),
    }
}

/// The IMAP name of a store mailbox name (levels separated by `delimiter`).
pub(crate) fn to_imap_name(name: &MailboxName, delimiter: Delimiter) -> String {
    match delimiter {
        Delimiter::Dot => name.as_str().to_owned(),
        // The store's names hold no `/`: the translation is one to one.
        Delimiter::Slash => name.levels().collect::<Vec<_>>().join("/"),
    }
}

/// A store UID as an IMAP UID (both are non-zero).
pub(crate) fn to_imap_uid(uid: Uid) -> mailwright_imap::types::Uid {
    mailwright_imap::types::Uid::new(uid.get()).unwrap_or(mailwright_imap::types::Uid::MIN)
}

/// An IMAP UID as a store UID.
pub(crate) fn to_store_uid(uid: mailwright_imap::types::Uid) -> Uid {
    Uid::new(uid.get()).unwrap_or(Uid::MIN)
}

/// IMAP UIDs as a store UID set.
pub(crate) fn uid_set(uids: &[mailwright_imap::types::Uid]) -> UidSet {
    uids.iter().map(|u| to_store_uid(*u)).collect()
}

/// Store flags as IMAP flags.
pub(crate) fn to_imap_flags(flags: &Flags) -> Vec<ImapFlag<'static>> {
    flags
        .iter()
        .filter_map(|f| ImapFlag::try_from(f.to_string()).ok())
        .collect()
}

/// IMAP flags as store flags; `\Recent` and flags the store cannot keep are dropped.
pub(crate) fn to_store_flags(flags: &[ImapFlag<'_>]) -> Flags {
    let mut out = Flags::new();
    for flag in flags {
        if let Ok(flag) = Flag::from_imap(flag.as_str()) {
            out.insert(flag);
        }
    }
    out
}

/// A store date as an IMAP date-time.
pub(crate) fn to_imap_date(date: InternalDate) -> DateTime {
    DateTime::from_unix(date.timestamp(), date.offset_minutes()).unwrap_or(DateTime::UNIX_EPOCH)
}

/// An IMAP date-time as a store date.
pub(crate) fn to_store_date(date: DateTime) -> InternalDate {
    InternalDate::new(date.to_unix(), date.offset_minutes())
}

/// The special-use attributes as IMAP mailbox attributes.
pub(crate) fn special_use_attributes(uses: SpecialUses) -> Vec<MailboxAttribute<'static>> {
    uses.iter()
        .filter_map(|u| MailboxAttribute::try_from(u.as_str().to_owned()).ok())
        .collect()
}

/// The special use a new mailbox gets from its name (`Sent`, `Trash`, ...).
pub(crate) fn special_use_for(name: &str) -> SpecialUses {
    let use_ = match name.to_ascii_lowercase().as_str() {
        "sent" | "sent messages" | "sent items" => Some(SpecialUse::Sent),
        "trash" | "deleted messages" => Some(SpecialUse::Trash),
        "drafts" => Some(SpecialUse::Drafts),
        "junk" | "spam" => Some(SpecialUse::Junk),
        "archive" => Some(SpecialUse::Archive),
        _ => None,
    };
    use_.map_or(SpecialUses::new(), |u| SpecialUses::new().with(u))
}

fn text(a: &mailwright_imap::types::AString<'_>) -> String {
    String::from_utf8_lossy(a.as_bytes()).into_owned()
}

/// A date key; a date the store cannot represent matches nothing.
fn date(d: mailwright_imap::types::Date, key: fn(Date) -> SearchKey) -> SearchKey {
    Date::from_days_since_epoch(d.days_since_epoch()).map_or(!SearchKey::All, key)
}

fn keyword(flag: &ImapFlag<'_>) -> SearchKey {
    match Flag::from_imap(flag.as_str()) {
        Ok(Flag::System(f)) => SearchKey::Flag(f),
        Ok(Flag::Keyword(k)) => SearchKey::Keyword(k),
        // A keyword the store cannot hold is set on no message.
        Err(_) => !SearchKey::All,
    }
}

/// An IMAP search key (message numbers already rewritten to UIDs by the session) as
/// a store search key. `now` (seconds) resolves OLDER/YOUNGER.
pub(crate) fn search_key(key: &ImapKey<'_>, now: i64) -> SearchKey {
    use SearchKey as S;
    let flag = |f: SystemFlag| S::Flag(f);
    match key {
        ImapKey::All => S::All,
        ImapKey::Answered => flag(SystemFlag::Answered),
        ImapKey::Unanswered => !flag(SystemFlag::Answered),
        ImapKey::Deleted => flag(SystemFlag::Deleted),
        ImapKey::Undeleted => !flag(SystemFlag::Deleted),
        ImapKey::Draft => flag(SystemFlag::Draft),
        ImapKey::Undraft => !flag(SystemFlag::Draft),
        ImapKey::Flagged => flag(SystemFlag::Flagged),
        ImapKey::Unflagged => !flag(SystemFlag::Flagged),
        ImapKey::Seen | ImapKey::Old => flag(SystemFlag::Seen),
        ImapKey::Unseen => !flag(SystemFlag::Seen),
        // \Recent is not kept per session here: nothing is recent or new.
        ImapKey::New | ImapKey::Recent => !S::All,
        ImapKey::Keyword(k) => keyword(k),
        ImapKey::Unkeyword(k) => !keyword(k),
        ImapKey::Bcc(s) => S::Bcc(text(s)),
        ImapKey::Cc(s) => S::Cc(text(s)),
        ImapKey::From(s) => S::From(text(s)),
        ImapKey::To(s) => S::To(text(s)),
        ImapKey::Subject(s) => S::Subject(text(s)),
        ImapKey::Body(s) => S::Body(text(s)),
        ImapKey::Text(s) => S::Text(text(s)),
        ImapKey::Header(name, value) => S::Header(text(name), text(value)),
        ImapKey::Before(d) => date(*d, S::Before),
        ImapKey::On(d) => date(*d, S::On),
        ImapKey::Since(d) => date(*d, S::Since),
        ImapKey::SentBefore(d) => date(*d, S::SentBefore),
        ImapKey::SentOn(d) => date(*d, S::SentOn),
        ImapKey::SentSince(d) => date(*d, S::SentSince),
        ImapKey::Larger(n) => S::Larger(*n),
        ImapKey::Smaller(n) => S::Smaller(*n),
        ImapKey::Older(secs) => S::ArrivedBefore(now - i64::from(*secs)),
        ImapKey::Younger(secs) => S::ArrivedSince(now - i64::from(*secs)),
        ImapKey::ModSeq { modseq, .. } => S::ModSeq(mailwright_store::ModSeq::new(*modseq)),
        ImapKey::Uid(set) => {
            let mut uids = UidSet::new();
            for (a, b) in set.ranges(u32::MAX) {
                if let (Some(a), Some(b)) = (Uid::new(a), Uid::new(b)) {
                    uids.insert_range(a, b);
                }
            }
            S::Uid(uids)
        }
        // The session rewrites message numbers to UIDs before calling the backend.
        ImapKey::SequenceSet(_) => !S::All,
        ImapKey::Not(k) => !search_key(k, now),
        ImapKey::Or(a, b) => search_key(a, now).or(search_key(b, now)),
        ImapKey::And(keys) => S::And(keys.iter().map(|k| search_key(k, now)).collect()),
    }
}

/// Whether a key asks for MODSEQ (the SEARCH answer then carries the highest one).
pub(crate) fn uses_modseq(key: &ImapKey<'_>) -> bool {
    match key {
        ImapKey::ModSeq { .. } => true,
        ImapKey::Not(k) => uses_modseq(k),
        ImapKey::Or(a, b) => uses_modseq(a) || uses_modseq(b),
        ImapKey::And(keys) => keys.iter().any(uses_modseq),
        _ => false,
    }
}

fn nstring(value: Option<&[u8]>) -> NString<'static> {
    match value {
        Some(v) => NString::from_bytes(v.to_vec()).unwrap_or(NString(None)),
        None => NString(None),
    }
}

fn nstring_text(value: Option<&str>) -> NString<'static> {
    nstring(value.map(str::as_bytes))
}

fn istring(value: &str) -> IString<'static> {
    IString::from_text(value.to_owned())
        .or_else(|_| IString::from_text(String::new()))
        .unwrap_or_else(|_| IString::Quoted(mailwright_imap::types::Quoted::empty()))
}

fn address(a: &Address) -> ImapAddress<'static> {
    ImapAddress {
        name: nstring(a.name.as_deref()),
        adl: nstring(a.adl.as_deref()),
        mailbox: nstring(a.mailbox.as_deref()),
        host: nstring(a.host.as_deref()),
    }
}

/// A store envelope as the IMAP ENVELOPE.
pub(crate) fn envelope(e: &Envelope) -> ImapEnvelope<'static> {
    let list = |l: &[Address]| l.iter().map(address).collect();
    ImapEnvelope {
        date: nstring(e.date.as_deref()),
        subject: nstring(e.subject.as_deref()),
        from: list(&e.from),
        sender: list(&e.sender),
        reply_to: list(&e.reply_to),
        to: list(&e.to),
        cc: list(&e.cc),
        bcc: list(&e.bcc),
        in_reply_to: nstring(e.in_reply_to.as_deref()),
        message_id: nstring(e.message_id.as_deref()),
    }
}

fn params(list: &[(String, String)]) -> Vec<(IString<'static>, IString<'static>)> {
    list.iter()
        .map(|(k, v)| (istring(&k.to_ascii_uppercase()), istring(v)))
        .collect()
}

fn tail(b: &BodyStructure) -> Option<ExtensionTail<'static>> {
    Some(ExtensionTail {
        disposition: b.disposition.as_ref().map(|d| ImapDisposition {
            kind: istring(&d.kind.to_ascii_uppercase()),
            parameters: params(&d.params),
        }),
        tail: Some(LanguageTail {
            languages: b.language.iter().map(|l| istring(l)).collect(),
            tail: Some(LocationTail {
                location: nstring_text(b.location.as_deref()),
                extensions: Vec::new(),
            }),
        }),
    })
}

/// A store body structure as the IMAP BODYSTRUCTURE (with extension data).
pub(crate) fn body_structure(b: &BodyStructure) -> ImapBody<'static> {
    let lines = || u32::try_from(b.lines.unwrap_or(0)).unwrap_or(u32::MAX);
    match &b.kind {
        PartKind::Multipart(parts)
            if let Ok(bodies) =
                Vec1::try_from(parts.iter().map(body_structure).collect::<Vec<_>>()) =>
        {
            ImapBody::Multi {
                bodies,
                subtype: istring(&b.media_subtype.to_ascii_uppercase()),
                extension: Some(MultiPartExtension {
                    parameters: params(&b.params),
                    tail: tail(b),
                }),
            }
        }
        kind => {
            let basic = BasicFields {
                parameters: params(&b.params),
                id: nstring_text(b.id.as_deref()),
                description: nstring_text(b.description.as_deref()),
                encoding: istring(&b.encoding.to_ascii_uppercase()),
                size: u32::try_from(b.size).unwrap_or(u32::MAX),
            };
            let subtype = istring(&b.media_subtype.to_ascii_uppercase());
            let specific = match kind {
                PartKind::Message { envelope: e, body } => SpecificFields::Message {
                    subtype,
                    envelope: Box::new(envelope(e)),
                    body_structure: Box::new(body_structure(body)),
                    lines: lines(),
                },
                _ if b.media_type.eq_ignore_ascii_case("text") => SpecificFields::Text {
                    subtype,
                    lines: lines(),
                },
                // An empty multipart is reported as an opaque part.
                PartKind::Multipart(_) => SpecificFields::Basic {
                    media_type: istring("APPLICATION"),
                    subtype: istring("OCTET-STREAM"),
                },
                _ => SpecificFields::Basic {
                    media_type: istring(&b.media_type.to_ascii_uppercase()),
                    subtype,
                },
            };
            ImapBody::Single {
                basic,
                specific,
                extension: Some(SinglePartExtension {
                    md5: nstring_text(b.md5.as_deref()),
                    tail: tail(b),
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_round_trip() {
        let imap = vec![
            ImapFlag::SEEN,
            ImapFlag::try_from("$Label").unwrap(),
            ImapFlag::RECENT,
        ];
        let store = to_store_flags(&imap);
        assert!(store.has(SystemFlag::Seen));
        assert!(store.has_keyword("$Label"));
        let back = to_imap_flags(&store);
        assert_eq!(back.len(), 2, "\\Recent is not stored: {back:?}");
    }

    #[test]
    fn search_keys() {
        let key = search_key(
            &ImapKey::Or(Box::new(ImapKey::Unseen), Box::new(ImapKey::Larger(10))),
            0,
        );
        assert_eq!(
            key,
            (!SearchKey::Flag(SystemFlag::Seen)).or(SearchKey::Larger(10))
        );
        assert!(uses_modseq(&ImapKey::Not(Box::new(ImapKey::ModSeq {
            entry: None,
            modseq: 5
        }))));
        assert_eq!(
            search_key(&ImapKey::Older(60), 1000),
            SearchKey::ArrivedBefore(940)
        );
    }

    #[test]
    fn names_with_either_delimiter() {
        let name = |s: &str, d| to_store_name(s, d).map(|n| n.as_str().to_owned());
        assert_eq!(
            name("Lists.Rust", Delimiter::Dot).as_deref(),
            Some("Lists.Rust")
        );
        assert_eq!(
            name("Lists/Rust", Delimiter::Dot),
            None,
            "no / in the store"
        );
        assert_eq!(
            name("Lists/Rust", Delimiter::Slash).as_deref(),
            Some("Lists.Rust")
        );
        assert_eq!(name("v1.2", Delimiter::Slash), None, "a . would be a level");
        assert_eq!(
            name("inbox/Привет", Delimiter::Slash).as_deref(),
            Some("INBOX.Привет")
        );
        let store = MailboxName::try_from("Lists.日本語.Rust").unwrap();
        assert_eq!(to_imap_name(&store, Delimiter::Slash), "Lists/日本語/Rust");
        assert_eq!(to_imap_name(&store, Delimiter::Dot), "Lists.日本語.Rust");
        for d in [Delimiter::Dot, Delimiter::Slash] {
            assert_eq!(
                to_store_name(&to_imap_name(&store, d), d).as_ref(),
                Some(&store)
            );
        }
    }

    #[test]
    fn dates_round_trip() {
        let date = InternalDate::new(1_700_000_000, 120);
        assert_eq!(to_store_date(to_imap_date(date)), date);
    }
}
