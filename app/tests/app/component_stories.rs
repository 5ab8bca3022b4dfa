//! Stories of the newer component worlds in the window: a WASI 0.3 command,
//! an HTTP handler answering a request from the module panel (once, or a
//! hundred times with each start-up plotted), and an
//! outgoing request refused by the allow-list and fixed from Why?.

use egui_kittest::kittest::Queryable;
use runtime_worker::RunOutcome;

use super::ui_stories::{PYTHON_COMPILE, open_sample, settle, show_tab, step_within, tall_app};

fn run_and_wait(harness: &mut egui_kittest::Harness<'static, wasmscope::gui::WasmscopeApp>) {
    harness.key_press(egui::Key::F5);
    settle(harness);
    step_within(harness, PYTHON_COMPILE, "the run to finish", |app| !app.session.is_running());
    settle(harness);
}

#[test]
fn a_wasi_0_3_command_runs_and_its_streams_show_in_calls() {
    let mut harness = tall_app();
    open_sample(&mut harness, "Component: WASI 0.3, async (Python)");
    // The kind names both releases: CPython's runtime still imports 0.2.
    harness.get_by_label("component · WASI 0.2 + 0.3 · wasi:cli/command@0.3.0");
    run_and_wait(&mut harness);
    let run = harness.state().session.current_run().unwrap();
    assert_eq!(run.outcome, Some(RunOutcome::Exited { code: 0 }));
    assert!(run.host_calls.iter().any(|c| &*c.function == "write-via-stream"));
    assert!(run.host_calls.iter().any(|c| &*c.function == "[method]descriptor.read-via-stream"));
    show_tab(&mut harness, "Console");
    harness.get_by_label_contains("Hello from a WASI 0.3 component!");
    harness.get_by_label_contains("Hello from the host filesystem!");
    // After the calls, what went through their streams and how they ended.
    show_tab(&mut harness, "Calls");
    assert_eq!(harness.query_all_by_label("closed by the guest").count(), 1, "stdout's stream, closed");
    assert_eq!(harness.query_all_by_label("end of data").count(), 1, "hello.txt's stream, read to its end");
    harness.get_by_label("bytes=32, preview=\"Hello from the host filesystem!\\n\"");
}

#[test]
fn an_http_request_from_the_module_panel_is_answered_and_its_calls_land_in_calls() {
    let mut harness = tall_app();
    open_sample(&mut harness, "Component: an HTTP handler (wasi:http, Python)");
    harness.get_by_label("Path and query");
    run_and_wait(&mut harness);
    let run = harness.state().session.current_run().unwrap();
    let Some(RunOutcome::Responded(response)) = &run.outcome else { panic!("{:?}", run.outcome) };
    assert_eq!(response.status, 200);
    // In the toolbar's outcome and above the response.
    assert!(harness.query_all_by_label_contains("200 OK").count() >= 2);
    harness.get_by_label_contains("path: /echo?from=wasmscope");
    show_tab(&mut harness, "Calls");
    harness.get_by_label_contains("incoming-request.path-with-query");

    // Another path: the handler's 404, shown with its status.
    let path = harness.get_by_label("Path and query");
    path.click();
    settle(&mut harness);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.get_by_label("Path and query").type_text("/nope");
    settle(&mut harness);
    run_and_wait(&mut harness);
    let run = harness.state().session.current_run().unwrap();
    assert!(matches!(&run.outcome, Some(RunOutcome::Responded(r)) if r.status == 404), "{:?}", run.outcome);
    assert!(harness.query_all_by_label_contains("404 Not Found").count() >= 2);
}

#[test]
fn a_hundred_requests_each_to_a_fresh_instance_are_plotted_in_timings() {
    let mut harness = tall_app();
    open_sample(&mut harness, "Component: an HTTP handler (wasi:http, Python)");
    harness.get_by_label("Send ×100").click();
    settle(&mut harness);
    step_within(&mut harness, PYTHON_COMPILE * 4, "a hundred requests", |app| {
        app.session.runs.len() == 100 && !app.session.is_running()
    });
    settle(&mut harness);
    let answered =
        harness.state().session.runs.iter().filter(|run| matches!(run.outcome, Some(RunOutcome::Responded(_)))).count();
    assert_eq!(answered, 100);
    harness.get_by_label_contains("100 requests: a fresh instance in");
    harness.get_by_label("Plot each request's start-up (Timings)").click();
    settle(&mut harness);
    harness.get_by_label("Each request to this handler");
    harness.get_by_label_contains("100 requests, each to a fresh instance: instantiate");
}

#[test]
fn stop_ends_a_series_of_requests() {
    let mut harness = tall_app();
    open_sample(&mut harness, "Component: an HTTP handler (wasi:http, Python)");
    harness.get_by_label("Send ×100").click();
    settle(&mut harness);
    step_within(&mut harness, PYTHON_COMPILE, "three requests", |app| app.session.runs.len() >= 3);
    harness.get_by_label_contains("more to send");
    harness.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::F5);
    settle(&mut harness);
    step_within(&mut harness, PYTHON_COMPILE, "the last run to end", |app| !app.session.is_running());
    let sent = harness.state().session.runs.len();
    for _ in 0..20 {
        harness.step();
    }
    assert_eq!(harness.state().session.runs.len(), sent, "no request is sent after Stop");
    assert!(sent < 100);
    assert!(harness.query_by_label_contains("more to send").is_none());
}

#[test]
fn an_outgoing_request_refused_by_the_allow_list_is_explained_with_its_url() {
    let mut harness = tall_app();
    open_sample(&mut harness, "Component: an outgoing HTTP request (wasi:http, Python)");
    run_and_wait(&mut harness);
    let run = harness.state().session.current_run().unwrap();
    assert_eq!(run.outcome, Some(RunOutcome::Exited { code: 1 }));
    let denied: Vec<_> = run.host_calls.iter().filter_map(|c| c.denial.as_ref()).collect();
    assert_eq!(denied.len(), 1, "{denied:?}");
    assert!(denied[0].reason.starts_with("GET http://127.0.0.1:8000/ was not sent"), "{}", denied[0].reason);
    show_tab(&mut harness, "Why?");
    harness.get_by_label_contains("Allow 127.0.0.1:8000 in the network allow-list");
}

#[test]
fn a_composed_command_runs_part_by_part_and_its_crossings_show_in_calls() {
    let mut harness = tall_app();
    open_sample(&mut harness, "Composed: a C client and a Rust provider (the article's contract)");
    run_and_wait(&mut harness);
    let run = harness.state().session.current_run().unwrap();
    assert_eq!(run.outcome, Some(RunOutcome::Exited { code: 0 }));
    let crossings: Vec<_> = run.host_calls.iter().filter(|c| c.callee.is_some()).collect();
    assert_eq!(crossings.len(), 3);
    show_tab(&mut harness, "Calls");
    // Each crossing names the part it went to, with the query and the rows.
    assert_eq!(harness.query_all_by_label("execute-query -> #0 database-connector").count(), 3);
    harness.get_by_label_contains(r#"sql="select * from users where id = 2""#);
    show_tab(&mut harness, "Console");
    harness.get_by_label_contains("== select * from users where id = 2 (1 row)");
}

#[test]
fn a_part_given_capabilities_of_its_own_loses_the_folder_the_run_grants_and_why_gives_it_back() {
    let mut harness = tall_app();
    open_sample(&mut harness, "Composed: a C client and a Rust provider (the article's contract)");
    harness.get_by_label("#0 database-connector: only what is ticked").click();
    settle(&mut harness);
    // Given its own, the provider starts with the run's folder; untick it.
    harness.get_by_label("/data (read-only)").click();
    settle(&mut harness);
    let parts = &harness.state().state.profile.parts;
    assert_eq!(parts.len(), 1);
    assert!(parts[0].profile.mounts.is_empty(), "{parts:?}");
    run_and_wait(&mut harness);
    let run = harness.state().session.current_run().unwrap();
    assert_eq!(run.outcome, Some(RunOutcome::Exited { code: 0 }));
    show_tab(&mut harness, "Console");
    // The two queries that read the file each get the provider's error row.
    assert_eq!(harness.query_all_by_label_contains("error: cannot open /data/users.csv").count(), 2);

    // Why? says it of the provider, and its fix grants the run's folder to it alone.
    show_tab(&mut harness, "Why?");
    harness.get_by_label_contains("In the part database-connector, the program asked for /data/users.csv");
    harness.get_by_label_contains("In the part database-connector's own capabilities: Mount").click();
    settle(&mut harness);
    step_within(&mut harness, PYTHON_COMPILE, "the run to finish", |app| !app.session.is_running());
    settle(&mut harness);
    let parts = &harness.state().state.profile.parts;
    assert_eq!(parts[0].profile.mounts, harness.state().state.profile.mounts, "{parts:?}");
    let run = harness.state().session.current_run().unwrap();
    assert_eq!(run.outcome, Some(RunOutcome::Exited { code: 0 }));
    show_tab(&mut harness, "Console");
    assert!(harness.query_all_by_label_contains("name=grace;lang=rust").count() >= 1);
}
