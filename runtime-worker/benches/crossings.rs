//! What a traced call from one inner component to another costs, against
//! the same call in the composed (fused) file.
//!
//! A composed command written in WAT (two inner components, wired as `wac
//! plug` wires them): the client calls the provider's
//! `test:bench/adder#add(a: u32, b: u32) -> u32` in a loop. Three sides,
//! interleaved, each run with `CROSSINGS` calls and with none (the
//! difference over the calls is the figure, start-up cancelled out):
//! - stock wasmtime: the composed file instantiated and its `run` called,
//!   the call between the parts fused by wasmtime's component linking;
//! - Wasmscope untraced (`wasmscope run` without `--trace`): the composed
//!   file runs whole, as under wasmtime;
//! - Wasmscope traced: part by part (the glass box), each call a host
//!   function that calls the provider and records the crossing with its
//!   WAVE arguments and result; the bench checks every crossing arrived.
//!
//! `cargo bench -p runtime-worker --bench crossings`;
//! `WASMSCOPE_BENCH_CROSSINGS` and `WASMSCOPE_BENCH_REPEATS` change the
//! counts.

use std::time::{Duration, Instant};

use runtime_worker::inspect::load;
use runtime_worker::{Entry, LoadedModule, Phase, RunOutcome, RunRequest, Runtime, SandboxProfile, WorkerEvent};
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};

/// A composed command whose client calls the provider's `add` `calls` times.
fn composed(calls: u32) -> String {
    format!(
        r#"(component
  (component $provider
    (core module $m (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
    (core instance $i (instantiate $m))
    (func $add (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "add")))
    (instance $adder (export "add" (func $add)))
    (export "test:bench/adder" (instance $adder)))
  (component $client
    (import "test:bench/adder" (instance $adder (export "add" (func (param "a" u32) (param "b" u32) (result u32)))))
    (core func $add (canon lower (func $adder "add")))
    (core module $m
      (import "adder" "add" (func $add (param i32 i32) (result i32)))
      (func (export "run") (result i32)
        (local $n i32) (local $acc i32)
        (block $done
          (br_if $done (i32.eqz (i32.const {calls})))
          (loop $l
            (local.set $acc (call $add (local.get $acc) (i32.const 1)))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $n) (i32.const {calls})))))
        i32.const 0))
    (core instance $ci (instantiate $m (with "adder" (instance (export "add" (func $add))))))
    (func $run (result (result)) (canon lift (core func $ci "run")))
    (instance $r (export "run" (func $run)))
    (export "wasi:cli/run@0.2.0" (instance $r)))
  (instance $p (instantiate $provider))
  (instance $c (instantiate $client (with "test:bench/adder" (instance $p "test:bench/adder"))))
  (export "wasi:cli/run@0.2.0" (instance $c "wasi:cli/run@0.2.0")))"#
    )
}

/// Stock wasmtime: the composed file, its `run` called on a fresh instance.
struct Stock {
    engine: Engine,
    component: Component,
}

impl Stock {
    fn new(wat: &str) -> Stock {
        let engine = Engine::default();
        let component = Component::new(&engine, wat).unwrap();
        Stock { engine, component }
    }

    /// The time of `run` alone.
    fn run(&self) -> Duration {
        let mut store = Store::new(&self.engine, ());
        let linker = Linker::new(&self.engine);
        let instance = linker.instantiate(&mut store, &self.component).unwrap();
        let interface = instance.get_export_index(&mut store, None, "wasi:cli/run@0.2.0").unwrap();
        let index = instance.get_export_index(&mut store, Some(&interface), "run").unwrap();
        let run = instance.get_typed_func::<(), (Result<(), ()>,)>(&mut store, index).unwrap();
        let began = Instant::now();
        let (result,) = run.call(&mut store, ()).unwrap();
        let took = began.elapsed();
        assert_eq!(result, Ok(()));
        took
    }
}

/// Wasmscope: the guest's run time (the whole run minus compilation and
/// instantiation), and the crossings recorded.
fn wasmscope(runtime: &Runtime, module: &LoadedModule, record: bool) -> (Duration, u32) {
    let mut request = RunRequest::new(module.clone(), SandboxProfile::default(), Entry::Start);
    request.record_calls = record;
    let handle = runtime.start(request);
    let (mut crossings, mut phases) = (0u32, [0u64; 3]);
    'run: while let Ok(batch) = handle.events().recv() {
        for event in batch.events {
            match event {
                WorkerEvent::HostCall(call) if call.callee.is_some() => crossings += 1,
                WorkerEvent::Phase(t) => match t.phase {
                    Phase::Compile => phases[0] = t.nanos,
                    Phase::Instantiate => phases[1] = t.nanos,
                    Phase::Total => phases[2] = t.nanos,
                    Phase::FirstCall => {}
                },
                WorkerEvent::Finished(outcome) => {
                    assert_eq!(outcome, RunOutcome::Exited { code: 0 });
                    break 'run;
                }
                _ => {}
            }
        }
    }
    handle.wait();
    (Duration::from_nanos(phases[2].saturating_sub(phases[0] + phases[1])), crossings)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn env(name: &str) -> Option<u32> {
    std::env::var(name).ok()?.parse().ok()
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not used here.
    let calls = env("WASMSCOPE_BENCH_CROSSINGS").unwrap_or(100_000);
    let repeats = env("WASMSCOPE_BENCH_REPEATS").unwrap_or(7) as usize;
    let runtime = Runtime::new().unwrap();
    let (many, none) = (composed(calls), composed(0));
    let stock = (Stock::new(&many), Stock::new(&none));
    let module = |wat: &str| load::load("crossings.wat", wat.as_bytes()).unwrap();
    let ours = (module(&many), module(&none));
    // Warm up: compile once (the cache keeps it), fault the code in.
    for record in [false, true] {
        wasmscope(&runtime, &ours.0, record);
        wasmscope(&runtime, &ours.1, record);
    }
    stock.0.run();

    let mut samples: [Vec<Duration>; 3] = Default::default();
    for _ in 0..repeats {
        samples[0].push(stock.0.run().saturating_sub(stock.1.run()));
        let (untraced, _) = wasmscope(&runtime, &ours.0, false);
        samples[1].push(untraced.saturating_sub(wasmscope(&runtime, &ours.1, false).0));
        let (traced, crossings) = wasmscope(&runtime, &ours.0, true);
        assert_eq!(crossings, calls, "every crossing is recorded");
        samples[2].push(traced.saturating_sub(wasmscope(&runtime, &ours.1, true).0));
    }
    let per_call = |samples: &Vec<Duration>| median(samples.clone()).as_nanos() as f64 / f64::from(calls);
    let [stock_ns, untraced_ns, traced_ns] = [per_call(&samples[0]), per_call(&samples[1]), per_call(&samples[2])];
    println!("\nA call between two inner components, {calls} calls per run, median of {repeats} interleaved runs");
    println!("{:<58} {:>10} {:>8}", "", "per call", "ratio");
    println!("{:<58} {:>8.1} ns {:>8}", "stock wasmtime, composed file (fused)", stock_ns, "1.00×");
    println!(
        "{:<58} {:>8.1} ns {:>7.2}×",
        "Wasmscope untraced, composed file (fused)",
        untraced_ns,
        untraced_ns / stock_ns
    );
    println!(
        "{:<58} {:>8.1} ns {:>7.0}×",
        "Wasmscope traced, part by part (each crossing recorded)",
        traced_ns,
        traced_ns / stock_ns
    );
}
