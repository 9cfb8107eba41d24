//! [`FileSpool`]: the embedded default backend, one file per message in a single
//! directory.
//!
//! ```text
//! ROOT/queue/<id>.msg   envelope records, the message, appended state changes (see format)
//! ROOT/queue/<id>.tmp   a queue file being written (never acknowledged)
//! ROOT/corrupt/         damaged entries, set aside for an operator
//! ```
//!
//! # Durability
//!
//! `create` writes envelope and message to `<id>.tmp`, fsyncs it, renames it to
//! `<id>.msg` (the commit point) and fsyncs the directory. One process uses a spool at
//! a time: [`FileSpool::open`] takes an exclusive lock on `ROOT/lock`. Directory fsyncs are shared between
//! concurrent enqueues (group commit): one fsync covers every link made before it
//! started, so under load an enqueue costs about one file fsync. `update` appends whole
//! lines and fsyncs. `remove` unlinks without fsync: an unlink lost in a crash means a
//! message already delivered may be delivered again, which RFC 5321 §6.1 tolerates.
//!
//! # Recovery
//!
//! `recover` removes leftovers of enqueues that never returned (`.tmp`), cuts torn
//! last lines, and moves an entry whose envelope does not parse or whose file is
//! shorter than envelope plus message to `corrupt/`, reporting it; every other entry
//! is returned. Only the envelope and the changes are read, not the messages.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use crate::entry::{QueueEntry, Update};
use crate::envelope::Envelope;
use crate::error::{CorruptReason, SpoolError};
use crate::id::QueueId;
use crate::spool::format;
use crate::spool::{CorruptEntry, Recovery, Spool};
use crate::time::Timestamp;

/// Stripes of the per-entry append lock.
const LOCK_STRIPES: usize = 64;

/// How much of a queue file recovery reads first, hoping the envelope fits.
const HEAD_READ: usize = 64 * 1024;

/// Where an entry's message sits in its file.
#[derive(Clone, Copy, Debug)]
struct Body {
    offset: u64,
    size: u64,
    crc: u32,
}

/// The file spool. See the [module docs](self) for its layout and guarantees.
#[derive(Debug)]
pub struct FileSpool {
    /// Held for the spool's lifetime: one process per spool.
    _lock: File,
    queue_dir: PathBuf,
    corrupt_dir: PathBuf,
    seq: AtomicU32,
    dir_sync: DirSync,
    /// Offset, size and checksum of each known body, to read and check it.
    bodies: Mutex<HashMap<QueueId, Body>>,
    stripes: Vec<Mutex<()>>,
}

impl FileSpool {
    /// Opens (creating if needed) a spool under `root`. Call [`Spool::recover`] next.
    ///
    /// # Errors
    ///
    /// When the folders cannot be created or opened, and
    /// [`io::ErrorKind::WouldBlock`] when another process (or another `FileSpool` of
    /// this one) has the spool open.
    pub fn open(root: impl AsRef<Path>) -> io::Result<Self> {
        let root = root.as_ref();
        let queue_dir = root.join("queue");
        let corrupt_dir = root.join("corrupt");
        fs::create_dir_all(&queue_dir)?;
        fs::create_dir_all(&corrupt_dir)?;
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(root.join("lock"))?;
        lock.try_lock().map_err(|error| match error {
            fs::TryLockError::WouldBlock => io::Error::new(
                io::ErrorKind::WouldBlock,
                "the spool is in use by another process",
            ),
            fs::TryLockError::Error(error) => error,
        })?;
        sync_dir(root)?;
        Ok(Self {
            _lock: lock,
            dir_sync: DirSync::new(queue_dir.clone()),
            queue_dir,
            corrupt_dir,
            seq: AtomicU32::new(fastrand::u32(..)),
            bodies: Mutex::new(HashMap::new()),
            stripes: (0..LOCK_STRIPES).map(|_| Mutex::new(())).collect(),
        })
    }

    /// The folder holding the entries.
    pub fn queue_dir(&self) -> &Path {
        &self.queue_dir
    }

    /// The folder damaged entries are moved to.
    pub fn corrupt_dir(&self) -> &Path {
        &self.corrupt_dir
    }

    fn path(&self, id: QueueId, ext: &str) -> PathBuf {
        self.queue_dir.join(format!("{id}.{ext}"))
    }

    fn stripe(&self, id: QueueId) -> std::sync::MutexGuard<'_, ()> {
        let index = (id.as_u64() as usize) % LOCK_STRIPES;
        self.stripes[index]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn bodies(&self) -> std::sync::MutexGuard<'_, HashMap<QueueId, Body>> {
        self.bodies.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Creates `<id>.tmp` exclusively for an id not in use, taking the next on a clash.
    fn create_tmp_file(&self, now: Timestamp) -> Result<(QueueId, File), SpoolError> {
        for _ in 0..64 {
            let id = QueueId::new(now, self.seq.fetch_add(1, Ordering::Relaxed));
            if self.path(id, "msg").exists() {
                continue;
            }
            match OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(self.path(id, "tmp"))
            {
                Ok(file) => return Ok((id, file)),
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
                Err(error) => return Err(SpoolError::from_write(error)),
            }
        }
        Err(SpoolError::Write(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "no free queue id",
        )))
    }

    fn write_file(&self, id: QueueId, mut file: File, bytes: &[u8]) -> Result<(), SpoolError> {
        file.write_all(bytes).map_err(SpoolError::from_write)?;
        file.sync_data().map_err(SpoolError::from_sync)?;
        drop(file);
        // The id is unused (checked when the temporary file was made, and ids come from
        // this process alone: the spool is locked), so the rename replaces nothing.
        fs::rename(self.path(id, "tmp"), self.path(id, "msg")).map_err(SpoolError::from_write)?;
        self.dir_sync.sync().map_err(SpoolError::from_sync)
    }

    /// Moves an entry's file to `corrupt/` and describes it.
    fn set_aside(&self, stem: &str, id: Option<QueueId>, reason: CorruptReason) -> CorruptEntry {
        let mut target = self.corrupt_dir.join(format!("{stem}.msg"));
        let mut n = 1;
        while target.exists() {
            target = self.corrupt_dir.join(format!("{stem}.{n}.msg"));
            n += 1;
        }
        let from = self.queue_dir.join(format!("{stem}.msg"));
        if fs::rename(&from, &target).is_err() && fs::copy(&from, &target).is_ok() {
            // Cannot move (another file system?): copied, now remove.
            let _ = fs::remove_file(&from);
        }
        let _ = sync_dir(&self.corrupt_dir);
        let _ = self.dir_sync.sync();
        if let Some(id) = id {
            self.bodies().remove(&id);
        }
        CorruptEntry {
            id,
            moved_to: target.display().to_string(),
            reason,
        }
    }

    /// Reads and checks one queue file during recovery.
    fn recover_one(&self, stem: &str, id: QueueId, recovery: &mut Recovery) -> io::Result<()> {
        let path = self.path(id, "msg");
        let mut file = File::open(&path)?;
        let len = file.metadata()?.len();
        let mut head = Vec::with_capacity(HEAD_READ.min(usize::try_from(len).unwrap_or(HEAD_READ)));
        (&mut file).take(HEAD_READ as u64).read_to_end(&mut head)?;
        let mut parsed = format::parse_envelope(&head);
        if matches!(parsed, Ok(None)) && len > head.len() as u64 {
            // A large envelope: read the whole file.
            head.clear();
            file.seek(SeekFrom::Start(0))?;
            file.read_to_end(&mut head)?;
            parsed = format::parse_envelope(&head);
        }
        let (mut entry, offset) = match parsed {
            Ok(Some(found)) => found,
            Ok(None) => {
                let reason = CorruptReason::Envelope(format::FormatError {
                    line: 0,
                    reason: "file ends before the commit record",
                });
                recovery
                    .corrupt
                    .push(self.set_aside(stem, Some(id), reason));
                return Ok(());
            }
            Err(error) => {
                recovery.corrupt.push(self.set_aside(
                    stem,
                    Some(id),
                    CorruptReason::Envelope(error),
                ));
                return Ok(());
            }
        };
        if entry.id != id {
            recovery
                .corrupt
                .push(self.set_aside(stem, Some(id), CorruptReason::IdMismatch));
            return Ok(());
        }
        let changes_at = (offset as u64).saturating_add(entry.size);
        if changes_at > len {
            recovery
                .corrupt
                .push(self.set_aside(stem, Some(id), CorruptReason::BodyMismatch));
            return Ok(());
        }
        let mut tail = Vec::new();
        file.seek(SeekFrom::Start(changes_at))?;
        file.read_to_end(&mut tail)?;
        match format::parse_changes(&mut entry, &tail) {
            Ok((valid, torn)) => {
                if torn {
                    let file = OpenOptions::new().write(true).open(&path)?;
                    file.set_len(changes_at + valid as u64)?;
                    file.sync_data()?;
                    recovery.torn_tails += 1;
                }
            }
            Err(error) => {
                recovery.corrupt.push(self.set_aside(
                    stem,
                    Some(id),
                    CorruptReason::Envelope(error),
                ));
                return Ok(());
            }
        }
        self.bodies().insert(
            id,
            Body {
                offset: offset as u64,
                size: entry.size,
                crc: entry.body_crc,
            },
        );
        recovery.entries.push(entry);
        Ok(())
    }
}

impl Spool for FileSpool {
    fn create(
        &self,
        envelope: Envelope,
        body: &[u8],
        now: Timestamp,
    ) -> Result<QueueEntry, SpoolError> {
        let (id, file) = self.create_tmp_file(now)?;
        let entry = QueueEntry::new(id, envelope, now, body.len() as u64, crc32fast::hash(body));
        let header = format::encode_envelope(&entry);
        let offset = header.len() as u64;
        let mut bytes = header;
        bytes.extend_from_slice(body);
        if let Err(error) = self.write_file(id, file, &bytes) {
            // Nothing was acknowledged: take back what was written.
            for ext in ["msg", "tmp"] {
                let _ = fs::remove_file(self.path(id, ext));
            }
            return Err(error);
        }
        self.bodies().insert(
            id,
            Body {
                offset,
                size: entry.size,
                crc: entry.body_crc,
            },
        );
        Ok(entry)
    }

    fn update(&self, id: QueueId, updates: &[Update]) -> Result<(), SpoolError> {
        let mut lines = Vec::with_capacity(128 * updates.len());
        for update in updates {
            lines.extend(format::encode_update(update));
        }
        let _guard = self.stripe(id);
        let mut file = match OpenOptions::new().append(true).open(self.path(id, "msg")) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return Err(SpoolError::NotFound(id));
            }
            Err(error) => return Err(SpoolError::from_write(error)),
        };
        file.write_all(&lines).map_err(SpoolError::from_write)?;
        file.sync_data().map_err(SpoolError::from_sync)
    }

    fn remove(&self, id: QueueId) -> Result<(), SpoolError> {
        let _guard = self.stripe(id);
        match fs::remove_file(self.path(id, "msg")) {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(SpoolError::Write(error)),
        }
        self.bodies().remove(&id);
        Ok(())
    }

    fn read_body(&self, id: QueueId) -> Result<Arc<[u8]>, SpoolError> {
        let Some(body) = self.bodies().get(&id).copied() else {
            return Err(SpoolError::NotFound(id));
        };
        let corrupt = |reason: CorruptReason| {
            self.set_aside(&id.to_string(), Some(id), reason.clone());
            SpoolError::Corrupt { id, reason }
        };
        let mut file = match File::open(self.path(id, "msg")) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                self.bodies().remove(&id);
                return Err(SpoolError::NotFound(id));
            }
            Err(error) => return Err(SpoolError::Read(error)),
        };
        file.seek(SeekFrom::Start(body.offset))
            .map_err(SpoolError::Read)?;
        let size = usize::try_from(body.size).map_err(|_| corrupt(CorruptReason::BodyMismatch))?;
        let mut bytes = vec![0; size];
        match file.read_exact(&mut bytes) {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => {
                return Err(corrupt(CorruptReason::BodyMismatch));
            }
            Err(error) => return Err(SpoolError::Read(error)),
        }
        if crc32fast::hash(&bytes) != body.crc {
            return Err(corrupt(CorruptReason::BodyMismatch));
        }
        Ok(bytes.into())
    }

    fn recover(&self) -> Result<Recovery, SpoolError> {
        let mut recovery = Recovery::default();
        let mut stems = Vec::new();
        let mut changed = false;
        for dirent in fs::read_dir(&self.queue_dir).map_err(SpoolError::Read)? {
            let dirent = dirent.map_err(SpoolError::Read)?;
            let name = dirent.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.ends_with(".tmp") {
                // A queue file whose enqueue never returned.
                let _ = fs::remove_file(dirent.path());
                recovery.incomplete_removed += 1;
                changed = true;
            } else if let Some(stem) = name.strip_suffix(".msg") {
                stems.push(stem.to_owned());
            }
        }
        stems.sort();
        for stem in &stems {
            match stem.parse::<QueueId>() {
                Ok(id) => self
                    .recover_one(stem, id, &mut recovery)
                    .map_err(SpoolError::Read)?,
                Err(_) => {
                    let reason = CorruptReason::Envelope(format::FormatError {
                        line: 0,
                        reason: "file name is not a queue id",
                    });
                    recovery.corrupt.push(self.set_aside(stem, None, reason));
                }
            }
        }
        if changed {
            self.dir_sync.sync().map_err(SpoolError::from_sync)?;
        }
        recovery.entries.sort_by_key(|entry| entry.id);
        Ok(recovery)
    }
}

/// Opens a directory and fsyncs it.
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Group commit of directory fsyncs: a caller waits for an fsync that started after
/// its rename; one fsync serves every caller waiting when it starts.
#[derive(Debug)]
struct DirSync {
    dir: PathBuf,
    state: Mutex<SyncState>,
    done: Condvar,
}

#[derive(Debug, Default)]
struct SyncState {
    /// Tickets handed out.
    requested: u64,
    /// Every ticket up to this one is covered by a finished fsync.
    completed: u64,
    /// An fsync is running.
    running: bool,
    /// The last fsync failed (its tickets get the error).
    failed_upto: u64,
}

impl DirSync {
    fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            state: Mutex::new(SyncState::default()),
            done: Condvar::new(),
        }
    }

    fn sync(&self) -> io::Result<()> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.requested += 1;
        let ticket = state.requested;
        loop {
            if state.completed >= ticket {
                return if state.failed_upto >= ticket {
                    Err(io::Error::other("directory fsync failed"))
                } else {
                    Ok(())
                };
            }
            if state.running {
                state = self
                    .done
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            state.running = true;
            let covers = state.requested;
            drop(state);
            let result = sync_dir(&self.dir);
            state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            state.running = false;
            state.completed = covers;
            if result.is_err() {
                state.failed_upto = covers;
            }
            self.done.notify_all();
            result?;
        }
    }
}

#[cfg(test)]
mod tests;
