//! Connections that cannot be held open for free: a cap on open connections
//! (the next one waits in the kernel's backlog until a slot frees), a timeout
//! on silence (no byte read or written), and a minimum pace for a request
//! being sent, so a client trickling its headers or body a byte at a time is
//! cut off instead of holding a slot forever.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use poem::http::uri::Scheme;
use poem::listener::Acceptor;
use poem::web::{LocalAddr, RemoteAddr};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

/// How long connections may stay open and how fast requests must arrive.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most connections open at once.
    pub max_connections: usize,
    /// A connection with no byte read or written for this long is closed.
    pub idle: Duration,
    /// A request may take this long to arrive before its pace is checked.
    pub grace: Duration,
    /// After the grace time, a request must have arrived at this many bytes per second on average.
    pub min_bytes_per_sec: u64,
}

/// Wraps an acceptor so every connection it hands out obeys [`Limits`].
pub struct Guarded<A> {
    inner: A,
    limits: Limits,
    slots: Arc<Semaphore>,
}

impl<A> Guarded<A> {
    /// Guards `inner`'s connections.
    pub fn new(inner: A, limits: Limits) -> Guarded<A> {
        Guarded { inner, limits, slots: Arc::new(Semaphore::new(limits.max_connections.max(1))) }
    }
}

impl<A: Acceptor> Acceptor for Guarded<A> {
    type Io = GuardedIo<A::Io>;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.inner.local_addr()
    }

    async fn accept(&mut self) -> io::Result<(Self::Io, LocalAddr, RemoteAddr, Scheme)> {
        // Wait for a free slot before taking the next connection off the backlog.
        let slot = self.slots.clone().acquire_owned().await.map_err(io::Error::other)?;
        let (io, local, remote, scheme) = self.inner.accept().await?;
        Ok((GuardedIo::new(io, self.limits, slot), local, remote, scheme))
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
    _slot: OwnedSemaphorePermit,
}

impl<T> GuardedIo<T> {
    fn new(inner: T, limits: Limits, slot: OwnedSemaphorePermit) -> GuardedIo<T> {
        GuardedIo { inner, limits, idle: Box::pin(tokio::time::sleep(limits.idle)), request: None, _slot: slot }
    }

    fn touch(&mut self) {
        self.idle.as_mut().reset(Instant::now() + self.limits.idle);
    }

    /// Counts `n` bytes of the request; false when it arrives too slowly.
    fn paced(&mut self, n: u64) -> bool {
        let now = Instant::now();
        let (start, bytes) = self.request.get_or_insert((now, 0));
        *bytes += n;
        let allowed =
            self.limits.grace + Duration::from_secs_f64(*bytes as f64 / self.limits.min_bytes_per_sec.max(1) as f64);
        now.duration_since(*start) <= allowed
    }
}

fn timed_out(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, what.to_owned())
}

impl<T: AsyncRead + Unpin> AsyncRead for GuardedIo<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
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
                Poll::Pending => Poll::Pending,
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
            self.request = None;
            self.touch();
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
            self.request = None;
            self.touch();
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}
