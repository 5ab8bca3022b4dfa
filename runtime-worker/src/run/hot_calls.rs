//! The hottest WASI host functions, shadowed so that their calls are
//! recorded without `tracing` (`trace::direct_calls`).
//!
//! A guest that prints or reads the clock in a loop spends its time in a
//! handful of functions: `wasi:io/streams`' output-stream writes and flushes
//! and `wasi:clocks/monotonic-clock` `now` (0.2 and 0.3). Each definition
//! wasmtime-wasi put in the linker is replaced by one that does what the
//! bindings do — the same host trait method of wasmtime-wasi's, the same
//! error conversion — and, when the run records its calls, hands the call
//! to the run's `DirectCalls` as plain values instead of opening a
//! `tracing` span. A run that records nothing pays less than the bindings:
//! no span at all.

use wasmtime::StoreContextMut;
use wasmtime::component::{Linker, Resource, ResourceTable};
use wasmtime_wasi::clocks::WasiClocksCtxView;
use wasmtime_wasi::p2::bindings::io::streams::{self, HostOutputStream};
use wasmtime_wasi::p2::{DynOutputStream, StreamResult};

use crate::trace::direct_calls::{Begun, Hot, Returned};

/// The package versions wasmtime-wasi 48 defines these interfaces at
/// (components importing an older 0.2.x link to them by semver).
const STREAMS: &str = "wasi:io/streams@0.2.12";
const MONOTONIC_P2: &str = "wasi:clocks/monotonic-clock@0.2.12";
const MONOTONIC_P3: &str = "wasi:clocks/monotonic-clock@0.3.0";

/// What the shadowing definitions need of the store's data.
pub(crate) trait DirectHost: Send + 'static {
    /// A call begins: what every host function does first, then the
    /// call's start, when the run records its calls.
    fn begin_direct(&mut self, hot: Hot, handle: Option<u32>, written: Option<&[u8]>) -> Option<Begun>;
    /// The call `begun` awaits: if the run ends first, it is recorded as
    /// not having returned.
    fn awaiting_direct(&mut self, begun: Option<Begun>);
    /// The call `awaiting_direct` kept has returned.
    fn resumed_direct(&mut self) -> Option<Begun>;
    /// The call `begun` returned `returned`.
    fn end_direct(&mut self, begun: Option<Begun>, returned: Returned<'_>);
    fn table(&mut self) -> &mut ResourceTable;
    /// The clocks of the calling guest.
    fn clocks(&mut self) -> WasiClocksCtxView<'_>;
}

/// Replaces wasmtime-wasi's definitions (already in `linker`) of the
/// functions `Hot` names.
pub(crate) fn shadow<T: DirectHost>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    let defined = define(linker);
    linker.allow_shadowing(false);
    defined
}

fn define<T: DirectHost>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    let mut streams = linker.instance(STREAMS)?;
    streams.func_wrap(
        Hot::CheckWrite.names().1,
        |mut store: StoreContextMut<'_, T>, (stream,): (Resource<DynOutputStream>,)| {
            let host = store.data_mut();
            let begun = host.begin_direct(Hot::CheckWrite, Some(stream.rep()), None);
            let table = host.table();
            let r = HostOutputStream::check_write(&mut *table, stream);
            let returned = match &r {
                Ok(n) => Returned::Number(*n),
                Err(_) => Returned::Other(&r),
            };
            host.end_direct(begun, returned);
            converted(store.data_mut().table(), r)
        },
    )?;
    streams.func_wrap(
        Hot::Write.names().1,
        |mut store: StoreContextMut<'_, T>, (stream, contents): (Resource<DynOutputStream>, Vec<u8>)| {
            let host = store.data_mut();
            let begun = host.begin_direct(Hot::Write, Some(stream.rep()), Some(&contents));
            let r = HostOutputStream::write(host.table(), stream, contents);
            host.end_direct(begun, unit(&r));
            converted(store.data_mut().table(), r)
        },
    )?;
    streams.func_wrap(
        Hot::Flush.names().1,
        |mut store: StoreContextMut<'_, T>, (stream,): (Resource<DynOutputStream>,)| {
            let host = store.data_mut();
            let begun = host.begin_direct(Hot::Flush, Some(stream.rep()), None);
            let r = HostOutputStream::flush(host.table(), stream);
            host.end_direct(begun, unit(&r));
            converted(store.data_mut().table(), r)
        },
    )?;
    streams.func_wrap_async(
        Hot::BlockingWriteAndFlush.names().1,
        |mut store: StoreContextMut<'_, T>, (stream, contents): (Resource<DynOutputStream>, Vec<u8>)| {
            Box::new(async move {
                let host = store.data_mut();
                let begun = host.begin_direct(Hot::BlockingWriteAndFlush, Some(stream.rep()), Some(&contents));
                host.awaiting_direct(begun);
                let r = HostOutputStream::blocking_write_and_flush(host.table(), stream, contents).await;
                let host = store.data_mut();
                let begun = host.resumed_direct();
                host.end_direct(begun, unit(&r));
                converted(host.table(), r)
            })
        },
    )?;
    streams.func_wrap_async(
        Hot::BlockingFlush.names().1,
        |mut store: StoreContextMut<'_, T>, (stream,): (Resource<DynOutputStream>,)| {
            Box::new(async move {
                let host = store.data_mut();
                let begun = host.begin_direct(Hot::BlockingFlush, Some(stream.rep()), None);
                host.awaiting_direct(begun);
                let r = HostOutputStream::blocking_flush(host.table(), stream).await;
                let host = store.data_mut();
                let begun = host.resumed_direct();
                host.end_direct(begun, unit(&r));
                converted(host.table(), r)
            })
        },
    )?;

    use wasmtime_wasi::p2::bindings::clocks::monotonic_clock::Host as P2;
    use wasmtime_wasi::p3::bindings::clocks::monotonic_clock::Host as P3;
    monotonic_now(linker, MONOTONIC_P2, |clocks| P2::now(clocks))?;
    monotonic_now(linker, MONOTONIC_P3, |clocks| P3::now(clocks))?;
    Ok(())
}

/// `monotonic-clock` `now` in `interface`, read by that version's host
/// trait (`read`; 0.2 and 0.3 both give nanoseconds as a `u64`).
fn monotonic_now<T: DirectHost>(
    linker: &mut Linker<T>,
    interface: &str,
    read: fn(&mut WasiClocksCtxView<'_>) -> wasmtime::Result<u64>,
) -> wasmtime::Result<()> {
    linker.instance(interface)?.func_wrap(
        Hot::MonotonicNow.names().1,
        move |mut store: StoreContextMut<'_, T>, (): ()| {
            let host = store.data_mut();
            let begun = host.begin_direct(Hot::MonotonicNow, None, None);
            let r = read(&mut host.clocks());
            host.end_direct(begun, number(&r));
            Ok((r?,))
        },
    )
}

/// What the bindings hand the guest for a stream method's result: its
/// `stream-error`, or a trap.
fn converted<V>(table: &mut ResourceTable, r: StreamResult<V>) -> wasmtime::Result<(Result<V, streams::StreamError>,)> {
    use streams::Host as _;
    Ok((match r {
        Ok(value) => Ok(value),
        Err(e) => Err(table.convert_stream_error(e)?),
    },))
}

fn unit<E: std::fmt::Debug>(r: &Result<(), E>) -> Returned<'_> {
    match r {
        Ok(()) => Returned::Unit,
        Err(_) => Returned::Other(r),
    }
}

fn number<E: std::fmt::Debug>(r: &Result<u64, E>) -> Returned<'_> {
    match r {
        Ok(n) => Returned::Number(*n),
        Err(_) => Returned::Other(r),
    }
}
