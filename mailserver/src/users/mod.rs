//! The user database: domains, users with argon2 password hashes, quotas and rate
//! limits, aliases and catch-alls, in one SQLite file in the data folder.
//!
//! Every call blocks (SQLite; argon2 takes tens of milliseconds on purpose): async
//! code calls it from `spawn_blocking`. The handle is cheap to clone.

pub mod address;
pub mod password;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// Why a user database operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DirectoryError {
    /// The address or domain is not well formed.
    #[error("{0}")]
    Invalid(String),
    /// The domain is not one of ours.
    #[error("unknown domain {0}")]
    UnknownDomain(String),
    /// It exists already.
    #[error("{0} exists already")]
    Exists(String),
    /// It does not exist.
    #[error("no such {0}")]
    NotFound(String),
    /// The database failed.
    #[error("user database: {0}")]
    Db(#[from] rusqlite::Error),
    /// Hashing failed.
    #[error("password hashing failed")]
    Hash,
}

impl DirectoryError {
    /// Whether the caller asked for something wrong (vs. the machine failing).
    pub fn is_client_error(&self) -> bool {
        !matches!(self, Self::Db(_) | Self::Hash)
    }
}

/// A domain.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Domain {
    /// The name, lower case.
    pub name: String,
    /// When it was added (seconds since the epoch).
    pub created: i64,
}

/// A user (the password hash stays inside).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct User {
    /// The address, lower case; also the mailbox account name.
    pub address: String,
    /// Storage quota in bytes; `None` for none.
    pub quota_bytes: Option<u64>,
    /// Submission limit per hour; `None` for the configured default.
    pub messages_per_hour: Option<u32>,
    /// When it was added.
    pub created: i64,
}

/// An alias: mail to `source` goes to `target`. A source `@domain` is the catch-all.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Alias {
    /// `name@domain` or `@domain`.
    pub source: String,
    /// A local user's address.
    pub target: String,
}

/// Where mail to an address goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// To these local users' mailboxes.
    Local(Vec<String>),
    /// The domain is ours but nobody has this address.
    UnknownUser,
    /// The domain is not ours.
    Remote,
}

/// The user database. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Directory {
    conn: Arc<Mutex<Connection>>,
}

const SCHEMA: &str = "
PRAGMA journal_mode = WAL;
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS domain (
    name TEXT PRIMARY KEY,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS user (
    address TEXT PRIMARY KEY,
    domain TEXT NOT NULL REFERENCES domain(name) ON DELETE CASCADE,
    password TEXT NOT NULL,
    quota_bytes INTEGER,
    messages_per_hour INTEGER,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS alias (
    source TEXT NOT NULL,
    target TEXT NOT NULL REFERENCES user(address) ON DELETE CASCADE,
    domain TEXT NOT NULL REFERENCES domain(name) ON DELETE CASCADE,
    PRIMARY KEY (source, target)
);
";

fn now() -> i64 {
    // The user database stamps creation dates with the real time.
    #[allow(clippy::disallowed_methods)]
    let now = std::time::SystemTime::now();
    now.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

impl Directory {
    /// Opens (creating if needed) the database at `path`.
    ///
    /// # Errors
    /// [`DirectoryError::Db`].
    pub fn open(path: &Path) -> Result<Self, DirectoryError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    fn db(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves a consistent connection behind (every
        // change is one statement or one transaction).
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a domain; `Ok(false)` if it existed.
    ///
    /// # Errors
    /// [`DirectoryError::Invalid`], [`DirectoryError::Db`].
    pub fn add_domain(&self, name: &str) -> Result<bool, DirectoryError> {
        let name = name.trim().to_ascii_lowercase();
        crate::config::check_domain(&name).map_err(DirectoryError::Invalid)?;
        let added = self.db().execute(
            "INSERT OR IGNORE INTO domain (name, created) VALUES (?1, ?2)",
            params![name, now()],
        )?;
        Ok(added == 1)
    }

    /// Removes a domain with its users and aliases (their mailboxes stay on disk).
    ///
    /// # Errors
    /// [`DirectoryError::NotFound`], [`DirectoryError::Db`].
    pub fn remove_domain(&self, name: &str) -> Result<(), DirectoryError> {
        let name = name.trim().to_ascii_lowercase();
        match self
            .db()
            .execute("DELETE FROM domain WHERE name = ?1", [&name])?
        {
            0 => Err(DirectoryError::NotFound(format!("domain {name}"))),
            _ => Ok(()),
        }
    }

    /// Every domain, by name.
    ///
    /// # Errors
    /// [`DirectoryError::Db`].
    pub fn domains(&self) -> Result<Vec<Domain>, DirectoryError> {
        let db = self.db();
        let mut stmt = db.prepare("SELECT name, created FROM domain ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            Ok(Domain {
                name: r.get(0)?,
                created: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Whether `domain` is one of ours.
    ///
    /// # Errors
    /// [`DirectoryError::Db`].
    pub fn is_local_domain(&self, domain: &str) -> Result<bool, DirectoryError> {
        let domain = domain.trim_end_matches('.').to_ascii_lowercase();
        Ok(self
            .db()
            .query_row(
                "SELECT 1 FROM domain WHERE name = ?1",
                [&domain],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Adds a user in one of our domains.
    ///
    /// # Errors
    /// [`DirectoryError::Invalid`], [`DirectoryError::UnknownDomain`],
    /// [`DirectoryError::Exists`], [`DirectoryError::Db`].
    pub fn add_user(&self, address: &str, password: &str) -> Result<User, DirectoryError> {
        let address = address::normalize(address).map_err(DirectoryError::Invalid)?;
        if password.is_empty() {
            return Err(DirectoryError::Invalid("the password is empty".into()));
        }
        let domain = address::domain(&address).to_owned();
        if !self.is_local_domain(&domain)? {
            return Err(DirectoryError::UnknownDomain(domain));
        }
        let hash = password::hash(password).map_err(|_| DirectoryError::Hash)?;
        let created = now();
        let inserted = self.db().execute(
            "INSERT OR IGNORE INTO user (address, domain, password, created) VALUES (?1, ?2, ?3, ?4)",
            params![address, domain, hash, created],
        )?;
        if inserted == 0 {
            return Err(DirectoryError::Exists(address));
        }
        Ok(User {
            address,
            quota_bytes: None,
            messages_per_hour: None,
            created,
        })
    }

    /// Deletes a user and their aliases (the mailbox stays on disk).
    ///
    /// # Errors
    /// [`DirectoryError::NotFound`], [`DirectoryError::Db`].
    pub fn remove_user(&self, address: &str) -> Result<(), DirectoryError> {
        let address = address.trim().to_ascii_lowercase();
        match self
            .db()
            .execute("DELETE FROM user WHERE address = ?1", [&address])?
        {
            0 => Err(DirectoryError::NotFound(format!("user {address}"))),
            _ => Ok(()),
        }
    }

    /// Changes a user's password.
    ///
    /// # Errors
    /// [`DirectoryError::NotFound`], [`DirectoryError::Invalid`], [`DirectoryError::Db`].
    pub fn set_password(&self, address: &str, password: &str) -> Result<(), DirectoryError> {
        if password.is_empty() {
            return Err(DirectoryError::Invalid("the password is empty".into()));
        }
        let address = address.trim().to_ascii_lowercase();
        let hash = password::hash(password).map_err(|_| DirectoryError::Hash)?;
        match self.db().execute(
            "UPDATE user SET password = ?2 WHERE address = ?1",
            params![address, hash],
        )? {
            0 => Err(DirectoryError::NotFound(format!("user {address}"))),
            _ => Ok(()),
        }
    }

    /// Sets a user's quota and submission limit (`None`: no quota / the default).
    ///
    /// # Errors
    /// [`DirectoryError::NotFound`], [`DirectoryError::Db`].
    pub fn set_limits(
        &self,
        address: &str,
        quota_bytes: Option<u64>,
        messages_per_hour: Option<u32>,
    ) -> Result<(), DirectoryError> {
        let address = address.trim().to_ascii_lowercase();
        let quota = quota_bytes.map(|q| i64::try_from(q).unwrap_or(i64::MAX));
        match self.db().execute(
            "UPDATE user SET quota_bytes = ?2, messages_per_hour = ?3 WHERE address = ?1",
            params![address, quota, messages_per_hour],
        )? {
            0 => Err(DirectoryError::NotFound(format!("user {address}"))),
            _ => Ok(()),
        }
    }

    /// One user.
    ///
    /// # Errors
    /// [`DirectoryError::Db`].
    pub fn user(&self, address: &str) -> Result<Option<User>, DirectoryError> {
        let address = address.trim().to_ascii_lowercase();
        Ok(self
            .db()
            .query_row(
                "SELECT address, quota_bytes, messages_per_hour, created FROM user WHERE address = ?1",
                [&address],
                user_row,
            )
            .optional()?)
    }

    /// Users, of one domain or all, by address.
    ///
    /// # Errors
    /// [`DirectoryError::Db`].
    pub fn users(&self, domain: Option<&str>) -> Result<Vec<User>, DirectoryError> {
        let db = self.db();
        let mut stmt = db.prepare(
            "SELECT address, quota_bytes, messages_per_hour, created FROM user
             WHERE ?1 IS NULL OR domain = ?1 ORDER BY address",
        )?;
        let domain = domain.map(str::to_ascii_lowercase);
        let rows = stmt.query_map([domain], user_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Checks a password; returns the user's address (normalized) when it matches.
    /// Takes the argon2 time: call from `spawn_blocking`.
    ///
    /// # Errors
    /// [`DirectoryError::Db`].
    pub fn authenticate(
        &self,
        address: &str,
        password: &[u8],
    ) -> Result<Option<String>, DirectoryError> {
        let address = address.trim().to_ascii_lowercase();
        let hash: Option<String> = self
            .db()
            .query_row(
                "SELECT password FROM user WHERE address = ?1",
                [&address],
                |r| r.get(0),
            )
            .optional()?;
        Ok(match hash {
            Some(hash) if password::verify(&hash, password) => Some(address),
            Some(_) => None,
            None => {
                // Spend the same time for unknown users as for wrong passwords.
                let _ = password::verify(DUMMY_HASH, password);
                None
            }
        })
    }

    /// Adds an alias from `source` (`name@domain`, or `@domain` for the catch-all) to
    /// the local user `target`.
    ///
    /// # Errors
    /// [`DirectoryError::Invalid`], [`DirectoryError::UnknownDomain`],
    /// [`DirectoryError::NotFound`] (target), [`DirectoryError::Exists`], [`DirectoryError::Db`].
    pub fn add_alias(&self, source: &str, target: &str) -> Result<Alias, DirectoryError> {
        let source = source.trim().to_ascii_lowercase();
        let domain = match source.strip_prefix('@') {
            Some(domain) => {
                crate::config::check_domain(domain).map_err(DirectoryError::Invalid)?;
                domain.to_owned()
            }
            None => address::domain(&address::normalize(&source).map_err(DirectoryError::Invalid)?)
                .to_owned(),
        };
        if !self.is_local_domain(&domain)? {
            return Err(DirectoryError::UnknownDomain(domain));
        }
        let target = target.trim().to_ascii_lowercase();
        if self.user(&target)?.is_none() {
            return Err(DirectoryError::NotFound(format!("user {target}")));
        }
        let inserted = self.db().execute(
            "INSERT OR IGNORE INTO alias (source, target, domain) VALUES (?1, ?2, ?3)",
            params![source, target, domain],
        )?;
        if inserted == 0 {
            return Err(DirectoryError::Exists(format!(
                "alias {source} -> {target}"
            )));
        }
        Ok(Alias { source, target })
    }

    /// Removes aliases from `source` (to `target` only, when given).
    ///
    /// # Errors
    /// [`DirectoryError::NotFound`], [`DirectoryError::Db`].
    pub fn remove_alias(&self, source: &str, target: Option<&str>) -> Result<(), DirectoryError> {
        let source = source.trim().to_ascii_lowercase();
        let target = target.map(|t| t.trim().to_ascii_lowercase());
        match self.db().execute(
            "DELETE FROM alias WHERE source = ?1 AND (?2 IS NULL OR target = ?2)",
            params![source, target],
        )? {
            0 => Err(DirectoryError::NotFound(format!("alias {source}"))),
            _ => Ok(()),
        }
    }

    /// Every alias.
    ///
    /// # Errors
    /// [`DirectoryError::Db`].
    pub fn aliases(&self) -> Result<Vec<Alias>, DirectoryError> {
        let db = self.db();
        let mut stmt = db.prepare("SELECT source, target FROM alias ORDER BY source, target")?;
        let rows = stmt.query_map([], |r| {
            Ok(Alias {
                source: r.get(0)?,
                target: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Where mail to `recipient` goes: the user, else `user+detail`'s user, else
    /// aliases, else the domain's catch-all.
    ///
    /// # Errors
    /// [`DirectoryError::Db`].
    pub fn resolve(&self, recipient: &str) -> Result<Resolution, DirectoryError> {
        let Ok(recipient) = address::normalize(recipient) else {
            return Ok(Resolution::Remote);
        };
        let domain = address::domain(&recipient).to_owned();
        if !self.is_local_domain(&domain)? {
            return Ok(Resolution::Remote);
        }
        let base = format!("{}@{domain}", address::base_local(&recipient));
        for candidate in [&recipient, &base] {
            if self.user(candidate)?.is_some() {
                return Ok(Resolution::Local(vec![candidate.clone()]));
            }
            let targets = self.alias_targets(candidate)?;
            if !targets.is_empty() {
                return Ok(Resolution::Local(targets));
            }
        }
        let targets = self.alias_targets(&format!("@{domain}"))?;
        if targets.is_empty() {
            Ok(Resolution::UnknownUser)
        } else {
            Ok(Resolution::Local(targets))
        }
    }

    /// Whether `user` may send as `address`: their own address (with any `+detail`)
    /// or an alias that points to them (the catch-all does not count).
    ///
    /// # Errors
    /// [`DirectoryError::Db`].
    pub fn may_send_as(&self, user: &str, address: &str) -> Result<bool, DirectoryError> {
        let Ok(address) = address::normalize(address) else {
            return Ok(false);
        };
        let base = format!(
            "{}@{}",
            address::base_local(&address),
            address::domain(&address)
        );
        if address == user || base == user {
            return Ok(true);
        }
        for candidate in [&address, &base] {
            if self.alias_targets(candidate)?.iter().any(|t| t == user) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn alias_targets(&self, source: &str) -> Result<Vec<String>, DirectoryError> {
        let db = self.db();
        let mut stmt =
            db.prepare_cached("SELECT target FROM alias WHERE source = ?1 ORDER BY target")?;
        let rows = stmt.query_map([source], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// A valid argon2 hash of a random string, verified against for unknown users.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$8b7HVs7oHcI7p3CqHAgK4KMpRz2oOvN8e0A2mIrYF5Q";

fn user_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        address: r.get(0)?,
        quota_bytes: r
            .get::<_, Option<i64>>(1)?
            .and_then(|q| u64::try_from(q).ok()),
        messages_per_hour: r.get(2)?,
        created: r.get(3)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn directory() -> (tempfile::TempDir, Directory) {
        let dir = tempfile::tempdir().unwrap();
        let directory = Directory::open(&dir.path().join("users.sqlite")).unwrap();
        (dir, directory)
    }

    #[test]
    fn users_domains_aliases() {
        let (_dir, d) = directory();
        assert!(d.add_domain("Example.org").unwrap());
        assert!(!d.add_domain("example.org").unwrap());
        assert!(matches!(
            d.add_user("x@elsewhere.net", "pw"),
            Err(DirectoryError::UnknownDomain(_))
        ));
        d.add_user("Alice@example.org", "secret").unwrap();
        assert!(matches!(
            d.add_user("alice@example.org", "pw"),
            Err(DirectoryError::Exists(_))
        ));
        d.add_user("bob@example.org", "hunter2").unwrap();

        assert_eq!(
            d.authenticate("ALICE@example.org", b"secret")
                .unwrap()
                .as_deref(),
            Some("alice@example.org")
        );
        assert_eq!(d.authenticate("alice@example.org", b"wrong").unwrap(), None);
        assert_eq!(
            d.authenticate("nobody@example.org", b"secret").unwrap(),
            None
        );
        d.set_password("alice@example.org", "new").unwrap();
        assert!(
            d.authenticate("alice@example.org", b"new")
                .unwrap()
                .is_some()
        );

        let local = |a: &str| Resolution::Local(vec![a.to_owned()]);
        assert_eq!(
            d.resolve("alice@example.org").unwrap(),
            local("alice@example.org")
        );
        assert_eq!(
            d.resolve("alice+lists@example.org").unwrap(),
            local("alice@example.org")
        );
        assert_eq!(
            d.resolve("carol@example.org").unwrap(),
            Resolution::UnknownUser
        );
        assert_eq!(d.resolve("carol@example.net").unwrap(), Resolution::Remote);

        d.add_alias("postmaster@example.org", "alice@example.org")
            .unwrap();
        d.add_alias("postmaster@example.org", "bob@example.org")
            .unwrap();
        assert_eq!(
            d.resolve("postmaster@example.org").unwrap(),
            Resolution::Local(vec!["alice@example.org".into(), "bob@example.org".into()])
        );
        assert!(
            d.may_send_as("alice@example.org", "postmaster@example.org")
                .unwrap()
        );
        assert!(
            d.may_send_as("alice@example.org", "alice+x@example.org")
                .unwrap()
        );
        assert!(
            !d.may_send_as("alice@example.org", "bob@example.org")
                .unwrap()
        );

        d.add_alias("@example.org", "bob@example.org").unwrap();
        assert_eq!(
            d.resolve("carol@example.org").unwrap(),
            local("bob@example.org")
        );
        assert!(
            !d.may_send_as("bob@example.org", "carol@example.org")
                .unwrap(),
            "catch-all is not an identity"
        );

        d.remove_user("bob@example.org").unwrap();
        assert_eq!(d.aliases().unwrap().len(), 1, "bob's aliases went with him");
        assert_eq!(d.users(Some("example.org")).unwrap().len(), 1);
        d.remove_domain("example.org").unwrap();
        assert!(d.users(None).unwrap().is_empty());
    }

    #[test]
    fn dummy_hash_is_valid() {
        assert!(argon2::password_hash::PasswordHash::new(DUMMY_HASH).is_ok());
    }
}
