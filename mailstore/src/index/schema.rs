//! The SQLite schema of an account's index.

use rusqlite::Connection;
use rusqlite::config::DbConfig;

/// The schema version this code writes. An index of an older version that
/// [`MIGRATIONS`] covers is brought up to date in place (UIDs and flags kept); any
/// other version is rebuilt from the Maildir (the files are the truth, the index is a
/// cache plus UIDs).
pub(crate) const VERSION: i64 = 2;

/// The statements that take an index from version `n` to `n + 1`, at index `n - 1`.
const MIGRATIONS: &[&str] = &[
    // 1 -> 2: messages that could not be analysed are kept and recorded as such.
    "ALTER TABLE content ADD COLUMN failure TEXT;
     ALTER TABLE content ADD COLUMN analyzer INTEGER NOT NULL DEFAULT 0;",
];

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta(
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS mailbox(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    uidvalidity INTEGER NOT NULL,
    uidnext INTEGER NOT NULL DEFAULT 1,
    highestmodseq INTEGER NOT NULL DEFAULT 1,
    recent_uid INTEGER NOT NULL DEFAULT 0,
    subscribed INTEGER NOT NULL DEFAULT 0,
    special_use INTEGER NOT NULL DEFAULT 0
);

-- What is computed from a message's bytes; shared by its copies.
CREATE TABLE IF NOT EXISTS content(
    id INTEGER PRIMARY KEY,
    refs INTEGER NOT NULL,
    envelope BLOB NOT NULL,
    structure BLOB NOT NULL,
    header BLOB NOT NULL,
    sent_date INTEGER,
    sent_day INTEGER,
    subject TEXT NOT NULL,
    from_text TEXT NOT NULL,
    to_text TEXT NOT NULL,
    cc_text TEXT NOT NULL,
    bcc_text TEXT NOT NULL,
    sort_subject TEXT NOT NULL,
    sort_from TEXT NOT NULL,
    sort_to TEXT NOT NULL,
    sort_cc TEXT NOT NULL,
    display_from TEXT NOT NULL,
    display_to TEXT NOT NULL,
    -- Why the message could not be analysed (NULL when it was), and the analyzer
    -- version that tried: an older version's failure is retried on open.
    failure TEXT,
    analyzer INTEGER NOT NULL DEFAULT 0
);
-- The few messages that could not be analysed, found without a scan.
CREATE INDEX IF NOT EXISTS content_failed ON content(analyzer) WHERE failure IS NOT NULL;

CREATE TABLE IF NOT EXISTS message(
    id INTEGER PRIMARY KEY,
    mailbox_id INTEGER NOT NULL REFERENCES mailbox(id) ON DELETE CASCADE,
    uid INTEGER NOT NULL,
    content_id INTEGER NOT NULL REFERENCES content(id),
    base TEXT NOT NULL,
    file TEXT NOT NULL,
    flags INTEGER NOT NULL,
    keywords TEXT NOT NULL,
    internal_date INTEGER NOT NULL,
    internal_offset INTEGER NOT NULL,
    internal_day INTEGER NOT NULL,
    size INTEGER NOT NULL,
    modseq INTEGER NOT NULL,
    UNIQUE(mailbox_id, uid)
);
CREATE INDEX IF NOT EXISTS message_modseq ON message(mailbox_id, modseq);
CREATE INDEX IF NOT EXISTS message_base ON message(base);

-- Expunged UIDs with the MODSEQ of their expunge, for QRESYNC VANISHED.
CREATE TABLE IF NOT EXISTS expunged(
    mailbox_id INTEGER NOT NULL,
    uid INTEGER NOT NULL,
    modseq INTEGER NOT NULL,
    PRIMARY KEY(mailbox_id, uid)
) WITHOUT ROWID;

CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    header, body,
    content='', contentless_delete=1,
    tokenize='unicode61 remove_diacritics 2'
);

-- Account-wide usage, kept by triggers, for quota checks without a scan.
INSERT OR IGNORE INTO meta(key, value) VALUES ('usage_bytes', 0), ('usage_messages', 0),
    ('last_uidvalidity', 0), ('quota_bytes', -1), ('quota_messages', -1);
CREATE TRIGGER IF NOT EXISTS message_added AFTER INSERT ON message BEGIN
    UPDATE meta SET value = value + NEW.size WHERE key = 'usage_bytes';
    UPDATE meta SET value = value + 1 WHERE key = 'usage_messages';
END;
CREATE TRIGGER IF NOT EXISTS message_removed AFTER DELETE ON message BEGIN
    UPDATE meta SET value = value - OLD.size WHERE key = 'usage_bytes';
    UPDATE meta SET value = value - 1 WHERE key = 'usage_messages';
END;
";

/// Opens (creating if needed) the index at `path` with WAL and the pragmas the store
/// relies on. A writer connection also creates the schema.
pub(crate) fn open(
    path: &std::path::Path,
    writer: bool,
    synchronous_full: bool,
) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(
        None,
        "synchronous",
        if synchronous_full { "FULL" } else { "NORMAL" },
    )?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Plans that do not depend on bound values. Without this SQLite marks statements
    // such as `.. WHERE mailbox_id = ?1` to be re-planned when a parameter bound to 0
    // or 1 (the INBOX is mailbox 1) is rebound, so a cached statement was parsed
    // again on nearly every call of the read path. Our queries do not need
    // value-dependent plans (no STAT4 samples, no LIKE on bound patterns).
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    super::functions::register(&conn)?;
    if writer {
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let migrations = usize::try_from(version - 1)
            .ok()
            .and_then(|from| MIGRATIONS.get(from..))
            .filter(|steps| version + steps.len() as i64 == VERSION);
        if let Some(steps) = migrations {
            let tx = conn.unchecked_transaction()?;
            for step in steps {
                tx.execute_batch(step)?;
            }
            tx.pragma_update(None, "user_version", VERSION)?;
            tx.commit()?;
        } else if version != VERSION && version != 0 {
            conn.execute_batch(
                "DROP TABLE IF EXISTS fts; DROP TABLE IF EXISTS expunged; DROP TABLE IF EXISTS message;
                 DROP TABLE IF EXISTS content; DROP TABLE IF EXISTS mailbox; DROP TABLE IF EXISTS meta;",
            )?;
        }
        conn.execute_batch(SCHEMA)?;
        conn.pragma_update(None, "user_version", VERSION)?;
    }
    Ok(conn)
}
