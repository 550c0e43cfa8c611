//! Persistence: the connection pool, migrations, write transactions and the
//! audit chain. The generated entities live in [`entities`].
//!
//! Every write goes through `Db::begin_write`: on SQLite it first takes the process's
//! single writer slot (SQLite allows one writer; queuing in the process avoids
//! `SQLITE_BUSY` on lock upgrade), on PostgreSQL it is a plain transaction. So a SQLite
//! file has one server: `serve` holds an operating-system lock on `<file>.serve.lock`
//! (released even on SIGKILL), and a second `serve` on the same file refuses to start,
//! saying why.

pub mod account_links;
pub mod audit;
pub mod backup;
pub mod cache;
pub mod calendar_feeds;
pub mod contributions;
pub mod document_counters;
pub mod documents;
pub mod entities;
pub mod evidence;
pub mod files;
pub mod follow_ups;
pub mod form_drafts;
pub mod issuers;
pub mod lease;
pub mod login_throttles;
pub mod notify;
pub mod outbox;
pub mod plans;
pub mod proposals;
pub mod queries;
pub mod reminders_sent;
pub mod results;
pub mod rows;
pub mod rubrics;
pub mod sessions;
pub mod signing_keys;
pub mod signing_sessions;
pub mod targets;
pub mod task_cooperators;
pub mod task_groups;
pub mod tasks;
pub mod units;
pub mod users;
pub mod vocab;
pub mod watch;

/// What a storage function reads and writes through: the pool or a transaction.
/// Services name it for their own helpers instead of naming the database library.
pub use sea_orm::ConnectionTrait as Conn;

use std::sync::Arc;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, Database, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// The database handle shared by every request.
#[derive(Clone, Debug)]
pub struct Db {
    /// The pool.
    pub conn: DatabaseConnection,
    /// SQLite allows one writer: writers queue here instead of failing with SQLITE_BUSY.
    write_lock: Option<Arc<Mutex<()>>>,
    /// Reads kept by revision and scope (see [`cache`]).
    reads: Arc<cache::ReadCache>,
    /// Whether anything was written since the revision was last read, so an
    /// unchanged database is not asked again: the WAL index of a SQLite file (see
    /// [`watch`]), or the heads announced on PostgreSQL (see [`notify`]).
    watch: Option<Watch>,
    /// Sessions and their users as last read, by the SHA-256 of their secret, each
    /// good at the revision it was read at (every change that ends or narrows a
    /// session is audited, so moves the revision).
    pub sessions: Arc<cache::ByRevision<Arc<(entities::sessions::Model, entities::users::Model)>>>,
}

/// How a database tells that nothing was written since the revision was read.
#[derive(Clone, Debug)]
enum Watch {
    Wal(Arc<watch::WalWatch>),
    Pg(Arc<notify::PgWatch>),
}

/// The moment a revision was read at (see [`Db::stamp`]).
#[derive(Clone, Debug)]
pub enum Stamp {
    /// A SQLite file's WAL index as it was.
    Wal(watch::Stamp),
    /// The heads heard so far on PostgreSQL.
    Pg(u64),
}

/// A write transaction; holds the SQLite writer slot until committed or dropped.
pub struct WriteTxn {
    txn: DatabaseTransaction,
    _slot: Option<OwnedMutexGuard<()>>,
    /// On PostgreSQL: the other instances to bring up to date after the commit.
    settle: Option<Arc<notify::PgWatch>>,
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

impl WriteTxn {
    /// Commits; dropping without commit rolls back, so nothing is half-written. On
    /// PostgreSQL it returns once every instance has heard of the write (see
    /// [`notify`]), so the next read anywhere sees it.
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await?;
        drop(self._slot);
        if let Some(watch) = self.settle {
            watch.settle().await;
        }
        Ok(())
    }
}

impl Db {
    /// Connects to `url` (sqlite:… or postgres://…), creating the SQLite file's
    /// folder if needed, and applies pending migrations.
    pub async fn connect(url: &str, max_connections: u32, acquire_timeout: Duration) -> Result<Db, DbErr> {
        let sqlite = url.starts_with("sqlite:");
        if sqlite
            && let Some(path) = sqlite_path(url)
            && let Some(parent) = std::path::Path::new(&path).parent()
        {
            std::fs::create_dir_all(parent)
                .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", parent.display())))?;
        }
        let mut opts = ConnectOptions::new(url.to_owned());
        // Every connection to an in-memory SQLite database is a database of its own.
        let max_connections = if url.contains(":memory:") { 1 } else { max_connections };
        // A SQLite file stays open, so its WAL index (which `watch` reads) stays the same file.
        if sqlite {
            opts.min_connections(1);
        }
        opts.max_connections(max_connections)
            .acquire_timeout(acquire_timeout)
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    // Each pooled connection has its own page cache: give it room, and map
                    // the file so cold pages cost no read() call.
                    .pragma("cache_size", "-32000")
                    .pragma("mmap_size", "268435456")
                    .pragma("temp_store", "memory")
            });
        let conn = Database::connect(opts).await?;
        Migrator::up(&conn, None).await?;
        let watch = match conn.get_database_backend() {
            DatabaseBackend::Postgres => {
                Some(Watch::Pg(notify::PgWatch::start(conn.get_postgres_connection_pool()).await.map_err(|e| {
                    DbErr::Custom(format!(
                        "cannot LISTEN for changes (database.url must be a direct or session-mode connection): {e}"
                    ))
                })?))
            }
            _ => sqlite_file(url).map(|f| Watch::Wal(Arc::new(watch::WalWatch::new(f)))),
        };
        Ok(Db {
            conn,
            write_lock: sqlite.then(|| Arc::new(Mutex::new(()))),
            reads: Arc::default(),
            watch,
            sessions: Arc::new(cache::ByRevision::new(10_000)),
        })
    }

    /// Which backend this is.
    pub fn backend(&self) -> DatabaseBackend {
        self.conn.get_database_backend()
    }

    /// Starts a write transaction (waiting for the SQLite writer slot first).
    pub async fn begin_write(&self) -> Result<WriteTxn, DbErr> {
        let slot = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        // On SQLite the transaction takes the file's write lock at once (BEGIN IMMEDIATE):
        // a deferred one that read first could not upgrade if a write outside the slot
        // (a session's new end, a draft) committed in between, and would fail at once
        // instead of waiting out the busy timeout.
        let options = TransactionOptions {
            sqlite_transaction_mode: slot.is_some().then_some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        let settle = match &self.watch {
            Some(Watch::Pg(w)) => Some(w.clone()),
            _ => None,
        };
        Ok(WriteTxn { txn: self.conn.begin_with_options(options).await?, _slot: slot, settle })
    }

    /// The revision of everything users can change (see [`cache`]): on a SQLite
    /// file that nothing wrote to since it was last read, or on PostgreSQL while
    /// the announced heads can be trusted, without asking.
    pub async fn revision(&self) -> Result<i64, DbErr> {
        if let Some(rev) = self.known_revision() {
            return Ok(rev);
        }
        let before = self.stamp();
        let rev = cache::revision(&self.conn).await?;
        self.note_revision(before, rev);
        Ok(rev)
    }

    /// The revision last read or heard, if the database is known unchanged since
    /// (`None` means ask; always for an in-memory database).
    pub fn known_revision(&self) -> Option<i64> {
        match self.watch.as_ref()? {
            Watch::Wal(w) => w.revision(),
            Watch::Pg(w) => w.revision(),
        }
    }

    /// The moment as it is, to take before reading the revision.
    pub fn stamp(&self) -> Option<Stamp> {
        match self.watch.as_ref()? {
            Watch::Wal(w) => w.stamp().map(Stamp::Wal),
            Watch::Pg(w) => Some(Stamp::Pg(w.epoch())),
        }
    }

    /// Remembers the revision `rev`, read after `before` was taken.
    pub fn note_revision(&self, before: Option<Stamp>, rev: i64) {
        match (&self.watch, before) {
            (Some(Watch::Wal(w)), Some(Stamp::Wal(s))) => w.note(Some(s), rev),
            (Some(Watch::Wal(w)), _) => w.note(None, rev),
            (Some(Watch::Pg(w)), Some(Stamp::Pg(epoch))) => w.note(epoch, rev),
            _ => {}
        }
    }

    /// The read `key` as of now: kept from an earlier request at the same revision,
    /// or made by `load`. `load` must read only what audited writes change.
    pub async fn cached<T, E, F, Fut>(&self, key: cache::Key, load: F) -> Result<Arc<T>, E>
    where
        T: Send + Sync + 'static,
        E: From<DbErr>,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        Ok(self.versioned(key, load).await?.value)
    }

    /// [`Db::cached`], with the read's entity tag for HTTP validation.
    pub async fn versioned<T, E, F, Fut>(&self, key: cache::Key, load: F) -> Result<cache::Versioned<T>, E>
    where
        T: Send + Sync + 'static,
        E: From<DbErr>,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        // A request that changed nothing read the revision with its session.
        let rev = match key.seen {
            Some(rev) => rev,
            None => self.revision().await?,
        };
        let etag = cache::Versioned::<T>::tag(&key, rev);
        let value = self.reads.get_or_load(key, rev, load).await?;
        Ok(cache::Versioned { value, etag, rev })
    }

    /// The bytes made from a kept read (see [`cache::ReadCache::rendition`]).
    pub fn rendition<T>(&self, v: &cache::Versioned<T>, make: impl FnOnce() -> Vec<u8>) -> Arc<[u8]> {
        self.reads.rendition(v.rev, &v.etag, make)
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> bool {
        self.conn.ping().await.is_ok()
    }
}

/// The file path inside a sqlite: URL, if it names a file.
fn sqlite_path(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then(|| path.to_owned())
}

/// The SQLite file a database URL names (`None` for PostgreSQL and in-memory databases).
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && !path.contains(":memory:")).then(|| std::path::PathBuf::from(path))
}

/// Claims a SQLite database file for one server: a second `serve` on the same file
/// is refused (its single-writer queue lives in one process). The claim is an
/// operating-system lock on `<file>.serve.lock`, held while the returned file is
/// open and released by the system even if the process is killed. `None` for
/// PostgreSQL, where several instances are the point.
pub fn claim_sqlite(url: &str) -> Result<Option<std::fs::File>, String> {
    let Some(db) = sqlite_file(url) else { return Ok(None) };
    let path = std::path::PathBuf::from(format!("{}.serve.lock", db.display()));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let file = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(format!(
            "Đã có một máy chủ nhiemvu khác đang chạy trên tệp cơ sở dữ liệu {} (SQLite chỉ cho một máy chủ); hãy dừng máy chủ đó, hoặc dùng PostgreSQL để chạy nhiều máy chủ / another nhiemvu server is already serving the SQLite file {} (SQLite allows one server); stop it, or use PostgreSQL for several",
            db.display(),
            db.display()
        )),
        Err(std::fs::TryLockError::Error(e)) => Err(format!("{}: {e}", path.display())),
    }
}

#[cfg(test)]
mod claim_tests {
    #[test]
    fn one_server_per_sqlite_file_and_none_for_postgres_or_memory() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("a.sqlite").display());
        let first = super::claim_sqlite(&url).unwrap();
        assert!(first.is_some());
        let second = super::claim_sqlite(&url).unwrap_err();
        assert!(second.contains("Đã có một máy chủ nhiemvu khác") && second.contains("a.sqlite"), "{second}");
        drop(first);
        assert!(super::claim_sqlite(&url).unwrap().is_some(), "free again once the first is gone");
        assert!(super::claim_sqlite("postgres://u@h/db").unwrap().is_none());
        assert!(super::claim_sqlite("sqlite::memory:").unwrap().is_none());
    }
}

#[cfg(test)]
mod watch_tests {
    use sea_orm::ConnectionTrait;

    #[tokio::test]
    async fn a_revision_is_reused_until_any_connection_writes_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("w.sqlite").display());
        let server = super::Db::connect(&url, 4, std::time::Duration::from_secs(5)).await.unwrap();
        // Another program on the same file (the CLI, the sqlite3 tool).
        let other = super::Db::connect(&url, 1, std::time::Duration::from_secs(5)).await.unwrap();
        assert_eq!(server.known_revision(), None, "nothing read yet");
        let rev = server.revision().await.unwrap();
        assert_eq!(server.known_revision(), Some(rev), "unchanged: not asked again");
        assert_eq!(server.known_revision(), Some(rev));
        other.conn.execute_unprepared("CREATE TABLE scratch (a INTEGER)").await.unwrap();
        assert_eq!(server.known_revision(), None, "a write by another connection is seen");
        assert_eq!(server.revision().await.unwrap(), rev, "read again (no audited change)");
        assert_eq!(server.known_revision(), Some(rev));
        server.conn.execute_unprepared("INSERT INTO scratch VALUES (1)").await.unwrap();
        assert_eq!(server.known_revision(), None, "and a write of its own");
        let memory = super::Db::connect("sqlite::memory:", 1, std::time::Duration::from_secs(5)).await.unwrap();
        memory.revision().await.unwrap();
        assert_eq!(memory.known_revision(), None, "an in-memory database is always asked");
    }
}
