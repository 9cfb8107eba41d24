//! The Maildir++ side of the store: folder layout, file names, durable delivery.
//!
//! ```text
//! <root>/                      INBOX: cur/ new/ tmp/
//! <root>/.Archive/             mailbox "Archive"      (+ maildirfolder marker file)
//! <root>/.Archive.2024/        mailbox "Archive.2024"
//! <root>/.Entw&APw-rfe/        mailbox "Entwürfe"     (names in modified UTF-7)
//! <root>/mailstore.sqlite      the index (WAL: -wal and -shm beside it)
//! ```
//! A message file is written to `tmp/`, fsynced, renamed into `new/` (no flags) or
//! `cur/` (`<base>:2,<letters>`), and the directory is fsynced, before the index row
//! that acknowledges it is committed.

pub mod filename;

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

pub use filename::MaildirName;

use mailwright_base::mutf7;

use crate::types::MailboxName;

/// The folder of a mailbox under the Maildir root.
pub(crate) fn folder(root: &Path, name: &MailboxName) -> PathBuf {
    if name.is_inbox() {
        root.to_path_buf()
    } else {
        root.join(format!(".{}", mutf7::encode(name.as_str())))
    }
}

/// The mailbox a folder entry of the root names (`.Archive.2024` -> `Archive.2024`);
/// `None` for entries that are not Maildir++ folders.
pub(crate) fn mailbox_of_folder(entry: &str) -> Option<MailboxName> {
    let encoded = entry.strip_prefix('.')?;
    if encoded.is_empty() || encoded == "." {
        return None;
    }
    MailboxName::try_from(mutf7::decode(encoded).ok()?).ok()
}

/// Creates `cur/`, `new/` and `tmp/` (and the Maildir++ `maildirfolder` marker for a
/// sub-folder) if missing.
pub(crate) fn create_folder(dir: &Path, is_inbox: bool) -> io::Result<()> {
    for sub in ["cur", "new", "tmp"] {
        fs::create_dir_all(dir.join(sub))?;
    }
    if !is_inbox {
        let marker = dir.join("maildirfolder");
        if !marker.exists() {
            File::create(marker)?;
        }
    }
    Ok(())
}

/// Flushes a directory's entries to disk, so a rename or unlink in it survives a crash.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Makes a new unique base name: `<secs>.M<micros>P<pid>Q<n>.<host>,S=<size>`.
pub(crate) fn unique_base(now_secs: i64, micros: u32, size: u64) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "{now_secs}.M{micros}P{}Q{n}.{},S={size}",
        std::process::id(),
        hostname()
    )
}

/// The host name for unique names, with `/` and `:` escaped as the Maildir spec says.
fn hostname() -> &'static str {
    static HOST: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HOST.get_or_init(|| {
        let raw = fs::read_to_string("/proc/sys/kernel/hostname")
            .or_else(|_| fs::read_to_string("/etc/hostname"))
            .unwrap_or_default();
        let raw = raw.trim();
        let raw = if raw.is_empty() { "localhost" } else { raw };
        raw.replace('/', "\\057")
            .replace(':', "\\072")
            .replace(',', "\\054")
    })
}

/// A message file being written in `tmp/`; dropped without [`TmpFile::finish`] it
/// removes itself.
#[derive(Debug)]
pub(crate) struct TmpFile {
    path: PathBuf,
    file: Option<File>,
    size: u64,
    done: bool,
}

impl TmpFile {
    /// Creates `tmp/<name>` in the mailbox folder `dir`.
    pub(crate) fn create(dir: &Path, name: &str) -> io::Result<Self> {
        let path = dir.join("tmp").join(name);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        Ok(Self {
            path,
            file: Some(file),
            size: 0,
            done: false,
        })
    }

    /// Appends bytes.
    pub(crate) fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| io::Error::other("file closed"))?;
        file.write_all(bytes)?;
        self.size += bytes.len() as u64;
        Ok(())
    }

    /// Copies a stream in, refusing more than `limit` bytes (`Ok(false)`).
    pub(crate) fn copy_from(&mut self, reader: &mut dyn Read, limit: u64) -> io::Result<bool> {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => return Ok(true),
                Ok(n) => n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(err),
            };
            if self.size + n as u64 > limit {
                return Ok(false);
            }
            self.write_all(&buf[..n])?;
        }
    }

    /// Bytes written so far.
    pub(crate) fn size(&self) -> u64 {
        self.size
    }

    /// The file's path in `tmp/`.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// fsyncs and closes the file; it stays in `tmp/` until renamed by the caller, who
    /// then calls [`TmpFile::finish`].
    pub(crate) fn sync(&mut self) -> io::Result<()> {
        if let Some(file) = self.file.take() {
            file.sync_all()?;
        }
        Ok(())
    }

    /// Closes the file without fsync (non-durable mode).
    pub(crate) fn close(&mut self) {
        self.file = None;
    }

    /// Reads the whole file back (for scanning after a streamed append).
    pub(crate) fn read_back(&self) -> io::Result<Vec<u8>> {
        fs::read(&self.path)
    }

    /// Marks the file as moved away: it is no longer removed on drop.
    pub(crate) fn finish(mut self) {
        self.done = true;
    }
}

impl Drop for TmpFile {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// One message file found in a folder.
#[derive(Debug, Clone)]
pub(crate) struct FoundFile {
    /// `new` or `cur`.
    pub(crate) subdir: &'static str,
    /// The file name.
    pub(crate) file_name: String,
    pub(crate) name: MaildirName,
}

impl FoundFile {
    /// The path relative to the mailbox folder, as the index keeps it.
    pub(crate) fn relative(&self) -> String {
        format!("{}/{}", self.subdir, self.file_name)
    }
}

/// Lists the message files of a mailbox folder (`new/` and `cur/`).
pub(crate) fn list_messages(dir: &Path) -> io::Result<Vec<FoundFile>> {
    let mut out = Vec::new();
    for subdir in ["new", "cur"] {
        let entries = match fs::read_dir(dir.join(subdir)) {
            Ok(entries) => entries,
            Err(err) if err.kind() == io::ErrorKind::NotFound => continue,
            Err(err) => return Err(err),
        };
        for entry in entries {
            let entry = entry?;
            let Ok(file_name) = entry.file_name().into_string() else {
                continue;
            };
            if !entry.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            if let Some(name) = MaildirName::parse(&file_name) {
                // A file in new/ has no flags yet, whatever its name says.
                let name = if subdir == "new" {
                    name.with_flags(0, false)
                } else {
                    name
                };
                out.push(FoundFile {
                    subdir,
                    file_name,
                    name,
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names() {
        let root = Path::new("/m");
        assert_eq!(folder(root, &MailboxName::inbox()), PathBuf::from("/m"));
        let name = MailboxName::try_from("Entwürfe.2024").unwrap();
        assert_eq!(folder(root, &name), PathBuf::from("/m/.Entw&APw-rfe.2024"));
        assert_eq!(mailbox_of_folder(".Entw&APw-rfe.2024"), Some(name));
        assert_eq!(mailbox_of_folder("cur"), None);
        assert_eq!(mailbox_of_folder("."), None);
        assert_eq!(mailbox_of_folder(".."), None);
        assert_eq!(mailbox_of_folder(".a..b"), None);
    }

    #[test]
    fn unique_bases_differ() {
        let a = unique_base(1, 2, 3);
        let b = unique_base(1, 2, 3);
        assert_ne!(a, b);
        assert!(!a.contains('/') && !a.contains(':'));
        assert_eq!(MaildirName::parse(&a).unwrap().declared_size(), Some(3));
    }
}
