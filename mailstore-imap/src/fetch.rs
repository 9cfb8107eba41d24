//! FETCH: metadata from the index, sections read from the message files.
//! Runs on a blocking thread.
//!
//! A section other than the whole message (`BODY[HEADER.FIELDS (..)]`, `BODY[1]`,
//! `RFC822.HEADER`...) asked of several messages is read for all of them in one walk of
//! the store ([`MessageReader::read_each`]: one index query for the file names and
//! cached structures instead of one per message). Whole messages are read one by one,
//! which after the listing of [`MessageReader::fetch`] costs no index query at all.

use std::collections::HashMap;
use std::num::NonZeroU32;

use mailwright_imap::command::{FetchAttribute, Partial, Section as ImapSection};
use mailwright_imap::response::{BinaryData, FetchData};
use mailwright_imap::tokio::FetchRequest;
use mailwright_imap::types::{IString, Literal, Literal8, LiteralMode, NString};
use mailwright_store::store::{MessageReader, MessageStore};
use mailwright_store::{
    FetchOptions, FlagOp, Flags, MailboxId, MessageMeta, Section, SectionText, StoreError,
    SystemFlag, Uid, UidSet,
};

use crate::convert::{body_structure, envelope, to_imap_date, to_imap_flags, to_imap_uid};

/// The answer of one FETCH: per message its data items.
pub(crate) type Fetched = Vec<(mailwright_imap::types::Uid, Vec<FetchData<'static>>)>;

/// Fetches `uids` of `mailbox` as `request` asks; returns the items and the flag
/// updates made (for `\Seen`), as `(uid, modseq)`.
pub(crate) fn fetch<S: MessageReader + MessageStore + ?Sized>(
    account: &S,
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
    let mut batches = read_sections(account, mailbox, &metas, &request.attributes)?;
    let mut out = Vec::with_capacity(metas.len());
    for meta in &metas {
        let mut items = Vec::with_capacity(request.attributes.len() + 1);
        for (attribute, batch) in request.attributes.iter().zip(&mut batches) {
            let item = match batch {
                Some(batch) => batched_item(attribute, batch.remove(&meta.uid)),
                None => item(account, mailbox, meta, attribute)?,
            };
            if let Some(item) = item {
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

/// The bytes of one section for each message read, by UID.
type Batch = HashMap<Uid, Vec<u8>>;

/// Per attribute of the request, the section's bytes of every message read in one walk
/// of the store, for the attributes worth batching; `None` for the others. A message
/// missing from a batch (expunged by another session meanwhile) gets NIL, as a single
/// read of it would.
fn read_sections<S: MessageReader + ?Sized>(
    account: &S,
    mailbox: MailboxId,
    metas: &[MessageMeta],
    attributes: &[FetchAttribute<'_>],
) -> Result<Vec<Option<Batch>>, StoreError> {
    let uids: UidSet = metas.iter().map(|m| m.uid).collect();
    attributes
        .iter()
        .map(|attribute| {
            let Some((section, partial)) = batchable_section(attribute) else {
                return Ok(None);
            };
            if metas.len() < 2 || section == Section::full() {
                return Ok(None);
            }
            let range = partial.map(|p| (p.offset, p.length.get()));
            let mut batch = HashMap::with_capacity(metas.len());
            account.read_each(mailbox, &uids, &section, range, &mut |uid, data| {
                let bytes = data.into_vec().map_err(|source| StoreError::Io {
                    op: "read message",
                    source,
                })?;
                batch.insert(uid, bytes);
                Ok(())
            })?;
            Ok(Some(batch))
        })
        .collect()
}

/// The store section and range an attribute reads, for the attributes that are a
/// `BODY[..]` section (under another name for the RFC822 ones).
fn batchable_section(attribute: &FetchAttribute<'_>) -> Option<(Section, Option<Partial>)> {
    match attribute {
        FetchAttribute::Rfc822 => Some((Section::full(), None)),
        FetchAttribute::Rfc822Header => Some((section_of(None, Some(SectionText::Header)), None)),
        FetchAttribute::Rfc822Text => Some((section_of(None, Some(SectionText::Text)), None)),
        FetchAttribute::BodySection {
            section, partial, ..
        } => Some((store_section(section.as_ref()), *partial)),
        _ => None,
    }
}

/// The item of an attribute of [`batchable_section`] from the bytes read for it
/// (`None`: the message was not found, NIL).
fn batched_item(
    attribute: &FetchAttribute<'_>,
    data: Option<Vec<u8>>,
) -> Option<FetchData<'static>> {
    Some(match attribute {
        FetchAttribute::Rfc822 => FetchData::Rfc822(literal(data)),
        FetchAttribute::Rfc822Header => FetchData::Rfc822Header(literal(data)),
        FetchAttribute::Rfc822Text => FetchData::Rfc822Text(literal(data)),
        FetchAttribute::BodySection {
            section, partial, ..
        } => FetchData::BodySection {
            section: section.clone().map(ImapSection::into_owned),
            origin: partial.map(|p| p.offset),
            data: literal(data),
        },
        _ => return None,
    })
}

fn item<S: MessageReader + ?Sized>(
    account: &S,
    mailbox: MailboxId,
    meta: &MessageMeta,
    attribute: &FetchAttribute<'_>,
) -> Result<Option<FetchData<'static>>, StoreError> {
    if let Some((section, partial)) = batchable_section(attribute) {
        let range = partial.map(|p| (p.offset, p.length.get()));
        let data = match account.read(mailbox, meta.uid, &section, range) {
            Ok(data) => Some(data.into_vec().map_err(|source| StoreError::Io {
                op: "read message",
                source,
            })?),
            Err(e) if e.is_not_found() => None,
            Err(e) => return Err(e),
        };
        return Ok(batched_item(attribute, data));
    }
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
        // Read above, as the batches are.
        FetchAttribute::Rfc822
        | FetchAttribute::Rfc822Header
        | FetchAttribute::Rfc822Text
        | FetchAttribute::BodySection { .. } => return Ok(None),
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

fn binary<S: MessageReader + ?Sized>(
    account: &S,
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

fn section_of(part: Option<&mailwright_imap::command::Part>, text: Option<SectionText>) -> Section {
    let path: Vec<NonZeroU32> = part
        .map(|p| p.0.iter().copied().collect())
        .unwrap_or_default();
    Section::new(path, text).unwrap_or_else(|_| Section::full())
}

/// An IMAP section specifier as the store's.
pub(crate) fn store_section(section: Option<&ImapSection<'_>>) -> Section {
    let names =
        |list: &mailwright_imap::types::Vec1<mailwright_imap::types::AString<'_>>| -> Vec<String> {
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

#[cfg(test)]
mod tests {
    use std::num::NonZeroU64;

    use mailwright_imap::command::Part;
    use mailwright_imap::types::{AString, Vec1};
    use mailwright_store::store::MailStore;
    use mailwright_store::{Account, AppendOptions, MailboxName, MemoryAccount, Options};

    use super::*;

    const MULTIPART: &[u8] = b"From: a@example.org\r\nSubject: two parts\r\n\
        Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
        Content-Type: text/plain\r\n\r\nfirst part\r\n--b\r\n\
        Content-Type: text/html\r\n\r\n<p>second</p>\r\n--b--\r\n";

    fn body_section(
        section: Option<ImapSection<'static>>,
        partial: Option<Partial>,
    ) -> FetchAttribute<'static> {
        FetchAttribute::BodySection {
            section,
            partial,
            peek: true,
        }
    }

    fn item_text(data: &FetchData<'_>) -> Option<Vec<u8>> {
        let (FetchData::BodySection { data: nstring, .. }
        | FetchData::Rfc822Header(nstring)
        | FetchData::Rfc822Text(nstring)) = data
        else {
            return None;
        };
        nstring.0.as_ref().map(|s| s.as_bytes().to_vec())
    }

    /// A multi-message FETCH of sections (read in one walk of the store) answers
    /// exactly what a FETCH of each message alone (read one by one) answers, over the
    /// Maildir store (one index query for the walk) and the in-memory one.
    #[test]
    fn sections_of_many_messages_read_in_one_walk_match_single_reads() {
        let dir = tempfile::tempdir().unwrap();
        let on_disk = Account::open(dir.path().join("bob"), &Options::new()).unwrap();
        sections_match(&on_disk);
        sections_match(&MemoryAccount::new());
    }

    fn sections_match(account: &dyn MailStore) {
        let inbox = account.mailbox(&MailboxName::inbox()).unwrap();
        let plain = |n: u32| {
            format!("From: a@example.org\r\nSubject: message {n}\r\nX-N: {n}\r\n\r\nbody {n}\r\n")
        };
        for n in 1..=3 {
            account
                .append_bytes(inbox.id, plain(n).as_bytes(), &AppendOptions::default())
                .unwrap();
        }
        account
            .append_bytes(inbox.id, MULTIPART, &AppendOptions::default())
            .unwrap();
        let fields: Vec1<AString<'static>> = Vec1::from(AString::try_from("Subject").unwrap());
        let part = |n: u32| Part(Vec1::from(NonZeroU32::new(n).unwrap()));
        let request = FetchRequest::new(vec![
            FetchAttribute::Uid,
            body_section(Some(ImapSection::HeaderFields(None, fields)), None),
            body_section(Some(ImapSection::Part(part(1))), None),
            body_section(Some(ImapSection::Mime(part(2))), None),
            body_section(
                Some(ImapSection::Text(None)),
                Some(Partial {
                    offset: 2,
                    length: NonZeroU64::new(3).unwrap(),
                }),
            ),
            FetchAttribute::Rfc822Header,
            FetchAttribute::Rfc822Text,
            body_section(None, None),
        ]);
        let all: UidSet = (1..=4).filter_map(Uid::new).collect();
        let (batched, updates) = fetch(account, inbox.id, &all, &request).unwrap();
        assert!(updates.is_empty());
        assert_eq!(batched.len(), 4);
        for (uid, items) in &batched {
            let one: UidSet = Uid::new(uid.get()).unwrap().into();
            let (single, _) = fetch(account, inbox.id, &one, &request).unwrap();
            assert_eq!(single, vec![(*uid, items.clone())], "uid {uid:?}");
        }
        let texts: Vec<Vec<Option<Vec<u8>>>> = batched
            .iter()
            .map(|(_, items)| items.iter().map(item_text).collect())
            .collect();
        assert_eq!(
            texts[1][1].as_deref(),
            Some(&b"Subject: message 2\r\n\r\n"[..])
        );
        assert_eq!(texts[1][2].as_deref(), Some(&b"body 2\r\n"[..]));
        assert_eq!(texts[1][4].as_deref(), Some(&b"dy "[..]));
        assert_eq!(texts[3][2].as_deref(), Some(&b"first part"[..]));
        assert_eq!(
            texts[3][3].as_deref(),
            Some(&b"Content-Type: text/html\r\n\r\n"[..])
        );
        assert_eq!(texts[3][7].as_deref(), Some(MULTIPART));
    }
}
