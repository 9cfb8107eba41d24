//! The data folder: what lives where.
//!
//! ```text
//! <data>/users.sqlite        domains, users (argon2 hashes), aliases
//! <data>/mail/<address>/     one Maildir++ tree + SQLite index per user (mailstore)
//! <data>/queue/              the outbound spool (mta-queue)
//! <data>/dkim/<domain>/      DKIM keys: <selector>.pem (PKCS#8)
//! <data>/tls/                the self-signed certificate made at first start
//! <data>/admin-token         the admin API's bearer token, when the config sets none
//! ```

use std::io;
use std::path::{Path, PathBuf};

/// The paths inside a data folder.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// Opens the folder, creating it and its subfolders if needed.
    ///
    /// # Errors
    /// When a folder cannot be created.
    pub fn open(root: &Path) -> io::Result<Self> {
        let dir = Self {
            root: root.to_owned(),
        };
        for sub in [dir.mail(), dir.queue(), dir.dkim(), dir.tls()] {
            std::fs::create_dir_all(sub)?;
        }
        Ok(dir)
    }

    /// The folder itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The user database.
    pub fn users_db(&self) -> PathBuf {
        self.root.join("users.sqlite")
    }

    /// The mailboxes, one folder per user.
    pub fn mail(&self) -> PathBuf {
        self.root.join("mail")
    }

    /// The outbound spool.
    pub fn queue(&self) -> PathBuf {
        self.root.join("queue")
    }

    /// DKIM keys, one folder per domain.
    pub fn dkim(&self) -> PathBuf {
        self.root.join("dkim")
    }

    /// The self-signed certificate and key.
    pub fn tls(&self) -> PathBuf {
        self.root.join("tls")
    }

    /// The generated admin token.
    pub fn admin_token(&self) -> PathBuf {
        self.root.join("admin-token")
    }
}

/// Writes a file only the owner can read (keys, tokens), atomically (temp + rename).
///
/// # Errors
/// I/O errors.
pub fn write_private(path: &Path, contents: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp)?;
        file.write_all(contents)?;
        file.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}
