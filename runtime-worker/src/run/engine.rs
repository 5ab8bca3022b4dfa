//! Engines and compilation: how wasmtime is configured, and turning a module's
//! bytes into code with progress reports, cancellation, and an in-memory cache.
//!
//! Cranelift offers no progress callback and no way to cancel. Its
//! incremental-compilation cache, though, is asked for every function just
//! before that function is compiled, from whichever thread compiles it. A
//! cache that never hits is therefore a per-function hook: it counts
//! functions for progress, and when the run is cancelled it unwinds the
//! compiling thread (without invoking the panic hook), which ends the whole
//! parallel compilation within one function's compile time.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;
use wasmtime::component::Component;
use wasmtime::{CacheStore, Config, Engine, Module, WasmBacktraceDetails};

use crate::boundary::batch::EventBatch;
use crate::boundary::event::{RunId, WorkerEvent};
use crate::module_cache::{Lookup, ModuleCache};

/// How often the epoch advances while guests run: the granularity of Stop
/// and of timeouts, and of trace hand-over while a guest computes.
pub(crate) const EPOCH_TICK: Duration = Duration::from_millis(5);

/// Compiled modules kept in memory, most recent first.
const CACHED_MODULES: usize = 8;

/// Compiled components kept in memory: fewer, as one with CPython inside is
/// some 30 MB of code (the disk cache keeps the rest).
const CACHED_COMPONENTS: usize = 3;

/// The wasmtime configuration every engine shares. Proposals that real
/// toolchains emit are on (exceptions for C++, tail calls, GC and function
/// references for managed languages, SIMD, memory64, multi-memory, WASI
/// 0.3's async component model): exactly the set in `proposals`, which the
/// Inspector validates with, so it names a proposal that is off before a
/// compile would fail on it.
fn config(fuel: bool, pooled: bool, hook: Arc<CompileHook>) -> Config {
    let mut config = Config::new();
    if pooled {
        crate::run::pool::configure(&mut config);
    }
    crate::proposals::configure(&mut config);
    config
        .epoch_interruption(true)
        .consume_fuel(fuel)
        // Traps name the source file, line and column of each frame when the
        // module carries DWARF (`clang -g`); wasmtime keeps the sections only
        // then, so modules without them cost nothing more.
        .wasm_backtrace_details(WasmBacktraceDetails::Enable);
    config
        .enable_incremental_compilation(hook)
        .expect("incremental compilation is available with the cranelift feature");
    config
}

/// One engine and what belongs to it.
pub(crate) struct EngineSlot {
    pub engine: Engine,
    /// Instances come from the pooling allocator (see `pool`).
    pub pooled: bool,
    hook: Arc<CompileHook>,
    /// One compilation at a time per engine: Cranelift already uses every
    /// core, and the hook can only follow one job.
    compile_lock: Mutex<()>,
    cache: Mutex<VecDeque<([u8; 32], Module)>>,
    /// Compiled components, most recent first (memory only).
    components: Mutex<VecDeque<([u8; 32], Component)>>,
    /// Compiled modules on disk, when the caller asked for them.
    disk: Option<ModuleCache>,
}

impl EngineSlot {
    pub(crate) fn new(fuel: bool, pooled: bool, disk: Option<ModuleCache>) -> wasmtime::Result<EngineSlot> {
        let hook = Arc::new(CompileHook::default());
        let engine = Engine::new(&config(fuel, pooled, Arc::clone(&hook)))?;
        Ok(EngineSlot {
            engine,
            pooled,
            hook,
            compile_lock: Mutex::new(()),
            cache: Mutex::new(VecDeque::new()),
            components: Mutex::new(VecDeque::new()),
            disk,
        })
    }

    fn cached(&self, sha256: &[u8; 32]) -> Option<Module> {
        let mut cache = lock(&self.cache);
        let at = cache.iter().position(|(hash, _)| hash == sha256)?;
        let entry = cache.remove(at)?;
        let module = entry.1.clone();
        cache.push_front(entry);
        Some(module)
    }

    fn remember(&self, sha256: [u8; 32], module: Module) {
        let mut cache = lock(&self.cache);
        cache.retain(|(hash, _)| *hash != sha256);
        cache.push_front((sha256, module));
        cache.truncate(CACHED_MODULES);
    }

    /// Compiles `bytes` (or fetches them from the cache), reporting progress
    /// to `events` and giving up when `cancel` says so.
    pub(crate) fn compile(
        &self,
        bytes: &[u8],
        sha256: [u8; 32],
        job: CompileJob<'_>,
    ) -> Result<Compiled, CompileFailure> {
        if let Some(module) = self.cached(&sha256) {
            return Ok(Compiled { module, cached: true, persisting: None });
        }
        let _one_at_a_time = lock(&self.compile_lock);
        // A run that waited for the lock may find the module compiled by the
        // run it waited for.
        if let Some(module) = self.cached(&sha256) {
            return Ok(Compiled { module, cached: true, persisting: None });
        }
        if let Some(disk) = &self.disk
            && let Lookup::Hit(module) = disk.get::<Module>(&self.engine, &sha256)
        {
            // A rejected entry has been removed; compiling below replaces it.
            self.remember(sha256, module.clone());
            return Ok(Compiled { module, cached: true, persisting: None });
        }
        let total = count_functions(bytes);
        self.hook.begin(total, job.run, job.events.clone(), Arc::clone(job.stop), job.deadline);
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| Module::new(&self.engine, bytes)));
        let cancelled = self.hook.end();
        match result {
            Ok(Ok(module)) => {
                self.remember(sha256, module.clone());
                let persisting = self.disk.clone().and_then(|disk| {
                    let (engine, module) = (self.engine.clone(), module.clone());
                    // Written while the guest runs; a cache that cannot be
                    // written only makes the next open slower.
                    std::thread::Builder::new()
                        .name("wasmscope-cache-write".into())
                        .spawn(move || {
                            let _ = disk.put(&engine, &sha256, &module);
                        })
                        .ok()
                });
                Ok(Compiled { module, cached: false, persisting })
            }
            Ok(Err(e)) => Err(CompileFailure::Error(format!("{e:#}"))),
            Err(panic) => match cancelled {
                Some(why) => Err(CompileFailure::Cancelled(why)),
                None => std::panic::resume_unwind(panic),
            },
        }
    }
}

impl EngineSlot {
    /// Compiles a component (or fetches it from the in-memory cache), with
    /// the same progress reports and cancellation as a module.
    pub(crate) fn compile_component(
        &self,
        bytes: &[u8],
        sha256: [u8; 32],
        job: CompileJob<'_>,
    ) -> Result<(Component, bool), CompileFailure> {
        let cached = || {
            let mut cache = lock(&self.components);
            let at = cache.iter().position(|(hash, _)| *hash == sha256);
            at.and_then(|at| cache.remove(at)).map(|entry| {
                let component = entry.1.clone();
                cache.push_front(entry);
                component
            })
        };
        if let Some(component) = cached() {
            return Ok((component, true));
        }
        let _one_at_a_time = lock(&self.compile_lock);
        if let Some(component) = cached() {
            return Ok((component, true));
        }
        let remember = |component: &Component| {
            let mut cache = lock(&self.components);
            cache.retain(|(hash, _)| *hash != sha256);
            cache.push_front((sha256, component.clone()));
            cache.truncate(CACHED_COMPONENTS);
        };
        if let Some(disk) = &self.disk
            && let Lookup::Hit(component) = disk.get::<Component>(&self.engine, &sha256)
        {
            remember(&component);
            return Ok((component, true));
        }
        let total = count_functions(bytes);
        self.hook.begin(total, job.run, job.events.clone(), Arc::clone(job.stop), job.deadline);
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| Component::new(&self.engine, bytes)));
        let cancelled = self.hook.end();
        match result {
            Ok(Ok(component)) => {
                remember(&component);
                // Written now (a component is compiled once per session at
                // most): the next session starts it from disk.
                if let Some(disk) = &self.disk {
                    let _ = disk.put(&self.engine, &sha256, &component);
                }
                Ok((component, false))
            }
            Ok(Err(e)) => Err(CompileFailure::Error(format!("{e:#}"))),
            Err(panic) => match cancelled {
                Some(why) => Err(CompileFailure::Cancelled(why)),
                None => std::panic::resume_unwind(panic),
            },
        }
    }
}

pub(crate) struct CompileJob<'a> {
    pub run: RunId,
    pub events: &'a Sender<EventBatch>,
    pub stop: &'a Arc<AtomicBool>,
    pub deadline: Option<Instant>,
}

pub(crate) struct Compiled {
    pub module: Module,
    /// Found in memory or on disk rather than compiled.
    pub cached: bool,
    /// The write of a freshly compiled module to the disk cache; the run
    /// waits for it before it reports its end, so a short-lived caller (the
    /// command line) does not exit mid-write.
    pub persisting: Option<std::thread::JoinHandle<()>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cancel {
    Stopped,
    TimedOut,
}

#[derive(Debug)]
pub(crate) enum CompileFailure {
    Error(String),
    Cancelled(Cancel),
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Functions with bodies in a core module, or in every core module nested in
/// a component: the denominator of compile progress.
fn count_functions(bytes: &[u8]) -> u32 {
    let mut total = 0u32;
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        if let Ok(wasmparser::Payload::CodeSectionStart { count, .. }) = payload {
            total = total.saturating_add(count);
        }
    }
    total
}

/// The per-function hook described in the module docs.
#[derive(Debug, Default)]
struct CompileHook {
    job: Mutex<Option<HookJob>>,
    done: AtomicU32,
    cancelled: AtomicBool,
}

#[derive(Debug)]
struct HookJob {
    run: RunId,
    total: u32,
    events: Sender<EventBatch>,
    stop: Arc<AtomicBool>,
    deadline: Option<Instant>,
    reported: Instant,
    why: Option<Cancel>,
}

/// Unwinds a compiling thread; `resume_unwind` skips the panic hook, so a
/// cancelled compilation prints nothing.
struct CompileCancelled;

/// Progress is reported at most this often.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(50);

impl CompileHook {
    fn begin(
        &self,
        total: u32,
        run: RunId,
        events: Sender<EventBatch>,
        stop: Arc<AtomicBool>,
        deadline: Option<Instant>,
    ) {
        self.done.store(0, Ordering::Relaxed);
        self.cancelled.store(false, Ordering::Relaxed);
        *lock(&self.job) = Some(HookJob { run, total, events, stop, deadline, reported: Instant::now(), why: None });
    }

    /// Ends the job; says why it was cancelled, if it was.
    fn end(&self) -> Option<Cancel> {
        lock(&self.job).take().and_then(|job| job.why)
    }

    fn on_function(&self) {
        if self.cancelled.load(Ordering::Relaxed) {
            std::panic::resume_unwind(Box::new(CompileCancelled));
        }
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        let mut guard = lock(&self.job);
        let Some(job) = guard.as_mut() else { return };
        let why = if job.stop.load(Ordering::Relaxed) {
            Some(Cancel::Stopped)
        } else if job.deadline.is_some_and(|d| Instant::now() >= d) {
            Some(Cancel::TimedOut)
        } else {
            None
        };
        if let Some(why) = why {
            job.why = Some(why);
            self.cancelled.store(true, Ordering::Relaxed);
            drop(guard);
            std::panic::resume_unwind(Box::new(CompileCancelled));
        }
        if job.reported.elapsed() >= PROGRESS_INTERVAL {
            job.reported = Instant::now();
            let progress = WorkerEvent::CompileProgress { done: done.min(job.total), total: job.total };
            let batch = EventBatch::new(job.run, vec![progress]);
            // Progress is advisory: never wait for a slow reader here.
            let _ = job.events.try_send(batch);
        }
    }
}

impl CacheStore for CompileHook {
    fn get(&self, _key: &[u8]) -> Option<Cow<'_, [u8]>> {
        self.on_function();
        None
    }

    fn insert(&self, _key: &[u8], _value: Vec<u8>) -> bool {
        false
    }
}
