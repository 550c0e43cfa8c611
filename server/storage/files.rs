//! Where uploaded evidence, images and frozen PDFs live. On SQLite, files under the
//! data directory, written through a temporary file and a rename, so a crash never
//! leaves half a file under a real key; on PostgreSQL, rows of the `blobs` table, so
//! that several instances on one database serve every file. Evidence and issued PDFs
//! go through [`put_in`]: in the database, the blob is written in the transaction of
//! the record that names it (both commit or neither); as files, it is stored just
//! before that record commits, so a crash leaves at most an unnamed file.
//!
//! One `BlobStore` trait for both; the PostgreSQL store runs its queries on a thread of
//! its own, as the store is called from blocking code.

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
    /// Whether blobs are rows of the database's `blobs` table, so [`put_in`] writes
    /// them in the caller's transaction.
    fn in_database(&self) -> bool {
        false
    }
}

/// The statement that stores a blob row (PostgreSQL).
fn insert_blob(key: String, bytes: Vec<u8>) -> sea_orm::Statement {
    let size = bytes.len() as i64;
    sea_orm::Statement::from_sql_and_values(
        sea_orm::DbBackend::Postgres,
        "INSERT INTO blobs (key, bytes, size, created_at) VALUES ($1, $2, $3, now()) \
         ON CONFLICT (key) DO UPDATE SET bytes = EXCLUDED.bytes, size = EXCLUDED.size",
        [key.into(), bytes.into(), size.into()],
    )
}

/// Stores `bytes` under `key` for the record `txn` is about to write: in the
/// database, inside `txn` (the blob commits or rolls back with its record); as
/// files, now (the caller removes it if its transaction fails).
pub async fn put_in<C: sea_orm::ConnectionTrait>(
    txn: &C,
    store: &std::sync::Arc<dyn BlobStore>,
    key: &str,
    bytes: Vec<u8>,
) -> io::Result<()> {
    let key = checked(key)?;
    if store.in_database() && txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        txn.execute_raw(insert_blob(key, bytes)).await.map(|_| ()).map_err(db_error)
    } else {
        let store = store.clone();
        tokio::task::spawn_blocking(move || store.put(&key, &bytes)).await.map_err(io::Error::other)?
    }
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
        Ok(self.root.join(checked(key)?))
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

/// Blobs in the database's `blobs` table (PostgreSQL), so that every instance on
/// the same database serves every file. The store is called from blocking code
/// (the `BlobStore` API is synchronous), so it runs its queries on a thread of its
/// own with its own small pool and answers over a channel.
#[derive(Debug)]
pub struct DbBlobs {
    jobs: tokio::sync::mpsc::UnboundedSender<Job>,
}

enum Job {
    Put(String, Vec<u8>, std::sync::mpsc::SyncSender<io::Result<()>>),
    Get(String, std::sync::mpsc::SyncSender<io::Result<Vec<u8>>>),
    Delete(String, std::sync::mpsc::SyncSender<io::Result<()>>),
}

fn db_error(e: sea_orm::DbErr) -> io::Error {
    io::Error::other(e.to_string())
}

impl DbBlobs {
    /// Connects to the PostgreSQL database at `url` (its migrations already applied).
    pub fn connect(url: &str) -> io::Result<DbBlobs> {
        let (jobs, mut rx) = tokio::sync::mpsc::unbounded_channel::<Job>();
        let (ready_tx, ready_rx) = std::sync::mpsc::sync_channel::<io::Result<()>>(1);
        let url = url.to_owned();
        std::thread::Builder::new().name("blobs".into()).spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return;
                }
            };
            rt.block_on(async move {
                let mut opts = sea_orm::ConnectOptions::new(url);
                opts.max_connections(4).sqlx_logging(false);
                let conn = match sea_orm::Database::connect(opts).await {
                    Ok(c) => {
                        let _ = ready_tx.send(Ok(()));
                        c
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(db_error(e)));
                        return;
                    }
                };
                while let Some(job) = rx.recv().await {
                    tokio::spawn(run(conn.clone(), job));
                }
            });
        })?;
        ready_rx.recv().map_err(|_| io::Error::other("blob store thread ended"))??;
        Ok(DbBlobs { jobs })
    }

    fn ask<T>(&self, job: impl FnOnce(std::sync::mpsc::SyncSender<io::Result<T>>) -> Job) -> io::Result<T> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.jobs.send(job(tx)).map_err(|_| io::Error::other("blob store stopped"))?;
        rx.recv().map_err(|_| io::Error::other("blob store stopped"))?
    }
}

async fn run(conn: sea_orm::DatabaseConnection, job: Job) {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let pg = DbBackend::Postgres;
    match job {
        Job::Put(key, bytes, reply) => {
            let _ = reply.send(conn.execute_raw(insert_blob(key, bytes)).await.map(|_| ()).map_err(db_error));
        }
        Job::Get(key, reply) => {
            let st = Statement::from_sql_and_values(pg, "SELECT bytes FROM blobs WHERE key = $1", [key.clone().into()]);
            let got = match conn.query_one_raw(st).await {
                Ok(Some(row)) => row.try_get::<Vec<u8>>("", "bytes").map_err(db_error),
                Ok(None) => Err(io::Error::new(io::ErrorKind::NotFound, format!("no blob {key}"))),
                Err(e) => Err(db_error(e)),
            };
            let _ = reply.send(got);
        }
        Job::Delete(key, reply) => {
            let st = Statement::from_sql_and_values(pg, "DELETE FROM blobs WHERE key = $1", [key.into()]);
            let _ = reply.send(conn.execute_raw(st).await.map(|_| ()).map_err(db_error));
        }
    }
}

impl BlobStore for DbBlobs {
    fn put(&self, key: &str, bytes: &[u8]) -> io::Result<()> {
        let key = checked(key)?;
        self.ask(|r| Job::Put(key, bytes.to_vec(), r))
    }

    fn put_file(&self, key: &str, src: &Path) -> io::Result<()> {
        self.put(key, &std::fs::read(src)?)
    }

    fn put_reader(&self, key: &str, reader: &mut dyn io::Read) -> io::Result<()> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes)?;
        self.put(key, &bytes)
    }

    fn get(&self, key: &str) -> io::Result<Vec<u8>> {
        let key = checked(key)?;
        self.ask(|r| Job::Get(key, r))
    }

    fn delete(&self, key: &str) -> io::Result<()> {
        let key = checked(key)?;
        self.ask(|r| Job::Delete(key, r))
    }

    fn scratch_dir(&self) -> Option<PathBuf> {
        None
    }

    fn in_database(&self) -> bool {
        true
    }
}

/// A key as both stores accept it.
fn checked(key: &str) -> io::Result<String> {
    let ok = !key.is_empty()
        && key.len() <= 300
        && key.split('/').all(|p| !p.is_empty() && p != "." && p != "..")
        && key.chars().all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
    if ok { Ok(key.to_owned()) } else { Err(io::Error::new(io::ErrorKind::InvalidInput, format!("bad key {key:?}"))) }
}

/// The store for a database: its `blobs` table on PostgreSQL (every instance sees
/// every file), files under `local_root` on SQLite.
pub fn for_database(url: &str, local_root: &Path) -> io::Result<std::sync::Arc<dyn BlobStore>> {
    if url.starts_with("postgres") {
        Ok(std::sync::Arc::new(DbBlobs::connect(url)?))
    } else {
        Ok(std::sync::Arc::new(LocalFiles::new(local_root)?))
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
