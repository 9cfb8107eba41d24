//! Reading: UIDs, metadata, sections, decoded parts, changes since a MODSEQ.

use std::fs::File;
use std::io;
use std::num::NonZeroU32;
use std::path::PathBuf;

use rusqlite::{Connection, OptionalExtension, params};

use super::Account;
use super::locations::Listing;
use crate::data::MessageData;
use crate::error::{Result, StoreError};
use crate::index::rows::{self, MessageRow, message_columns};
use crate::message::{Changes, FetchOptions, MessageMeta};
use crate::mime::locate::{Slice, clip, locate, locate_binary};
use crate::mime::{BodyStructure, MAX_KEPT_HEADER, Section, SectionText, cache, decode, header};
use crate::types::{MailboxId, MailboxName, ModSeq, Uid, UidSet};

impl Account {
    pub(super) fn all_uids(&self, mailbox: MailboxId) -> Result<Vec<Uid>> {
        self.read(|conn| {
            rows::mailbox_by_id(conn, mailbox)?;
            let mut stmt =
                conn.prepare_cached("SELECT uid FROM message WHERE mailbox_id = ?1 ORDER BY uid")?;
            let uids = stmt
                .query_map([mailbox.0], |r| r.get::<_, u32>(0))?
                .filter_map(|r| r.map(Uid::new).transpose())
                .collect::<rusqlite::Result<_>>()?;
            Ok(uids)
        })
    }

    pub(super) fn fetch_meta(
        &self,
        mailbox: MailboxId,
        uids: &UidSet,
        options: FetchOptions,
    ) -> Result<Vec<MessageMeta>> {
        let (row, metas, files) = self.read(|conn| {
            let tx = conn.unchecked_transaction()?;
            let row = rows::mailbox_by_id(&tx, mailbox)?;
            let (metas, files) = fetch_rows(&tx, mailbox, uids, options)?;
            Ok((row, metas, files))
        })?;
        // The reads that usually follow (FETCH BODY[], POP3 RETR) find the files here.
        self.inner
            .locations
            .remember(mailbox, &self.folder(&row.name), files);
        Ok(metas)
    }

    /// Where a message's file is, with its size and (when asked) its cached structure:
    /// one pool checkout, one prepared statement. `MessageNotFound` or
    /// `MailboxNotFound` when there is no such row.
    fn locate_message(&self, mailbox: MailboxId, uid: Uid, structure: bool) -> Result<Located> {
        // The file name (relative to the folder) is in the row; the folder follows from
        // the mailbox name, joined in the same query.
        const PLAIN: &str = "SELECT m.file, m.size, b.name, NULL FROM message m
             JOIN mailbox b ON b.id = m.mailbox_id WHERE m.mailbox_id = ?1 AND m.uid = ?2";
        const WITH_STRUCTURE: &str = "SELECT m.file, m.size, b.name, c.structure FROM message m
             JOIN mailbox b ON b.id = m.mailbox_id JOIN content c ON c.id = m.content_id
             WHERE m.mailbox_id = ?1 AND m.uid = ?2";
        let (file, size, name, blob) = self.read(|conn| {
            let found = conn
                .prepare_cached(if structure { WITH_STRUCTURE } else { PLAIN })?
                .query_row(params![mailbox.0, uid.get()], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, u64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<Vec<u8>>>(3)?,
                    ))
                })
                .optional()?;
            match found {
                Some(found) => Ok(found),
                None if rows::mailbox_exists(conn, mailbox)? => Err(StoreError::MessageNotFound),
                None => Err(StoreError::MailboxNotFound),
            }
        })?;
        let name = MailboxName::try_from(name).map_err(|_| StoreError::Corrupt("mailbox name"))?;
        let structure = match blob {
            Some(blob) => {
                Some(cache::decode_structure(&blob).ok_or(StoreError::Corrupt("body structure"))?)
            }
            None if structure => return Err(StoreError::Corrupt("body structure")),
            None => None,
        };
        let mut path = self.folder(&name);
        path.push(file);
        Ok(Located {
            path,
            size,
            structure,
        })
    }

    /// Opens a message's file. When it is not where the index says (another program
    /// renamed it), re-reads the folder once and tries again.
    fn open_message(
        &self,
        mailbox: MailboxId,
        uid: Uid,
        structure: bool,
    ) -> Result<(File, Located)> {
        let located = self.locate_message(mailbox, uid, structure)?;
        match File::open(&located.path) {
            Ok(file) => Ok((file, located)),
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                self.sync_mailbox(mailbox)?;
                let located = self.locate_message(mailbox, uid, structure)?;
                let file =
                    File::open(&located.path).map_err(StoreError::io("open message file"))?;
                Ok((file, located))
            }
            Err(err) => Err(StoreError::io("open message file")(err)),
        }
    }

    /// The whole message (`BODY[]`, `RFC822`, POP3 RETR), or the `partial` range of it,
    /// when a listing ([`crate::store::MessageReader::fetch`]) of this account located its
    /// file and the file is still there: an `open` and a read, no index query, nothing
    /// that waits on a lock or scans a folder, so an async server may call it on its
    /// event loop for a small message. `None` when the location is not remembered or the
    /// file moved since (renamed, expunged, moved): then
    /// [`crate::store::MessageReader::read`] finds the message through the index.
    ///
    /// # Errors
    /// I/O errors of opening or reading the file (not "not found", which is `None`).
    pub fn read_listed(
        &self,
        mailbox: MailboxId,
        uid: Uid,
        partial: Option<(u64, u64)>,
    ) -> Option<Result<MessageData>> {
        let (path, size) = self.inner.locations.get(mailbox, uid)?;
        match File::open(&path) {
            Ok(file) => Some(section_data(file, size, None, &Section::full(), partial)),
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                self.inner.locations.forget_message(mailbox, uid);
                None
            }
            Err(err) => Some(Err(StoreError::io("open message file")(err))),
        }
    }

    pub(super) fn read_section(
        &self,
        mailbox: MailboxId,
        uid: Uid,
        section: &Section,
        partial: Option<(u64, u64)>,
    ) -> Result<MessageData> {
        let whole = is_whole(section);
        if whole && let Some(data) = self.read_listed(mailbox, uid, partial) {
            return data;
        }
        if is_root_header(section)
            && let Some(data) = kept_header_data(self.kept_header(mailbox, uid)?, section, partial)
        {
            return Ok(data);
        }
        let (file, located) = self.open_message(mailbox, uid, !whole)?;
        section_data(
            file,
            located.size,
            located.structure.as_ref(),
            section,
            partial,
        )
    }

    /// The root header block the index keeps of a message (see [`kept_header_data`]).
    fn kept_header(&self, mailbox: MailboxId, uid: Uid) -> Result<Vec<u8>> {
        const QUERY: &str = "SELECT c.header FROM message m JOIN content c ON c.id = m.content_id
             WHERE m.mailbox_id = ?1 AND m.uid = ?2";
        self.read(|conn| {
            let found = conn
                .prepare_cached(QUERY)?
                .query_row(params![mailbox.0, uid.get()], |r| r.get::<_, Vec<u8>>(0))
                .optional()?;
            match found {
                Some(block) => Ok(block),
                None if rows::mailbox_exists(conn, mailbox)? => Err(StoreError::MessageNotFound),
                None => Err(StoreError::MailboxNotFound),
            }
        })
    }

    /// [`Account::read_many`] for a root `HEADER` or `HEADER.FIELDS[.NOT]` section: the
    /// kept header blocks of all messages in one query, no file opened (a block that
    /// may have been cut goes through [`Account::read_section`]).
    fn read_many_headers(
        &self,
        mailbox: MailboxId,
        uids: &UidSet,
        section: &Section,
        partial: Option<(u64, u64)>,
        each: &mut dyn FnMut(Uid, MessageData) -> Result<()>,
    ) -> Result<()> {
        const QUERY: &str = "SELECT m.uid, c.header FROM message m
             JOIN content c ON c.id = m.content_id
             WHERE m.mailbox_id = ?1 AND m.uid BETWEEN ?2 AND ?3 ORDER BY m.uid";
        let found = self.read(|conn| {
            let tx = conn.unchecked_transaction()?;
            rows::mailbox_by_id(&tx, mailbox)?;
            let mut stmt = tx.prepare_cached(QUERY)?;
            let mut found = Vec::new();
            for (lo, hi) in uids.ranges() {
                let rows = stmt.query_map(params![mailbox.0, lo.get(), hi.get()], |r| {
                    Ok((r.get::<_, u32>(0)?, r.get::<_, Vec<u8>>(1)?))
                })?;
                for row in rows {
                    found.push(row?);
                }
            }
            Ok(found)
        })?;
        for (uid, block) in found {
            let uid = Uid::new(uid).ok_or(StoreError::Corrupt("uid"))?;
            let data = match kept_header_data(block, section, partial) {
                Some(data) => data,
                None => match self.read_section(mailbox, uid, section, partial) {
                    Ok(data) => data,
                    Err(StoreError::MessageNotFound) => continue,
                    Err(err) => return Err(err),
                },
            };
            each(uid, data)?;
        }
        Ok(())
    }

    /// [`crate::store::MessageReader::read_each`]: the rows of all messages in one
    /// query, then each file opened and read in UID order. A file that is not where
    /// the index says goes through [`Account::read_section`] (which re-reads the
    /// folder once); a message expunged meanwhile is skipped.
    pub(super) fn read_many(
        &self,
        mailbox: MailboxId,
        uids: &UidSet,
        section: &Section,
        partial: Option<(u64, u64)>,
        each: &mut dyn FnMut(Uid, MessageData) -> Result<()>,
    ) -> Result<()> {
        const PLAIN: &str = "SELECT m.uid, m.file, m.size, NULL FROM message m
             WHERE m.mailbox_id = ?1 AND m.uid BETWEEN ?2 AND ?3 ORDER BY m.uid";
        const WITH_STRUCTURE: &str = "SELECT m.uid, m.file, m.size, c.structure FROM message m
             JOIN content c ON c.id = m.content_id
             WHERE m.mailbox_id = ?1 AND m.uid BETWEEN ?2 AND ?3 ORDER BY m.uid";
        if is_root_header(section) {
            return self.read_many_headers(mailbox, uids, section, partial, each);
        }
        let structure = !is_whole(section);
        let (folder, found) = self.read(|conn| {
            let tx = conn.unchecked_transaction()?;
            let row = rows::mailbox_by_id(&tx, mailbox)?;
            let mut stmt = tx.prepare_cached(if structure { WITH_STRUCTURE } else { PLAIN })?;
            let mut found = Vec::new();
            for (lo, hi) in uids.ranges() {
                let rows = stmt.query_map(params![mailbox.0, lo.get(), hi.get()], |r| {
                    Ok((
                        r.get::<_, u32>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, u64>(2)?,
                        r.get::<_, Option<Vec<u8>>>(3)?,
                    ))
                })?;
                for row in rows {
                    found.push(row?);
                }
            }
            Ok((self.folder(&row.name), found))
        })?;
        for (uid, file, size, blob) in found {
            let uid = Uid::new(uid).ok_or(StoreError::Corrupt("uid"))?;
            let data = match File::open(folder.join(&file)) {
                Ok(file) => {
                    let decoded = match blob {
                        Some(blob) => Some(
                            cache::decode_structure(&blob)
                                .ok_or(StoreError::Corrupt("body structure"))?,
                        ),
                        None if structure => return Err(StoreError::Corrupt("body structure")),
                        None => None,
                    };
                    section_data(file, size, decoded.as_ref(), section, partial)?
                }
                Err(err) if err.kind() == io::ErrorKind::NotFound => {
                    match self.read_section(mailbox, uid, section, partial) {
                        Ok(data) => data,
                        Err(StoreError::MessageNotFound) => continue,
                        Err(err) => return Err(err),
                    }
                }
                Err(err) => return Err(StoreError::io("open message file")(err)),
            };
            each(uid, data)?;
        }
        Ok(())
    }

    pub(super) fn read_decoded(
        &self,
        mailbox: MailboxId,
        uid: Uid,
        part: &[NonZeroU32],
        partial: Option<(u64, u64)>,
    ) -> Result<Option<MessageData>> {
        let (file, located) = self.open_message(mailbox, uid, true)?;
        let structure = located
            .structure
            .ok_or(StoreError::Corrupt("body structure"))?;
        let Some((start, end, encoding)) = locate_binary(&structure, part) else {
            return Ok(Some(MessageData::from_vec(Vec::new())));
        };
        let raw = read_range(file, start, end).map_err(StoreError::io("read message file"))?;
        Ok(decode::transfer_decode(encoding, &raw).map(|bytes| MessageData::slice(bytes, partial)))
    }

    pub(super) fn changes(&self, mailbox: MailboxId, since: ModSeq) -> Result<Changes> {
        self.read(|conn| {
            let tx = conn.unchecked_transaction()?;
            let row = rows::mailbox_by_id(&tx, mailbox)?;
            let since_value = i64::try_from(since.get()).unwrap_or(i64::MAX);
            let changed_uids: UidSet = tx
                .prepare_cached("SELECT uid FROM message WHERE mailbox_id = ?1 AND modseq > ?2")?
                .query_map(params![mailbox.0, since_value], |r| r.get::<_, u32>(0))?
                .filter_map(|r| r.ok().and_then(Uid::new))
                .collect();
            let changed = if changed_uids.is_empty() {
                Vec::new()
            } else {
                fetch_rows(&tx, mailbox, &changed_uids, FetchOptions::meta())?.0
            };
            let vanished: UidSet = tx
                .prepare_cached("SELECT uid FROM expunged WHERE mailbox_id = ?1 AND modseq > ?2")?
                .query_map(params![mailbox.0, since_value], |r| r.get::<_, u32>(0))?
                .filter_map(|r| r.ok().and_then(Uid::new))
                .collect();
            Ok(Changes {
                highest_modseq: ModSeq::new(row.highestmodseq),
                uid_next: Uid::new(row.uidnext).unwrap_or(Uid::MAX),
                changed,
                vanished,
            })
        })
    }
}

/// Metadata rows for a UID set, with the cached envelope/structure when asked; and
/// where their files are.
fn fetch_rows(
    conn: &Connection,
    mailbox: MailboxId,
    uids: &UidSet,
    options: FetchOptions,
) -> Result<(Vec<MessageMeta>, Listing)> {
    // Flags and sizes alone are in the message rows: the content rows (large, with
    // the header blocks) are only visited when their cached values are asked for.
    const META: &str = concat!(
        "SELECT ",
        message_columns!(),
        ", NULL, NULL FROM message m
         WHERE m.mailbox_id = ?1 AND m.uid BETWEEN ?2 AND ?3 ORDER BY m.uid"
    );
    const WITH_CONTENT: &str = concat!(
        "SELECT ",
        message_columns!(),
        ", CASE WHEN ?4 THEN c.envelope END, CASE WHEN ?5 THEN c.structure END
         FROM message m JOIN content c ON c.id = m.content_id
         WHERE m.mailbox_id = ?1 AND m.uid BETWEEN ?2 AND ?3 ORDER BY m.uid"
    );
    let with_content = options.envelope || options.body_structure;
    let mut stmt = conn.prepare_cached(if with_content { WITH_CONTENT } else { META })?;
    let mut out = Vec::new();
    let mut files = Listing::default();
    for (lo, hi) in uids.ranges() {
        let mut rows = if with_content {
            stmt.query(params![
                mailbox.0,
                lo.get(),
                hi.get(),
                options.envelope,
                options.body_structure
            ])?
        } else {
            stmt.query(params![mailbox.0, lo.get(), hi.get()])?
        };
        while let Some(r) = rows.next()? {
            let m = MessageRow::from_row(r)?;
            let envelope: Option<Vec<u8>> = r.get(11)?;
            let structure: Option<Vec<u8>> = r.get(12)?;
            files.push(m.uid, &m.file, m.size);
            out.push(MessageMeta {
                uid: m.uid,
                flags: m.flags,
                internal_date: m.internal_date,
                size: m.size,
                modseq: m.modseq,
                stable_id: m.base,
                envelope: match envelope {
                    Some(b) => {
                        Some(cache::decode_envelope(&b).ok_or(StoreError::Corrupt("envelope"))?)
                    }
                    None => None,
                },
                body_structure: match structure {
                    Some(b) => Some(
                        cache::decode_structure(&b).ok_or(StoreError::Corrupt("body structure"))?,
                    ),
                    None => None,
                },
            });
        }
    }
    Ok((out, files))
}

/// Whether a section is the whole message (`BODY[]`), served without the structure.
fn is_whole(section: &Section) -> bool {
    section.part().is_empty() && section.text().is_none()
}

/// Whether a section is `HEADER` or `HEADER.FIELDS[.NOT]` of the message itself (not of
/// an enclosed message/rfc822 part): what the index's kept header block can serve.
fn is_root_header(section: &Section) -> bool {
    section.part().is_empty()
        && matches!(
            section.text(),
            Some(SectionText::Header | SectionText::HeaderFields { .. })
        )
}

/// A root `HEADER` or `HEADER.FIELDS[.NOT]` section from the header block the index
/// keeps of every message (`content.header`, written from the same bytes as the file
/// when the message was stored; Maildir files never change), so a client's message
/// list needs no file opened, as Dovecot serves it from its cache file. `None` when the
/// block may have been cut at [`MAX_KEPT_HEADER`]: the file is read then.
fn kept_header_data(
    block: Vec<u8>,
    section: &Section,
    partial: Option<(u64, u64)>,
) -> Option<MessageData> {
    if block.len() >= MAX_KEPT_HEADER {
        return None;
    }
    match section.text() {
        Some(SectionText::Header) => Some(MessageData::slice(block, partial)),
        Some(SectionText::HeaderFields { not, fields }) => Some(MessageData::slice(
            header::select(&block, fields, *not),
            partial,
        )),
        _ => None,
    }
}

/// The bytes of `section` from a message's open file of `size` bytes; `structure` is
/// needed for every section but the whole message.
fn section_data(
    file: File,
    size: u64,
    structure: Option<&BodyStructure>,
    section: &Section,
    partial: Option<(u64, u64)>,
) -> Result<MessageData> {
    let slice = match structure {
        Some(structure) if !is_whole(section) => locate(structure, section),
        _ => Slice::Range(0, size),
    };
    let io_err = StoreError::io("read message file");
    match slice {
        Slice::Range(start, end) => {
            let (start, end) = clip(start, end, partial);
            MessageData::read_file(file, start, end - start).map_err(io_err)
        }
        Slice::Fields {
            start,
            end,
            names,
            not,
        } => {
            let block = read_range(file, start, end).map_err(io_err)?;
            Ok(MessageData::slice(
                header::select(&block, &names, not),
                partial,
            ))
        }
        Slice::Empty => Ok(MessageData::from_vec(Vec::new())),
    }
}

fn read_range(file: File, start: u64, end: u64) -> io::Result<Vec<u8>> {
    MessageData::read_file(file, start, end.saturating_sub(start))?.into_vec()
}

/// A message file as the index places it.
#[derive(Debug)]
struct Located {
    /// The file: the mailbox folder joined with the row's `new/..` or `cur/..` name.
    path: PathBuf,
    /// The message size the index recorded.
    size: u64,
    /// The cached MIME structure, when asked for.
    structure: Option<BodyStructure>,
}
