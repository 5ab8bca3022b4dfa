//! What running a guest takes, whatever its kind (core module or
//! component): the run's context, a store set up with the profile's fuel and
//! the epoch callback, the race against Stop and the timeout, stdin fed from
//! the caller, and every way a guest can end made into a `RunOutcome`.
//!
//! The guest runs as an async call on a single-threaded tokio runtime, raced
//! against the caller's commands and the timeout. An async call can be dropped
//! at any await point, which is what makes Stop work when the guest is blocked
//! inside a host call (sleeping, reading stdin); while it computes, the epoch
//! ticker makes it yield every `EPOCH_TICK` so the race is looked at again.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crossbeam_channel::{Receiver, Sender};
use tokio::io::AsyncWriteExt;
use wasmtime::{ResourceLimiter, Store, UpdateDeadline};

use super::engine::{Cancel, CompileFailure, CompileJob, EngineSlot};
use crate::boundary::batch::EventBatch;
use crate::boundary::event::{Frame, Phase, RunId, RunOutcome, SourceLocation, TrapInfo, TrapKind, WorkerCommand};
use crate::boundary::request::RunRequest;

/// What the caller and the worker share to stop a run.
pub(crate) struct StopSignal {
    pub stop: Arc<AtomicBool>,
    pub wake: tokio::sync::Notify,
}

/// One run as its worker sees it: the request, the engine to run it with, the
/// channel its events go out on and its commands come in on.
pub(crate) struct RunContext {
    pub run: RunId,
    pub request: RunRequest,
    pub slot: Arc<EngineSlot>,
    pub events: Sender<EventBatch>,
    pub commands: Receiver<WorkerCommand>,
    pub signal: Arc<StopSignal>,
}

impl RunContext {
    /// `argv[0]` as the guest sees it.
    pub(crate) fn program_name(&self) -> String {
        self.request.program_name.clone().unwrap_or_else(|| self.request.module.name.clone())
    }

    /// Compiling for this run: progress goes out as its events, and Stop or
    /// the deadline cancels it.
    pub(crate) fn compile_job(&self, deadline: Option<Instant>) -> CompileJob<'_> {
        CompileJob { run: self.run, events: &self.events, stop: &self.signal.stop, deadline }
    }

    /// A store for the guest: `data` limits memory growth, fuel comes from
    /// the profile, and each epoch tick calls `on_tick` (to hand the trace
    /// over), then yields to the race, or interrupts the guest once Stop was
    /// asked for. Fails (giving `data` back) when fuel cannot be set.
    pub(crate) fn new_store<T: ResourceLimiter + Send + 'static>(
        &self,
        data: T,
        on_tick: fn(&mut T),
    ) -> Result<Store<T>, (T, RunOutcome)> {
        let mut store = Store::new(&self.slot.engine, data);
        store.limiter(|data| data);
        if let Some(fuel) = self.request.profile.limits.fuel
            && let Err(e) = store.set_fuel(fuel)
        {
            let message = format!("cannot set fuel: {e:#}");
            return Err((store.into_data(), RunOutcome::Failed { stage: Phase::Instantiate, message }));
        }
        store.set_epoch_deadline(1);
        let stop = Arc::clone(&self.signal.stop);
        store.epoch_deadline_callback(move |mut ctx| {
            on_tick(ctx.data_mut());
            if stop.load(Ordering::Relaxed) { Ok(UpdateDeadline::Interrupt) } else { Ok(UpdateDeadline::Yield(1)) }
        });
        Ok(store)
    }

    /// Drives the guest until it finishes, the caller stops it, or time is up.
    pub(crate) async fn race(
        &self,
        call: impl Future<Output = RunOutcome>,
        mut stdin_feed: Option<tokio::sync::mpsc::UnboundedSender<Vec<u8>>>,
        deadline: Option<Instant>,
    ) -> RunOutcome {
        let mut call = std::pin::pin!(call);
        let timeout = async {
            match deadline {
                Some(at) => tokio::time::sleep_until(at.into()).await,
                None => std::future::pending().await,
            }
        };
        let mut timeout = std::pin::pin!(timeout);
        loop {
            tokio::select! {
                biased;
                () = self.signal.wake.notified() => {
                    for command in self.commands.try_iter() {
                        match command {
                            WorkerCommand::Stop => return RunOutcome::Stopped,
                            WorkerCommand::Stdin(bytes) => {
                                if let Some(feed) = &stdin_feed {
                                    let _ = feed.send(bytes);
                                }
                            }
                            WorkerCommand::CloseStdin => stdin_feed = None,
                        }
                    }
                    if self.signal.stop.load(Ordering::Relaxed) {
                        return RunOutcome::Stopped;
                    }
                }
                () = &mut timeout => return RunOutcome::TimedOut,
                outcome = &mut call => {
                    // A trap raised by Stop or by the deadline is reported as such.
                    if self.signal.stop.load(Ordering::Relaxed) {
                        return RunOutcome::Stopped;
                    }
                    if deadline.is_some_and(|d| Instant::now() >= d) && matches!(outcome, RunOutcome::Trapped(_)) {
                        return RunOutcome::TimedOut;
                    }
                    return outcome;
                }
            }
        }
    }
}

/// How a compile that did not produce code ends the run.
pub(crate) fn outcome_of_compile_failure(failure: CompileFailure) -> RunOutcome {
    match failure {
        CompileFailure::Cancelled(Cancel::Stopped) => RunOutcome::Stopped,
        CompileFailure::Cancelled(Cancel::TimedOut) => RunOutcome::TimedOut,
        CompileFailure::Error(message) => RunOutcome::Failed { stage: Phase::Compile, message },
    }
}

/// Writes what the caller types into the guest's stdin pipe, in order,
/// without ever holding up the guest; dropping the sender closes stdin.
pub(crate) fn spawn_stdin_writer(mut pipe: tokio::io::DuplexStream) -> tokio::sync::mpsc::UnboundedSender<Vec<u8>> {
    let (feed, mut typed) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
    tokio::spawn(async move {
        while let Some(bytes) = typed.recv().await {
            if pipe.write_all(&bytes).await.is_err() {
                return;
            }
        }
        let _ = pipe.shutdown().await;
    });
    feed
}

/// An error while instantiating: a trap in the start function is a trap,
/// anything else means the module could not be set up.
pub(crate) fn failed_or_trapped(error: wasmtime::Error, stage: Phase) -> RunOutcome {
    if error.downcast_ref::<wasmtime::Trap>().is_some() || error.downcast_ref::<wasmtime_wasi::I32Exit>().is_some() {
        return outcome_of_error(error);
    }
    RunOutcome::Failed { stage, message: format!("{error:#}") }
}

pub(crate) fn outcome_of_error(error: wasmtime::Error) -> RunOutcome {
    if let Some(exit) = error.downcast_ref::<wasmtime_wasi::I32Exit>() {
        return RunOutcome::Exited { code: exit.0 };
    }
    let backtrace = error.downcast_ref::<wasmtime::WasmBacktrace>().map(frames_of).unwrap_or_default();
    let (kind, message) = match error.downcast_ref::<wasmtime::Trap>() {
        Some(trap) => (trap_kind(*trap), trap.to_string()),
        None => (TrapKind::Host, format!("{}", error.root_cause())),
    };
    RunOutcome::Trapped(TrapInfo { kind, message, backtrace })
}

/// The frames of a backtrace, innermost first, with their functions' names
/// demangled and their source lines where the module has DWARF.
pub(crate) fn frames_of(backtrace: &wasmtime::WasmBacktrace) -> Vec<Frame> {
    backtrace
        .frames()
        .iter()
        .map(|f| Frame {
            func_index: f.func_index(),
            func_name: f.func_name().map(demangle),
            module_offset: f.module_offset(),
            source: f
                .symbols()
                .iter()
                .map(|s| SourceLocation {
                    function: s.name().map(demangle),
                    file: s.file().map(str::to_owned),
                    line: s.line(),
                    column: s.column(),
                })
                .collect(),
        })
        .collect()
}

/// The stacks a run's calls were made from, by their frames' places: a
/// loop's calls come from a few, and each is made into `Frame`s (names
/// demangled, text allocated) once. Emptied when it holds `LIMIT`.
#[derive(Default)]
pub(crate) struct StackCache(std::collections::HashMap<Vec<FramePlace>, Arc<Vec<Frame>>>);

/// A frame's function and offset in the module.
type FramePlace = (u32, Option<usize>);

impl StackCache {
    const LIMIT: usize = 4096;

    pub(crate) fn stack(&mut self, backtrace: &wasmtime::WasmBacktrace) -> Arc<Vec<Frame>> {
        let key: Vec<_> = backtrace.frames().iter().map(|f| (f.func_index(), f.module_offset())).collect();
        if let Some(stack) = self.0.get(&key) {
            return Arc::clone(stack);
        }
        if self.0.len() >= Self::LIMIT {
            self.0.clear();
        }
        let stack = Arc::new(frames_of(backtrace));
        self.0.insert(key, Arc::clone(&stack));
        stack
    }
}

/// Rust symbol names as written in the source (`std::panicking::begin_panic`),
/// without their hash; C++ ones (`_ZN5shape4areaEv`) as `shape::area()`;
/// other names as they are.
fn demangle(name: &str) -> String {
    if let Ok(rust) = rustc_demangle::try_demangle(name) {
        return format!("{rust:#}");
    }
    cpp_demangle::Symbol::new(name).ok().and_then(|symbol| symbol.demangle().ok()).unwrap_or_else(|| name.to_owned())
}

fn trap_kind(trap: wasmtime::Trap) -> TrapKind {
    match trap {
        wasmtime::Trap::UnreachableCodeReached => TrapKind::Unreachable,
        wasmtime::Trap::StackOverflow => TrapKind::StackOverflow,
        wasmtime::Trap::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
        wasmtime::Trap::OutOfFuel => TrapKind::OutOfFuel,
        _ => TrapKind::Other,
    }
}

/// How a component command's `wasi:cli/run` (0.2 or 0.3) ended: `ok` exits
/// 0, `err` exits 1, as `wasmtime run` has it.
pub(crate) fn command_ended(ran: wasmtime::Result<Result<(), ()>>) -> RunOutcome {
    match ran {
        Ok(Ok(())) => RunOutcome::Exited { code: 0 },
        Ok(Err(())) => RunOutcome::Exited { code: 1 },
        Err(e) => outcome_of_error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::demangle;

    #[test]
    fn rust_and_cpp_names_read_as_in_their_source() {
        assert_eq!(demangle("_ZN4core9panicking5panic17h0123456789abcdefE"), "core::panicking::panic");
        assert_eq!(demangle("_ZN5shape4areaEv"), "shape::area()");
        assert_eq!(demangle("_Z10split_billii"), "split_bill(int, int)");
        assert_eq!(demangle("__main_argc_argv"), "__main_argc_argv");
    }
}
