//! The engine's front door: `Runtime` starts runs on worker threads and hands
//! back a `RunHandle` (events out, commands in). It owns the wasmtime engines
//! (on demand or pooled, with or without fuel, made when first needed) and the
//! epoch ticker that makes computing guests yield.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvError, RecvTimeoutError, Sender, TryRecvError};
use wasmtime::Linker;

use super::engine::{self, EngineSlot};
use super::guest::{RunContext, StopSignal};
use super::module_host::Host;
use super::threads::WorkerThreads;
use super::worker::{self, Linkers};
use super::{component, interpose, pool};
use crate::boundary::batch::EventBatch;
use crate::boundary::event::{Phase, RunId, RunOutcome, WorkerCommand, WorkerEvent};
use crate::boundary::request::RunRequest;
use crate::inspect::load::{LoadedModule, ModuleKind};
use crate::module_cache::ModuleCache;
use crate::trace::clock;

/// Runs that may hold a slot of the pooling allocator at once (see `Phase::Instantiate`
/// timings); further runs use the on-demand allocator.
pub const POOLED_RUNS: u32 = pool::SLOTS;

/// The engine: wasmtime engines, their compiled-module caches and the epoch
/// ticker. Create one and start any number of runs from it; cheap to clone.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<RuntimeInner>,
}

struct RuntimeInner {
    engines: Arc<EngineSet>,
    threads: Arc<WorkerThreads>,
    next_run: AtomicU64,
    ticker: Ticker,
}

/// An engine with the linker that defines every traced WASI function.
#[derive(Clone)]
struct Engines {
    slot: Arc<EngineSlot>,
    linker: Arc<Linker<Host>>,
    component_linker: Arc<wasmtime::component::Linker<component::ComponentHost>>,
}

impl Engines {
    fn new(fuel: bool, pooled: bool, disk: Option<ModuleCache>) -> Result<Engines, EngineError> {
        let made = || -> wasmtime::Result<Engines> {
            let slot = EngineSlot::new(fuel, pooled, disk)?;
            let mut linker = Linker::new(&slot.engine);
            interpose::add_to_linker(&mut linker)?;
            let component_linker = Arc::new(component::linker(&slot.engine)?);
            Ok(Engines { slot: Arc::new(slot), linker: Arc::new(linker), component_linker })
        };
        made().map_err(|e| EngineError(format!("{e:#}")))
    }
}

/// The engines runs use: on demand or pooled (see `pool`), with or without
/// fuel. Only the first is made up front; the others when a run first needs
/// them.
struct EngineSet {
    disk: Option<ModuleCache>,
    on_demand: Engines,
    fueled: OnceLock<Result<Engines, EngineError>>,
    pooled: OnceLock<Result<Engines, EngineError>>,
    pooled_fueled: OnceLock<Result<Engines, EngineError>>,
    /// Runs holding a pooled slot now.
    pooled_runs: AtomicU32,
}

impl EngineSet {
    fn new(disk: Option<ModuleCache>) -> Result<EngineSet, EngineError> {
        Ok(EngineSet {
            on_demand: Engines::new(false, false, disk.clone())?,
            disk,
            fueled: OnceLock::new(),
            pooled: OnceLock::new(),
            pooled_fueled: OnceLock::new(),
            pooled_runs: AtomicU32::new(0),
        })
    }

    fn get(&self, fuel: bool, pooled: bool) -> Result<Engines, EngineError> {
        let cell = match (fuel, pooled) {
            (false, false) => return Ok(self.on_demand.clone()),
            (true, false) => &self.fueled,
            (false, true) => &self.pooled,
            (true, true) => &self.pooled_fueled,
        };
        cell.get_or_init(|| Engines::new(fuel, pooled, self.disk.clone())).clone()
    }

    /// The engines for a run, and the pooled slot it holds, if any: a core
    /// module that fits a slot gets one while there are slots left.
    fn for_run(self: &Arc<Self>, request: &RunRequest) -> Result<(Engines, Option<PoolTicket>), EngineError> {
        let fuel = request.profile.limits.fuel.is_some();
        if request.module.kind == ModuleKind::Core
            && pool::fits(&request.module.bytes)
            && let Some(ticket) = PoolTicket::take(self)
        {
            // A pool that cannot be reserved (under a limit on address
            // space, say) only makes runs start more slowly.
            if let Ok(engines) = self.get(fuel, true) {
                return Ok((engines, Some(ticket)));
            }
        }
        Ok((self.get(fuel, false)?, None))
    }

    /// Moves every engine made so far on to its next epoch.
    fn increment_epochs(&self) {
        self.on_demand.slot.engine.increment_epoch();
        for cell in [&self.fueled, &self.pooled, &self.pooled_fueled] {
            if let Some(Ok(engines)) = cell.get() {
                engines.slot.engine.increment_epoch();
            }
        }
    }
}

/// A pooled slot held by a run, given back when the run's job ends (after
/// its store, which holds the slot, is gone).
struct PoolTicket {
    engines: Arc<EngineSet>,
}

impl PoolTicket {
    fn take(engines: &Arc<EngineSet>) -> Option<PoolTicket> {
        engines
            .pooled_runs
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| (n < pool::SLOTS).then_some(n + 1))
            .ok()
            .map(|_| PoolTicket { engines: Arc::clone(engines) })
    }
}

impl Drop for PoolTicket {
    fn drop(&mut self) {
        self.engines.pooled_runs.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Why the engine could not be created.
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot set up the WebAssembly engine: {0}")]
pub struct EngineError(String);

impl Runtime {
    /// A runtime that keeps compiled modules in memory only.
    pub fn new() -> Result<Runtime, EngineError> {
        Runtime::build(None)
    }

    /// A runtime that also keeps compiled modules on disk, so that a module
    /// opened again (in a later session, or by the command line) starts
    /// without compiling; see `module_cache`.
    pub fn with_module_cache(cache: ModuleCache) -> Result<Runtime, EngineError> {
        Runtime::build(Some(cache))
    }

    fn build(disk: Option<ModuleCache>) -> Result<Runtime, EngineError> {
        clock::calibrate_in_background();
        let engines = Arc::new(EngineSet::new(disk)?);
        let inner = Arc::new(RuntimeInner {
            engines,
            threads: WorkerThreads::new(),
            next_run: AtomicU64::new(1),
            ticker: Ticker::default(),
        });
        Ticker::spawn(Arc::downgrade(&inner));
        Ok(Runtime { inner })
    }

    /// Compiles a component ahead of its runs (those without fuel), so that
    /// the first run starts without compiling: `wasmscope serve` does this
    /// before it listens, as `wasmtime serve` does. Core modules are
    /// compiled by their first run. The error says why it does not compile.
    pub fn prepare_component(&self, module: &LoadedModule) -> Result<(), String> {
        if module.kind != ModuleKind::Component {
            return Ok(());
        }
        let engines = self.inner.engines.get(false, false).map_err(|e| e.to_string())?;
        // Nobody reads the progress of this compilation.
        let (events, _) = crossbeam_channel::unbounded();
        let stop = Arc::new(AtomicBool::new(false));
        let job = engine::CompileJob { run: 0, events: &events, stop: &stop, deadline: None };
        match engines.slot.compile_component(&module.bytes, module.sha256, job) {
            Ok(_) => Ok(()),
            Err(failure) => match super::guest::outcome_of_compile_failure(failure) {
                RunOutcome::Failed { message, .. } => Err(message),
                other => Err(format!("{other:?}")),
            },
        }
    }

    /// Starts a run on a new worker thread and returns at once.
    pub fn start(&self, request: RunRequest) -> RunHandle {
        let run = self.inner.next_run.fetch_add(1, Ordering::Relaxed);
        // Bounded: a viewer that falls behind slows the guest down instead of
        // letting events pile up without limit.
        let (events_tx, events_rx) = crossbeam_channel::bounded(256);
        let (commands_tx, commands_rx) = crossbeam_channel::unbounded();
        let signal = Arc::new(StopSignal { stop: Arc::new(AtomicBool::new(false)), wake: tokio::sync::Notify::new() });

        let engines = Arc::clone(&self.inner.engines);
        let failure_tx = events_tx.clone();
        let active = ActiveRun::new(Arc::clone(&self.inner));
        let worker_signal = Arc::clone(&signal);
        // Dropped when the job ends, after the run's store and slot are gone.
        let (ended_tx, ended) = crossbeam_channel::bounded::<()>(0);
        let spawned = self.inner.threads.spawn(Box::new(move || {
            let _ended = ended_tx;
            let _active = active;
            // Declared before the worker, so dropped after the run's store.
            let (chosen, _slot) = match engines.for_run(&request) {
                Ok(chosen) => chosen,
                Err(e) => {
                    let outcome = RunOutcome::Failed { stage: Phase::Total, message: e.to_string() };
                    let _ = events_tx.send(EventBatch::new(run, vec![WorkerEvent::Finished(outcome)]));
                    return;
                }
            };
            let context = RunContext {
                run,
                request,
                slot: chosen.slot,
                events: events_tx,
                commands: commands_rx,
                signal: worker_signal,
            };
            worker::run(context, Linkers { module: chosen.linker, component: chosen.component_linker });
        }));
        if let Err(e) = spawned {
            let message = format!("cannot start a worker thread: {e}");
            let outcome = RunOutcome::Failed { stage: Phase::Total, message };
            let _ = failure_tx.send(EventBatch::new(run, vec![WorkerEvent::Finished(outcome)]));
        }
        RunHandle {
            id: run,
            events: EventReceiver(events_rx),
            commands: commands_tx,
            signal,
            engines: Arc::clone(&self.inner.engines),
            ended,
        }
    }
}

/// A run in progress: its events, and the way to send it commands. Dropping
/// the handle stops the run.
pub struct RunHandle {
    pub id: RunId,
    events: EventReceiver,
    commands: Sender<WorkerCommand>,
    signal: Arc<StopSignal>,
    engines: Arc<EngineSet>,
    /// Disconnected once the run has ended and let go of everything it held.
    ended: Receiver<()>,
}

impl RunHandle {
    /// The run's events, in batches, in order; the last event is `Finished`.
    pub fn events(&self) -> &EventReceiver {
        &self.events
    }

    pub fn send(&self, command: WorkerCommand) {
        send_command(&self.commands, &self.signal, &self.engines, command);
    }

    pub fn stop(&self) {
        self.send(WorkerCommand::Stop);
    }

    /// A sender of commands that can live on another thread (one feeding
    /// stdin from a terminal, say).
    pub fn commander(&self) -> Commander {
        Commander {
            commands: self.commands.clone(),
            signal: Arc::clone(&self.signal),
            engines: Arc::clone(&self.engines),
        }
    }

    /// True once the run has ended on its worker thread and let go of its
    /// store, files and slot (its events may still be queued).
    pub fn is_finished(&self) -> bool {
        self.ended.try_recv() == Err(crossbeam_channel::TryRecvError::Disconnected)
    }

    /// Blocks until the run ends and returns all its events (for tests and
    /// the command line; a window drains `events()` instead).
    pub fn wait(self) -> Vec<WorkerEvent> {
        let mut all = Vec::new();
        while let Ok(batch) = self.events.recv() {
            let done = batch.events.iter().any(|e| matches!(e, WorkerEvent::Finished(_)));
            all.extend(batch.events);
            if done {
                break;
            }
        }
        // Returns when the run has let go of everything.
        let _ = self.ended.recv();
        all
    }
}

/// The receiving end of a run's events (`RunHandle::events`): a
/// crossbeam receiver that hands each batch over whole. The worker sends
/// the calls of the hottest component host functions as plain values, and
/// preview1 calls of plain numbers in compact form; they become `HostCall`s,
/// text and all, and `CallEvent`s here, on the thread that receives them,
/// so the guest's thread never formats a call.
#[derive(Clone)]
pub struct EventReceiver(Receiver<EventBatch>);

impl EventReceiver {
    pub fn recv(&self) -> Result<EventBatch, RecvError> {
        self.0.recv().map(EventBatch::rendered)
    }

    pub fn try_recv(&self) -> Result<EventBatch, TryRecvError> {
        self.0.try_recv().map(EventBatch::rendered)
    }

    pub fn recv_timeout(&self, timeout: Duration) -> Result<EventBatch, RecvTimeoutError> {
        self.0.recv_timeout(timeout).map(EventBatch::rendered)
    }

    /// The batches waiting now, without blocking.
    pub fn try_iter(&self) -> impl Iterator<Item = EventBatch> + '_ {
        self.0.try_iter().map(EventBatch::rendered)
    }

    /// Batches waiting to be received.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Sends commands to a run from anywhere; see `RunHandle::commander`.
#[derive(Clone)]
pub struct Commander {
    commands: Sender<WorkerCommand>,
    signal: Arc<StopSignal>,
    engines: Arc<EngineSet>,
}

impl Commander {
    pub fn send(&self, command: WorkerCommand) {
        send_command(&self.commands, &self.signal, &self.engines, command);
    }
}

fn send_command(commands: &Sender<WorkerCommand>, signal: &StopSignal, engines: &EngineSet, command: WorkerCommand) {
    if command == WorkerCommand::Stop {
        signal.stop.store(true, Ordering::Relaxed);
        // Make a computing guest reach its deadline now, not at the next tick.
        engines.increment_epochs();
    }
    let _ = commands.send(command);
    signal.wake.notify_one();
}

impl Drop for RunHandle {
    fn drop(&mut self) {
        if !self.is_finished() {
            self.stop();
        }
    }
}

/// Advances the engines' epochs while at least one run is active, so that
/// computing guests yield regularly; sleeps otherwise.
#[derive(Default)]
struct Ticker {
    active: AtomicUsize,
    thread: OnceLock<std::thread::Thread>,
}

impl Ticker {
    fn spawn(runtime: Weak<RuntimeInner>) {
        let Some(inner) = runtime.upgrade() else { return };
        let spawned = std::thread::Builder::new().name("wasmscope-epoch".into()).spawn(move || {
            loop {
                let Some(inner) = runtime.upgrade() else { return };
                if inner.ticker.active.load(Ordering::Acquire) == 0 {
                    drop(inner);
                    std::thread::park_timeout(std::time::Duration::from_secs(1));
                    continue;
                }
                inner.engines.increment_epochs();
                drop(inner);
                std::thread::sleep(engine::EPOCH_TICK);
            }
        });
        if let Ok(handle) = spawned {
            let _ = inner.ticker.thread.set(handle.thread().clone());
        }
    }
}

/// Counts a run as active for the ticker while it lives.
struct ActiveRun {
    inner: Arc<RuntimeInner>,
}

impl ActiveRun {
    fn new(inner: Arc<RuntimeInner>) -> ActiveRun {
        inner.ticker.active.fetch_add(1, Ordering::AcqRel);
        if let Some(thread) = inner.ticker.thread.get() {
            thread.unpark();
        }
        ActiveRun { inner }
    }
}

impl Drop for ActiveRun {
    fn drop(&mut self) {
        self.inner.ticker.active.fetch_sub(1, Ordering::AcqRel);
    }
}
