//! What tracing costs, measured against raw wasmtime in the same process:
//! per-call cost with every call recorded (fd_write, clock_time_get),
//! start-up phases, how quickly Stop ends a guest, and reopening a large
//! module through the compiled-module cache on disk.
//!
//! `cargo bench -p runtime-worker --bench engine` prints a table. Figures are
//! medians of interleaved repetitions, so that a busy machine slows both
//! sides alike; compare ratios, not absolute numbers across machines.

use std::time::{Duration, Instant};

use runtime_worker::inspect::load;
use runtime_worker::{Entry, Phase, RunOutcome, RunRequest, Runtime, SandboxProfile, WorkerEvent};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, Linker, Module, Store};
use wasmtime_wasi::WasiCtxBuilder;
use wasmtime_wasi::p1::{self, WasiP1Ctx};

const REPEATS: usize = 5;

#[path = "support/loops.rs"]
mod loops;
use loops::{CALLS, CLOCK, WRITE, loop_module};

#[path = "support/component_loops.rs"]
mod component_loops;
use component_loops::{COMPONENT_CALLS, HostLoop, component_loop, component_loop_p3_clock};

/// Raw wasmtime + wasmtime-wasi: stock async linker glue and `InstancePre`,
/// a fresh store and WASI context (output discarded, no tracing) for each
/// instance, on the calling thread.
struct Raw {
    pre: wasmtime::InstancePre<WasiP1Ctx>,
    engine: Engine,
    runtime: tokio::runtime::Runtime,
}

impl Raw {
    fn new(config: &Config, wat: &[u8]) -> Raw {
        let engine = Engine::new(config).unwrap();
        let module = Module::new(&engine, wat).unwrap();
        let mut linker: Linker<WasiP1Ctx> = Linker::new(&engine);
        p1::add_to_linker_async(&mut linker, |cx| cx).unwrap();
        let pre = linker.instantiate_pre(&module).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        Raw { pre, engine, runtime }
    }

    /// Instantiates and runs `_start`: (instantiate, instantiate + `_start`).
    fn once(&self) -> (Duration, Duration) {
        self.runtime.block_on(async {
            let mut store = Store::new(&self.engine, WasiCtxBuilder::new().build_p1());
            let began = Instant::now();
            let instance = self.pre.instantiate_async(&mut store).await.unwrap();
            let instantiated = began.elapsed();
            let start = instance.get_typed_func::<(), ()>(&mut store, "_start").unwrap();
            start.call_async(&mut store, ()).await.unwrap();
            (instantiated, began.elapsed())
        })
    }
}

/// The time raw wasmtime's `_start` took.
fn raw_run(wat: &str) -> Duration {
    let mut config = Config::new();
    config.epoch_interruption(false);
    let (instantiated, total) = Raw::new(&config, wat.as_bytes()).once();
    total - instantiated
}

/// The same module through Wasmscope's engine, every call recorded and
/// handed over to this thread. Returns the guest's run time (the whole run
/// minus compilation and instantiation).
fn traced_run(runtime: &Runtime, wat: &str) -> Duration {
    let module = load::load("bench.wat", wat.as_bytes()).unwrap();
    // Output is discarded, as the raw run's null sink does: the figure is
    // the cost of recording the calls.
    let mut profile = SandboxProfile::default();
    profile.limits.max_output_bytes = Some(0);
    let events = runtime.start(RunRequest::new(module, profile, Entry::Start)).wait();
    let mut calls = 0u32;
    let mut phases = [0u64; 4];
    for event in &events {
        match event {
            WorkerEvent::Call(_) => calls += 1,
            WorkerEvent::Phase(t) => {
                let i = match t.phase {
                    Phase::Compile => 0,
                    Phase::Instantiate => 1,
                    Phase::FirstCall => 2,
                    Phase::Total => 3,
                };
                phases[i] = t.nanos;
            }
            WorkerEvent::Finished(outcome) => assert_eq!(outcome, &RunOutcome::Exited { code: 0 }),
            _ => {}
        }
    }
    assert_eq!(calls, CALLS, "every call is recorded");
    Duration::from_nanos(phases[3].saturating_sub(phases[0] + phases[1]))
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn per_call(d: Duration) -> f64 {
    d.as_nanos() as f64 / f64::from(CALLS)
}

fn per_call_overhead(runtime: &Runtime) {
    // The runtime measures the timestamp counter's rate in its first 0.25 ms;
    // the window's runs all start later than that.
    let created = Instant::now();
    while !runtime_worker::runs_read_the_counter() && created.elapsed() < Duration::from_secs(1) {
        std::thread::sleep(Duration::from_millis(1));
    }
    let clock = if runtime_worker::runs_read_the_counter() {
        "the processor's timestamp counter"
    } else {
        "clock_gettime (no usable timestamp counter here)"
    };
    println!("\nPer-call cost, {CALLS} calls per run, median of {REPEATS} interleaved runs; calls timed with {clock}");
    println!("{:<16} {:>12} {:>12} {:>8}", "call", "raw ns", "traced ns", "ratio");
    for (name, body) in [("fd_write 16 B", WRITE), ("clock_time_get", CLOCK)] {
        let wat = loop_module(body);
        let (mut raw, mut traced) = (Vec::new(), Vec::new());
        for _ in 0..REPEATS {
            raw.push(raw_run(&wat));
            traced.push(traced_run(runtime, &wat));
        }
        let (raw, traced) = (per_call(median(raw)), per_call(median(traced)));
        println!("{name:<16} {raw:>12.1} {traced:>12.1} {:>7.2}x", traced / raw);
    }
}

/// Stock wasmtime-wasi for components: `p2::add_to_linker_async`, a plain
/// `WasiCtx` (stdout discarded) and `ResourceTable`, no `tracing`
/// subscriber, on this thread.
struct StockHost {
    wasi: wasmtime_wasi::WasiCtx,
    table: wasmtime::component::ResourceTable,
}

impl wasmtime_wasi::WasiView for StockHost {
    fn ctx(&mut self) -> wasmtime_wasi::WasiCtxView<'_> {
        wasmtime_wasi::WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

struct StockComponent {
    engine: Engine,
    pre: StockPre,
    runtime: tokio::runtime::Runtime,
}

/// A WASI 0.2 or 0.3 command, as stock wasmtime-wasi links it.
enum StockPre {
    P2(wasmtime_wasi::p2::bindings::CommandPre<StockHost>),
    /// Run inside the store's event loop (`run_concurrent`), as `wasmtime
    /// run` and Wasmscope run a 0.3 command.
    P3(wasmtime_wasi::p3::bindings::CommandPre<StockHost>),
}

impl StockComponent {
    fn new(bytes: &[u8], wasi: Wasi) -> StockComponent {
        let mut config = Config::new();
        config.wasm_component_model_async(true);
        let engine = Engine::new(&config).unwrap();
        let component = wasmtime::component::Component::new(&engine, bytes).unwrap();
        let mut linker = wasmtime::component::Linker::new(&engine);
        let pre = match wasi {
            Wasi::P2 => {
                wasmtime_wasi::p2::add_to_linker_async(&mut linker).unwrap();
                StockPre::P2(
                    wasmtime_wasi::p2::bindings::CommandPre::new(linker.instantiate_pre(&component).unwrap()).unwrap(),
                )
            }
            Wasi::P3 => {
                wasmtime_wasi::p3::add_to_linker(&mut linker).unwrap();
                StockPre::P3(
                    wasmtime_wasi::p3::bindings::CommandPre::new(linker.instantiate_pre(&component).unwrap()).unwrap(),
                )
            }
        };
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        StockComponent { engine, pre, runtime }
    }

    /// The time `wasi:cli/run` took (instantiation not included).
    fn run(&self) -> Duration {
        self.runtime.block_on(async {
            let host = StockHost {
                wasi: wasmtime_wasi::WasiCtx::builder().build(),
                table: wasmtime::component::ResourceTable::new(),
            };
            let mut store = Store::new(&self.engine, host);
            match &self.pre {
                StockPre::P2(pre) => {
                    let command = pre.instantiate_async(&mut store).await.unwrap();
                    let began = Instant::now();
                    command.wasi_cli_run().call_run(&mut store).await.unwrap().unwrap();
                    began.elapsed()
                }
                StockPre::P3(pre) => {
                    let command = pre.instantiate_async(&mut store).await.unwrap();
                    let began = Instant::now();
                    let ran = store.run_concurrent(async move |store| command.wasi_cli_run().call_run(store).await);
                    ran.await.unwrap().unwrap().unwrap();
                    began.elapsed()
                }
            }
        })
    }
}

/// Makes a loop component of so many calls.
type MakeLoop = fn(u32) -> Vec<u8>;

/// Which WASI release a loop is written against.
#[derive(Clone, Copy)]
enum Wasi {
    P2,
    P3,
}

/// A component through `Runtime::start`, output discarded: the guest's run
/// time (the whole run minus compilation and instantiation). The events are
/// counted as they arrive, not kept.
fn wasmscope_component_run(
    runtime: &Runtime,
    module: &runtime_worker::LoadedModule,
    record: bool,
    calls: u32,
) -> Duration {
    let mut profile = SandboxProfile::default();
    profile.limits.max_output_bytes = Some(0);
    let mut request = RunRequest::new(module.clone(), profile, Entry::Start);
    request.record_calls = record;
    let handle = runtime.start(request);
    let (mut host_calls, mut phases, mut first_call) = (0u32, [0u64; 4], false);
    // Every call is kept in memory until the run is over, as the window
    // keeps them: here in the batches they came in (what the window does
    // with each is its own thread's work, not the run's).
    let mut kept = Vec::new();
    'run: while let Ok(batch) = handle.events().recv() {
        let mut finished = false;
        for event in &batch.events {
            match event {
                WorkerEvent::HostCall(_) => host_calls += 1,
                WorkerEvent::Phase(t) => {
                    first_call |= t.phase == Phase::FirstCall;
                    let i = [Phase::Compile, Phase::Instantiate, Phase::FirstCall, Phase::Total]
                        .iter()
                        .position(|p| *p == t.phase)
                        .unwrap();
                    phases[i] = t.nanos;
                }
                WorkerEvent::Finished(outcome) => {
                    assert_eq!(*outcome, RunOutcome::Exited { code: 0 });
                    finished = true;
                }
                _ => {}
            }
        }
        kept.push(batch.events);
        if finished {
            break 'run;
        }
    }
    // Waits until the worker has let go of the run.
    handle.wait();
    assert!(first_call, "the first host call is timed, recorded or not");
    // Recorded: the loop's calls and the one before it (`get-stdout`, or a
    // first clock read in 0.3), and the stream's drop if the bindings trace it.
    if record {
        assert!((calls + 1..=calls + 2).contains(&host_calls), "{host_calls} host calls recorded for {calls}");
    } else {
        assert_eq!(host_calls, 0, "nothing is recorded");
    }
    Duration::from_nanos(phases[3].saturating_sub(phases[0] + phases[1]))
}

/// Per host call of a WASI 0.2 component: stock wasmtime-wasi, Wasmscope
/// without recording (`wasmscope run`), Wasmscope recording every call.
/// Each side runs the loop with `COMPONENT_CALLS` iterations and with none;
/// the difference, divided by the calls, is the figure.
fn component_calls(runtime: &Runtime) {
    // Fewer calls or repeats, one loop or one column, for a profiler
    // (`valgrind --tool=callgrind`, `perf record`):
    // WASMSCOPE_BENCH_COMPONENT_CALLS=20000 WASMSCOPE_BENCH_REPEATS=1
    // WASMSCOPE_BENCH_LOOP=write WASMSCOPE_BENCH_COLUMN=traced (the
    // other columns then read 0).
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<usize>().ok());
    let calls = env("WASMSCOPE_BENCH_COMPONENT_CALLS").map_or(COMPONENT_CALLS, |n| n as u32);
    let repeats = env("WASMSCOPE_BENCH_REPEATS").unwrap_or(REPEATS);
    println!(
        "\nComponent host calls, {calls} calls per run, per call: (loop − empty loop) / calls, \
         median of {repeats} interleaved runs"
    );
    println!(
        "{:<34} {:>10} {:>12} {:>10} {:>10} {:>8}",
        "call", "stock ns", "untraced ns", "traced ns", "untraced", "traced"
    );
    let loops: [(&str, Wasi, MakeLoop); 3] = [
        ("0.2 blocking-write-and-flush 16 B", Wasi::P2, |calls| component_loop(HostLoop::Write, calls)),
        ("0.2 monotonic-clock now", Wasi::P2, |calls| component_loop(HostLoop::Clock, calls)),
        ("0.3 monotonic-clock now", Wasi::P3, component_loop_p3_clock),
    ];
    // Only the loops whose name has this in it (for a profiler).
    let only = std::env::var("WASMSCOPE_BENCH_LOOP").unwrap_or_default();
    for (name, wasi, make) in loops.into_iter().filter(|(name, _, _)| name.contains(&only)) {
        let (full, empty) = (make(calls), make(0));
        let (stock_full, stock_empty) = (StockComponent::new(&full, wasi), StockComponent::new(&empty, wasi));
        let ours_full = load::load("component-loop.wasm", &full).unwrap();
        let ours_empty = load::load("component-loop-empty.wasm", &empty).unwrap();
        let mut samples: [Vec<f64>; 3] = Default::default();
        let per_call =
            |full: Duration, empty: Duration| full.saturating_sub(empty).as_nanos() as f64 / f64::from(calls);
        let column = std::env::var("WASMSCOPE_BENCH_COLUMN").unwrap_or_default();
        let wanted = |name: &str| column.is_empty() || column == name;
        for _ in 0..repeats {
            samples[0].push(if wanted("stock") { per_call(stock_full.run(), stock_empty.run()) } else { 0.0 });
            for (column, record) in [(1, false), (2, true)] {
                if !wanted(["", "untraced", "traced"][column]) {
                    samples[column].push(0.0);
                    continue;
                }
                let full = wasmscope_component_run(runtime, &ours_full, record, calls);
                let empty = wasmscope_component_run(runtime, &ours_empty, record, 0);
                samples[column].push(per_call(full, empty));
            }
        }
        let [stock, untraced, traced] = samples.map(|mut s| {
            s.sort_by(f64::total_cmp);
            s[s.len() / 2]
        });
        println!(
            "{name:<34} {stock:>10.1} {untraced:>12.1} {traced:>10.1} {:>9.2}x {:>7.2}x",
            untraced / stock,
            traced / stock
        );
    }
    println!("targets: untraced ≤ 1.1x stock; traced ≤ 1.5x (stream write), ≤ 3x (clock read)");
}

/// P1 and P2: start-up of `samples/hello.wat` through the traced run path,
/// beside raw wasmtime doing the same, interleaved.
fn startup(runtime: &Runtime) {
    const RUNS: usize = 2000;
    let wat = include_bytes!("../../samples/hello.wat");
    let hello = load::load("hello.wat", wat).unwrap();
    // Raw wasmtime with the pooling allocator, on this thread.
    let mut config = Config::new();
    config.allocation_strategy(InstanceAllocationStrategy::pooling());
    let raw = Raw::new(&config, wat);
    let (mut raw_instantiate, mut raw_through_start) = (Vec::new(), Vec::new());
    let mut phases: [Vec<Duration>; 4] = Default::default();
    let mut instantiate_and_first_call = Vec::new();
    let mut pooled = 0;
    for _ in 0..RUNS {
        let (instantiate, through_start) = raw.once();
        raw_instantiate.push(instantiate);
        raw_through_start.push(through_start);
        let events = runtime.start(RunRequest::new(hello.clone(), SandboxProfile::default(), Entry::Start)).wait();
        let mut run = [Duration::ZERO; 4];
        for event in events {
            if let WorkerEvent::Phase(t) = event {
                let i = [Phase::Compile, Phase::Instantiate, Phase::FirstCall, Phase::Total]
                    .iter()
                    .position(|p| *p == t.phase)
                    .unwrap();
                run[i] = Duration::from_nanos(t.nanos);
                pooled += usize::from(t.phase == Phase::Instantiate && t.cached);
            }
        }
        instantiate_and_first_call.push(run[1] + run[2]);
        for (samples, sample) in phases.iter_mut().zip(run) {
            samples.push(sample);
        }
    }
    let us = |d: Duration| d.as_nanos() as f64 / 1e3;
    println!("\nStart-up of samples/hello.wat, median of {RUNS} runs (compiled code cached after the first)");
    println!("{pooled} of {RUNS} runs took a pooled slot; raw wasmtime: pooling allocator, InstancePre, one thread");
    println!("{:<34} {:>10} {:>10} {:>8}", "", "raw µs", "traced µs", "ratio");
    let (raw_i, ours_i) = (median(raw_instantiate), median(phases[1].clone()));
    println!("{:<34} {:>10.2} {:>10.2} {:>7.2}x", "P1 instantiate", us(raw_i), us(ours_i), us(ours_i) / us(raw_i));
    println!(
        "{:<34} {:>10.2} {:>10.2}",
        "P1 instantiate + first call",
        us(median(raw_through_start)),
        us(median(instantiate_and_first_call))
    );
    println!("{:<34} {:>10} {:>10.2}", "P2 `_start` to first WASI call", "", us(median(phases[2].clone())));
    println!("{:<34} {:>10} {:>10.2}", "compile (a cache lookup)", "", us(median(phases[0].clone())));
    println!("{:<34} {:>10} {:>10.2}", "whole run (worker thread and all)", "", us(median(phases[3].clone())));
}

fn stop_latency(runtime: &Runtime) {
    const RUNS: usize = 10;
    println!("\nStop latency: request to Finished, median of {RUNS}");
    for sample in ["loop_forever.wat", "sleep.wat"] {
        let source = std::fs::read(format!("{}/../samples/{sample}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let module = load::load(sample, &source).unwrap();
        let mut latencies = Vec::new();
        for _ in 0..RUNS {
            let handle = runtime.start(RunRequest::new(module.clone(), SandboxProfile::default(), Entry::Start));
            'printed: loop {
                let batch = handle.events().recv().unwrap();
                if batch.events.iter().any(|e| matches!(e, WorkerEvent::Output { .. })) {
                    break 'printed;
                }
            }
            std::thread::sleep(Duration::from_millis(20));
            let asked = Instant::now();
            handle.stop();
            let events = handle.wait();
            latencies.push(asked.elapsed());
            assert!(matches!(events.last(), Some(WorkerEvent::Finished(RunOutcome::Stopped))));
        }
        println!("{sample:<16} {:>12.3} ms", median(latencies).as_secs_f64() * 1e3);
    }
}

/// A command module of about `megabytes` MB: thousands of functions, each a
/// long run of arithmetic, and a `_start` that calls one of them.
fn large_command(megabytes: usize) -> (Vec<u8>, usize) {
    use wasm_encoder::{
        CodeSection, ExportKind, ExportSection, Function, FunctionSection, Instruction, MemorySection, MemoryType,
        Module as Encoded, TypeSection, ValType,
    };
    let count = megabytes * 1_000_000 / 1440; // about 1440 bytes of code per function
    let mut types = TypeSection::new();
    types.ty().function([ValType::I32], [ValType::I32]);
    types.ty().function([], []);
    let mut functions = FunctionSection::new();
    let mut code = CodeSection::new();
    for i in 0..count {
        functions.function(0);
        let mut f = Function::new([]);
        for k in 0..160u32 {
            f.instruction(&Instruction::LocalGet(0));
            f.instruction(&Instruction::I32Const((i as i32).wrapping_mul(31).wrapping_add(k as i32)));
            f.instruction(&Instruction::I32Add);
            f.instruction(&Instruction::LocalSet(0));
        }
        f.instruction(&Instruction::LocalGet(0));
        f.instruction(&Instruction::End);
        code.function(&f);
    }
    functions.function(1);
    let mut start = Function::new([]);
    start.instruction(&Instruction::I32Const(1));
    start.instruction(&Instruction::Call(0));
    start.instruction(&Instruction::Drop);
    start.instruction(&Instruction::End);
    code.function(&start);
    let mut memories = MemorySection::new();
    memories.memory(MemoryType { minimum: 1, maximum: None, memory64: false, shared: false, page_size_log2: None });
    let mut exports = ExportSection::new();
    exports.export("_start", ExportKind::Func, count as u32);
    exports.export("memory", ExportKind::Memory, 0);
    let mut module = Encoded::new();
    module.section(&types).section(&functions).section(&memories).section(&exports).section(&code);
    (module.finish(), count + 1)
}

fn compile_phase(runtime: &Runtime, module: &runtime_worker::LoadedModule) -> (Duration, bool) {
    let events = runtime.start(RunRequest::new(module.clone(), SandboxProfile::default(), Entry::Start)).wait();
    assert!(
        matches!(events.last(), Some(WorkerEvent::Finished(RunOutcome::Exited { code: 0 }))),
        "{:?}",
        events.last()
    );
    events
        .iter()
        .find_map(|e| match e {
            WorkerEvent::Phase(t) if t.phase == Phase::Compile => Some((Duration::from_nanos(t.nanos), t.cached)),
            _ => None,
        })
        .unwrap()
}

/// P5: open a large module, then open it again from a new runtime (a later
/// session), which finds it in the compiled-module cache on disk.
fn module_cache_reopen() {
    use runtime_worker::module_cache::{DEFAULT_CAP_BYTES, ModuleCache};
    const ROUNDS: usize = 3;
    let (bytes, functions) = large_command(10);
    let module = load::load("large.wasm", &bytes).unwrap();
    let (mut first, mut again, mut memory) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let dir = tempfile::tempdir().unwrap();
        let cache = || ModuleCache::new(dir.path(), DEFAULT_CAP_BYTES);
        let runtime = Runtime::with_module_cache(cache()).unwrap();
        let (cold, cached) = compile_phase(&runtime, &module);
        assert!(!cached);
        first.push(cold);
        let (warm, cached) = compile_phase(&runtime, &module);
        assert!(cached);
        memory.push(warm);
        let later = Runtime::with_module_cache(cache()).unwrap();
        let (from_disk, cached) = compile_phase(&later, &module);
        assert!(cached);
        again.push(from_disk);
    }
    let (first, again, memory) = (median(first), median(again), median(memory));
    println!("\nReopening a {:.1} MB module ({} functions), median of {ROUNDS}", bytes.len() as f64 / 1e6, functions);
    println!("{:<28} {:>12.1} ms", "first open (compile)", first.as_secs_f64() * 1e3);
    println!(
        "{:<28} {:>12.1} ms  {:>6.2} % of the first",
        "new session (disk cache)",
        again.as_secs_f64() * 1e3,
        again.as_secs_f64() / first.as_secs_f64() * 100.0
    );
    println!(
        "{:<28} {:>12.3} ms  {:>6.3} % of the first",
        "same session (memory)",
        memory.as_secs_f64() * 1e3,
        memory.as_secs_f64() / first.as_secs_f64() * 100.0
    );
}

/// P6: 10,000 instances of hello alive at once (pooling allocator, each
/// with its own locked-down WASI context), started from one thread and from
/// one thread per core, in one run. Host memory is read from the first run
/// only: the second reuses heap pages the first freed, so its resident-set
/// delta would undercount.
fn density_figures() {
    let hello = load::load("hello.wat", include_bytes!("../../samples/hello.wat")).unwrap();
    let cores = runtime_worker::density::default_threads();
    let mut columns = vec![cores];
    if cores > 1 {
        columns.push(1);
    }
    let reports: Vec<_> = columns
        .iter()
        .map(|&threads| runtime_worker::density::start_on(hello.clone(), 10_000, threads).wait().unwrap())
        .collect();
    println!("\nDensity: {} instances of samples/hello.wat alive at once", reports[0].started);
    print!("{:<28}", "");
    for report in &reports {
        print!(" {:>16}", report.threads_text());
    }
    println!();
    let row = |label: &str, unit: &str, value: &dyn Fn(&runtime_worker::density::DensityReport) -> f64| {
        print!("{label:<28}");
        for report in &reports {
            print!(" {:>13.2} {unit:<2}", value(report));
        }
        println!();
    };
    row("all started in", "ms", &|r| r.total_ns as f64 / 1e6);
    row("per instance, median", "µs", &|r| r.median_ns as f64 / 1e3);
    row("per instance, p99", "µs", &|r| r.p99_ns as f64 / 1e3);
    match reports[0].host_bytes_per_instance {
        Some(bytes) => println!("{:<28} {:>13.2} KiB (first run only)", "host memory per instance", bytes / 1024.0),
        None => println!("{:<28} {:>16}", "host memory per instance", "n/a"),
    }
    row("teardown of all", "ms", &|r| r.teardown_ns as f64 / 1e6);
}

/// `cargo bench -p runtime-worker --bench engine [-- SECTION...]` runs the
/// sections named (`calls`, `component-calls`, `startup`, `stop`, `density`,
/// `cache`), or all.
fn main() {
    let asked: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let wanted = |section: &str| asked.is_empty() || asked.iter().any(|a| a == section);
    let runtime = Runtime::new().unwrap();
    if wanted("calls") {
        per_call_overhead(&runtime);
    }
    if wanted("component-calls") {
        component_calls(&runtime);
    }
    if wanted("startup") {
        startup(&runtime);
    }
    if wanted("stop") {
        stop_latency(&runtime);
    }
    if wanted("density") {
        density_figures();
    }
    if wanted("cache") {
        module_cache_reopen();
    }
}
