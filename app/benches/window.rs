//! The window with a million calls: how fast calls are taken in, how much
//! memory each costs, and how long a frame takes while the table scrolls and
//! filters. Frames are egui passes driven by egui_kittest (layout, our panel
//! code and tessellation inputs; GPU painting of a virtualised table is
//! small and not included).
//!
//! `cargo bench -p wasmscope --bench window` prints a table.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use runtime_worker::{Entry, RunRequest, Runtime, SandboxProfile, WorkerEvent, load};
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

fn main() {
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
    let mut filtering = Vec::new();
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
}
