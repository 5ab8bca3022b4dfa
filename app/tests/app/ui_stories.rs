//! The window, used the way a person uses it: open, toggle, run, look.
//! Each test is one user story, driven through egui_kittest.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Once};
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use wasmscope::gui::WasmscopeApp;
use wasmscope::gui::app::{State, Tab};

/// Keeps the tests' sample data (and anything a guest writes into it) out
/// of the user's own data directory.
fn isolate_data_dir() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // A fixed place, so that snapshots show the same path every time.
        let dir = std::env::temp_dir().join("wasmscope-ui-tests");
        // SAFETY: set once, before any test reads it (every test calls this first).
        unsafe { std::env::set_var("XDG_DATA_HOME", dir) };
        // The compiled-module cache too; a fresh one each time, so a test
        // that looks at compile timings sees a cold compile first.
        let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ui-stories-cache");
        let _ = std::fs::remove_dir_all(&cache);
        // SAFETY: as above.
        unsafe { std::env::set_var("XDG_CACHE_HOME", cache) };
    });
}

pub(crate) fn app() -> Harness<'static, WasmscopeApp> {
    app_sized(900.0)
}

/// A taller window shows the whole samples gallery, the component samples
/// at its end included.
pub(crate) fn tall_app() -> Harness<'static, WasmscopeApp> {
    app_sized(1560.0)
}

fn app_sized(height: f32) -> Harness<'static, WasmscopeApp> {
    isolate_data_dir();
    Harness::builder().with_size([1400.0, height]).build_eframe(|_cc| WasmscopeApp::with_state(State::default(), None))
}

fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples")
}

/// Steps the window until `done` says so (the worker runs on its own
/// thread, so this is real time), failing after a generous bound: on two
/// cores, a run can wait behind another test's CPython compile (20 s was
/// seen to run out).
pub(crate) fn step_until(
    harness: &mut Harness<'static, WasmscopeApp>,
    what: &str,
    done: impl Fn(&WasmscopeApp) -> bool,
) {
    step_within(harness, Duration::from_secs(90), what, done);
}

pub(crate) fn step_within(
    harness: &mut Harness<'static, WasmscopeApp>,
    limit: Duration,
    what: &str,
    done: impl Fn(&WasmscopeApp) -> bool,
) {
    let started = Instant::now();
    while !done(harness.state()) {
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        harness.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    harness.step();
}

/// Lets a click or key press take effect (press and release are separate
/// frames) and the window redraw.
pub(crate) fn settle(harness: &mut Harness<'static, WasmscopeApp>) {
    for _ in 0..3 {
        harness.step();
    }
}

pub(crate) fn finish_run(harness: &mut Harness<'static, WasmscopeApp>) {
    step_until(harness, "the run to finish", |app| !app.session.is_running());
}

pub(crate) fn click_run(harness: &mut Harness<'static, WasmscopeApp>) {
    harness.get_by_role_and_label(Role::Button, "Run").click();
    settle(harness);
    finish_run(harness);
}

pub(crate) fn open_sample(harness: &mut Harness<'static, WasmscopeApp>, title: &str) {
    harness.get_by_label(title).click();
    settle(harness);
}

/// Tabs are titled by name, with a count once there is something to count.
pub(crate) fn show_tab(harness: &mut Harness<'static, WasmscopeApp>, tab: &str) {
    match harness.query_by_label(tab) {
        Some(node) => node.click(),
        None => harness.get_by_label_contains(&format!("{tab} (")).click(),
    }
    settle(harness);
}

#[derive(Debug)]
struct DroppedPath(PathBuf);

impl egui::DroppedFile for DroppedPath {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

pub(crate) fn drop_file(harness: &mut Harness<'static, WasmscopeApp>, path: PathBuf) {
    harness.input_mut().dropped_files.push(Arc::new(DroppedPath(path)));
    harness.step();
    step_until(harness, "the module to load", |app| !app.session.is_loading());
}

#[test]
fn open_sample_run_and_see_output() {
    let mut harness = app();
    // The window opens with a sample loaded and ready.
    harness.get_by_label("read_file.wat");
    harness.key_press(egui::Key::F5);
    settle(&mut harness);
    assert!(harness.state().session.current_run().is_some(), "F5 started a run");
    finish_run(&mut harness);
    show_tab(&mut harness, "Console");
    harness.get_by_label("read: Hello from the host filesystem!");
    harness.get_by_label("exited with 0");
}

#[test]
fn deny_a_write_see_the_denied_path_open_then_grant_it_and_succeed() {
    let mut harness = app();
    open_sample(&mut harness, "Write to a read-only mount");
    click_run(&mut harness);
    // The denied call stands out, with its path as text and its reason.
    harness.get_by_label("⛔ perm");
    assert!(harness.query_all_by_label_contains("path=\"out.txt\"").next().is_some());
    // The first denial is opened by itself, with the reason in words.
    harness.get_by_label("/data is mounted read-only: path_open needs write access");
    // Clicking the call in the table (above its details) closes them,
    // clicking again opens them.
    let in_table = harness.query_all_by_label("path_open").min_by(|a, b| a.rect().top().total_cmp(&b.rect().top()));
    in_table.unwrap().click();
    settle(&mut harness);
    assert!(harness.state().calls.selected().is_none());
    harness.get_by_label("path_open").click();
    settle(&mut harness);
    assert!(harness.state().calls.selected().is_some());

    // Grant write access and run again: the same call succeeds.
    harness.get_by_label("read-only").click();
    settle(&mut harness);
    click_run(&mut harness);
    assert!(harness.query_by_label("⛔ perm").is_none());
    show_tab(&mut harness, "Console");
    harness.get_by_label("wrote out.txt");
    harness.get_by_label("exited with 0");
}

#[test]
fn an_escape_is_denied_and_explained() {
    let mut harness = app();
    open_sample(&mut harness, "Try to escape the mount");
    click_run(&mut harness);
    assert_eq!(harness.query_all_by_label("⛔ perm").count(), 2);
    harness.get_by_label("⛔ 2 denied");
}

#[test]
fn stop_a_looping_guest_and_the_window_responds() {
    let mut harness = app();
    open_sample(&mut harness, "Loop forever");
    harness.get_by_role_and_label(Role::Button, "Run").click();
    settle(&mut harness);
    step_until(&mut harness, "the guest to print", |app| {
        app.session.current_run().is_some_and(|r| !r.console.lines().is_empty())
    });
    // The guest spins; the window keeps drawing frames.
    for _ in 0..10 {
        let frame = Instant::now();
        harness.step();
        assert!(frame.elapsed() < Duration::from_secs(1), "a frame took {:?}", frame.elapsed());
    }
    assert!(harness.state().session.is_running());
    harness.get_by_role_and_label(Role::Button, "Stop").click();
    settle(&mut harness);
    finish_run(&mut harness);
    show_tab(&mut harness, "Console");
    harness.get_by_label("stopped");
}

#[test]
fn a_broken_file_shows_an_error_and_keeps_the_module() {
    let mut harness = app();
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.wasm");
    std::fs::write(&broken, b"\0asm\x01\0\0\0\x01\xff\xff").unwrap();
    drop_file(&mut harness, broken);
    assert!(harness.query_all_by_label_contains("cannot open").next().is_some());
    assert!(harness.query_by_label_contains("invalid module at offset").is_some());
    // The module from before is still there, ready to run.
    harness.get_by_label("read_file.wat");

    let picture = dir.path().join("picture.wasm");
    std::fs::write(&picture, b"\x89PNG\r\n\x1a\nrest").unwrap();
    drop_file(&mut harness, picture);
    harness.get_by_label_contains("this is a PNG image, not WebAssembly");
}

#[test]
fn drop_a_module_to_open_it() {
    let mut harness = app();
    drop_file(&mut harness, samples_dir().join("hello.wat"));
    assert_eq!(harness.state().session.module.as_ref().unwrap().module.name, "hello.wat");
    harness.get_by_role_and_label(Role::Label, "hello.wat");
    click_run(&mut harness);
    show_tab(&mut harness, "Console");
    harness.get_by_label("Hello, WASI!");
}

#[test]
fn deny_clocks_and_see_notcapable() {
    let mut harness = app();
    open_sample(&mut harness, "Tell the time");
    harness.get_by_label("Denied").click();
    settle(&mut harness);
    click_run(&mut harness);
    harness.get_by_label("⛔ notcapable");
    show_tab(&mut harness, "Console");
    harness.get_by_label("clock denied: errno 76");
}

#[test]
fn filter_calls_by_text() {
    let mut harness = app();
    open_sample(&mut harness, "A tour of the filesystem calls");
    click_run(&mut harness);
    let total = harness.state().session.current_run().unwrap().calls.len();
    harness.get_by_label("Search calls").click();
    settle(&mut harness);
    harness.get_by_label("Search calls").type_text("renamed");
    harness.step();
    harness.step();
    let label = format!("2 of {total} calls");
    harness.get_by_label(&label);
}

#[test]
fn a_reactor_export_is_called_with_arguments() {
    let mut harness = app();
    open_sample(&mut harness, "Call a reactor's exports");
    click_run(&mut harness);
    show_tab(&mut harness, "Console");
    harness.get_by_label("returned 105");
}

#[test]
fn the_memory_tab_shows_growth_refused_at_the_cap() {
    let mut harness = app();
    open_sample(&mut harness, "Grow memory until the cap");
    click_run(&mut harness);
    show_tab(&mut harness, "Memory");
    harness.get_by_label_contains("growth(s) refused");
    harness.get_by_label_contains("cap 16.0 MiB");
}

#[test]
fn summary_and_timings_describe_the_run() {
    let mut harness = app();
    open_sample(&mut harness, "Hello, WASI");
    click_run(&mut harness);
    click_run(&mut harness);
    show_tab(&mut harness, "Summary");
    harness.get_by_label("fd_write");
    show_tab(&mut harness, "Timings");
    harness.get_by_role_and_label(Role::Label, "compile (cached)");
    harness.get_by_role_and_label(Role::Label, "instantiate (pooled)");
}

#[test]
fn ctrl_page_down_and_up_move_between_tabs() {
    let mut harness = app();
    show_tab(&mut harness, "Calls");
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::PageDown);
    harness.run();
    assert_eq!(harness.state().state.tab, Tab::Why);
    // From the first tab, back wraps around to the last.
    show_tab(&mut harness, "Inspector");
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::PageUp);
    harness.run();
    assert_eq!(harness.state().state.tab, Tab::Call);
}

#[test]
fn ctrl_plus_zooms_for_a_projector() {
    let mut harness = app();
    let before = harness.ctx.zoom_factor();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Plus);
    harness.step();
    harness.step();
    assert!(harness.ctx.zoom_factor() > before);
    assert!(harness.state().state.zoom > before, "the zoom is remembered for the next start");
}

/// A real run of `module` through the engine, its times replaced by fixed
/// ones so that pictures of it are the same every time.
pub(crate) fn steady_run(
    module: &str,
    profile: runtime_worker::SandboxProfile,
    number: usize,
) -> wasmscope::model::run_record::RunRecord {
    use runtime_worker::RunRequest;
    let loaded = runtime_worker::inspect::load::load_file(&samples_dir().join(module)).unwrap();
    let loaded_sha = loaded.sha256;
    let component = loaded.kind == runtime_worker::ModuleKind::Component;
    let runtime = runtime_worker::Runtime::new().unwrap();
    let events = runtime.start(RunRequest::new(loaded, profile.clone(), runtime_worker::Entry::Start)).wait();
    let mut record = wasmscope::model::run_record::RunRecord::new(number as u64, number, module, loaded_sha, profile);
    record.component = component;
    ingest_steadily(&mut record, events);
    record
}

/// Takes in a run's events with fixed times (each event 250 µs after the
/// one before, fixed phase timings), so that a picture of it is the same
/// every time. A component's host calls keep how they nest (a crossing
/// into another part holds the calls made inside it): each start and end
/// becomes its rank among them all, 10 µs apart.
pub(crate) fn ingest_steadily(
    record: &mut wasmscope::model::run_record::RunRecord,
    mut events: Vec<runtime_worker::WorkerEvent>,
) {
    use runtime_worker::WorkerEvent;
    steady_host_call_times(&mut events);
    for (i, mut event) in events.into_iter().enumerate() {
        let t = i as u64 * 250_000;
        match &mut event {
            WorkerEvent::Call(call) => {
                call.start_ns = t;
                call.dur_ns = 1_000 + 100 * call.seq;
            }
            WorkerEvent::Phase(timing) => {
                timing.nanos = match timing.phase {
                    runtime_worker::Phase::Compile => 4_200_000,
                    runtime_worker::Phase::Instantiate => 85_000,
                    runtime_worker::Phase::FirstCall => 52_000,
                    runtime_worker::Phase::Total => 5_600_000,
                };
            }
            WorkerEvent::Memory(memory) => memory.at_ns = t,
            _ => {}
        }
        record.ingest(event);
    }
}

/// Each host call's start and end replaced by its rank among all of them
/// (10 µs a step): the order of every start and end is kept, so nesting is,
/// and nothing else of the real times is. Equal times keep their true
/// order: an end before a start, the outer call's start first and its end
/// last.
fn steady_host_call_times(events: &mut [runtime_worker::WorkerEvent]) {
    use runtime_worker::WorkerEvent;
    let mut edges = Vec::new();
    for (i, event) in events.iter().enumerate() {
        if let WorkerEvent::HostCall(call) = event {
            let dur = call.dur_ns as i128;
            edges.push(((call.start_ns, 1u8, -dur), i, true));
            edges.push(((call.start_ns + call.dur_ns, 0u8, dur), i, false));
        }
    }
    edges.sort_by_key(|(key, i, _)| (*key, *i));
    let mut starts = std::collections::HashMap::new();
    for (rank, (_, i, start)) in edges.iter().enumerate() {
        let at = rank as u64 * 10_000;
        let WorkerEvent::HostCall(call) = &mut events[*i] else { unreachable!() };
        if *start {
            starts.insert(*i, at);
            call.start_ns = at;
        } else {
            call.dur_ns = at - starts[i];
        }
    }
}

/// One picture per tab of a run with denials, compared with the committed
/// snapshots (`UPDATE_SNAPSHOTS=1 cargo test -p wasmscope --test app ui_stories`
/// rewrites them).
#[test]
fn every_tab_renders_as_in_its_snapshot() {
    let mut harness = app();
    open_sample(&mut harness, "Write to a read-only mount");
    // A run that could write, then one that could not: the Compare tab has
    // something to show, and the Why? tab explains the second.
    let read_only = harness.state().state.profile.clone();
    let mut writable = read_only.clone();
    writable.mounts[0].host = std::env::temp_dir().join("wasmscope-ui-tests-writable");
    std::fs::create_dir_all(&writable.mounts[0].host).unwrap();
    writable.mounts[0].read_only = false;
    let first = steady_run("readonly_write.wat", writable, 1);
    let second = steady_run("readonly_write.wat", read_only, 2);
    harness.state_mut().session.runs.extend([first, second]);
    settle(&mut harness);
    let mut results = Vec::new();
    for tab in ["Inspector", "Disassembly", "Calls", "Why?", "Summary", "Memory", "Timings", "Console", "Compare"] {
        show_tab(&mut harness, tab);
        step_until(&mut harness, "the listing", |app| !app.session.is_disassembling());
        harness.remove_cursor();
        settle(&mut harness);
        let name = format!("tab_{}", tab.trim_end_matches('?').to_lowercase());
        results.push((tab, harness.try_snapshot(name)));
    }
    for (tab, result) in results {
        if let Err(e) = result {
            panic!("{tab}: {e}");
        }
    }
}

#[test]
fn the_inspector_shows_what_a_module_may_use_before_it_runs_and_what_it_did_after() {
    let mut harness = app();
    open_sample(&mut harness, "A tour of the filesystem calls");
    show_tab(&mut harness, "Inspector");
    harness.get_by_label("wasi_snapshot_preview1");
    harness.get_by_label("path_rename");
    harness.get_by_label("files: granted");
    harness.get_by_label("run it to see");
    click_run(&mut harness);
    show_tab(&mut harness, "Inspector");
    assert!(harness.query_by_label("run it to see").is_none());
    harness.get_by_label_contains("Did use (run #1)");
}

#[test]
fn the_disassembly_is_searchable_and_jumps_to_functions() {
    let mut harness = app();
    open_sample(&mut harness, "A tour of the filesystem calls");
    show_tab(&mut harness, "Disassembly");
    step_until(&mut harness, "the listing", |app| !app.session.is_disassembling());
    settle(&mut harness);
    harness.get_by_label_contains("lines, 4 functions");
    harness.get_by_label("Search the disassembly").click();
    settle(&mut harness);
    harness.get_by_label("Search the disassembly").type_text("path_rename");
    harness.key_press(egui::Key::Enter);
    settle(&mut harness);
    let found = harness.query_all_by_label_contains("line ").find(|n| n.value().is_some_and(|v| v.contains(" of ")));
    assert!(found.is_some(), "the search reports the line it found");
    harness.get_by_label("$step (;11;)").click();
    settle(&mut harness);
    harness.get_by_label_contains("(func $step (;11;)");
}

/// The Why? tab's buttons that apply a fix and run again.
fn fix_button<'a>() -> egui_kittest::kittest::By<'a> {
    egui_kittest::kittest::by().role(Role::Button).label_contains("and run again")
}

/// Every real sample that fails for want of a grant is fixed from the Why?
/// tab alone: run, read the finding, press its button (which applies the fix
/// and runs again), until the program succeeds.
#[test]
fn each_real_sample_is_fixed_from_the_why_tab() {
    let fixable = [
        "Rust: read hello.txt (the article's program)",
        "Go: the same program, a different mount",
        "C: read HOME and SECRET",
        "C: what time is it?",
        "C: append to a log on a read-only mount",
        "C: allocate until the cap",
    ];
    for title in fixable {
        let mut harness = app();
        open_sample(&mut harness, title);
        click_run(&mut harness);
        let first = harness.state().session.runs.last().and_then(|r| r.outcome.clone());
        assert!(!matches!(first, Some(runtime_worker::RunOutcome::Exited { code: 0 })), "{title}: fails at first");
        show_tab(&mut harness, "Why?");
        let mut fixes = 0;
        loop {
            let Some(button) = harness.query_all(fix_button()).next() else { break };
            assert!(fixes < 3, "{title}: still failing after {fixes} fixes");
            button.click();
            settle(&mut harness);
            finish_run(&mut harness);
            fixes += 1;
        }
        assert!(fixes >= 1, "{title}: the Why? tab offered a fix");
        let last = harness.state().session.runs.last().and_then(|r| r.outcome.clone());
        assert!(matches!(last, Some(runtime_worker::RunOutcome::Exited { code: 0 })), "{title}: {last:?}");
        harness.get_by_label("Nothing was refused: the program got everything it asked for.");
    }
}

#[test]
fn an_escape_has_no_fix_because_the_sandbox_is_working() {
    let mut harness = app();
    open_sample(&mut harness, "C: list a folder, then try to escape");
    click_run(&mut harness);
    show_tab(&mut harness, "Why?");
    // The two escapes get no fix; the absolute path would need /etc itself.
    let fixes: Vec<String> =
        harness.query_all(fix_button()).map(|b| b.accesskit_node().label().unwrap_or_default()).collect();
    assert_eq!(fixes, ["Mount /etc as /etc, read-only and run again"]);
    assert!(harness.query_all_by_label("No grant fixes this: the sandbox refused it by design.").count() >= 2);
}

#[test]
fn start_a_hundred_sandboxes_and_see_what_each_costs() {
    let mut harness = app();
    open_sample(&mut harness, "Hello, WASI");
    show_tab(&mut harness, "Density");
    harness.get_by_role_and_label(Role::Button, "100").click();
    settle(&mut harness);
    harness.get_by_role_and_label(Role::Button, "Start 100").click();
    settle(&mut harness);
    step_until(&mut harness, "the density run", |app| !app.density.is_running());
    harness.get_by_label_contains("100 instances of hello.wat alive at once, started in");
    harness.get_by_label("host memory per instance");
    harness.get_by_label("64.0 KiB declared");
}

/// Compiling CPython (the Python samples) takes a while in a test build.
pub(crate) const PYTHON_COMPILE: Duration = Duration::from_secs(240);

#[test]
fn a_component_command_shows_its_host_calls_by_interface() {
    let mut harness = tall_app();
    open_sample(&mut harness, "Component: a C program as a WASI 0.2 command");
    click_run(&mut harness);
    show_tab(&mut harness, "Calls");
    harness.get_by_label_contains("component host calls");
    harness.get_by_label("descriptor.open-at");
    harness.get_by_label_contains("path=\"hello.txt\"");
    show_tab(&mut harness, "Console");
    harness.get_by_label_contains("Hello from the host filesystem!");
}

#[test]
fn call_the_database_connector_from_the_form_and_see_typed_records() {
    let mut harness = tall_app();
    open_sample(&mut harness, "Component: the article's database-connector (Python)");
    // The sample opens on the Call tab, its form built from the WIT types.
    // The signature, in the Entry point box and above the form.
    let signature = "execute-query: func(sql: string) -> result<list<query-result>, string>";
    assert_eq!(harness.query_all_by_label(signature).count(), 2);
    let field = harness.get_by_label("sql");
    field.click();
    settle(&mut harness);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.get_by_label("sql").type_text("select * from users where score > 90");
    settle(&mut harness);
    harness.get_by_label("▶ Call").click();
    settle(&mut harness);
    step_within(&mut harness, PYTHON_COMPILE, "the call to return", |app| !app.session.is_running());
    settle(&mut harness);
    let run = harness.state().session.current_run().unwrap();
    assert!(matches!(run.outcome, Some(runtime_worker::RunOutcome::Returned { .. })), "{:?}", run.outcome);
    // Two records, shown as a table with the record's fields as columns.
    harness.get_by_label("2 query-results");
    harness.get_by_label("score");
    harness.get_by_label("ada");
    harness.get_by_label("barbara");
    assert!(harness.query_by_label("linus").is_none(), "only the rows the query selects");
}

#[test]
fn a_component_refused_a_connection_names_the_address_and_offers_exactly_it() {
    let mut harness = tall_app();
    open_sample(&mut harness, "Component: a TCP client (Python) and the allow-list");
    harness.key_press(egui::Key::F5);
    settle(&mut harness);
    step_within(&mut harness, PYTHON_COMPILE, "the run to finish", |app| !app.session.is_running());
    show_tab(&mut harness, "Calls");
    // In the table, and in the detail pane that opens on the denial.
    assert_eq!(harness.query_all_by_label("⛔ access-denied").count(), 2);
    let run = harness.state().session.current_run().unwrap();
    let denied: Vec<_> = run.host_calls.iter().filter_map(|c| c.denial.as_ref()).collect();
    assert_eq!(denied.len(), 1, "{denied:?}");
    assert!(denied[0].reason.contains("127.0.0.1:8080") && denied[0].reason.contains("10.0.0.1:80"));
    show_tab(&mut harness, "Why?");
    harness.get_by_label_contains("Allow 127.0.0.1:8080 in the network allow-list");
}

/// `samples/hello.wat`, printing `message` instead of its own.
fn hello_printing(message: &str) -> String {
    let source = std::fs::read_to_string(samples_dir().join("hello.wat")).unwrap();
    let line = format!("{message}\n");
    source
        .replace("Hello, WASI!\\n", &format!("{message}\\n"))
        .replace("(i32.const 13)", &format!("(i32.const {})", line.len()))
}

fn status_notice(harness: &Harness<'static, WasmscopeApp>) -> String {
    harness.state().session.notice.as_ref().map(|n| n.text.clone()).unwrap_or_default()
}

#[test]
fn f5_runs_the_file_as_it_is_now() {
    let mut harness = app();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("greet.wat");
    std::fs::write(&path, hello_printing("first version")).unwrap();
    drop_file(&mut harness, path.clone());
    click_run(&mut harness);
    show_tab(&mut harness, "Console");
    harness.get_by_label("first version");

    // Rewritten on disk: F5 reads it again, says so, and runs what is there now.
    std::fs::write(&path, hello_printing("the second, longer version")).unwrap();
    harness.key_press(egui::Key::F5);
    settle(&mut harness);
    step_until(&mut harness, "the reloaded run", |app| {
        app.session.runs.len() == 2 && !app.session.is_running() && !app.session.is_loading()
    });
    harness.get_by_label("the second, longer version");
    assert!(harness.query_by_label("first version").is_none());
    harness.get_by_label("reloaded greet.wat: it changed on disk");

    // Touched, not changed: read again (its time changed), run, nothing said.
    let later = std::time::SystemTime::now() + Duration::from_secs(60);
    std::fs::File::options().write(true).open(&path).unwrap().set_modified(later).unwrap();
    harness.key_press(egui::Key::F5);
    settle(&mut harness);
    step_until(&mut harness, "the run after a touch", |app| {
        app.session.runs.len() == 3 && !app.session.is_running() && !app.session.is_loading()
    });
    assert_eq!(harness.state().session.notice, None);
    harness.get_by_label("the second, longer version");

    // No longer a module: the old bytes are not run in its place.
    std::fs::write(&path, "(module (func").unwrap();
    harness.key_press(egui::Key::F5);
    settle(&mut harness);
    step_until(&mut harness, "the reload to fail", |app| !app.session.is_loading());
    settle(&mut harness);
    assert_eq!(harness.state().session.runs.len(), 3, "nothing ran");
    let notice = status_notice(&harness);
    assert!(notice.starts_with("not run: greet.wat changed on disk and no longer loads"), "{notice}");
    harness.get_by_label(&notice);
    // Pressing F5 again says the same, still without running.
    harness.state_mut().session.notice = None;
    harness.key_press(egui::Key::F5);
    settle(&mut harness);
    assert_eq!(harness.state().session.runs.len(), 3);
    assert_eq!(status_notice(&harness), notice);

    // Gone: said, and not run either; the window keeps working.
    std::fs::remove_file(&path).unwrap();
    harness.get_by_role_and_label(Role::Button, "Run").click();
    settle(&mut harness);
    assert_eq!(harness.state().session.runs.len(), 3);
    let notice = status_notice(&harness);
    assert!(notice.contains("greet.wat is no longer at"), "{notice}");

    // Back, fixed: it runs.
    std::fs::write(&path, hello_printing("third time lucky")).unwrap();
    harness.key_press(egui::Key::F5);
    settle(&mut harness);
    step_until(&mut harness, "the fourth run", |app| {
        app.session.runs.len() == 4 && !app.session.is_running() && !app.session.is_loading()
    });
    harness.get_by_label("third time lucky");
}

#[test]
fn a_sample_runs_without_looking_for_a_file() {
    let mut harness = app();
    open_sample(&mut harness, "Hello, WASI");
    click_run(&mut harness);
    click_run(&mut harness);
    assert_eq!(harness.state().session.runs.len(), 2);
    assert!(harness.state().session.notice.is_none(), "{:?}", harness.state().session.notice);
}

/// The Call tab of a component with typed exports, before any call: the form
/// built from the WIT parameter types (a snapshot of its own: the other tabs'
/// run is a core module, which has no such form).
#[test]
fn the_call_tab_renders_as_in_its_snapshot() {
    let mut harness = tall_app();
    open_sample(&mut harness, "Component: the article's database-connector (Python)");
    step_until(&mut harness, "the component to load", |app| !app.session.is_loading());
    show_tab(&mut harness, "Call");
    harness.get_by_label("sql");
    harness.remove_cursor();
    settle(&mut harness);
    harness.snapshot("tab_call");
}
