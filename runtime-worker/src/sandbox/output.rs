//! The guest's stdout and stderr: captured as they are written, kept up to a
//! cap, and handed to the trace so that output and calls stay in order.
//!
//! A WASI 0.3 guest writes through a `stream<u8>` that wasmtime-wasi pipes
//! into a writer it asks of us once per `write-via-stream` call, and drops
//! when the stream ends: that writer (`StreamWriter`) tells `async_ends` the
//! stream's bytes and its end.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};

use crate::boundary::event::{Stream, WorkerEvent};
use crate::trace::async_ends::{AsyncEnds, Opener, StreamEnd, Tap};

/// Output written by the guest and not yet taken by the trace.
///
/// Shared between the WASI context (which writes) and the trace (which takes
/// pending output before recording the call that wrote it). The flag lets the
/// trace skip the lock on the many calls that write nothing.
pub(crate) struct OutputSink {
    has_pending: AtomicBool,
    /// Bytes were dropped at the cap since the last report.
    has_dropped: AtomicBool,
    state: Mutex<SinkState>,
    /// Where a WASI 0.3 output stream's bytes and end are told, when the
    /// run records its calls.
    ends: Mutex<Option<Arc<AsyncEnds>>>,
}

struct SinkState {
    cap: Option<u64>,
    streams: [StreamState; 2],
}

#[derive(Default)]
struct StreamState {
    pending: Vec<u8>,
    kept: u64,
    dropped: u64,
    dropped_reported: u64,
}

impl OutputSink {
    pub(crate) fn new(cap: Option<u64>) -> Arc<OutputSink> {
        Arc::new(OutputSink {
            has_pending: AtomicBool::new(false),
            has_dropped: AtomicBool::new(false),
            state: Mutex::new(SinkState { cap, streams: Default::default() }),
            ends: Mutex::new(None),
        })
    }

    /// From now on, each WASI 0.3 output stream is followed in `ends`.
    pub(crate) fn follow_ends(&self, ends: Arc<AsyncEnds>) {
        *self.ends.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(ends);
    }

    fn ends(&self) -> Option<Arc<AsyncEnds>> {
        self.ends.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    pub(crate) fn stream(self: &Arc<Self>, stream: Stream) -> CaptureStream {
        CaptureStream { sink: Arc::clone(self), stream }
    }

    fn lock(&self) -> MutexGuard<'_, SinkState> {
        // A poisoned lock only means a writer panicked mid-push; the bytes
        // already there are still worth reporting.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self, stream: Stream, bytes: &[u8]) {
        let mut state = self.lock();
        let cap = state.cap;
        let s = &mut state.streams[index(stream)];
        let room = cap.map_or(bytes.len() as u64, |cap| cap.saturating_sub(s.kept));
        let keep = (bytes.len() as u64).min(room) as usize;
        s.pending.extend_from_slice(&bytes[..keep]);
        s.kept += keep as u64;
        s.dropped += (bytes.len() - keep) as u64;
        if keep > 0 {
            self.has_pending.store(true, Ordering::Release);
        }
        if keep < bytes.len() {
            self.has_dropped.store(true, Ordering::Release);
        }
    }

    /// Output has arrived since it was last taken.
    #[inline]
    pub(crate) fn has_pending(&self) -> bool {
        self.has_pending.load(Ordering::Relaxed)
    }

    /// Moves pending output into `out` as events; cheap when there is none.
    /// The count of dropped bytes is a running total, reported only when
    /// `with_drops` (at each hand-over, not after every call).
    pub(crate) fn take_into(&self, out: &mut Vec<WorkerEvent>, with_drops: bool) {
        // A plain load first: a swap is a locked instruction, paid after
        // every recorded call when nothing is pending.
        let output = self.has_pending.load(Ordering::Relaxed) && self.has_pending.swap(false, Ordering::Acquire);
        let drops =
            with_drops && self.has_dropped.load(Ordering::Relaxed) && self.has_dropped.swap(false, Ordering::Acquire);
        if !output && !drops {
            return;
        }
        let mut state = self.lock();
        for stream in [Stream::Stdout, Stream::Stderr] {
            let s = &mut state.streams[index(stream)];
            if !s.pending.is_empty() {
                out.push(WorkerEvent::Output { stream, bytes: std::mem::take(&mut s.pending) });
            }
            if drops && s.dropped != s.dropped_reported {
                s.dropped_reported = s.dropped;
                out.push(WorkerEvent::OutputDropped { stream, total: s.dropped });
            }
        }
    }
}

fn index(stream: Stream) -> usize {
    match stream {
        Stream::Stdout => 0,
        Stream::Stderr => 1,
    }
}

/// One of the guest's output streams, writing into an `OutputSink`.
#[derive(Clone)]
pub(crate) struct CaptureStream {
    sink: Arc<OutputSink>,
    stream: Stream,
}

impl IsTerminal for CaptureStream {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CaptureStream {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    /// Asked once per WASI 0.3 `write-via-stream` call, inside it.
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        let opener = match self.stream {
            Stream::Stdout => Opener::Stdout,
            Stream::Stderr => Opener::Stderr,
        };
        let tap = self.sink.ends().map(|ends| ends.open(opener));
        Box::new(StreamWriter { capture: self.clone(), tap })
    }
}

/// The writer a WASI 0.3 output stream is piped into: captures as
/// `CaptureStream` does, and tells its tap what went through and when the
/// stream ended (wasmtime-wasi drops the writer then; its future resolves
/// `Ok(())` at that moment, since these writes never fail).
struct StreamWriter {
    capture: CaptureStream,
    tap: Option<Tap>,
}

impl AsyncWrite for StreamWriter {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if let Some(tap) = &self.tap {
            tap.moved(buf);
        }
        Pin::new(&mut self.capture).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.capture).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.capture).poll_shutdown(cx)
    }
}

impl Drop for StreamWriter {
    fn drop(&mut self) {
        if let Some(tap) = &self.tap {
            tap.stream_ended(StreamEnd::ClosedByGuest);
            tap.future_resolved("Ok(())");
        }
    }
}

impl OutputStream for CaptureStream {
    fn write(&mut self, bytes: bytes::Bytes) -> StreamResult<()> {
        self.sink.write(self.stream, &bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        // Writes never block: accept as much as a single write may carry.
        Ok(1 << 20)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for CaptureStream {
    async fn ready(&mut self) {}
}

impl AsyncWrite for CaptureStream {
    fn poll_write(self: Pin<&mut Self>, _cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.sink.write(self.stream, buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(sink: &OutputSink) -> Vec<WorkerEvent> {
        let mut out = Vec::new();
        sink.take_into(&mut out, true);
        out
    }

    #[test]
    fn output_beyond_the_cap_is_counted_not_kept() {
        let sink = OutputSink::new(Some(5));
        sink.write(Stream::Stdout, b"hello world");
        sink.write(Stream::Stdout, b"!!");
        let events = drain(&sink);
        assert!(matches!(&events[0], WorkerEvent::Output { stream: Stream::Stdout, bytes } if bytes == b"hello"));
        assert!(matches!(events[1], WorkerEvent::OutputDropped { stream: Stream::Stdout, total: 8 }));
        assert!(drain(&sink).is_empty(), "nothing new to report");
    }

    #[test]
    fn drops_wait_for_a_hand_over_and_output_does_not() {
        let sink = OutputSink::new(Some(2));
        sink.write(Stream::Stdout, b"abcd");
        let mut after_call = Vec::new();
        sink.take_into(&mut after_call, false);
        assert!(matches!(&after_call[..], [WorkerEvent::Output { bytes, .. }] if bytes == b"ab"));
        sink.write(Stream::Stdout, b"ef");
        sink.take_into(&mut after_call, false);
        assert_eq!(after_call.len(), 1, "nothing kept, and drops are not reported after a call");
        assert!(matches!(drain(&sink)[..], [WorkerEvent::OutputDropped { total: 4, .. }]));
    }

    #[test]
    fn streams_are_kept_apart() {
        let sink = OutputSink::new(None);
        sink.write(Stream::Stderr, b"err");
        sink.write(Stream::Stdout, b"out");
        let events = drain(&sink);
        assert_eq!(events.len(), 2);
        assert!(matches!(&events[0], WorkerEvent::Output { stream: Stream::Stdout, bytes } if bytes == b"out"));
        assert!(matches!(&events[1], WorkerEvent::Output { stream: Stream::Stderr, bytes } if bytes == b"err"));
    }
}
