//! Whether anything was written to a SQLite database since a moment, without asking
//! the database.
//!
//! In WAL mode every committed transaction, from any process, rewrites the header
//! of the WAL index (`<file>-shm`): its change counter, last frame, salts and
//! checksums. Reading those 96 bytes (with the index file's identity and the
//! database file's size and time, for when the index is made anew) is a few system
//! calls, so a read that finds them as they were when the revision was last read
//! from the database may use that revision without a round trip — and a write by
//! any server, CLI or other program changes them before its caller hears back.
//!
//! SQLite locks the index with POSIX record locks, which a process loses on that
//! file when it closes *any* descriptor of it. So the index is opened once and its
//! descriptor is never closed (if the file is made anew, the old descriptor is
//! left open too): reading it can never drop a lock SQLite holds.

use std::fs::File;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::PathBuf;
use std::sync::Mutex;

/// What the database's files looked like at one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// Both copies of the WAL index header.
    header: [u8; 96],
    /// The index file's identity (a new file after every server closed the database).
    index: (u64, u64, i64, i64),
    /// The database file's size and last change.
    database: (u64, i64, i64),
}

/// An open index file by its (device, inode), never closed.
type Opened = ((u64, u64), std::mem::ManuallyDrop<File>);

/// Watches one SQLite file, remembering the revision read at a stamp.
#[derive(Debug)]
pub struct WalWatch {
    database: PathBuf,
    index: PathBuf,
    /// The index file as opened, by its (device, inode); never closed (see above).
    open: Mutex<Option<Opened>>,
    known: Mutex<Option<(Stamp, i64)>>,
}

impl WalWatch {
    /// A watch of the SQLite file at `database`.
    pub fn new(database: PathBuf) -> WalWatch {
        let index = PathBuf::from(format!("{}-shm", database.display()));
        WalWatch { database, index, open: Mutex::new(None), known: Mutex::new(None) }
    }

    /// The files as they are now; `None` when the index is missing or unreadable
    /// (then the database is asked).
    pub fn stamp(&self) -> Option<Stamp> {
        // `stat` opens nothing; the index is opened only when it is a new file.
        let meta = std::fs::metadata(&self.index).ok()?;
        let id = (meta.dev(), meta.ino());
        let mut header = [0u8; 96];
        {
            let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
            if open.as_ref().is_none_or(|(at, _)| *at != id) {
                let file = File::open(&self.index).ok()?;
                let m = file.metadata().ok()?;
                // The replaced descriptor stays open: ManuallyDrop never closes it.
                *open = Some(((m.dev(), m.ino()), std::mem::ManuallyDrop::new(file)));
            }
            let (at, file) = open.as_ref()?;
            if *at != id {
                return None;
            }
            file.read_exact_at(&mut header, 0).ok()?;
        }
        let db = std::fs::metadata(&self.database).ok()?;
        Some(Stamp {
            header,
            index: (meta.dev(), meta.ino(), meta.ctime(), meta.ctime_nsec()),
            database: (db.len(), db.mtime(), db.mtime_nsec()),
        })
    }

    /// The revision read last, if nothing was written since.
    pub fn revision(&self) -> Option<i64> {
        let now = self.stamp()?;
        let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        match &*known {
            Some((stamp, rev)) if *stamp == now => Some(*rev),
            _ => None,
        }
    }

    /// Remembers `rev`, read from the database after `before` was taken: while the
    /// files still look as they did at `before`, nothing has been written since.
    pub fn note(&self, before: Option<Stamp>, rev: i64) {
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        *known = before.map(|s| (s, rev));
    }
}
