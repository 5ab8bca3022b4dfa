//! One run on a worker thread: sandbox, compile, instantiate, call, and
//! report. Nothing of a run outlives it; the thread may go on to serve the
//! next run (see `threads`).
//!
//! The guest runs as an async call on a single-threaded tokio runtime, raced
//! against the caller's commands and the timeout. An async call can be dropped
//! at any await point, which is what makes Stop work when the guest is blocked
//! inside a host call (sleeping, reading stdin); while it computes, the epoch
//! ticker makes it yield every `EPOCH_TICK` so the race is looked at again.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crossbeam_channel::{Receiver, Sender};
use tokio::io::AsyncWriteExt;
use wasmtime::{Instance, Linker, Module, Store, UpdateDeadline, Val, ValType};

use crate::abi::WasiFunc;
use crate::clock::RunClock;
use crate::engine::{Cancel, CompileFailure, CompileJob, EngineSlot};
use crate::event::{
    EventBatch, Frame, MemoryChange, Phase, RunId, RunOutcome, TrapInfo, TrapKind, Value, WorkerCommand, WorkerEvent,
};
use crate::fds::FdTable;
use crate::host::Host;
use crate::load::ModuleKind;
use crate::output::OutputSink;
use crate::trace::{Tracer, send};
use crate::{Entry, RunRequest, denial, wasi_ctx};

/// What the caller and the worker share to stop a run.
pub(crate) struct StopSignal {
    pub stop: Arc<AtomicBool>,
    pub wake: tokio::sync::Notify,
}

pub(crate) struct Worker {
    pub run: RunId,
    pub request: RunRequest,
    pub slot: Arc<EngineSlot>,
    pub linker: Arc<Linker<Host>>,
    pub component_linker: Arc<wasmtime::component::Linker<crate::component::ComponentHost>>,
    pub events: Sender<EventBatch>,
    pub commands: Receiver<WorkerCommand>,
    pub signal: Arc<StopSignal>,
}

impl Worker {
    /// The body of the worker thread. Always ends with exactly one
    /// `Finished` event, even if the worker itself panics.
    pub(crate) fn run(self) {
        let (events, stop, run) = (self.events.clone(), Arc::clone(&self.signal.stop), self.run);
        let finished = std::panic::catch_unwind(AssertUnwindSafe(|| self.execute()));
        if let Err(panic) = finished {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            let outcome = RunOutcome::Failed {
                stage: Phase::Total,
                message: format!("internal error in Wasmscope's worker (please report it): {what}"),
            };
            send(&events, &stop, EventBatch { run, events: vec![WorkerEvent::Finished(outcome)] });
        }
    }

    fn execute(self) {
        let clock = RunClock::start();
        let origin = clock.origin();
        let profile = &self.request.profile;
        let deadline = profile.limits.timeout.map(|t| origin + t);
        let output = OutputSink::new(profile.limits.max_output_bytes);
        let mut trace = Tracer::new(
            self.run,
            clock,
            self.events.clone(),
            Arc::clone(&self.signal.stop),
            Arc::clone(&output),
            FdTable::new(&profile.mounts),
            denial::DenialContext::new(profile),
        );
        trace.record_calls = self.request.record_calls;
        let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(runtime) => runtime,
            Err(e) => {
                let message = format!("cannot start the worker's async runtime: {e}");
                return trace.finish(RunOutcome::Failed { stage: Phase::Total, message });
            }
        };
        let mut persisting = None;
        let (mut trace, outcome) = if self.request.module.kind == ModuleKind::Component {
            runtime.block_on(crate::component::guest(&self, trace, &output, deadline, origin))
        } else {
            runtime.block_on(self.guest(trace, &output, deadline, &mut persisting))
        };
        trace.phase(Phase::Total, origin.elapsed().as_nanos() as u64, false);
        // A run that ended by itself waits for its compiled module to reach
        // the disk cache, so that a short-lived caller (the command line)
        // does not exit mid-write. A stopped or timed-out run does not wait:
        // an interrupted write leaves only a temporary file, which the cache
        // removes later.
        if let Some(write) = persisting
            && !matches!(outcome, RunOutcome::Stopped | RunOutcome::TimedOut)
        {
            let _ = write.join();
        }
        trace.finish(outcome);
        // Blocking filesystem tasks still running (a read of a FIFO that
        // never ends, say) are abandoned rather than waited for.
        runtime.shutdown_background();
    }

    /// Everything from the sandbox to the guest's end. The tracer travels
    /// into the store while the guest runs and comes back out with the outcome.
    async fn guest(
        &self,
        mut trace: Tracer,
        output: &Arc<OutputSink>,
        deadline: Option<Instant>,
        persisting: &mut Option<std::thread::JoinHandle<()>>,
    ) -> (Tracer, RunOutcome) {
        let request = &self.request;
        let program = request.program_name.clone().unwrap_or_else(|| request.module.name.clone());
        let guest_ctx = match wasi_ctx::build(&request.profile, &program, output) {
            Ok(ctx) => ctx,
            Err(e) => return (trace, RunOutcome::Failed { stage: Phase::Instantiate, message: e.to_string() }),
        };
        trace.argv = guest_ctx.argv;
        trace.env_names = guest_ctx.env_names;

        let compile_started = Instant::now();
        let job = CompileJob { run: self.run, events: &self.events, stop: &self.signal.stop, deadline };
        let compiled = match self.slot.compile(&request.module.bytes, request.module.sha256, job) {
            Ok(mut compiled) => {
                *persisting = compiled.persisting.take();
                compiled
            }
            Err(CompileFailure::Cancelled(Cancel::Stopped)) => return (trace, RunOutcome::Stopped),
            Err(CompileFailure::Cancelled(Cancel::TimedOut)) => return (trace, RunOutcome::TimedOut),
            Err(CompileFailure::Error(message)) => {
                return (trace, RunOutcome::Failed { stage: Phase::Compile, message });
            }
        };
        trace.phase(Phase::Compile, compile_started.elapsed().as_nanos() as u64, compiled.cached);

        if let Some(message) = unsatisfied_imports(&compiled.module) {
            return (trace, RunOutcome::Failed { stage: Phase::Instantiate, message });
        }
        let pre = match self.linker.instantiate_pre(&compiled.module) {
            Ok(pre) => pre,
            Err(e) => return (trace, RunOutcome::Failed { stage: Phase::Instantiate, message: format!("{e:#}") }),
        };

        let mut store =
            Store::new(&self.slot.engine, Host::new(guest_ctx.wasi, trace, request.profile.limits.max_memory_bytes));
        store.limiter(|host| host);
        if let Some(fuel) = request.profile.limits.fuel
            && let Err(e) = store.set_fuel(fuel)
        {
            let message = format!("cannot set fuel: {e:#}");
            return (store.into_data().trace, RunOutcome::Failed { stage: Phase::Instantiate, message });
        }
        store.set_epoch_deadline(1);
        let stop = Arc::clone(&self.signal.stop);
        store.epoch_deadline_callback(move |mut ctx| {
            ctx.data_mut().trace.flush_if_due();
            if stop.load(Ordering::Relaxed) { Ok(UpdateDeadline::Interrupt) } else { Ok(UpdateDeadline::Yield(1)) }
        });

        let stdin_feed = guest_ctx.stdin.map(spawn_stdin_writer);
        let outcome = {
            let call = call_guest(&mut store, &pre, &request.entry, self.slot.pooled);
            self.race(call, stdin_feed, deadline).await
        };
        (store.into_data().trace, outcome)
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

/// Instantiates and calls the entry point, turning every way it can end into
/// a `RunOutcome`.
async fn call_guest(
    store: &mut Store<Host>,
    pre: &wasmtime::InstancePre<Host>,
    entry: &Entry,
    pooled: bool,
) -> RunOutcome {
    let started = Instant::now();
    let instance = match pre.instantiate_async(&mut *store).await {
        Ok(instance) => instance,
        Err(e) => return failed_or_trapped(e, Phase::Instantiate),
    };
    store.data_mut().trace.phase(Phase::Instantiate, started.elapsed().as_nanos() as u64, pooled);
    report_initial_memory(store, &instance);

    let result = match entry {
        Entry::Start => {
            let Some(start) = instance.get_func(&mut *store, "_start") else {
                let message = if instance.get_func(&mut *store, "_initialize").is_some() {
                    "this module is a reactor (it exports `_initialize`, not `_start`): choose an export to invoke"
                } else {
                    "this module has no `_start` export to run"
                };
                return RunOutcome::Failed { stage: Phase::Instantiate, message: message.to_string() };
            };
            store.data_mut().trace.entered();
            start.call_async(&mut *store, &[], &mut []).await.map(|()| RunOutcome::Exited { code: 0 })
        }
        Entry::Invoke { name, args } => {
            if let Some(init) = instance.get_func(&mut *store, "_initialize")
                && let Err(e) = init.call_async(&mut *store, &[], &mut []).await
            {
                return outcome_of_error(e);
            }
            let Some(func) = instance.get_func(&mut *store, name) else {
                let exports: Vec<String> = instance
                    .exports(&mut *store)
                    .filter(|e| e.clone().into_func().is_some())
                    .map(|e| e.name().to_string())
                    .collect();
                let message = format!("no exported function `{name}`; exported functions: {}", exports.join(", "));
                return RunOutcome::Failed { stage: Phase::Instantiate, message };
            };
            let ty = func.ty(&*store);
            let params = match parse_args(name, &ty, args) {
                Ok(params) => params,
                Err(message) => return RunOutcome::Failed { stage: Phase::Instantiate, message },
            };
            let mut results = vec![Val::I32(0); ty.results().len()];
            store.data_mut().trace.entered();
            match func.call_async(&mut *store, &params, &mut results).await {
                Ok(()) => Ok(RunOutcome::Returned { values: results.iter().filter_map(value_of).collect() }),
                Err(e) => Err(e),
            }
        }
    };
    result.unwrap_or_else(outcome_of_error)
}

fn report_initial_memory(store: &mut Store<Host>, instance: &Instance) {
    if let Some(memory) = instance.get_memory(&mut *store, "memory") {
        let ty = memory.ty(&*store);
        let page = ty.page_size();
        let bytes = memory.data_size(&*store) as u64;
        let maximum = ty.maximum().map(|pages| pages.saturating_mul(page));
        let host = store.data_mut();
        host.memory = Some(memory);
        host.trace.memory(MemoryChange::Initial { bytes, maximum });
    }
    store.data_mut().set_instantiated();
}

/// The imports no WASI preview1 host provides, as one message; `None` when
/// every import names a preview1 function (their types are checked when
/// linking).
fn unsatisfied_imports(module: &Module) -> Option<String> {
    let missing: Vec<String> = module
        .imports()
        .filter(|import| !(import.module() == "wasi_snapshot_preview1" && WasiFunc::from_name(import.name()).is_some()))
        .filter(|import| !(cfg!(feature = "fault-injection") && import.module() == "wasmscope_fault"))
        .map(|import| format!("`{}::{}`", import.module(), import.name()))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let shown = missing.iter().take(8).cloned().collect::<Vec<_>>().join(", ");
    let more = if missing.len() > 8 { format!(" and {} more", missing.len() - 8) } else { String::new() };
    let hint = if missing.iter().any(|m| m.starts_with("`wasi_unstable::")) {
        " It targets the older `wasi_unstable` (preview0) ABI; rebuild it for wasm32-wasip1."
    } else {
        " Wasmscope provides `wasi_snapshot_preview1` functions only, so the module cannot be linked."
    };
    Some(format!("the module imports {shown}{more}, which no WASI host provides.{hint}"))
}

fn parse_args(name: &str, ty: &wasmtime::FuncType, args: &[String]) -> Result<Vec<Val>, String> {
    let params: Vec<ValType> = ty.params().collect();
    if params.len() != args.len() {
        return Err(format!("export `{name}` takes {} argument(s), {} given", params.len(), args.len()));
    }
    params
        .iter()
        .zip(args)
        .enumerate()
        .map(|(i, (ty, arg))| {
            let bad = |what: &str| format!("argument {} of `{name}`: `{arg}` is not {what}", i + 1);
            Ok(match ty {
                ValType::I32 => {
                    Val::I32(parse_int(arg).and_then(|v| i32::try_from(v).ok()).ok_or_else(|| bad("an i32"))?)
                }
                ValType::I64 => {
                    Val::I64(parse_int(arg).and_then(|v| i64::try_from(v).ok()).ok_or_else(|| bad("an i64"))?)
                }
                ValType::F32 => Val::F32(arg.parse::<f32>().map_err(|_| bad("an f32"))?.to_bits()),
                ValType::F64 => Val::F64(arg.parse::<f64>().map_err(|_| bad("an f64"))?.to_bits()),
                other => {
                    return Err(format!(
                        "argument {} of `{name}` has type {other}, which cannot be given as text",
                        i + 1
                    ));
                }
            })
        })
        .collect()
}

/// Decimal or `0x` hexadecimal, possibly negative.
fn parse_int(text: &str) -> Option<i128> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let value = match digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        Some(hex) => i128::from_str_radix(hex, 16).ok()?,
        None => digits.parse::<i128>().ok()?,
    };
    Some(if negative { -value } else { value })
}

fn value_of(val: &Val) -> Option<Value> {
    Some(match val {
        Val::I32(v) => Value::I32(*v),
        Val::I64(v) => Value::I64(*v),
        Val::F32(bits) => Value::F32(f32::from_bits(*bits)),
        Val::F64(bits) => Value::F64(f64::from_bits(*bits)),
        _ => return None,
    })
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
    let backtrace = error
        .downcast_ref::<wasmtime::WasmBacktrace>()
        .map(|bt| {
            bt.frames()
                .iter()
                .map(|f| Frame {
                    func_index: f.func_index(),
                    func_name: f.func_name().map(demangle),
                    module_offset: f.module_offset(),
                })
                .collect()
        })
        .unwrap_or_default();
    let (kind, message) = match error.downcast_ref::<wasmtime::Trap>() {
        Some(trap) => (trap_kind(*trap), trap.to_string()),
        None => (TrapKind::Host, format!("{}", error.root_cause())),
    };
    RunOutcome::Trapped(TrapInfo { kind, message, backtrace })
}

/// Rust symbol names as written in the source (`std::panicking::begin_panic`),
/// without their hash; other names as they are.
fn demangle(name: &str) -> String {
    format!("{:#}", rustc_demangle::demangle(name))
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
