//! Connections that cannot be held open for free. The accept loop never waits:
//! when the server holds its most connections in all, or one client address holds
//! its most, the connection idle the longest (between requests, of that address when
//! it is the address's limit) is closed to make room, so a flood of idle sockets
//! costs its sender its own sockets and no one else theirs. Silence (no byte read or
//! written) closes a connection on its own timer, and a request must arrive at a
//! minimum pace, so a client trickling its headers a byte at a time is cut off.

use std::collections::HashMap;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use poem::http::uri::Scheme;
use poem::listener::Acceptor;
use poem::web::{LocalAddr, RemoteAddr};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// How long connections may stay open and how fast requests must arrive.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most connections open at once; past it the longest idle one is closed.
    pub max_connections: usize,
    /// Most connections open at once from one client address.
    pub max_per_client: usize,
    /// A connection with no byte read or written for this long is closed.
    pub idle: Duration,
    /// A request may take this long to arrive before its pace is checked.
    pub grace: Duration,
    /// After the grace time, a request must have arrived at this many bytes per second on average.
    pub min_bytes_per_sec: u64,
}

impl From<&crate::config::ServerSettings> for Limits {
    /// The connection limits `[server]` describes.
    fn from(s: &crate::config::ServerSettings) -> Limits {
        Limits {
            max_connections: s.max_connections,
            max_per_client: s.max_connections_per_client,
            idle: Duration::from_secs(s.idle_timeout_secs.max(1)),
            grace: Duration::from_secs(s.request_grace_secs),
            min_bytes_per_sec: s.min_request_bytes_per_sec,
        }
    }
}

/// One open connection as the registry sees it.
struct Conn {
    client: Option<IpAddr>,
    /// Milliseconds since the registry started, at the last byte read or written.
    last: AtomicU64,
    /// A request is arriving or being answered: never closed to make room.
    busy: AtomicBool,
    /// Closed to make room: the next read fails.
    evicted: AtomicBool,
    /// Woken when evicted, so a connection waiting for its next request notices.
    waker: Mutex<Option<Waker>>,
}

/// Every open connection, to find the one idle the longest.
struct Registry {
    started: Instant,
    next: AtomicU64,
    open: Mutex<HashMap<u64, Arc<Conn>>>,
}

impl Registry {
    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// Registers a new connection, first closing the longest idle ones past the limits.
    fn admit(&self, client: Option<IpAddr>, limits: &Limits) -> (u64, Arc<Conn>) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let mine = open.values().filter(|c| c.client == client && !c.evicted.load(Ordering::Relaxed)).count();
        if mine >= limits.max_per_client.max(1) {
            evict_oldest(&open, Some(client));
        }
        let live = open.values().filter(|c| !c.evicted.load(Ordering::Relaxed)).count();
        if live >= limits.max_connections.max(1) {
            evict_oldest(&open, None);
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let conn = Arc::new(Conn {
            client,
            last: AtomicU64::new(self.now_ms()),
            busy: AtomicBool::new(false),
            evicted: AtomicBool::new(false),
            waker: Mutex::new(None),
        });
        open.insert(id, conn.clone());
        (id, conn)
    }

    fn remove(&self, id: u64) {
        self.open.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
    }
}

/// Closes the connection idle the longest (of `client` when given); one mid-request
/// is never chosen.
fn evict_oldest(open: &HashMap<u64, Arc<Conn>>, client: Option<Option<IpAddr>>) {
    let idle = open.values().filter(|c| {
        !c.busy.load(Ordering::Relaxed) && !c.evicted.load(Ordering::Relaxed) && client.is_none_or(|ip| c.client == ip)
    });
    if let Some(c) = idle.min_by_key(|c| c.last.load(Ordering::Relaxed)) {
        c.evicted.store(true, Ordering::Relaxed);
        if let Some(w) = c.waker.lock().unwrap_or_else(|e| e.into_inner()).take() {
            w.wake();
        }
    }
}

/// Wraps an acceptor so every connection it hands out obeys [`Limits`].
pub struct Guarded<A> {
    inner: A,
    limits: Limits,
    registry: Arc<Registry>,
}

impl<A> Guarded<A> {
    /// Guards `inner`'s connections.
    pub fn new(inner: A, limits: Limits) -> Guarded<A> {
        let registry = Registry { started: Instant::now(), next: AtomicU64::new(0), open: Mutex::new(HashMap::new()) };
        Guarded { inner, limits, registry: Arc::new(registry) }
    }
}

impl<A: Acceptor> Acceptor for Guarded<A> {
    type Io = GuardedIo<A::Io>;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.inner.local_addr()
    }

    async fn accept(&mut self) -> io::Result<(Self::Io, LocalAddr, RemoteAddr, Scheme)> {
        // Taken at once: room is made by closing idle connections, never by waiting.
        let (io, local, remote, scheme) = self.inner.accept().await?;
        let client = remote.as_socket_addr().map(|a| a.ip());
        let (id, conn) = self.registry.admit(client, &self.limits);
        let io = GuardedIo::new(io, self.limits, Slot { id, conn, registry: self.registry.clone() });
        Ok((io, local, remote, scheme))
    }
}

/// A connection's place in the registry, given back when it is dropped.
struct Slot {
    id: u64,
    conn: Arc<Conn>,
    registry: Arc<Registry>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.registry.remove(self.id);
    }
}

/// A connection with the limits applied; its slot is freed when it is dropped.
pub struct GuardedIo<T> {
    inner: T,
    limits: Limits,
    /// Fires after `idle` of silence.
    idle: Pin<Box<Sleep>>,
    /// When the request now arriving began, and how many bytes of it came so far.
    request: Option<(Instant, u64)>,
    slot: Slot,
}

impl<T> GuardedIo<T> {
    fn new(inner: T, limits: Limits, slot: Slot) -> GuardedIo<T> {
        GuardedIo { inner, limits, idle: Box::pin(tokio::time::sleep(limits.idle)), request: None, slot }
    }

    fn touch(&mut self) {
        self.idle.as_mut().reset(Instant::now() + self.limits.idle);
        self.slot.conn.last.store(self.slot.registry.now_ms(), Ordering::Relaxed);
    }

    /// Counts `n` bytes of the request; false when it arrives too slowly.
    fn paced(&mut self, n: u64) -> bool {
        let now = Instant::now();
        self.slot.conn.busy.store(true, Ordering::Relaxed);
        let (start, bytes) = self.request.get_or_insert((now, 0));
        *bytes += n;
        let allowed =
            self.limits.grace + Duration::from_secs_f64(*bytes as f64 / self.limits.min_bytes_per_sec.max(1) as f64);
        now.duration_since(*start) <= allowed
    }
}

impl<T> GuardedIo<T> {
    /// A response is going out: the connection is idle again once it is written.
    fn answered(&mut self) {
        self.request = None;
        self.slot.conn.busy.store(false, Ordering::Relaxed);
        self.touch();
    }
}

fn timed_out(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, what.to_owned())
}

impl<T: AsyncRead + Unpin> AsyncRead for GuardedIo<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        if self.slot.conn.evicted.load(Ordering::Relaxed) {
            return Poll::Ready(Err(timed_out("closed to make room for another connection")));
        }
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let n = (buf.filled().len() - before) as u64;
                if n > 0 {
                    self.touch();
                    if !self.paced(n) {
                        return Poll::Ready(Err(timed_out("request arrives too slowly")));
                    }
                }
                Poll::Ready(Ok(()))
            }
            Poll::Pending => match self.idle.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Err(timed_out("connection idle"))),
                Poll::Pending => {
                    // Waiting: an eviction must be able to wake this read.
                    *self.slot.conn.waker.lock().unwrap_or_else(|e| e.into_inner()) = Some(cx.waker().clone());
                    if self.slot.conn.evicted.load(Ordering::Relaxed) {
                        return Poll::Ready(Err(timed_out("closed to make room for another connection")));
                    }
                    Poll::Pending
                }
            },
            other => other,
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for GuardedIo<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, data);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            // A response is going out: the request it answers has arrived.
            self.answered();
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.answered();
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
