//! Density: start N instances of a module or a component at once, each in
//! its own store with its own locked-down WASI context, keep them all alive,
//! and measure what each costs — the article's "thousands of isolated tenants
//! per host" and "kilobytes instead of megabytes", on the user's own machine.
//!
//! Instances come from wasmtime's pooling allocator, sized for N, through an
//! `InstancePre` (imports resolved once), started from one thread per core
//! as a host starting tenants would. Nothing is traced: this measures the
//! sandbox, not Wasmscope. Each instance is instantiated, not run. Each
//! instance's WASI context comes from `sandbox::wasi_ctx`, the one place a
//! profile becomes one, from a profile that grants nothing (preview1 for a
//! module, WASI 0.2 for a component).
//!
//! A component (a provider, or a composed unit) is one component instance
//! per tenant, with every core instance inside it; the pool is sized from
//! the core modules it nests. Instantiating a component may run its core
//! modules' start functions, so each start is bounded by an epoch deadline
//! (`START_LIMIT`); a core module with a start function is refused outright,
//! as before.
//!
//! Host memory is the process's resident set (Linux `/proc/self/statm`)
//! before the first instance and with all N alive, divided by N. Linear
//! memory is what each instance declares; with copy-on-write memory images
//! its pages cost nothing until the guest touches them, so it is reported
//! apart.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use serde::Serialize;
use wasmtime::component::{Component, ResourceTable};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, Linker, Module, PoolingAllocationConfig, Store};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::boundary::profile::SandboxProfile;
use crate::inspect::load::{LoadedModule, ModuleKind};
use crate::sandbox::network::NetworkGuard;
use crate::sandbox::output::OutputSink;
use crate::sandbox::wasi_ctx;

/// The most instances one density run starts.
pub const MAX_INSTANCES: usize = 10_000;

/// The largest linear memory an instance may have in a density run: slots
/// for every instance are reserved up front.
const MAX_MEMORY_PER_INSTANCE: u64 = 64 << 20;

/// The most threads that start instances at once.
pub const MAX_THREADS: usize = 64;

/// Progress reports are sent at most this often.
const REPORT_EVERY: Duration = Duration::from_millis(20);

/// How often the run's engine epoch advances, and how many advances one
/// instance's start may take: code a component runs while it is
/// instantiated (a core module's start function) gets about a second.
const EPOCH_TICK: Duration = Duration::from_millis(10);
const START_LIMIT: u64 = 100;

/// What each instance's output may keep (it is never read: nothing runs).
const OUTPUT_CAP: u64 = 4096;

/// What a density run reports, in order: progress, then exactly one
/// `Finished`.
#[derive(Clone, Debug)]
pub enum DensityEvent {
    /// Compiling and sizing the pool.
    Preparing,
    /// `started` instances are alive, `elapsed_ns` after the first began.
    Progress {
        started: usize,
        elapsed_ns: u64,
    },
    Finished(Result<DensityReport, String>),
}

/// The figures of one density run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DensityReport {
    /// What was started: a core module or a component.
    pub kind: ModuleKind,
    /// Core instances per instance, as the file declares them (1 for a
    /// core module; every core instance inside a component). wasmtime adds
    /// adapter instances of its own where composed parts call each other.
    pub core_instances_per_instance: u32,
    /// Instances asked for, and started (fewer when stopped).
    pub requested: usize,
    pub started: usize,
    /// Threads that started instances at once.
    pub threads: usize,
    /// Compiling the module or component (not counted in the start times).
    pub compile_ns: u64,
    /// From the first instance's start to the last's (wall clock).
    pub total_ns: u64,
    /// Each instance's start (store, WASI context, instantiation), on the
    /// thread that started it.
    pub median_ns: u64,
    pub p99_ns: u64,
    pub max_ns: u64,
    /// Resident memory before and with every instance alive; `None` where
    /// the platform does not say.
    pub rss_before: Option<u64>,
    pub rss_alive: Option<u64>,
    /// `(rss_alive - rss_before) / started`.
    pub host_bytes_per_instance: Option<f64>,
    /// Linear memory each instance declares (bytes): every memory of every
    /// core module a component nests, at its initial size.
    pub linear_bytes_per_instance: u64,
    /// Dropping every instance.
    pub teardown_ns: u64,
    /// `(elapsed_ns, started)` samples, for a plot.
    pub timeline: Vec<(u64, usize)>,
}

impl DensityReport {
    /// "on 1 thread", "on 2 threads".
    pub fn threads_text(&self) -> String {
        match self.threads {
            1 => "on 1 thread".to_string(),
            n => format!("on {n} threads"),
        }
    }
}

/// A density run in progress. Dropping it stops the run.
pub struct DensityHandle {
    events: Receiver<DensityEvent>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl DensityHandle {
    pub fn events(&self) -> &Receiver<DensityEvent> {
        &self.events
    }

    /// Stops starting instances; those started are measured and torn down.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// Blocks until the run ends (for the command line and tests).
    pub fn wait(mut self) -> Result<DensityReport, String> {
        let mut result = Err("the density run ended without a report".to_string());
        while let Ok(event) = self.events.recv() {
            if let DensityEvent::Finished(finished) = event {
                result = finished;
                break;
            }
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        result
    }
}

impl Drop for DensityHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Starts `instances` instances of `module`, spread over one thread per
/// core (see [`start_on`]).
pub fn start(module: LoadedModule, instances: usize) -> DensityHandle {
    start_on(module, instances, default_threads())
}

/// One starting thread per core the process may use.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_THREADS)
}

/// Starts `instances` instances of `module` from `threads` threads at once
/// (a host starting tenants uses every core it has), coordinated from a new
/// thread. Each instance's start is timed on the thread that starts it.
pub fn start_on(module: LoadedModule, instances: usize, threads: usize) -> DensityHandle {
    let (tx, events) = crossbeam_channel::unbounded();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let failure = tx.clone();
    let thread = std::thread::Builder::new()
        .name("wasmscope-density".into())
        .spawn(move || {
            let result =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&module, instances, threads, &flag, &tx)))
                    .unwrap_or_else(|_| Err("internal error in the density run (please report it)".to_string()));
            let _ = tx.send(DensityEvent::Finished(result));
        })
        .map_err(|e| {
            let _ = failure.send(DensityEvent::Finished(Err(format!("cannot start the density thread: {e}"))));
        })
        .ok();
    DensityHandle { events, stop, thread }
}

fn run(
    module: &LoadedModule,
    requested: usize,
    threads: usize,
    stop: &AtomicBool,
    events: &Sender<DensityEvent>,
) -> Result<DensityReport, String> {
    if requested == 0 || requested > MAX_INSTANCES {
        return Err(format!("the number of instances must be between 1 and {MAX_INSTANCES}"));
    }
    if threads == 0 || threads > MAX_THREADS {
        return Err(format!("the number of threads must be between 1 and {MAX_THREADS}"));
    }
    let threads = threads.min(requested);
    let _ = events.send(DensityEvent::Preparing);
    let shape = Shape::of(&module.bytes, module.kind)?;
    // One more slot per thread than asked for: the warm-up instances.
    let engine = pooling_engine(&shape, requested + threads)?;
    let tenants = Tenants { engine: &engine, shape: &shape, requested, threads, stop, events };
    // Each tenant's context is built from this profile, which grants
    // nothing: no files, no environment, no arguments, no network.
    let profile = SandboxProfile::default();
    let compile_started = Instant::now();
    match module.kind {
        ModuleKind::Core => {
            let compiled =
                Module::new(&engine, &module.bytes).map_err(|e| format!("cannot compile the module: {e:#}"))?;
            let compile_ns = compile_started.elapsed().as_nanos() as u64;
            let mut linker: Linker<WasiP1Ctx> = Linker::new(&engine);
            wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |cx| cx).map_err(|e| format!("{e:#}"))?;
            let pre = linker.instantiate_pre(&compiled).map_err(|e| {
                format!("the module imports something a locked-down WASI context does not provide: {e:#}")
            })?;
            let instantiate = || -> Result<Store<WasiP1Ctx>, String> {
                let context = wasi_ctx::build(&profile, &module.name, &OutputSink::new(Some(OUTPUT_CAP)))
                    .map_err(|e| e.to_string())?;
                let mut store = tenant_store(&engine, context.wasi);
                pre.instantiate(&mut store).map_err(start_failure)?;
                Ok(store)
            };
            tenants.start(&instantiate, compile_ns)
        }
        ModuleKind::Component => {
            let compiled =
                Component::new(&engine, &module.bytes).map_err(|e| format!("cannot compile the component: {e:#}"))?;
            let compile_ns = compile_started.elapsed().as_nanos() as u64;
            let mut linker = wasmtime::component::Linker::<ComponentTenant>::new(&engine);
            wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(|e| format!("{e:#}"))?;
            let pre = linker.instantiate_pre(&compiled).map_err(|e| {
                format!(
                    "the component imports something a locked-down WASI 0.2 context does not provide (density \
                     runs link WASI 0.2 only, without wasi:http or 0.3): {e:#}"
                )
            })?;
            let network = Arc::new(NetworkGuard::new(&profile.network, profile.dns)?);
            let instantiate = || -> Result<Store<ComponentTenant>, String> {
                let context = wasi_ctx::build_p2(&profile, &module.name, &OutputSink::new(Some(OUTPUT_CAP)), &network)
                    .map_err(|e| e.to_string())?;
                let tenant = ComponentTenant { wasi: context.wasi, table: ResourceTable::new() };
                let mut store = tenant_store(&engine, tenant);
                pre.instantiate(&mut store).map_err(start_failure)?;
                Ok(store)
            };
            tenants.start(&instantiate, compile_ns)
        }
    }
}

/// A store for one tenant, whose start may take `START_LIMIT` epochs.
fn tenant_store<T: 'static>(engine: &Engine, data: T) -> Store<T> {
    let mut store = Store::new(engine, data);
    store.set_epoch_deadline(START_LIMIT);
    store.epoch_deadline_trap();
    store
}

/// Why an instance did not start.
fn start_failure(error: wasmtime::Error) -> String {
    if error.downcast_ref::<wasmtime::Trap>() == Some(&wasmtime::Trap::Interrupt) {
        let limit = EPOCH_TICK * START_LIMIT as u32;
        return format!(
            "an instance ran code for over {} ms while it was instantiated (a start function); density runs start \
             instances without running them",
            limit.as_millis()
        );
    }
    format!("cannot instantiate: {error:#}")
}

/// A component tenant's store data: its own WASI 0.2 context.
struct ComponentTenant {
    wasi: WasiCtx,
    table: ResourceTable,
}

impl WasiView for ComponentTenant {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

/// Starting the tenants and measuring them, whatever they are.
struct Tenants<'a> {
    engine: &'a Engine,
    shape: &'a Shape,
    requested: usize,
    threads: usize,
    stop: &'a AtomicBool,
    events: &'a Sender<DensityEvent>,
}

impl Tenants<'_> {
    /// Starts `requested` instances with `instantiate` (one store each),
    /// keeps them all alive, measures, and tears them down.
    fn start<S: Send>(
        &self,
        instantiate: &(dyn Fn() -> Result<S, String> + Sync),
        compile_ns: u64,
    ) -> Result<DensityReport, String> {
        let Tenants { engine, shape, requested, threads, stop, events } = *self;
        // Each starting thread warms up (code pages, its allocator arena, a
        // pool slot) and then waits until all are ready, so that the
        // baseline below is taken with every thread's fixed costs already
        // paid.
        let claimed = AtomicUsize::new(0);
        let started = AtomicUsize::new(0);
        let failed = AtomicBool::new(false);
        let ticking = AtomicBool::new(true);
        let ready = std::sync::Barrier::new(threads + 1);
        let go = std::sync::Barrier::new(threads + 1);
        let mut rss_before = None;
        let mut timeline = vec![(0, 0)];
        let mut first = Instant::now();
        let mut finished: Vec<Starter<S>> = Vec::with_capacity(threads);
        std::thread::scope(|scope| {
            // The epoch bounds each instance's start (see `START_LIMIT`).
            scope.spawn(|| {
                while ticking.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    engine.increment_epoch();
                }
            });
            let starters: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let mut mine = Starter::with_capacity(requested.div_ceil(threads));
                        // Every starter must reach the barriers, panic or not.
                        let warm = std::panic::catch_unwind(std::panic::AssertUnwindSafe(instantiate))
                            .unwrap_or_else(|_| {
                                Err("internal error while starting an instance (please report it)".into())
                            })
                            .map(drop);
                        ready.wait();
                        go.wait();
                        if let Err(e) = warm {
                            mine.error = Some(e);
                            failed.store(true, Ordering::Relaxed);
                            return mine;
                        }
                        while !stop.load(Ordering::Relaxed) && !failed.load(Ordering::Relaxed) {
                            if claimed.fetch_add(1, Ordering::Relaxed) >= requested {
                                break;
                            }
                            let began = Instant::now();
                            match instantiate() {
                                Ok(store) => mine.alive.push(store),
                                Err(e) => {
                                    mine.error = Some(e);
                                    failed.store(true, Ordering::Relaxed);
                                    break;
                                }
                            }
                            mine.times.push(began.elapsed().as_nanos() as u64);
                            started.fetch_add(1, Ordering::Relaxed);
                        }
                        mine.done = Some(Instant::now());
                        mine
                    })
                })
                .collect();
            ready.wait();
            rss_before = resident_bytes();
            first = Instant::now();
            go.wait();
            // Report progress while the starters work.
            while !starters.iter().all(|s| s.is_finished()) {
                std::thread::sleep(Duration::from_millis(1));
                let elapsed_ns = first.elapsed().as_nanos() as u64;
                if elapsed_ns >= timeline.last().map_or(0, |t| t.0) + REPORT_EVERY.as_nanos() as u64 {
                    let now = started.load(Ordering::Relaxed);
                    timeline.push((elapsed_ns, now));
                    let _ = events.send(DensityEvent::Progress { started: now, elapsed_ns });
                }
            }
            for starter in starters {
                finished.push(starter.join().unwrap_or_else(|_| Starter {
                    error: Some("internal error in a starting thread (please report it)".into()),
                    ..Starter::with_capacity(0)
                }));
            }
            ticking.store(false, Ordering::Relaxed);
        });
        if let Some(error) = finished.iter_mut().find_map(|s| s.error.take()) {
            return Err(error);
        }
        let total_ns = finished.iter().filter_map(|s| s.done).max().map_or(0, |done| (done - first).as_nanos() as u64);
        let rss_alive = resident_bytes();
        let mut times: Vec<u64> = finished.iter().flat_map(|s| s.times.iter().copied()).collect();
        let alive: Vec<Vec<S>> = finished.into_iter().map(|s| s.alive).collect();
        let started: usize = alive.iter().map(Vec::len).sum();
        if timeline.last().map(|t| t.1) != Some(started) {
            timeline.push((total_ns, started));
            let _ = events.send(DensityEvent::Progress { started, elapsed_ns: total_ns });
        }
        let teardown = Instant::now();
        drop(alive);
        let teardown_ns = teardown.elapsed().as_nanos() as u64;

        times.sort_unstable();
        let percentile = |p: usize| times.get((times.len() * p / 100).min(times.len().saturating_sub(1))).copied();
        let host_bytes_per_instance = match (rss_before, rss_alive) {
            (Some(before), Some(after)) if started > 0 => Some(after.saturating_sub(before) as f64 / started as f64),
            _ => None,
        };
        Ok(DensityReport {
            kind: shape.kind,
            core_instances_per_instance: shape.core_instances,
            requested,
            started,
            threads,
            compile_ns,
            total_ns,
            median_ns: percentile(50).unwrap_or(0),
            p99_ns: percentile(99).unwrap_or(0),
            max_ns: times.last().copied().unwrap_or(0),
            rss_before,
            rss_alive,
            host_bytes_per_instance,
            linear_bytes_per_instance: shape.linear_bytes,
            teardown_ns,
            timeline,
        })
    }
}

/// What one starting thread did; `S` is an instance's store.
struct Starter<S> {
    alive: Vec<S>,
    times: Vec<u64>,
    done: Option<Instant>,
    error: Option<String>,
}

impl<S> Starter<S> {
    fn with_capacity(share: usize) -> Starter<S> {
        Starter { alive: Vec::with_capacity(share), times: Vec::with_capacity(share), done: None, error: None }
    }
}

/// What the pool must hold per instance.
struct Shape {
    kind: ModuleKind,
    /// Core instances one instance makes (1 for a core module).
    core_instances: u32,
    /// Memories and tables one instance defines, at most (a component's
    /// core modules together).
    memories: u32,
    tables: u32,
    /// The most memories and tables one core module has, imported ones
    /// included.
    memories_per_module: u32,
    tables_per_module: u32,
    /// Initial size of all memories together.
    linear_bytes: u64,
    /// The largest memory's initial size, and the largest table's.
    max_memory_bytes: u64,
    max_table_elements: u64,
}

/// One core module's counts, while its payloads are read.
#[derive(Default)]
struct ModuleCounts {
    defined_memories: u32,
    defined_tables: u32,
    imported_memories: u32,
    imported_tables: u32,
}

impl Shape {
    /// Reads what the pool needs from the bytes: every core module's
    /// memories and tables (a component's nested ones too, payload by
    /// payload), and how many core instances a component makes.
    fn of(bytes: &[u8], kind: ModuleKind) -> Result<Shape, String> {
        let mut shape = Shape {
            kind,
            core_instances: 0,
            memories: 0,
            tables: 0,
            memories_per_module: 0,
            tables_per_module: 0,
            linear_bytes: 0,
            max_memory_bytes: 0,
            max_table_elements: 0,
        };
        // One entry per module or component being read: `Some` for a core
        // module and its counts so far.
        let mut open: Vec<Option<ModuleCounts>> = Vec::new();
        let mut modules = 0u32;
        let mut most_memories_in_a_module = 0u32;
        let mut most_tables_in_a_module = 0u32;
        let what = kind.name();
        for payload in wasmparser::Parser::new(0).parse_all(bytes) {
            let payload = payload.map_err(|e| format!("cannot read the {what}: {e}"))?;
            let mut counts = open.last_mut().and_then(Option::as_mut);
            match payload {
                wasmparser::Payload::Version { encoding, .. } => {
                    let module = encoding == wasmparser::Encoding::Module;
                    modules += u32::from(module);
                    open.push(module.then(ModuleCounts::default));
                }
                wasmparser::Payload::End(_) => {
                    if let Some(Some(done)) = open.pop() {
                        shape.memories_per_module =
                            shape.memories_per_module.max(done.defined_memories + done.imported_memories);
                        shape.tables_per_module =
                            shape.tables_per_module.max(done.defined_tables + done.imported_tables);
                        shape.memories += done.defined_memories;
                        shape.tables += done.defined_tables;
                        most_memories_in_a_module = most_memories_in_a_module.max(done.defined_memories);
                        most_tables_in_a_module = most_tables_in_a_module.max(done.defined_tables);
                    }
                }
                wasmparser::Payload::MemorySection(reader) => {
                    for memory in reader {
                        let memory = memory.map_err(|e| e.to_string())?;
                        let page = 1u64 << memory.page_size_log2.unwrap_or(16);
                        let size = memory.initial.saturating_mul(page);
                        if let Some(counts) = counts.as_deref_mut() {
                            counts.defined_memories += 1;
                        }
                        shape.linear_bytes += size;
                        shape.max_memory_bytes = shape.max_memory_bytes.max(size);
                    }
                }
                wasmparser::Payload::TableSection(reader) => {
                    for table in reader {
                        let table = table.map_err(|e| e.to_string())?;
                        if let Some(counts) = counts.as_deref_mut() {
                            counts.defined_tables += 1;
                        }
                        shape.max_table_elements = shape.max_table_elements.max(table.ty.initial);
                    }
                }
                wasmparser::Payload::StartSection { .. } if kind == ModuleKind::Core => {
                    // Instantiating would run it, with nothing to stop it.
                    return Err("the module has a start function, which runs when it is instantiated; density \
                                runs start instances without running code"
                        .into());
                }
                wasmparser::Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        match import.map_err(|e| e.to_string())?.ty {
                            wasmparser::TypeRef::Memory(_) => {
                                if let Some(counts) = counts.as_deref_mut() {
                                    counts.imported_memories += 1;
                                }
                            }
                            wasmparser::TypeRef::Table(_) => {
                                if let Some(counts) = counts.as_deref_mut() {
                                    counts.imported_tables += 1;
                                }
                            }
                            _ => {}
                        }
                    }
                }
                wasmparser::Payload::InstanceSection(reader) => {
                    for instance in reader {
                        if let wasmparser::Instance::Instantiate { .. } = instance.map_err(|e| e.to_string())? {
                            shape.core_instances += 1;
                        }
                    }
                }
                _ => {}
            }
        }
        if kind == ModuleKind::Core {
            shape.core_instances = 1;
            // A module's imported memory and table take a slot too.
            shape.memories = shape.memories_per_module;
            shape.tables = shape.tables_per_module;
        } else {
            // A module instantiated more than once defines its memories and
            // tables again: count every extra instance as the module with
            // the most of them.
            let extra = shape.core_instances.saturating_sub(modules);
            shape.memories += extra * most_memories_in_a_module;
            shape.tables += extra * most_tables_in_a_module;
        }
        if shape.max_memory_bytes > MAX_MEMORY_PER_INSTANCE {
            return Err(format!(
                "each instance starts with a memory of {} MiB; density runs take {what}s whose memories start at up \
                 to {} MiB",
                shape.max_memory_bytes >> 20,
                MAX_MEMORY_PER_INSTANCE >> 20
            ));
        }
        Ok(shape)
    }
}

/// An engine whose pooling allocator has a slot for each instance, with
/// memory slots sized to the largest memory (growth allowed to 1 MiB or
/// twice the initial size, whichever is more) so that 10,000 fit comfortably
/// in the address space.
fn pooling_engine(shape: &Shape, instances: usize) -> Result<Engine, String> {
    let count = u32::try_from(instances).map_err(|_| "too many instances".to_string())?;
    let memory_slot = (shape.max_memory_bytes * 2).clamp(1 << 20, MAX_MEMORY_PER_INSTANCE);
    let mut pool = PoolingAllocationConfig::new();
    pool.total_memories(count.saturating_mul(shape.memories.max(1)))
        .total_tables(count.saturating_mul(shape.tables.max(1)))
        .max_memories_per_module(shape.memories_per_module.max(1))
        .max_tables_per_module(shape.tables_per_module.max(1))
        .table_elements(shape.max_table_elements.max(1) as usize)
        .max_memory_size(memory_slot as usize);
    // Room for the adapter modules wasmtime makes for calls between a
    // composed component's parts (they define no memory or table).
    let core_instances = match shape.kind {
        ModuleKind::Core => 1,
        ModuleKind::Component => shape.core_instances.saturating_mul(2).max(1) + 2,
    };
    pool.total_core_instances(count.saturating_mul(core_instances));
    if shape.kind == ModuleKind::Component {
        pool.total_component_instances(count)
            .max_core_instances_per_component(core_instances)
            .max_memories_per_component(shape.memories.max(1))
            .max_tables_per_component(shape.tables.max(1));
    }
    let mut config = Config::new();
    // The proposals of every other engine: what loads in a run loads here.
    crate::proposals::configure(&mut config);
    config
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pool))
        .epoch_interruption(true)
        .memory_reservation(memory_slot)
        .memory_reservation_for_growth(0)
        .memory_guard_size(64 << 10)
        .memory_init_cow(true);
    Engine::new(&config).map_err(|e| format!("cannot set up a pool of {instances} instances: {e:#}"))
}

/// The process's resident set, where the platform reports it.
pub fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * page_size())
}

/// The kernel's page size, from the first mapping's `KernelPageSize` in
/// `/proc/self/smaps` (4 KiB if it cannot be read).
fn page_size() -> u64 {
    static SIZE: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *SIZE.get_or_init(|| {
        std::fs::read_to_string("/proc/self/smaps")
            .ok()
            .and_then(|smaps| {
                let line = smaps.lines().find(|l| l.starts_with("KernelPageSize:"))?;
                line.split_whitespace().nth(1)?.parse::<u64>().ok()
            })
            .map_or(4096, |kib| kib * 1024)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hello() -> LoadedModule {
        crate::inspect::load::load("hello.wat", include_bytes!("../../samples/hello.wat")).unwrap()
    }

    #[test]
    fn a_hundred_instances_start_and_are_measured() {
        let report = start(hello(), 100).wait().unwrap();
        assert_eq!((report.requested, report.started), (100, 100));
        assert!(report.median_ns > 0 && report.median_ns <= report.p99_ns && report.p99_ns <= report.max_ns);
        assert_eq!(report.linear_bytes_per_instance, 64 << 10, "hello declares one page");
        assert_eq!(report.timeline.last().map(|t| t.1), Some(100));
        if cfg!(target_os = "linux") {
            assert!(report.host_bytes_per_instance.is_some());
        }
    }

    /// Threads share out the instances: together they start exactly the
    /// number asked for, and the timeline only goes up.
    #[test]
    fn threads_share_the_instances() {
        for threads in [1, 3] {
            let report = start_on(hello(), 30, threads).wait().unwrap();
            assert_eq!((report.started, report.threads), (30, threads));
            assert_eq!(report.timeline.last().map(|t| t.1), Some(30));
            assert!(report.timeline.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1), "{:?}", report.timeline);
        }
        // More threads than instances: only as many as there are instances.
        assert_eq!(start_on(hello(), 2, 8).wait().unwrap().threads, 2);
        assert!(start_on(hello(), 2, 0).wait().unwrap_err().contains("threads"));
    }

    #[test]
    fn bad_requests_get_a_reason() {
        assert!(start(hello(), 0).wait().unwrap_err().contains("between 1 and"));
        assert!(start(hello(), MAX_INSTANCES + 1).wait().unwrap_err().contains("between 1 and"));
        let needs_a_host_function = crate::inspect::load::load(
            "x.wat",
            br#"(module (import "env" "host_thing" (func)) (memory (export "memory") 1))"#,
        )
        .unwrap();
        assert!(start(needs_a_host_function, 3).wait().unwrap_err().contains("does not provide"));
        let big = crate::inspect::load::load("big.wat", br#"(module (memory 2000))"#).unwrap();
        assert!(start(big, 3).wait().unwrap_err().contains("up to 64 MiB"));
        // A start function that never returns would hang the run.
        let spins =
            crate::inspect::load::load("spin.wat", br#"(module (func $spin (loop (br 0))) (start $spin))"#).unwrap();
        assert!(start(spins, 3).wait().unwrap_err().contains("start function"));
    }

    /// Stop after the first progress report: the instances started so far
    /// are measured and torn down.
    #[test]
    fn stop_ends_the_run_with_what_was_started() {
        let handle = start(hello(), MAX_INSTANCES);
        let report = loop {
            match handle.events().recv().unwrap() {
                DensityEvent::Progress { .. } => {
                    handle.stop();
                    break handle.wait().unwrap();
                }
                // Too fast to stop: every instance started before the first
                // report. Nothing more to test on this machine.
                DensityEvent::Finished(result) => break result.unwrap(),
                DensityEvent::Preparing => {}
            }
        };
        assert!(report.started > 0);
        assert!(report.started <= report.requested);
        if cfg!(target_os = "linux") {
            assert!(report.host_bytes_per_instance.is_some(), "the instances started are measured");
        }
    }
}
