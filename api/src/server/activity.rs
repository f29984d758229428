//! What a hyper connection is doing, and the deadline that follows from it: a
//! connection with no request in flight may sit idle for `idle_timeout`; once the
//! first byte of its next head has come, the head must be whole within
//! `head_timeout`; a write that makes no progress for `write_timeout` ends it,
//! request in flight or not. The IO wrapper and the request guard record the
//! facts; `expired` sleeps until the nearest deadline and returns when one passes.

use axum::body::{Body, Bytes, HttpBody};
use hyper::body::{Frame, SizeHint};
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;
use tokio::time::Instant;

use super::limits::ConnectionLimits;

/// Milliseconds since the connection's start; 0 means "not set", so every recorded
/// time is at least 1.
type Millis = u64;

/// The shared record of one connection.
pub(super) struct Activity {
    start: Instant,
    /// Last time bytes moved either way.
    last_io: AtomicU64,
    /// When the first byte after the last request came while none was in flight.
    head_began: AtomicU64,
    /// When a write first found the socket full since it last made progress.
    write_blocked: AtomicU64,
    /// When the last request in flight ended (or the connection began).
    idle_since: AtomicU64,
    in_flight: AtomicUsize,
    /// Wakes `expired` when its deadline may have moved earlier.
    changed: Notify,
}

/// Which deadline passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Expired {
    Idle,
    Head,
    Write,
}

impl Activity {
    /// A new connection whose first head is already buffered (or on its way).
    pub(super) fn new() -> Arc<Self> {
        let activity = Self {
            start: Instant::now(),
            last_io: AtomicU64::new(1),
            head_began: AtomicU64::new(1),
            write_blocked: AtomicU64::new(0),
            idle_since: AtomicU64::new(1),
            in_flight: AtomicUsize::new(0),
            changed: Notify::new(),
        };
        Arc::new(activity)
    }

    fn now(&self) -> Millis {
        self.start.elapsed().as_millis() as Millis + 1
    }

    fn at(&self, millis: Millis) -> Instant {
        self.start + Duration::from_millis(millis.saturating_sub(1))
    }

    fn read_some(&self) {
        let now = self.now();
        self.last_io.store(now, Relaxed);
        if self.in_flight.load(Relaxed) == 0 && self.head_began.load(Relaxed) == 0 {
            self.head_began.store(now, Relaxed);
        }
    }

    fn wrote_some(&self) {
        self.last_io.store(self.now(), Relaxed);
        self.write_blocked.store(0, Relaxed);
    }

    fn write_stuck(&self) {
        if self.write_blocked.load(Relaxed) == 0 {
            self.write_blocked.store(self.now(), Relaxed);
            self.changed.notify_one();
        }
    }

    /// Marks a request as begun; its answer is in flight until the guard drops.
    pub(super) fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Relaxed);
        self.head_began.store(0, Relaxed);
        self.changed.notify_one();
        InFlight {
            activity: self.clone(),
        }
    }

    /// The deadline that applies now, and what it is for.
    fn deadline(&self, limits: &ConnectionLimits) -> Option<(Instant, Expired)> {
        let blocked = self.write_blocked.load(Relaxed);
        if blocked != 0 {
            return Some((self.at(blocked) + limits.write_timeout, Expired::Write));
        }
        if self.in_flight.load(Relaxed) > 0 {
            return None;
        }
        let head = self.head_began.load(Relaxed);
        if head != 0 {
            return Some((self.at(head) + limits.head_timeout, Expired::Head));
        }
        let last = self
            .last_io
            .load(Relaxed)
            .max(self.idle_since.load(Relaxed));
        Some((self.at(last) + limits.idle_timeout, Expired::Idle))
    }

    /// Returns once a deadline has passed; never, while the connection keeps to them.
    pub(super) async fn expired(&self, limits: &ConnectionLimits) -> Expired {
        loop {
            let changed = self.changed.notified();
            let Some((deadline, kind)) = self.deadline(limits) else {
                changed.await;
                continue;
            };
            tokio::select! {
                () = tokio::time::sleep_until(deadline) => {
                    // Progress may have moved the deadline while we slept.
                    if self.deadline(limits).is_some_and(|(at, _)| at <= Instant::now()) {
                        return kind;
                    }
                }
                () = changed => {}
            }
        }
    }
}

/// A request whose answer has not yet been written out.
pub(super) struct InFlight {
    activity: Arc<Activity>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let activity = &self.activity;
        activity.idle_since.store(activity.now(), Relaxed);
        activity.in_flight.fetch_sub(1, Relaxed);
        activity.changed.notify_one();
    }
}

/// A response body that keeps its request in flight until it has been sent (or dropped).
pub(super) struct Answer {
    pub(super) body: Body,
    pub(super) _in_flight: InFlight,
}

impl HttpBody for Answer {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// An IO that records its progress in an `Activity`.
pub(super) struct Watched<T> {
    inner: T,
    activity: Arc<Activity>,
}

impl<T> Watched<T> {
    pub(super) fn new(inner: T, activity: Arc<Activity>) -> Self {
        Self { inner, activity }
    }

    fn written(&self, poll: Poll<io::Result<usize>>) -> Poll<io::Result<usize>> {
        match &poll {
            Poll::Ready(Ok(n)) if *n > 0 => self.activity.wrote_some(),
            Poll::Pending => self.activity.write_stuck(),
            _ => {}
        }
        poll
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let poll = Pin::new(&mut this.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            this.activity.read_some();
        }
        poll
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.written(poll)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.written(poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> ConnectionLimits {
        ConnectionLimits {
            head_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            write_timeout: Duration::from_secs(30),
            max_connections: 1,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_deadline_follows_the_connection_state() {
        let activity = Activity::new();
        let kind = |a: &Activity| a.deadline(&limits()).map(|(_, kind)| kind);
        assert_eq!(
            kind(&activity),
            Some(Expired::Head),
            "the first head is due"
        );
        let request = activity.begin();
        assert_eq!(
            kind(&activity),
            None,
            "no deadline while a request is served"
        );
        activity.write_stuck();
        assert_eq!(kind(&activity), Some(Expired::Write));
        activity.wrote_some();
        drop(request);
        assert_eq!(kind(&activity), Some(Expired::Idle));
        activity.read_some();
        assert_eq!(kind(&activity), Some(Expired::Head), "a next head began");
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_connection_expires_after_the_idle_timeout() {
        let activity = Activity::new();
        drop(activity.begin());
        let started = Instant::now();
        assert_eq!(activity.expired(&limits()).await, Expired::Idle);
        assert!(started.elapsed() >= Duration::from_secs(60));
    }
}
