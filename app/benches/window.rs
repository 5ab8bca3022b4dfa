//! The window with a million calls: how fast calls are taken in, how much
//! memory each costs, and how long a frame takes while the table scrolls and
//! filters. Frames are egui passes driven by egui_kittest (layout, our panel
//! code and tessellation inputs; GPU painting of a virtualised table is
//! small and not included).
//!
//! `cargo bench -p wasmscope --bench window` prints a table.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use runtime_worker::inspect::load;
use runtime_worker::{Entry, RunRequest, Runtime, SandboxProfile, WorkerEvent};
use wasmscope::gui::WasmscopeApp;
use wasmscope::gui::app::State;
use wasmscope::model::run_record::RunRecord;

fn million_call_events() -> Vec<WorkerEvent> {
    let source = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../samples/many_calls.wat")).unwrap();
    let module = load::load("many_calls.wat", &source).unwrap();
    let runtime = Runtime::new().unwrap();
    runtime.start(RunRequest::new(module, SandboxProfile::default(), Entry::Start)).wait()
}

fn stats(mut frames: Vec<Duration>) -> String {
    if frames.is_empty() {
        return "no frames".to_string();
    }
    frames.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let p99 = frames[(frames.len() * 99 / 100).min(frames.len() - 1)];
    format!(
        "median {:>6.2} ms   p99 {:>6.2} ms   max {:>6.2} ms",
        ms(frames[frames.len() / 2]),
        ms(p99),
        ms(*frames.last().unwrap())
    )
}

fn frames(
    harness: &mut Harness<'static, WasmscopeApp>,
    n: usize,
    mut before: impl FnMut(&mut Harness<'static, WasmscopeApp>, usize),
) -> Vec<Duration> {
    (0..n)
        .map(|i| {
            before(harness, i);
            let started = Instant::now();
            harness.step();
            started.elapsed()
        })
        .collect()
}

/// A module of about `megabytes` MB: tens of thousands of functions, each a
/// long run of arithmetic.
fn large_module(megabytes: usize) -> Vec<u8> {
    use wasm_encoder::{CodeSection, Function, FunctionSection, Instruction, Module, TypeSection, ValType};
    let body_instructions = 160; // about 790 bytes of code per function
    let count = megabytes * 1_000_000 / 790;
    let mut types = TypeSection::new();
    types.ty().function([ValType::I32], [ValType::I32]);
    let mut functions = FunctionSection::new();
    let mut code = CodeSection::new();
    for i in 0..count {
        functions.function(0);
        let mut f = Function::new([]);
        f.instruction(&Instruction::LocalGet(0));
        for k in 0..body_instructions {
            f.instruction(&Instruction::I32Const((i * 31 + k) as i32 % 100_000));
            f.instruction(&Instruction::I32Add);
        }
        f.instruction(&Instruction::End);
        code.function(&f);
    }
    let mut module = Module::new();
    module.section(&types).section(&functions).section(&code);
    module.finish()
}

/// Opening a large module and listing it: the window keeps drawing.
fn large_module_frames() {
    let bytes = large_module(20);
    let dir = std::env::temp_dir().join("wasmscope-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("large.wasm");
    std::fs::write(&path, &bytes).unwrap();
    println!("\nA {:.1} MB module", bytes.len() as f64 / 1e6);

    let mut harness = Harness::builder()
        .with_size([1400.0, 900.0])
        .with_max_steps(1_000_000)
        .build_eframe(|_cc| WasmscopeApp::with_state(State::default(), None));
    harness.state_mut().open_path(path);
    let started = Instant::now();
    let mut loading = Vec::new();
    while harness.state().session.is_loading() {
        loading.extend(frames(&mut harness, 1, |_, _| std::thread::sleep(Duration::from_millis(5))));
    }
    println!(
        "frame, loading   {}   (loaded and inspected in {:.2} s)",
        stats(loading),
        started.elapsed().as_secs_f64()
    );

    harness.state_mut().state.tab = wasmscope::gui::app::Tab::Disassembly;
    let started = Instant::now();
    let mut listing = frames(&mut harness, 1, |_, _| {});
    while harness.state().session.is_disassembling() {
        listing.extend(frames(&mut harness, 1, |_, _| std::thread::sleep(Duration::from_millis(5))));
    }
    let took = started.elapsed();
    let shown = frames(&mut harness, 30, |_, _| {});
    println!("frame, listing   {}   (listed in {:.2} s)", stats(listing), took.as_secs_f64());
    println!("frame, listed    {}", stats(shown));
}

/// Frames while a runaway guest runs (for two seconds), and the time Stop
/// takes to show as stopped.
fn runaway_frames() {
    println!("\nWhile a runaway guest runs (2 s each)");
    for sample in ["loop_forever.wat", "many_calls.wat", "sleep.wat"] {
        let mut harness = Harness::builder()
            .with_size([1400.0, 900.0])
            .with_max_steps(1_000_000)
            .build_eframe(|_cc| WasmscopeApp::with_state(State::default(), None));
        let found = wasmscope::samples::by_file(sample).unwrap();
        harness.state_mut().open_sample(found, true);
        harness.state_mut().run();
        let started = Instant::now();
        let mut running = Vec::new();
        while started.elapsed() < Duration::from_secs(2) {
            running.extend(frames(&mut harness, 1, |_, _| std::thread::sleep(Duration::from_millis(4))));
        }
        let end = if harness.state().session.is_running() {
            harness.state_mut().stop();
            let asked = Instant::now();
            while harness.state().session.is_running() {
                harness.step();
            }
            format!("stopped in {:.1} ms", asked.elapsed().as_secs_f64() * 1e3)
        } else {
            "had ended by itself".to_string()
        };
        println!("frame, {sample:<16} {}   ({end})", stats(running));
    }
}

fn main() {
    // The window's runtime caches compiled modules; keep this run's out of
    // the user's cache (and the user's out of these figures).
    let cache = tempfile::tempdir().unwrap();
    // SAFETY: set before any thread starts.
    unsafe { std::env::set_var("XDG_CACHE_HOME", cache.path()) };
    let events = million_call_events();
    let calls = events.iter().filter(|e| matches!(e, WorkerEvent::Call(_))).count();

    // Ingest: what `Session::pump` does with each event.
    let mut record = RunRecord::new(1, 1, "many_calls.wat", [0; 32], SandboxProfile::default());
    let started = Instant::now();
    for event in events {
        record.ingest(event);
    }
    let ingest = started.elapsed();
    println!("\nThe window with {calls} calls");
    println!("ingest           {:>8.2} M calls/s", calls as f64 / ingest.as_secs_f64() / 1e6);
    println!("stored           {:>8.1} bytes per call", record.calls.bytes_per_call());

    let mut harness = Harness::builder()
        .with_size([1400.0, 900.0])
        .with_max_steps(1_000_000)
        .build_eframe(|_cc| WasmscopeApp::with_state(State::default(), None));
    harness.state_mut().session.runs.push(record);
    harness.step();

    let idle = frames(&mut harness, 60, |_, _| {});
    println!("frame, idle      {}", stats(idle));

    // Scroll through the table: the mouse over it, the wheel turning.
    harness.state_mut().state.follow = false;
    harness.hover_at(egui::pos2(600.0, 400.0));
    let scrolling = frames(&mut harness, 120, |h, i| {
        let delta = if i < 60 { -2_000.0 } else { 2_000.0 };
        h.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, delta),
            modifiers: egui::Modifiers::NONE,
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
        });
    });
    println!("frame, scrolling {}", stats(scrolling));

    // Filter by text: the scan of a million rows spreads over frames.
    harness.state_mut().state.filter.text = "no call has this text".into();
    let started = Instant::now();
    // The first frame takes the new filter in; each frame scans for a while.
    let mut filtering = frames(&mut harness, 1, |_, _| {});
    while harness.state().calls.filter_progress(&harness.state().session) < 1.0 {
        filtering.extend(frames(&mut harness, 1, |_, _| {}));
    }
    println!(
        "frame, filtering {}   ({} frames, {:.2} s to scan all)",
        stats(filtering.clone()),
        filtering.len(),
        started.elapsed().as_secs_f64()
    );
    harness.state_mut().state.filter.text = "clock".into();
    let filtered = frames(&mut harness, 60, |_, _| {});
    println!("frame, filtered  {}", stats(filtered));

    runaway_frames();
    large_module_frames();
}
