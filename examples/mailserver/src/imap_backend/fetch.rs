//! FETCH: metadata from the index, sections read from the message files.
//! Runs on a blocking thread.

use std::num::NonZeroU32;

use imap_proto::command::{FetchAttribute, Partial, Section as ImapSection};
use imap_proto::response::{BinaryData, FetchData};
use imap_proto::tokio::FetchRequest;
use imap_proto::types::{IString, Literal, Literal8, LiteralMode, NString};
use mailstore::store::{MessageReader, MessageStore};
use mailstore::{
    Account, FetchOptions, FlagOp, Flags, MailboxId, MessageMeta, Section, SectionText, StoreError,
    SystemFlag, UidSet,
};

use super::convert::{body_structure, envelope, to_imap_date, to_imap_flags, to_imap_uid};

/// The answer of one FETCH: per message its data items.
pub(crate) type Fetched = Vec<(imap_proto::types::Uid, Vec<FetchData<'static>>)>;

/// Fetches `uids` of `mailbox` as `request` asks; returns the items and the flag
/// updates made (for `\Seen`), as `(uid, modseq)`.
pub(crate) fn fetch(
    account: &Account,
    mailbox: MailboxId,
    uids: &UidSet,
    request: &FetchRequest,
) -> Result<(Fetched, Vec<(u32, u64)>), StoreError> {
    let mut options = FetchOptions::meta();
    for attribute in &request.attributes {
        match attribute {
            FetchAttribute::Envelope => options = options.with_envelope(),
            FetchAttribute::Body | FetchAttribute::BodyStructure => {
                options = options.with_body_structure()
            }
            _ => {}
        }
    }
    let mut metas = account.fetch(mailbox, uids, options)?;
    if let Some(since) = request.changed_since {
        metas.retain(|m| m.modseq.get() > since);
    }
    let mut own_updates = Vec::new();
    let mut seen_now = UidSet::new();
    if request.mark_seen {
        let unseen: UidSet = metas
            .iter()
            .filter(|m| !m.flags.has(SystemFlag::Seen))
            .map(|m| m.uid)
            .collect();
        if !unseen.is_empty() {
            let stored = account.store_flags(
                mailbox,
                &unseen,
                FlagOp::Add,
                &Flags::new().with(SystemFlag::Seen),
                None,
            )?;
            for update in stored.updates {
                if let Some(meta) = metas.iter_mut().find(|m| m.uid == update.uid) {
                    meta.flags = update.flags;
                    meta.modseq = update.modseq;
                }
                own_updates.push((update.uid.get(), update.modseq.get()));
                seen_now.insert(update.uid);
            }
        }
    }
    let mut out = Vec::with_capacity(metas.len());
    for meta in &metas {
        let mut items = Vec::with_capacity(request.attributes.len() + 1);
        for attribute in &request.attributes {
            if let Some(item) = item(account, mailbox, meta, attribute)? {
                items.push(item);
            }
        }
        if seen_now.contains(meta.uid) && !request.attributes.contains(&FetchAttribute::Flags) {
            items.push(FetchData::Flags(to_imap_flags(&meta.flags)));
        }
        out.push((to_imap_uid(meta.uid), items));
    }
    Ok((out, own_updates))
}

fn item(
    account: &Account,
    mailbox: MailboxId,
    meta: &MessageMeta,
    attribute: &FetchAttribute<'_>,
) -> Result<Option<FetchData<'static>>, StoreError> {
    let read =
        |section: &Section, partial: Option<Partial>| -> Result<Option<Vec<u8>>, StoreError> {
            let range = partial.map(|p| (p.offset, p.length.get()));
            match account.read(mailbox, meta.uid, section, range) {
                Ok(data) => data.into_vec().map(Some).map_err(|source| StoreError::Io {
                    op: "read message",
                    source,
                }),
                Err(e) if e.is_not_found() => Ok(None),
                Err(e) => Err(e),
            }
        };
    Ok(Some(match attribute {
        FetchAttribute::Flags => FetchData::Flags(to_imap_flags(&meta.flags)),
        FetchAttribute::Uid => FetchData::Uid(to_imap_uid(meta.uid)),
        FetchAttribute::ModSeq => FetchData::ModSeq(meta.modseq.get()),
        FetchAttribute::InternalDate => FetchData::InternalDate(to_imap_date(meta.internal_date)),
        FetchAttribute::Rfc822Size => FetchData::Rfc822Size(meta.size),
        FetchAttribute::Envelope => match &meta.envelope {
            Some(e) => FetchData::Envelope(Box::new(envelope(e))),
            None => return Ok(None),
        },
        FetchAttribute::BodyStructure => match &meta.body_structure {
            Some(b) => FetchData::BodyStructure(Box::new(body_structure(b))),
            None => return Ok(None),
        },
        FetchAttribute::Body => match &meta.body_structure {
            Some(b) => FetchData::Body(Box::new(body_structure(b).without_extensions())),
            None => return Ok(None),
        },
        FetchAttribute::Rfc822 => FetchData::Rfc822(literal(read(&Section::full(), None)?)),
        FetchAttribute::Rfc822Header => FetchData::Rfc822Header(literal(read(
            &section_of(None, Some(SectionText::Header)),
            None,
        )?)),
        FetchAttribute::Rfc822Text => FetchData::Rfc822Text(literal(read(
            &section_of(None, Some(SectionText::Text)),
            None,
        )?)),
        FetchAttribute::BodySection {
            section, partial, ..
        } => {
            let data = read(&store_section(section.as_ref()), *partial)?;
            FetchData::BodySection {
                section: section.clone().map(ImapSection::into_owned),
                origin: partial.map(|p| p.offset),
                data: literal(data),
            }
        }
        FetchAttribute::Binary {
            section, partial, ..
        } => {
            let range = partial.map(|p| (p.offset, p.length.get()));
            let data = binary(account, mailbox, meta, section, range)?;
            FetchData::Binary {
                section: section.clone(),
                origin: partial.map(|p| p.offset),
                data: match data {
                    Some(d) if d.contains(&0) => {
                        BinaryData::Literal8(Literal8::new(d, LiteralMode::Sync))
                    }
                    Some(d) => BinaryData::String(literal(Some(d))),
                    None => BinaryData::String(NString(None)),
                },
            }
        }
        FetchAttribute::BinarySize { section } => FetchData::BinarySize {
            section: section.clone(),
            size: binary(account, mailbox, meta, section, None)?.map_or(0, |d| d.len() as u64),
        },
    }))
}

fn binary(
    account: &Account,
    mailbox: MailboxId,
    meta: &MessageMeta,
    part: &[NonZeroU32],
    range: Option<(u64, u64)>,
) -> Result<Option<Vec<u8>>, StoreError> {
    let data = if part.is_empty() {
        Some(account.read(mailbox, meta.uid, &Section::full(), range)?)
    } else {
        account.read_binary(mailbox, meta.uid, part, range)?
    };
    data.map(|d| d.into_vec())
        .transpose()
        .map_err(|source| StoreError::Io {
            op: "read message",
            source,
        })
}

fn literal(data: Option<Vec<u8>>) -> NString<'static> {
    match data {
        Some(d) => NString(Some(IString::Literal(Literal::from_bytes_lossy(d)))),
        None => NString(None),
    }
}

fn section_of(part: Option<&imap_proto::command::Part>, text: Option<SectionText>) -> Section {
    let path: Vec<NonZeroU32> = part
        .map(|p| p.0.iter().copied().collect())
        .unwrap_or_default();
    Section::new(path, text).unwrap_or_else(|_| Section::full())
}

/// An IMAP section specifier as the store's.
pub(crate) fn store_section(section: Option<&ImapSection<'_>>) -> Section {
    let names = |list: &imap_proto::types::Vec1<imap_proto::types::AString<'_>>| -> Vec<String> {
        list.iter()
            .map(|a| String::from_utf8_lossy(a.as_bytes()).into_owned())
            .collect()
    };
    match section {
        None => Section::full(),
        Some(ImapSection::Part(p)) => section_of(Some(p), None),
        Some(ImapSection::Header(p)) => section_of(p.as_ref(), Some(SectionText::Header)),
        Some(ImapSection::Text(p)) => section_of(p.as_ref(), Some(SectionText::Text)),
        Some(ImapSection::Mime(p)) => section_of(Some(p), Some(SectionText::Mime)),
        Some(ImapSection::HeaderFields(p, list)) => section_of(
            p.as_ref(),
            Some(SectionText::HeaderFields {
                not: false,
                fields: names(list),
            }),
        ),
        Some(ImapSection::HeaderFieldsNot(p, list)) => section_of(
            p.as_ref(),
            Some(SectionText::HeaderFields {
                not: true,
                fields: names(list),
            }),
        ),
    }
}
