//! [`FileSpool`]: the embedded default backend, one envelope file and one body file per
//! message in a single directory.
//!
//! ```text
//! ROOT/queue/<id>.msg       the message, as received
//! ROOT/queue/<id>.env       envelope + appended state changes (see `format`)
//! ROOT/queue/<id>.env.tmp   an envelope being written (never acknowledged)
//! ROOT/corrupt/             damaged entries, set aside for an operator
//! ```
//!
//! # Durability
//!
//! `create` writes the body and fsyncs it, writes the envelope under a temporary name
//! and fsyncs it, renames it to `<id>.env` (the commit point) and fsyncs the directory.
//! Directory fsyncs are shared between concurrent enqueues (group commit): one fsync
//! covers every rename made before it started. `update` appends whole lines and
//! fsyncs. `remove` unlinks without fsync: an unlink lost in a crash means a message
//! already delivered may be delivered again, which RFC 5321 §6.1 tolerates.
//!
//! # Recovery
//!
//! `recover` removes leftovers of enqueues that never returned (`.env.tmp`, a body
//! without an envelope), cuts torn last lines, and moves an entry whose envelope does
//! not parse or whose body is missing or of the wrong size to `corrupt/`, reporting it;
//! every other entry is returned.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
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

/// The file spool. See the [module docs](self) for its layout and guarantees.
#[derive(Debug)]
pub struct FileSpool {
    queue_dir: PathBuf,
    corrupt_dir: PathBuf,
    seq: AtomicU32,
    dir_sync: DirSync,
    /// Size and checksum of each known body, to check reads against.
    bodies: Mutex<HashMap<QueueId, (u64, u32)>>,
    stripes: Vec<Mutex<()>>,
}

impl FileSpool {
    /// Opens (creating if needed) a spool under `root`. Call [`Spool::recover`] next.
    ///
    /// # Errors
    ///
    /// When the folders cannot be created or opened.
    pub fn open(root: impl AsRef<Path>) -> io::Result<Self> {
        let root = root.as_ref();
        let queue_dir = root.join("queue");
        let corrupt_dir = root.join("corrupt");
        fs::create_dir_all(&queue_dir)?;
        fs::create_dir_all(&corrupt_dir)?;
        sync_dir(root)?;
        Ok(Self {
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

    fn bodies(&self) -> std::sync::MutexGuard<'_, HashMap<QueueId, (u64, u32)>> {
        self.bodies.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Creates `<id>.msg` exclusively, taking the next id on a clash.
    fn create_body_file(&self, now: Timestamp) -> Result<(QueueId, File), SpoolError> {
        let mut id = QueueId::new(now, self.seq.fetch_add(1, Ordering::Relaxed));
        for _ in 0..64 {
            match OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(self.path(id, "msg"))
            {
                Ok(file) => return Ok((id, file)),
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
                    id = QueueId::new(now, self.seq.fetch_add(1, Ordering::Relaxed));
                }
                Err(error) => return Err(SpoolError::from_write(error)),
            }
        }
        Err(SpoolError::Write(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "no free queue id",
        )))
    }

    fn create_files(
        &self,
        id: QueueId,
        mut body_file: File,
        entry: &QueueEntry,
        body: &[u8],
    ) -> Result<(), SpoolError> {
        body_file.write_all(body).map_err(SpoolError::from_write)?;
        body_file.sync_data().map_err(SpoolError::from_sync)?;
        drop(body_file);

        let tmp = self.path(id, "env.tmp");
        let mut env_file = File::create(&tmp).map_err(SpoolError::from_write)?;
        env_file
            .write_all(&format::encode_envelope(entry))
            .map_err(SpoolError::from_write)?;
        env_file.sync_data().map_err(SpoolError::from_sync)?;
        drop(env_file);
        fs::rename(&tmp, self.path(id, "env")).map_err(SpoolError::from_write)?;
        self.dir_sync.sync().map_err(SpoolError::from_sync)
    }

    /// Moves an entry's files to `corrupt/` and describes it.
    fn set_aside(&self, stem: &str, id: Option<QueueId>, reason: CorruptReason) -> CorruptEntry {
        let mut target = self.corrupt_dir.join(stem);
        let mut n = 1;
        while target.exists() || target.with_extension("msg").exists() {
            target = self.corrupt_dir.join(format!("{stem}.{n}"));
            n += 1;
        }
        for ext in ["env", "msg"] {
            let from = self.queue_dir.join(format!("{stem}.{ext}"));
            if from.exists() {
                let to = PathBuf::from(format!("{}.{ext}", target.display()));
                if fs::rename(&from, &to).is_err() {
                    // Cannot move (another file system?): copy and remove instead.
                    if fs::copy(&from, &to).is_ok() {
                        let _ = fs::remove_file(&from);
                    }
                }
            }
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

    /// Reads and checks one envelope file during recovery.
    fn recover_one(&self, stem: &str, id: QueueId, recovery: &mut Recovery) -> io::Result<()> {
        let env_path = self.path(id, "env");
        let bytes = fs::read(&env_path)?;
        let parsed = match format::parse(&bytes) {
            Ok(parsed) => parsed,
            Err(error) => {
                recovery.corrupt.push(self.set_aside(
                    stem,
                    Some(id),
                    CorruptReason::Envelope(error),
                ));
                return Ok(());
            }
        };
        if parsed.entry.id != id {
            recovery
                .corrupt
                .push(self.set_aside(stem, Some(id), CorruptReason::IdMismatch));
            return Ok(());
        }
        match fs::metadata(self.path(id, "msg")) {
            Ok(meta) if meta.len() == parsed.entry.size => {}
            Ok(_) => {
                recovery
                    .corrupt
                    .push(self.set_aside(stem, Some(id), CorruptReason::BodyMismatch));
                return Ok(());
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                recovery
                    .corrupt
                    .push(self.set_aside(stem, Some(id), CorruptReason::BodyMissing));
                return Ok(());
            }
            Err(error) => return Err(error),
        }
        if parsed.torn_tail {
            let file = OpenOptions::new().write(true).open(&env_path)?;
            file.set_len(parsed.valid_len as u64)?;
            file.sync_data()?;
            recovery.torn_tails += 1;
        }
        self.bodies()
            .insert(id, (parsed.entry.size, parsed.entry.body_crc));
        recovery.entries.push(parsed.entry);
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
        let (id, body_file) = self.create_body_file(now)?;
        let entry = QueueEntry::new(id, envelope, now, body.len() as u64, crc32fast::hash(body));
        if let Err(error) = self.create_files(id, body_file, &entry, body) {
            // Nothing was acknowledged: take back what was written.
            for ext in ["env", "env.tmp", "msg"] {
                let _ = fs::remove_file(self.path(id, ext));
            }
            return Err(error);
        }
        self.bodies().insert(id, (entry.size, entry.body_crc));
        Ok(entry)
    }

    fn update(&self, id: QueueId, updates: &[Update]) -> Result<(), SpoolError> {
        let mut lines = Vec::with_capacity(128 * updates.len());
        for update in updates {
            lines.extend(format::encode_update(update));
        }
        let _guard = self.stripe(id);
        let mut file = match OpenOptions::new().append(true).open(self.path(id, "env")) {
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
        for ext in ["env", "msg"] {
            match fs::remove_file(self.path(id, ext)) {
                Ok(()) => {}
                Err(error) if error.kind() == io::ErrorKind::NotFound => {}
                Err(error) => return Err(SpoolError::Write(error)),
            }
        }
        self.bodies().remove(&id);
        Ok(())
    }

    fn read_body(&self, id: QueueId) -> Result<Arc<[u8]>, SpoolError> {
        let Some((size, crc)) = self.bodies().get(&id).copied() else {
            return Err(SpoolError::NotFound(id));
        };
        let mut file = match File::open(self.path(id, "msg")) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                let stem = id.to_string();
                self.set_aside(&stem, Some(id), CorruptReason::BodyMissing);
                return Err(SpoolError::Corrupt {
                    id,
                    reason: CorruptReason::BodyMissing,
                });
            }
            Err(error) => return Err(SpoolError::Read(error)),
        };
        let mut body = Vec::with_capacity(usize::try_from(size).unwrap_or(0).min(64 << 20));
        file.read_to_end(&mut body).map_err(SpoolError::Read)?;
        if body.len() as u64 != size || crc32fast::hash(&body) != crc {
            let stem = id.to_string();
            self.set_aside(&stem, Some(id), CorruptReason::BodyMismatch);
            return Err(SpoolError::Corrupt {
                id,
                reason: CorruptReason::BodyMismatch,
            });
        }
        Ok(body.into())
    }

    fn recover(&self) -> Result<Recovery, SpoolError> {
        let mut recovery = Recovery::default();
        let mut envs = Vec::new();
        let mut msgs = HashSet::new();
        let mut tmps = Vec::new();
        for dirent in fs::read_dir(&self.queue_dir).map_err(SpoolError::Read)? {
            let dirent = dirent.map_err(SpoolError::Read)?;
            let name = dirent.file_name();
            let Some(name) = name.to_str() else { continue };
            if let Some(stem) = name.strip_suffix(".env.tmp") {
                tmps.push(stem.to_owned());
            } else if let Some(stem) = name.strip_suffix(".env") {
                envs.push(stem.to_owned());
            } else if let Some(stem) = name.strip_suffix(".msg") {
                msgs.insert(stem.to_owned());
            }
        }
        envs.sort();
        let mut changed = false;
        for stem in &tmps {
            let _ = fs::remove_file(self.queue_dir.join(format!("{stem}.env.tmp")));
            changed = true;
        }
        for stem in &envs {
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
        let envs: HashSet<&String> = envs.iter().collect();
        for stem in msgs.iter().filter(|stem| !envs.contains(stem)) {
            // A body whose envelope never got its final name: never acknowledged.
            let _ = fs::remove_file(self.queue_dir.join(format!("{stem}.msg")));
            recovery.incomplete_removed += 1;
            changed = true;
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
