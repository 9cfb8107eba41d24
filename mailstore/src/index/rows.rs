//! Rows of the index and the queries that read and write them.

use rusqlite::{Connection, OptionalExtension, Row, ToSql, params};

use crate::error::{Result, StoreError};
use crate::mime::{ANALYZER_VERSION, Analysis, cache};
use crate::types::{
    Flags, InternalDate, Keyword, MailboxId, MailboxName, ModSeq, Uid, UidValidity,
};

/// A row of `mailbox`.
#[derive(Debug, Clone)]
pub(crate) struct MailboxRow {
    pub(crate) id: MailboxId,
    pub(crate) name: MailboxName,
    pub(crate) uidvalidity: UidValidity,
    pub(crate) uidnext: u32,
    pub(crate) highestmodseq: u64,
    pub(crate) recent_uid: u32,
    pub(crate) subscribed: bool,
    pub(crate) special_use: u8,
}

/// The `mailbox` columns [`MailboxRow::from_row`] reads, as a literal for `concat!` (so
/// the statements that use them are constant strings, prepared once per connection).
macro_rules! mailbox_columns {
    () => {
        "id, name, uidvalidity, uidnext, highestmodseq, recent_uid, subscribed, special_use"
    };
}

pub(crate) const MAILBOX_COLUMNS: &str = mailbox_columns!();

impl MailboxRow {
    pub(crate) fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        let name: String = row.get(1)?;
        let uidvalidity: u32 = row.get(2)?;
        Ok(Self {
            id: MailboxId(row.get(0)?),
            name: MailboxName::try_from(name).unwrap_or_else(|_| MailboxName::inbox()),
            uidvalidity: UidValidity::new(uidvalidity).unwrap_or(UidValidity::MIN),
            uidnext: row.get(3)?,
            highestmodseq: row.get(4)?,
            recent_uid: row.get(5)?,
            subscribed: row.get(6)?,
            special_use: row.get(7)?,
        })
    }
}

/// Reads one mailbox by id.
pub(crate) fn mailbox_by_id(conn: &Connection, id: MailboxId) -> Result<MailboxRow> {
    conn.prepare_cached(concat!(
        "SELECT ",
        mailbox_columns!(),
        " FROM mailbox WHERE id = ?1"
    ))?
    .query_row([id.0], MailboxRow::from_row)
    .optional()?
    .ok_or(StoreError::MailboxNotFound)
}

/// Reads one mailbox by name.
pub(crate) fn mailbox_by_name(conn: &Connection, name: &MailboxName) -> Result<MailboxRow> {
    conn.prepare_cached(concat!(
        "SELECT ",
        mailbox_columns!(),
        " FROM mailbox WHERE name = ?1"
    ))?
    .query_row([name.as_str()], MailboxRow::from_row)
    .optional()?
    .ok_or(StoreError::MailboxNotFound)
}

/// Whether a mailbox exists.
pub(crate) fn mailbox_exists(conn: &Connection, id: MailboxId) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM mailbox WHERE id = ?1")?
        .query_row([id.0], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The message columns most operations need.
#[derive(Debug, Clone)]
pub(crate) struct MessageRow {
    pub(crate) id: i64,
    pub(crate) uid: Uid,
    pub(crate) content_id: i64,
    pub(crate) base: String,
    pub(crate) file: String,
    pub(crate) flags: Flags,
    pub(crate) internal_date: InternalDate,
    pub(crate) size: u64,
    pub(crate) modseq: ModSeq,
}

/// The `message m` columns [`MessageRow::from_row`] reads, as a literal for `concat!`.
macro_rules! message_columns {
    () => {
        "m.id, m.uid, m.content_id, m.base, m.file, m.flags, m.keywords, m.internal_date, m.internal_offset, m.size, m.modseq"
    };
}
pub(crate) use message_columns;

impl MessageRow {
    pub(crate) fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        let uid: u32 = row.get(1)?;
        let flags: u8 = row.get(5)?;
        let keywords: String = row.get(6)?;
        Ok(Self {
            id: row.get(0)?,
            uid: Uid::new(uid).unwrap_or(Uid::MIN),
            content_id: row.get(2)?,
            base: row.get(3)?,
            file: row.get(4)?,
            flags: Flags::from_parts(flags, parse_keywords(&keywords)),
            internal_date: InternalDate::new(row.get(7)?, row.get(8)?),
            size: row.get(9)?,
            modseq: ModSeq::new(row.get(10)?),
        })
    }
}

/// Keywords as the index keeps them: separated by spaces.
pub(crate) fn keywords_text(flags: &Flags) -> String {
    flags
        .keywords()
        .iter()
        .map(Keyword::as_str)
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) fn parse_keywords(text: &str) -> Vec<Keyword> {
    text.split(' ')
        .filter_map(|k| Keyword::try_from(k).ok())
        .collect()
}

/// Inserts what the index keeps of a message's bytes; returns the content id.
pub(crate) fn insert_content(conn: &Connection, analysis: &Analysis) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO content(refs, envelope, structure, header, sent_date, sent_day, subject, from_text,
            to_text, cc_text, bcc_text, sort_subject, sort_from, sort_to, sort_cc, display_from, display_to,
            failure, analyzer)
         VALUES (0, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    )?
    .execute(content_values(analysis).as_params())?;
    let id = conn.last_insert_rowid();
    conn.prepare_cached("INSERT INTO fts(rowid, header, body) VALUES (?1, ?2, ?3)")?
        .execute(params![id, analysis.header_text, analysis.body_text])?;
    Ok(id)
}

/// Replaces what the index keeps of a message's bytes (a new analysis of a message
/// whose earlier one failed).
pub(crate) fn update_content(conn: &Connection, id: i64, analysis: &Analysis) -> Result<()> {
    let values = content_values(analysis);
    let mut params = values.as_params().to_vec();
    params.push(&id);
    conn.prepare_cached(
        "UPDATE content SET envelope = ?1, structure = ?2, header = ?3, sent_date = ?4, sent_day = ?5,
            subject = ?6, from_text = ?7, to_text = ?8, cc_text = ?9, bcc_text = ?10, sort_subject = ?11,
            sort_from = ?12, sort_to = ?13, sort_cc = ?14, display_from = ?15, display_to = ?16,
            failure = ?17, analyzer = ?18
         WHERE id = ?19",
    )?
    .execute(&params[..])?;
    conn.prepare_cached("DELETE FROM fts WHERE rowid = ?1")?
        .execute([id])?;
    conn.prepare_cached("INSERT INTO fts(rowid, header, body) VALUES (?1, ?2, ?3)")?
        .execute(params![id, analysis.header_text, analysis.body_text])?;
    Ok(())
}

/// The `content` columns of an analysis, in the order of the statements above.
struct ContentValues<'a> {
    envelope: Vec<u8>,
    structure: Vec<u8>,
    sent_date: Option<i64>,
    sent_day: Option<i64>,
    analyzer: i64,
    analysis: &'a Analysis,
}

fn content_values(analysis: &Analysis) -> ContentValues<'_> {
    let s = &analysis.summary;
    ContentValues {
        envelope: cache::encode_envelope(&s.envelope),
        structure: cache::encode_structure(&analysis.structure),
        sent_date: s.sent.map(|d| d.0),
        sent_day: s.sent.map(|d| d.1),
        analyzer: ANALYZER_VERSION,
        analysis,
    }
}

impl ContentValues<'_> {
    fn as_params(&self) -> [&dyn ToSql; 18] {
        let (a, s) = (self.analysis, &self.analysis.summary);
        [
            &self.envelope,
            &self.structure,
            &a.header,
            &self.sent_date,
            &self.sent_day,
            &s.subject,
            &s.from,
            &s.to,
            &s.cc,
            &s.bcc,
            &a.sort_subject,
            &s.sort_from,
            &s.sort_to,
            &s.sort_cc,
            &s.display_from,
            &s.display_to,
            &a.failure,
            &self.analyzer,
        ]
    }
}

/// Drops one reference to a content row, deleting it (and its text) at zero.
pub(crate) fn release_content(conn: &Connection, content_id: i64) -> Result<()> {
    conn.prepare_cached("UPDATE content SET refs = refs - 1 WHERE id = ?1")?
        .execute([content_id])?;
    let refs: Option<i64> = conn
        .prepare_cached("SELECT refs FROM content WHERE id = ?1")?
        .query_row([content_id], |r| r.get(0))
        .optional()?;
    if refs.is_some_and(|r| r <= 0) {
        conn.prepare_cached("DELETE FROM fts WHERE rowid = ?1")?
            .execute([content_id])?;
        conn.prepare_cached("DELETE FROM content WHERE id = ?1")?
            .execute([content_id])?;
    }
    Ok(())
}

/// A new message row (with one more reference on its content).
#[derive(Debug)]
pub(crate) struct NewMessage<'a> {
    pub(crate) mailbox: MailboxId,
    pub(crate) uid: u32,
    pub(crate) content_id: i64,
    pub(crate) base: &'a str,
    pub(crate) file: &'a str,
    pub(crate) flags: &'a Flags,
    pub(crate) internal_date: InternalDate,
    pub(crate) size: u64,
    pub(crate) modseq: u64,
}

/// Inserts a message row.
pub(crate) fn insert_message(conn: &Connection, m: &NewMessage<'_>) -> Result<()> {
    conn.prepare_cached("UPDATE content SET refs = refs + 1 WHERE id = ?1")?
        .execute([m.content_id])?;
    conn.prepare_cached(
        "INSERT INTO message(mailbox_id, uid, content_id, base, file, flags, keywords, internal_date,
            internal_offset, internal_day, size, modseq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        m.mailbox.0,
        m.uid,
        m.content_id,
        m.base,
        m.file,
        m.flags.system_bits(),
        keywords_text(m.flags),
        m.internal_date.timestamp(),
        m.internal_date.offset_minutes(),
        m.internal_date.local_days(),
        m.size,
        m.modseq,
    ])?;
    Ok(())
}

/// Deletes a message row, records its UID as expunged at `modseq`, releases its content.
pub(crate) fn delete_message(
    conn: &Connection,
    mailbox: MailboxId,
    row: &MessageRow,
    modseq: u64,
) -> Result<()> {
    conn.prepare_cached("DELETE FROM message WHERE id = ?1")?
        .execute([row.id])?;
    conn.prepare_cached(
        "INSERT OR REPLACE INTO expunged(mailbox_id, uid, modseq) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![mailbox.0, row.uid.get(), modseq])?;
    release_content(conn, row.content_id)
}

/// The messages of a mailbox whose UIDs are in `uids`, ascending.
pub(crate) fn messages_in(
    conn: &Connection,
    mailbox: MailboxId,
    uids: &crate::types::UidSet,
) -> Result<Vec<MessageRow>> {
    let mut out = Vec::new();
    let mut stmt = conn.prepare_cached(concat!(
        "SELECT ",
        message_columns!(),
        " FROM message m WHERE m.mailbox_id = ?1 AND m.uid BETWEEN ?2 AND ?3 ORDER BY m.uid"
    ))?;
    for (lo, hi) in uids.ranges() {
        let rows = stmt.query_map(params![mailbox.0, lo.get(), hi.get()], MessageRow::from_row)?;
        for row in rows {
            out.push(row?);
        }
    }
    Ok(out)
}

/// Raises a mailbox's HIGHESTMODSEQ by one and returns the new value.
pub(crate) fn next_modseq(conn: &Connection, mailbox: MailboxId) -> Result<u64> {
    conn.prepare_cached("UPDATE mailbox SET highestmodseq = highestmodseq + 1 WHERE id = ?1 RETURNING highestmodseq")?
        .query_row([mailbox.0], |r| r.get(0))
        .optional()?
        .ok_or(StoreError::MailboxNotFound)
}

/// Takes the next UID of a mailbox.
pub(crate) fn take_uid(conn: &Connection, mailbox: MailboxId) -> Result<u32> {
    let next: u32 = conn
        .prepare_cached(
            "UPDATE mailbox SET uidnext = uidnext + 1 WHERE id = ?1 RETURNING uidnext - 1",
        )?
        .query_row([mailbox.0], |r| r.get(0))
        .optional()?
        .ok_or(StoreError::MailboxNotFound)?;
    Ok(next)
}

/// A meta value.
pub(crate) fn meta(conn: &Connection, key: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

/// Sets a meta value.
pub(crate) fn set_meta(conn: &Connection, key: &str, value: i64) -> Result<()> {
    conn.prepare_cached("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)")?
        .execute(params![key, value])?;
    Ok(())
}
