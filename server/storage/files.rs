//! Where uploaded evidence, images and frozen PDFs live. A small trait keeps room
//! for object storage; the local implementation writes under the data directory,
//! through a temporary file and a rename, so a crash never leaves half a file
//! under a real key.

use std::io;
use std::path::{Path, PathBuf};

/// A store of immutable blobs by key ("evidence/<id>", "documents/<id>.pdf").
pub trait BlobStore: Send + Sync + std::fmt::Debug {
    /// Stores `bytes` under `key`.
    fn put(&self, key: &str, bytes: &[u8]) -> io::Result<()>;
    /// Stores the file at `src` under `key`.
    fn put_file(&self, key: &str, src: &Path) -> io::Result<()>;
    /// Stores everything `reader` yields under `key`.
    fn put_reader(&self, key: &str, reader: &mut dyn io::Read) -> io::Result<()>;
    /// Reads a blob.
    fn get(&self, key: &str) -> io::Result<Vec<u8>>;
    /// Removes a blob; removing a missing one is not an error.
    fn delete(&self, key: &str) -> io::Result<()>;
    /// A folder for temporary files on the same file system, if any.
    fn scratch_dir(&self) -> Option<PathBuf>;
}

/// Blobs as files under a root folder.
#[derive(Debug, Clone)]
pub struct LocalFiles {
    root: PathBuf,
}

impl LocalFiles {
    /// A store rooted at `root` (created if missing).
    pub fn new(root: impl Into<PathBuf>) -> io::Result<LocalFiles> {
        let root = root.into();
        std::fs::create_dir_all(root.join("tmp"))?;
        Ok(LocalFiles { root })
    }

    fn path(&self, key: &str) -> io::Result<PathBuf> {
        let ok = !key.is_empty()
            && key.split('/').all(|p| !p.is_empty() && p != "." && p != "..")
            && key.chars().all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
        if ok {
            Ok(self.root.join(key))
        } else {
            Err(io::Error::new(io::ErrorKind::InvalidInput, format!("bad key {key:?}")))
        }
    }

    fn temp(&self) -> PathBuf {
        self.root.join("tmp").join(uuid::Uuid::now_v7().to_string())
    }
}

impl BlobStore for LocalFiles {
    fn put(&self, key: &str, bytes: &[u8]) -> io::Result<()> {
        let path = self.path(key)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = self.temp();
        std::fs::write(&tmp, bytes)?;
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, &path)
    }

    fn put_file(&self, key: &str, src: &Path) -> io::Result<()> {
        let path = self.path(key)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = self.temp();
        std::fs::copy(src, &tmp)?;
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, &path)
    }

    fn put_reader(&self, key: &str, reader: &mut dyn io::Read) -> io::Result<()> {
        let path = self.path(key)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = self.temp();
        let result = (|| {
            let mut out = std::fs::File::create(&tmp)?;
            io::copy(reader, &mut out)?;
            out.sync_all()?;
            std::fs::rename(&tmp, &path)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    fn get(&self, key: &str) -> io::Result<Vec<u8>> {
        std::fs::read(self.path(key)?)
    }

    fn delete(&self, key: &str) -> io::Result<()> {
        match std::fs::remove_file(self.path(key)?) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }

    fn scratch_dir(&self) -> Option<PathBuf> {
        Some(self.root.join("tmp"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_round_trip_and_keys_cannot_escape_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalFiles::new(dir.path()).unwrap();
        store.put("evidence/abc", b"hello").unwrap();
        assert_eq!(store.get("evidence/abc").unwrap(), b"hello");
        store.delete("evidence/abc").unwrap();
        store.delete("evidence/abc").unwrap();
        assert!(store.get("evidence/abc").is_err());
        for bad in ["../x", "/etc/passwd", "a/../../b", "", "a b"] {
            assert!(store.put(bad, b"x").is_err(), "{bad}");
        }
    }
}
