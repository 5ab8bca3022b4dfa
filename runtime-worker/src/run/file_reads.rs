//! A WASI 0.3 file read's stream and future, followed after the call.
//!
//! `descriptor.read-via-stream` returns at once with a `stream<u8>` that
//! wasmtime-wasi fills from the file as the guest reads, and a future for
//! how the read ended. To see the bytes and the ends without copying
//! wasmtime-wasi, the linker's definition is shadowed by one that calls
//! wasmtime-wasi's own function and, when the run follows its streams
//! (`trace::async_ends`), puts a tap between its ends and the guest:
//!
//! ```text
//! file ─ wasmtime-wasi's stream ─▶ Inlet ─ Pipe (64 KiB) ─▶ Outlet ─ the guest's stream ─▶ guest
//!        wasmtime-wasi's future ─▶ Resolution ─ oneshot ─▶ the guest's future
//! ```
//!
//! The guest reads the same bytes and gets the same end and the same value;
//! only wasmtime-wasi reads ahead of it, by at most the pipe's size. The
//! shadowing definition opens the same `tracing` span and events as the
//! bindings do, so the call itself is recorded as every host call is. A run
//! that records nothing gets wasmtime-wasi's values untouched.

use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use bytes::BytesMut;
use wasmtime::component::{
    Access, Destination, FutureConsumer, FutureReader, Linker, Resource, Source, StreamConsumer, StreamProducer,
    StreamReader, StreamResult,
};
use wasmtime::{AsContextMut, StoreContextMut};
use wasmtime_wasi::filesystem::{Descriptor, WasiFilesystem, WasiFilesystemView};
use wasmtime_wasi::p3::bindings::filesystem::types::{ErrorCode, HostDescriptorWithStore};

use crate::trace::async_ends::{AsyncEnds, Opener, StreamEnd, Tap};

/// The interface as a WASI 0.3 component imports it.
const INTERFACE: &str = "wasi:filesystem/types@0.3.0";
const FUNCTION: &str = "[method]descriptor.read-via-stream";

/// How much of a file is read ahead of the guest, at most.
const PIPE_BYTES: usize = 64 << 10;

type ReadResult = Result<(), ErrorCode>;

/// Shadows wasmtime-wasi's `read-via-stream` (already in `linker`) with
/// one whose stream and future are followed in `ends_of`'s ends, if any.
pub(crate) fn follow<T>(linker: &mut Linker<T>, ends_of: fn(&mut T) -> Option<Arc<AsyncEnds>>) -> wasmtime::Result<()>
where
    T: WasiFilesystemView + 'static,
{
    linker.allow_shadowing(true);
    let defined = linker.instance(INTERFACE)?.func_wrap(
        FUNCTION,
        move |mut store: StoreContextMut<'_, T>, (descriptor, offset): (Resource<Descriptor>, u64)| {
            // As the bindings trace every host function (`host_calls`).
            let span =
                tracing::span!(tracing::Level::TRACE, "wit-bindgen import", module = "types", function = FUNCTION);
            let _entered = span.enter();
            tracing::event!(
                target: "wasmtime_wasi::p3::filesystem",
                tracing::Level::TRACE,
                self_ = tracing::field::debug(&descriptor),
                offset = tracing::field::debug(&offset),
                "call"
            );
            let ends = ends_of(store.data_mut());
            let read = <WasiFilesystem as HostDescriptorWithStore<T>>::read_via_stream(
                Access::<T, WasiFilesystem>::new(store.as_context_mut(), T::filesystem),
                descriptor,
                offset,
            );
            let result = match (read, ends) {
                (Ok((stream, future)), Some(ends)) => tap(&mut store, &ends, stream, future),
                (read, _) => read,
            };
            tracing::event!(
                target: "wasmtime_wasi::p3::filesystem",
                tracing::Level::TRACE,
                result = tracing::field::debug(&result),
                "return"
            );
            result.map(|ends| (ends,))
        },
    );
    linker.allow_shadowing(false);
    defined
}

/// Puts a tap between wasmtime-wasi's stream and future and the guest.
fn tap<T: 'static>(
    store: &mut StoreContextMut<'_, T>,
    ends: &Arc<AsyncEnds>,
    stream: StreamReader<u8>,
    future: FutureReader<ReadResult>,
) -> wasmtime::Result<(StreamReader<u8>, FutureReader<ReadResult>)> {
    let tap = Arc::new(ends.open(Opener::FileRead));
    let pipe = Arc::new(Mutex::new(Pipe::default()));
    stream.pipe(store.as_context_mut(), Inlet { pipe: Arc::clone(&pipe), tap: Arc::clone(&tap) })?;
    let guest_stream = StreamReader::new(store.as_context_mut(), Outlet { pipe, tap: Arc::clone(&tap) })?;
    let (value_tx, value_rx) = futures::channel::oneshot::channel();
    future.pipe(store.as_context_mut(), Resolution { tap, value_tx: Some(value_tx) })?;
    let guest_future = FutureReader::new(store.as_context_mut(), async move {
        value_rx.await.map_err(|_| wasmtime::format_err!("the file read's future ended without a value"))
    })?;
    Ok((guest_stream, guest_future))
}

/// Bytes between wasmtime-wasi's stream and the guest's.
#[derive(Default)]
struct Pipe {
    bytes: BytesMut,
    /// wasmtime-wasi's stream ended: once `bytes` are read, so does the guest's.
    ended: bool,
    /// The guest dropped its end: wasmtime-wasi's stream is dropped too.
    reader_gone: bool,
    /// Who waits for bytes (the guest's read) or for room (wasmtime-wasi's write).
    reader: Option<Waker>,
    writer: Option<Waker>,
}

fn lock(pipe: &Mutex<Pipe>) -> MutexGuard<'_, Pipe> {
    pipe.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Takes wasmtime-wasi's bytes into the pipe.
struct Inlet {
    pipe: Arc<Mutex<Pipe>>,
    tap: Arc<Tap>,
}

impl<D> StreamConsumer<D> for Inlet {
    type Item = u8;

    fn poll_consume(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        store: StoreContextMut<D>,
        src: Source<Self::Item>,
        finish: bool,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        let mut pipe = lock(&self.pipe);
        if pipe.reader_gone {
            return Poll::Ready(Ok(StreamResult::Dropped));
        }
        let mut src = src.as_direct(store);
        let data = src.remaining();
        if data.is_empty() {
            return Poll::Ready(Ok(StreamResult::Completed));
        }
        let room = PIPE_BYTES.saturating_sub(pipe.bytes.len());
        if room == 0 {
            if finish {
                return Poll::Ready(Ok(StreamResult::Cancelled));
            }
            pipe.writer = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let n = room.min(data.len());
        pipe.bytes.extend_from_slice(&data[..n]);
        self.tap.moved(&data[..n]);
        src.mark_read(n);
        if let Some(reader) = pipe.reader.take() {
            reader.wake();
        }
        Poll::Ready(Ok(StreamResult::Completed))
    }
}

/// wasmtime-wasi's stream ended (it is dropped then): the guest's ends
/// once it has read what is left.
impl Drop for Inlet {
    fn drop(&mut self) {
        let mut pipe = lock(&self.pipe);
        pipe.ended = true;
        if let Some(reader) = pipe.reader.take() {
            reader.wake();
        }
    }
}

/// Gives the pipe's bytes to the guest.
struct Outlet {
    pipe: Arc<Mutex<Pipe>>,
    tap: Arc<Tap>,
}

impl<D> StreamProducer<D> for Outlet {
    type Item = u8;
    type Buffer = BytesMut;

    fn poll_produce<'a>(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        store: StoreContextMut<'a, D>,
        dst: Destination<'a, Self::Item, Self::Buffer>,
        finish: bool,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        let mut pipe = lock(&self.pipe);
        if pipe.bytes.is_empty() {
            if pipe.ended {
                self.tap.stream_ended(StreamEnd::EndOfData);
                return Poll::Ready(Ok(StreamResult::Dropped));
            }
            if finish {
                return Poll::Ready(Ok(StreamResult::Cancelled));
            }
            pipe.reader = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let mut dst = dst.as_direct(store, pipe.bytes.len());
        let room = dst.remaining();
        if room.is_empty() {
            // The guest asks whether it could read: it could.
            return Poll::Ready(Ok(StreamResult::Completed));
        }
        let n = room.len().min(pipe.bytes.len());
        room[..n].copy_from_slice(&pipe.bytes.split_to(n));
        dst.mark_written(n);
        if let Some(writer) = pipe.writer.take() {
            writer.wake();
        }
        Poll::Ready(Ok(StreamResult::Completed))
    }
}

/// The guest dropped its end: before the data ended, that is how the
/// stream ended (after, `stream_ended` keeps the first end).
impl Drop for Outlet {
    fn drop(&mut self) {
        let mut pipe = lock(&self.pipe);
        if !(pipe.ended && pipe.bytes.is_empty()) {
            pipe.reader_gone = true;
            self.tap.stream_ended(StreamEnd::DroppedByGuest);
        }
        if let Some(writer) = pipe.writer.take() {
            writer.wake();
        }
    }
}

/// Takes wasmtime-wasi's future's value, tells the tap, and hands it on.
struct Resolution {
    tap: Arc<Tap>,
    value_tx: Option<futures::channel::oneshot::Sender<ReadResult>>,
}

impl<D> FutureConsumer<D> for Resolution {
    type Item = ReadResult;

    fn poll_consume(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        store: StoreContextMut<D>,
        mut source: Source<'_, Self::Item>,
        _finish: bool,
    ) -> Poll<wasmtime::Result<()>> {
        let mut value = None;
        source.read(store, &mut value)?;
        if let Some(value) = value {
            self.tap.future_resolved(&value_text(&value));
            if let Some(tx) = self.value_tx.take() {
                // The guest dropped its future: nobody waits for the value.
                let _ = tx.send(value);
            }
        }
        Poll::Ready(Ok(()))
    }
}

/// `Ok(())`, or `Err(no-entry)` with the code as WIT names it.
fn value_text(value: &ReadResult) -> String {
    match value {
        Ok(()) => "Ok(())".to_string(),
        Err(code) => format!("Err({})", kebab(&format!("{code:?}"))),
    }
}

/// `ErrorCode::NotPermitted` -> `not-permitted`.
fn kebab(debug: &str) -> String {
    let name = debug.rsplit("::").next().unwrap_or(debug);
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_read_as_wit_names_them() {
        assert_eq!(value_text(&Ok(())), "Ok(())");
        assert_eq!(value_text(&Err(ErrorCode::IsDirectory)), "Err(is-directory)");
        assert_eq!(value_text(&Err(ErrorCode::NotPermitted)), "Err(not-permitted)");
    }
}
