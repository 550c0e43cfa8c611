//! Reads cached by the database's revision.
//!
//! Every write transaction appends to the audit chain (see [`super::audit`]), so the
//! chain's last sequence number is a revision of everything the users can change:
//! a read made at revision `r` is still right while the head is `r`. A cached read
//! is checked against the head first (one indexed query, or none while the database
//! is known unchanged: see [`super::watch`] and [`super::notify`]), so a write
//! committed on any instance is seen by the next read on every instance; and it is
//! kept per *scope* — the role, issuer and unit the access rules look at — so that a
//! unit officer is never handed an answer built for someone who sees more. Readers
//! that miss the same read at the same revision together (every poller, right after
//! a write) wait for one load rather than each making it.
//!
//! What is kept is what pages and clients poll — a plan's snapshot (dashboard, inbox,
//! review list), a task's page, the task list, a plan, a document's page count — keyed by
//! (view, scope, arguments) with the revision it was read at. The API answers those reads
//! with a strong `ETag` (revision and key) and `304` on `If-None-Match`; their JSON is
//! written once per version. A request that changes nothing (GET, HEAD) reads the head in
//! the same query as its session (`auth::authenticate`, a scalar subquery), so a kept
//! read costs one round trip; a request that may write reads it again after. Sessions and
//! their users are kept too, by the hash of their secret at the revision read: ending a
//! session, changing or deactivating a user is audited, so it moves the head.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QuerySelect};
use tokio::sync::OnceCell;
use uuid::Uuid;

use super::audit::Actor;
use super::entities::audit_events;

/// How many reads are kept; stale ones are dropped first, then all.
const CAPACITY: usize = 512;

/// What the access rules look at: two actors of the same scope see the same records.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct Scope {
    role: Option<crate::domain::Role>,
    issuer_id: Option<Uuid>,
    unit_id: Option<Uuid>,
}

impl Scope {
    /// The scope of an actor.
    pub fn of(actor: &Actor) -> Scope {
        Scope { role: actor.role, issuer_id: actor.issuer_id, unit_id: actor.unit_id }
    }
}

/// One cached read: what it is (`view`), for whom, and its arguments.
#[derive(Clone, Debug)]
pub struct Key {
    view: &'static str,
    scope: Scope,
    args: String,
    /// The revision the caller already read (with its session), if any: not part
    /// of what the read is.
    pub(super) seen: Option<i64>,
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        (self.view, &self.scope, &self.args) == (other.view, &other.scope, &other.args)
    }
}

impl Eq for Key {}

impl Hash for Key {
    fn hash<H: Hasher>(&self, h: &mut H) {
        (self.view, &self.scope, &self.args).hash(h);
    }
}

impl Key {
    /// The read `view` made by `actor` with `args` (anything that changes the answer).
    pub fn new(view: &'static str, actor: &Actor, args: impl Into<String>) -> Key {
        Key { view, scope: Scope::of(actor), args: args.into(), seen: actor.seen_rev }
    }

    /// A short stable tag of the key, for an `ETag`.
    pub fn tag(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.hash(&mut h);
        h.finish()
    }
}

type Value = Arc<dyn Any + Send + Sync>;

/// A kept read with its entity tag: the revision it was made at and its key, so the
/// tag changes with every write and differs between scopes.
#[derive(Debug)]
pub struct Versioned<T> {
    /// The read.
    pub value: Arc<T>,
    /// A strong `ETag` value, quotes included.
    pub etag: String,
    /// The revision it was read at.
    pub rev: i64,
}

impl<T> Versioned<T> {
    /// The entity tag of `key` at `rev`.
    pub fn tag(key: &Key, rev: i64) -> String {
        format!("\"{rev:x}-{:016x}\"", key.tag())
    }
}

/// The kept reads, each with the revision it was made at.
#[derive(Default)]
pub struct ReadCache {
    /// The newest revision a read was kept at: reads at older ones can never be
    /// used again (the revision only grows), so they are dropped as it moves.
    head: Mutex<i64>,
    entries: Mutex<HashMap<Key, (i64, Value)>>,
    /// Bytes made from a kept read (its JSON), by the read's entity tag.
    renditions: Mutex<HashMap<String, Arc<[u8]>>>,
    /// Loads under way, by read, revision and type: each a `OnceCell<Arc<T>>`.
    loading: Mutex<HashMap<(Key, i64, TypeId), Value>>,
}

impl std::fmt::Debug for ReadCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReadCache")
    }
}

/// The database's revision: the audit chain's last sequence number (0 when empty).
pub async fn revision<C: ConnectionTrait>(db: &C) -> Result<i64, DbErr> {
    let head: Option<Option<i64>> = audit_events::Entity::find()
        .select_only()
        .column_as(Expr::from(Func::max(Expr::col(audit_events::Column::Seq))), "head")
        .into_tuple()
        .one(db)
        .await?;
    Ok(head.flatten().unwrap_or(0))
}

/// The revision as a scalar subquery, to read it in the same round trip as
/// something else (the session lookup). NULL when the chain is empty.
pub const REVISION_SQL: &str = "(SELECT MAX(seq) FROM audit_events)";

impl ReadCache {
    /// The read at `rev`, if kept.
    fn get<T: Send + Sync + 'static>(&self, key: &Key, rev: i64) -> Option<Arc<T>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (at, value) = entries.get(key)?;
        if *at != rev {
            return None;
        }
        value.clone().downcast::<T>().ok()
    }

    /// Moves the head to `rev`, dropping every read kept at an older revision;
    /// `false` if `rev` is already older than the head (a slow read: not kept).
    fn advance(&self, rev: i64) -> bool {
        let mut head = self.head.lock().unwrap_or_else(|e| e.into_inner());
        if rev < *head {
            return false;
        }
        if rev > *head {
            *head = rev;
            self.entries.lock().unwrap_or_else(|e| e.into_inner()).clear();
            self.renditions.lock().unwrap_or_else(|e| e.into_inner()).clear();
            // A load abandoned half-way (its client went away) leaves its cell behind.
            self.loading.lock().unwrap_or_else(|e| e.into_inner()).retain(|(_, at, _), _| *at >= rev);
        }
        true
    }

    fn put<T: Send + Sync + 'static>(&self, key: Key, rev: i64, value: Arc<T>) {
        if !self.advance(rev) {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, (rev, value));
    }

    /// The read `key` at revision `rev`: kept, or made by `load` and kept. The
    /// revision is taken before loading, so a write that lands during the load
    /// only makes the next read load again.
    pub async fn get_or_load<T, E, F, Fut>(&self, key: Key, rev: i64, load: F) -> Result<Arc<T>, E>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        if let Some(v) = self.get::<T>(&key, rev) {
            return Ok(v);
        }
        // One load for all who miss together; if it fails, the next waiter loads.
        let id = (key.clone(), rev, TypeId::of::<T>());
        let cell = {
            let mut loading = self.loading.lock().unwrap_or_else(|e| e.into_inner());
            let cell = loading.entry(id.clone()).or_insert_with(|| Arc::new(OnceCell::<Arc<T>>::new()));
            cell.clone().downcast::<OnceCell<Arc<T>>>()
        };
        let v = match cell {
            Ok(cell) => {
                let v = cell.get_or_try_init(|| async { load().await.map(Arc::new) }).await.cloned();
                let mut loading = self.loading.lock().unwrap_or_else(|e| e.into_inner());
                if loading.get(&id).is_some_and(|c| std::ptr::addr_eq(Arc::as_ptr(c), Arc::as_ptr(&cell))) {
                    loading.remove(&id);
                }
                v?
            }
            // Keyed by its type, a cell always is one of `T`.
            Err(_) => Arc::new(load().await?),
        };
        self.put(key, rev, v.clone());
        Ok(v)
    }

    /// The bytes made from the read tagged `etag` at `rev` (e.g. its JSON), made once
    /// by `make`. A tag names one read at one revision, so the bytes never go stale.
    pub fn rendition(&self, rev: i64, etag: &str, make: impl FnOnce() -> Vec<u8>) -> Arc<[u8]> {
        if let Some(b) = self.renditions.lock().unwrap_or_else(|e| e.into_inner()).get(etag) {
            return b.clone();
        }
        let bytes: Arc<[u8]> = make().into();
        // Reads older than the head are never asked for again.
        if rev < *self.head.lock().unwrap_or_else(|e| e.into_inner()) {
            return bytes;
        }
        let mut all = self.renditions.lock().unwrap_or_else(|e| e.into_inner());
        if all.len() >= CAPACITY {
            all.clear();
        }
        all.insert(etag.to_owned(), bytes.clone());
        bytes
    }

    /// How many reads are kept.
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Values kept by a text key, each good only at the revision it was read at (the
/// sessions that requests present, by the SHA-256 of their secret).
#[derive(Debug)]
pub struct ByRevision<V> {
    entries: Mutex<HashMap<String, (i64, V)>>,
    capacity: usize,
}

impl<V: Clone> ByRevision<V> {
    /// At most `capacity` values; older revisions are dropped first, then all.
    pub fn new(capacity: usize) -> ByRevision<V> {
        ByRevision { entries: Mutex::new(HashMap::new()), capacity }
    }

    /// The value of `key` read at `rev`.
    pub fn get(&self, key: &str, rev: i64) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.get(key).filter(|(at, _)| *at == rev).map(|(_, v)| v.clone())
    }

    /// Keeps `value` of `key`, read at `rev`.
    pub fn put(&self, key: String, rev: i64, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.retain(|_, (at, _)| *at >= rev);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(key, (rev, value));
    }

    /// Forgets `key`.
    pub fn forget(&self, key: &str) {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    fn actor(role: Role, unit: Option<Uuid>) -> Actor {
        Actor { role: Some(role), issuer_id: Some(Uuid::nil()), unit_id: unit, ..Actor::default() }
    }

    #[tokio::test]
    async fn a_read_is_kept_for_its_revision_and_scope_only() {
        let cache = ReadCache::default();
        let office = actor(Role::Office, None);
        let unit = actor(Role::UnitOfficer, Some(Uuid::now_v7()));
        let load = |s: &'static str| async move { Ok::<_, DbErr>(s.to_owned()) };
        let a = cache.get_or_load(Key::new("v", &office, "p"), 1, || load("office@1")).await.unwrap();
        assert_eq!(*a, "office@1");
        let b = cache.get_or_load(Key::new("v", &office, "p"), 1, || load("again")).await.unwrap();
        assert_eq!(*b, "office@1", "same revision and scope: kept");
        let c = cache.get_or_load(Key::new("v", &unit, "p"), 1, || load("unit@1")).await.unwrap();
        assert_eq!(*c, "unit@1", "another scope never gets the office's answer");
        let d = cache.get_or_load(Key::new("v", &office, "p"), 2, || load("office@2")).await.unwrap();
        assert_eq!(*d, "office@2", "a write makes it load again");
        assert_eq!(cache.len(), 1, "reads made before the write are dropped");
        let late = cache.get_or_load(Key::new("v", &unit, "p"), 1, || load("slow")).await.unwrap();
        assert_eq!(*late, "slow");
        assert_eq!(cache.len(), 1, "a read that finishes after a newer one is not kept");
        let e = cache.get_or_load(Key::new("v", &office, "q"), 2, || load("other args")).await.unwrap();
        assert_eq!(*e, "other args");
        assert_ne!(Key::new("v", &office, "p").tag(), Key::new("v", &unit, "p").tag());
        let seen = Actor { seen_rev: Some(7), ..office.clone() };
        assert_eq!(Key::new("v", &seen, "p"), Key::new("v", &office, "p"), "the revision seen is not part of the read");
        assert_eq!(Key::new("v", &seen, "p").tag(), Key::new("v", &office, "p").tag());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn readers_missing_together_wait_for_one_load() {
        let cache = Arc::new(ReadCache::default());
        let office = actor(Role::Office, None);
        let loads = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut readers = Vec::new();
        for i in 0..20 {
            let (cache, office, loads) = (cache.clone(), office.clone(), loads.clone());
            readers.push(tokio::spawn(async move {
                let load = || async move {
                    loads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    // The first load fails: a waiter loads again.
                    if i == 0 { Err(DbErr::Custom("lost".into())) } else { Ok(format!("made by {i}")) }
                };
                cache.get_or_load(Key::new("v", &office, "p"), 1, load).await
            }));
            if i == 0 {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        }
        let mut made = Vec::new();
        for r in readers {
            made.push(r.await.unwrap());
        }
        assert!(made[0].is_err(), "the failed load's own reader hears of it");
        let values: std::collections::BTreeSet<_> = made[1..].iter().map(|r| r.as_ref().unwrap().clone()).collect();
        assert_eq!(values.len(), 1, "the other 19 share one read: {values:?}");
        assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 2, "one failed load and one that was kept");
        assert!(cache.loading.lock().unwrap().is_empty(), "nothing left under way");
    }

    #[tokio::test]
    async fn it_stays_within_its_capacity() {
        let cache = ReadCache::default();
        let office = actor(Role::Office, None);
        for i in 0..(CAPACITY * 2) {
            let _ = cache.get_or_load(Key::new("v", &office, i.to_string()), 1, || async { Ok::<_, DbErr>(i) }).await;
        }
        assert!(cache.len() <= CAPACITY);
    }
}
