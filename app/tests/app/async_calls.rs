//! A WASI 0.3 component's `async func`s called as a user calls them:
//! `wasmscope call` lists them as async and calls one, Ctrl+C and `--timeout`
//! end a call that awaits an hour's wait (its trace written while it awaits), and in the window the Call tab calls
//! one and shows its value, then Stop ends one that awaits. The sample is
//! `samples/components/async_greeter.wasm` (Python: its first call compiles
//! CPython, so the tests here wait generously). Last, the gallery's WASI 0.3
//! HTTP handler (`http_hello_p3.wasm`) answers its request with a body it
//! streamed after `handle` returned.

use std::io::Read;
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use runtime_worker::{Phase, RunOutcome, Value};

use super::cli_run::{text, wasmscope, wasmscope_command};
use super::ui_stories::{PYTHON_COMPILE, open_sample, settle, show_tab, step_within, tall_app};

const GREETER: &str = "samples/components/async_greeter.wasm";
const GALLERY_TITLE: &str = "Component: async exports (WASI 0.3, Python)";

#[test]
fn call_lists_async_funcs_and_calls_one() {
    let out = wasmscope(&["call", GREETER]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let listing = text(&out.stdout);
    assert!(listing.contains("wasmscope:samples/greeter:\n  greet: async func(name: string) -> string\n"), "{listing}");
    assert!(listing.contains("  sleep: async func(ms: u64)\n"), "{listing}");

    let out = wasmscope(&["call", GREETER, "greet", "\"ada\""]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "\"Hello, ada!\"\n");

    // The call written as `wasmtime run --invoke` writes it.
    let out = wasmscope(&["call", GREETER, r#"greet("ada")"#]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "\"Hello, ada!\"\n");

    let out = wasmscope(&["call", GREETER, "greet-all", r#"["ada", "grace"]"#]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "[\"Hello, ada!\", \"Hello, grace!\"]\n");

    // And traced: the async import it awaited, with its argument.
    let out = wasmscope(&["call", "--trace", "text", GREETER, "greet", "\"ada\""]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("wasi:clocks/monotonic-clock#wait-for(how_long=5000000) = Ok(())"));
}

#[test]
fn the_timeout_ends_a_call_awaiting_an_hour() {
    // Compiled first, so that the time limit is the wait's alone.
    assert_eq!(wasmscope(&["call", GREETER, "sleep", "1"]).status.code(), Some(0));
    let started = Instant::now();
    let out = wasmscope(&["call", "--timeout", "1s", GREETER, "sleep", "3600000"]);
    assert_eq!(out.status.code(), Some(142), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("passed its --timeout"), "{}", text(&out.stderr));
    assert!(started.elapsed() < Duration::from_secs(20), "took {:?}", started.elapsed());
}

#[cfg(unix)]
#[test]
fn ctrl_c_ends_a_call_awaiting_an_hour_and_keeps_the_trace() {
    // Compiled first (the compile is cached on disk), so that the guest is
    // soon awaiting.
    assert_eq!(wasmscope(&["call", GREETER, "sleep", "1"]).status.code(), Some(0));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trace");
    let mut child = wasmscope_command(&["call", "--trace", "text", "-o", file.to_str().unwrap(), GREETER, "sleep"])
        .arg("3600000")
        .spawn()
        .expect("wasmscope starts");
    // While the guest awaits its hour, the calls it made before reach the
    // file (handed over from the store's event loop, no wasm running).
    let written = Instant::now();
    while std::fs::read_to_string(&file).unwrap_or_default().lines().count() < 5 {
        assert!(written.elapsed() < Duration::from_secs(60), "no trace while the guest awaits");
        assert!(child.try_wait().unwrap().is_none(), "wasmscope ended before Ctrl+C");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!std::fs::read_to_string(&file).unwrap().contains("killed by"), "the run is still going");
    // SAFETY: kill only sends a signal to the child this test started.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) }, 0);
    let asked = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if asked.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("wasmscope was still running a minute after Ctrl+C");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("SIGINT: the guest was stopped"), "{stderr}");
    let trace = std::fs::read_to_string(&file).unwrap();
    assert!(trace.contains("killed by SIGINT"), "{trace}");
    // It was stopped while it awaited its hour.
    assert!(trace.contains("wasi:clocks/monotonic-clock#wait-for(how_long=3600000000000) <unfinished ...>"), "{trace}");
}

#[test]
fn call_an_async_export_from_the_call_tab_then_stop_one_that_awaits() {
    let mut harness = tall_app();
    open_sample(&mut harness, GALLERY_TITLE);
    // The sample opens on the Call tab with greet chosen and `ada` filled in.
    show_tab(&mut harness, "Call");
    let signature = "greet: async func(name: string) -> string";
    assert!(harness.query_all_by_label(signature).count() >= 1);
    harness.get_by_label("▶ Call").click();
    settle(&mut harness);
    step_within(&mut harness, PYTHON_COMPILE, "greet to return", |app| !app.session.is_running());
    settle(&mut harness);
    let run = harness.state().session.current_run().unwrap();
    assert_eq!(run.outcome, Some(RunOutcome::Returned { values: vec![Value::Wave("\"Hello, ada!\"".into())] }));
    // Shown under the form (and in the run's summary).
    assert!(harness.query_all_by_label_contains("Hello, ada!").count() >= 1);

    // sleep, for an hour: the guest awaits, and Stop ends it.
    harness.get_by_role_and_label(Role::ComboBox, "Function").click();
    settle(&mut harness);
    harness.get_by_label("wasmscope:samples/greeter#sleep").click();
    settle(&mut harness);
    harness.get_by_label("ms").click();
    settle(&mut harness);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.get_by_label("ms").type_text("3600000");
    settle(&mut harness);
    harness.get_by_label("▶ Call").click();
    settle(&mut harness);
    step_within(&mut harness, PYTHON_COMPILE, "the instance to await", |app| {
        app.session.current_run().is_some_and(|run| run.timing(Phase::Instantiate).is_some())
    });
    // Awaiting, not computing: it stays running.
    let awaiting = Instant::now();
    while awaiting.elapsed() < Duration::from_millis(500) {
        harness.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(harness.state().session.is_running());
    harness.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::F5);
    let asked = Instant::now();
    step_within(&mut harness, Duration::from_secs(10), "Stop to end the call", |app| !app.session.is_running());
    assert!(asked.elapsed() < Duration::from_secs(3), "stop took {:?}", asked.elapsed());
    settle(&mut harness);
    let run = harness.state().session.current_run().unwrap();
    assert_eq!(run.outcome, Some(RunOutcome::Stopped));
    assert_eq!(run.invoked.as_deref(), Some("wasmscope:samples/greeter#sleep"));
    harness.get_by_label("stopped");
}

#[test]
fn a_0_3_handler_from_the_gallery_answers_with_a_streamed_body() {
    let mut harness = tall_app();
    open_sample(&mut harness, "Component: an HTTP handler on WASI 0.3 (Python)");
    // Its entry point is the request GET /count.
    harness.get_by_label("Path and query");
    harness.key_press(egui::Key::F5);
    settle(&mut harness);
    step_within(&mut harness, PYTHON_COMPILE, "the response", |app| !app.session.is_running());
    settle(&mut harness);
    let run = harness.state().session.current_run().unwrap();
    let Some(RunOutcome::Responded(response)) = &run.outcome else { panic!("{:?}", run.outcome) };
    assert_eq!((response.status, response.body.as_slice()), (200, &b"1\n2\n3\n4\n5\n"[..]));
    // The four 100 ms waits between the lines, made after `handle` returned.
    let waits = run.host_calls.iter().filter(|c| &*c.function == "wait-for").count();
    assert_eq!(waits, 4);
    assert!(harness.query_all_by_label_contains("200 OK").count() >= 1);
    show_tab(&mut harness, "Calls");
    assert!(harness.query_all_by_label("wait-for").count() >= 1);
}
