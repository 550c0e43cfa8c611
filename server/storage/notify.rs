//! The revision on PostgreSQL without a round trip per read, and every instance
//! up to date before a write is acknowledged.
//!
//! Every audit append announces the chain's new head on one channel
//! (`pg_notify`, delivered when its transaction commits, in commit order). Each
//! instance listens, and keeps the last head it heard as its revision. Hearing is
//! asynchronous, so two more messages make it safe:
//!
//! - **Leases.** Every [`BEAT`] an instance sends a beat to the channel and
//!   notes when it sent it; when the beat comes back it may trust what it heard
//!   until [`LEASE`] after the sending. An instance whose listener stalls or drops
//!   stops getting its beats back, its lease runs out, and it asks the database
//!   again on every read.
//! - **Settling a write.** After a write commits, its instance sends a sync
//!   marker and waits until every instance heard from within a lease has
//!   acknowledged the marker (so heard the write's head, which came first), or
//!   until that instance's lease must have run out. Only then is the write
//!   acknowledged to its client, so the next read on any instance sees it. The
//!   wait is never longer than a lease after the commit.
//!
//! The decisions are in [`State`], which takes the time as an argument (in
//! `lease`, tested there); [`PgWatch`] runs the listener and the sender around it.

use std::sync::{Arc, Mutex, Weak};
use std::time::Instant;

use sea_orm::sqlx::postgres::{PgConnection, PgListener, PgPool, PgPoolOptions};
use sea_orm::sqlx::{self, Connection};
use tokio::sync::{Notify, mpsc};

pub use super::lease::{BEAT, CHANNEL, LEASE, Settle, State, announce_sql};

/// One instance's listener and sender on a PostgreSQL database.
#[derive(Debug)]
pub struct PgWatch {
    state: Mutex<State>,
    /// Woken at every message heard.
    changed: Notify,
    outbox: mpsc::UnboundedSender<String>,
    /// Dropped with the watch: the listener then stops.
    _alive: tokio::sync::oneshot::Sender<()>,
}

impl PgWatch {
    /// Starts listening on `pool`'s database (returns once listening) and beating.
    pub async fn start(pool: &PgPool) -> Result<Arc<PgWatch>, sqlx::Error> {
        let me = uuid::Uuid::new_v4().simple().to_string();
        let (outbox, rx) = mpsc::unbounded_channel();
        let (alive, dropped) = tokio::sync::oneshot::channel();
        let state = Mutex::new(State::new(me));
        let watch = Arc::new(PgWatch { state, changed: Notify::new(), outbox, _alive: alive });
        // A connection of its own, not one of the pool's: a busy pool never
        // keeps the listener waiting, nor the listener a request.
        let own = PgPoolOptions::new().max_connections(1).connect_lazy_with((*pool.connect_options()).clone());
        let listener = listen(&own).await?;
        watch.lock().connected(Instant::now());
        let hearing = hear(Arc::downgrade(&watch), own, listener);
        tokio::spawn(async move {
            tokio::select! {
                _ = hearing => {}
                _ = dropped => {}
            }
        });
        tokio::spawn(send(pool.clone(), rx));
        let weak = Arc::downgrade(&watch);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(BEAT);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(watch) = weak.upgrade() else { break };
                watch.marker("b");
            }
        });
        Ok(watch)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn marker(&self, kind: &str) -> u64 {
        let mut state = self.lock();
        let k = state.send_marker(Instant::now());
        let _ = self.outbox.send(format!("{kind}:{}:{k}", state.me));
        k
    }

    /// The revision, if it can be trusted now without asking.
    pub fn revision(&self) -> Option<i64> {
        self.lock().revision(Instant::now())
    }

    /// The epoch to take before reading the revision from the database.
    pub fn epoch(&self) -> u64 {
        self.lock().epoch()
    }

    /// Keeps `rev`, read after `epoch` was taken.
    pub fn note(&self, epoch: u64, rev: i64) {
        self.lock().note(epoch, rev);
    }

    /// Waits, after a write committed, until every instance has heard it (see the
    /// module's text). Never longer than a lease.
    pub async fn settle(&self) {
        let started = Instant::now();
        let k = self.marker("s");
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let until = match self.lock().settle(k, started, Instant::now()) {
                Settle::Done => return,
                Settle::WaitUntil(at) => at,
            };
            let _ = tokio::time::timeout_at(until.into(), changed).await;
        }
    }
}

async fn listen(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// Hears the channel until the watch is dropped, reconnecting when the
/// connection drops (what was heard is then distrusted until heard again).
async fn hear(weak: Weak<PgWatch>, pool: PgPool, listener: PgListener) {
    let mut listener = Some(listener);
    loop {
        let heard = match listener.as_mut() {
            Some(l) => l.try_recv().await,
            None => Ok(None),
        };
        let Some(watch) = weak.upgrade() else { return };
        match heard {
            Ok(Some(n)) => {
                let reply = watch.lock().heard(n.payload(), Instant::now());
                if let Some(reply) = reply {
                    let _ = watch.outbox.send(reply);
                }
                watch.changed.notify_waiters();
            }
            Ok(None) | Err(_) => {
                watch.lock().disconnected();
                watch.changed.notify_waiters();
                drop(watch);
                // Its connection goes back first: the pool holds one.
                listener = None;
                tracing::warn!("the revision listener lost its connection; reconnecting");
                while listener.is_none() {
                    tokio::time::sleep(BEAT).await;
                    listener = listen(&pool).await.ok();
                }
                let Some(watch) = weak.upgrade() else { return };
                watch.lock().connected(Instant::now());
            }
        }
    }
}

/// Sends what the outbox holds, several messages in one statement.
async fn send(pool: PgPool, mut outbox: mpsc::UnboundedReceiver<String>) {
    let mut conn: Option<PgConnection> = None;
    let mut batch = Vec::new();
    while outbox.recv_many(&mut batch, 256).await > 0 {
        if conn.is_none() {
            conn = PgConnection::connect_with(&pool.connect_options()).await.ok();
        }
        if let Some(c) = conn.as_mut() {
            let sent = sqlx::query("SELECT pg_notify($1, m) FROM unnest($2::text[]) AS m")
                .bind(CHANNEL)
                .bind(&batch)
                .execute(&mut *c)
                .await;
            if let Err(e) = sent {
                // Lost: the markers never come back, which only shortens leases.
                tracing::warn!("the revision sender lost its connection: {e}");
                conn = None;
            }
        }
        batch.clear();
    }
}
