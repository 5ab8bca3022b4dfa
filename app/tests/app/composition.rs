//! A composed component seen from outside: `wasmscope inspect` names its
//! inner components, their languages and the wiring (as text and JSON), and
//! the Inspector draws them as a graph.

use egui_kittest::kittest::Queryable;

use crate::cli_run::{text, wasmscope};
use crate::ui_stories::{app, settle, show_tab, step_until};

#[test]
fn inspect_names_the_parts_their_languages_and_the_wiring() {
    for (file, language, toolchain) in [
        ("client_python.wasm", "Python 3.14.0", "componentize-py 0.25.1"),
        ("client_rust.wasm", "Rust, C99", "rustc 1.63.0"),
        ("client_go.wasm", "Go 1.27.3", "Go cmd/compile go1.27.3"),
    ] {
        let path = format!("samples/composition/{file}");
        let out = wasmscope(&["inspect", &path]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert!(stdout.contains("composition: 2 components inside"), "{stdout}");
        assert!(stdout.contains("  #0 database-connector\n"), "{stdout}");
        assert!(stdout.contains("  #1 command\n"), "{stdout}");
        assert!(stdout.contains(&format!("    language: {language}\n")), "{file}: {stdout}");
        assert!(stdout.contains("    language: C99\n"), "the client: {stdout}");
        assert!(stdout.contains(toolchain), "{file}: {stdout}");
        assert!(
            stdout.contains(
                "  #0 database-connector export wasmscope:article/database-connector -> #1 command import \
                 wasmscope:article/database-connector (instance)\n"
            ),
            "{stdout}"
        );
        assert!(stdout.contains("  #1 command export wasi:cli/run@0.2.12 -> host (exported as wasi:cli/run@0.2.12)"));
        assert!(stdout.contains("host -> #1 command: 13 imports\n"), "{stdout}");

        let out = wasmscope(&["inspect", "--json", &path]);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let composition = &json["component"]["composition"];
        assert_eq!(composition["parts"][0]["language"], language);
        assert_eq!(composition["parts"][1]["name"], "command");
        let link = composition["wiring"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["from"]["kind"] == "part" && w["to"]["kind"] == "part")
            .expect("the link");
        assert_eq!(link["from"]["export"], "wasmscope:article/database-connector");
        assert_eq!(link["to"]["part"], 1);
    }

    // A component that composes nothing says nothing of it.
    let out = wasmscope(&["inspect", "samples/composition/client.wasm"]);
    assert!(!text(&out.stdout).contains("\ncomposition:"), "{}", text(&out.stdout));
    let out = wasmscope(&["inspect", "--json", "samples/composition/client.wasm"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["component"]["composition"], serde_json::Value::Null);
}

/// Open `client_rust.wasm`: the Inspector draws the provider and the client,
/// the interface between them, and what the host gives and gets
/// (`UPDATE_SNAPSHOTS=1 cargo test -p wasmscope --test app composition` rewrites the picture).
#[test]
fn the_inspector_draws_a_composed_component() {
    let mut harness = app();
    // From the gallery: the module panel then names it by sample, not by a
    // path that depends on where the repository is checked out.
    let sample = wasmscope::samples::by_file("client_rust.wasm").expect("in the gallery");
    harness.state_mut().open_sample(sample, true);
    step_until(&mut harness, "the module to load", |app| {
        app.session.module.as_ref().is_some_and(|m| m.module.name == "client_rust.wasm") && !app.session.is_loading()
    });
    show_tab(&mut harness, "Inspector");
    harness.get_by_label("Composition");
    harness.get_by_label("#0 database-connector");
    harness.get_by_label("#1 command");
    harness.get_by_label("Rust, C99");
    harness.get_by_label("C99");
    // The arrow between them is labelled with the interface.
    harness.get_by_label("wasmscope:article/database-connector");
    harness.get_by_label_contains("of its 15 imports");
    harness.remove_cursor();
    settle(&mut harness);
    harness.snapshot("inspector_composition");
}

/// Swap a provider: open the Python composed sample and run it; swap in the
/// Rust provider from the graph and run again; Compare shows both runs' time
/// in each inner component, the swapped part facing the part it stood in for.
#[test]
fn swap_a_provider_and_compare_the_time_in_each_part() {
    use crate::ui_stories::{PYTHON_COMPILE, open_sample, step_within, tall_app};
    use runtime_worker::RunOutcome;

    let mut harness = tall_app();
    open_sample(&mut harness, "Composed: the same C client with a Python provider");
    step_until(&mut harness, "the module to load", |app| {
        app.session.module.as_ref().is_some_and(|m| m.module.name == "client_python.wasm") && !app.session.is_loading()
    });
    let run_and_wait = |harness: &mut egui_kittest::Harness<'static, wasmscope::gui::WasmscopeApp>| {
        harness.key_press(egui::Key::F5);
        settle(harness);
        step_within(harness, PYTHON_COMPILE, "the run to finish", |app| !app.session.is_running());
        settle(harness);
    };
    run_and_wait(&mut harness);
    assert_eq!(harness.state().session.current_run().unwrap().outcome, Some(RunOutcome::Exited { code: 0 }));

    show_tab(&mut harness, "Inspector");
    // The provider's box comes first (providers left of their clients).
    harness.query_all_by_label("Swap…").next().expect("a Swap… per part").click();
    settle(&mut harness);
    harness.get_by_label("provider_rust.wasm (Rust)").click();
    settle(&mut harness);
    step_until(&mut harness, "the replacement to be read", |app| app.session.swap.is_some());
    assert_eq!(harness.state().session.swap.as_ref().unwrap().place, 0);
    harness.get_by_label("swapped for provider_rust.wasm");
    harness.get_by_label_contains("Runs link provider_rust.wasm in place of #0 database-connector");

    run_and_wait(&mut harness);
    let run = harness.state().session.current_run().unwrap();
    assert_eq!(run.outcome, Some(RunOutcome::Exited { code: 0 }));
    assert_eq!(run.module_name, "client_python.wasm, #0 swapped for provider_rust.wasm", "the run's title says so");
    let swapped = "#0 database-connector (provider_rust.wasm)";
    assert_eq!(run.host_calls.iter().filter(|c| c.callee.as_deref() == Some(swapped)).count(), 3);
    show_tab(&mut harness, "Console");
    assert_eq!(
        harness.query_all_by_label_contains("2\tname=grace;lang=rust").count(),
        2,
        "its two queries that find grace"
    );

    show_tab(&mut harness, "Compare");
    harness.get_by_label("Time in each inner component");
    harness.get_by_label("#0 database-connector");
    harness.get_by_label(swapped);
    assert_eq!(harness.query_all_by_label("#1 command").count(), 2, "the client in both runs");
    assert_eq!(harness.query_all_by_label_contains("3 calls in").count(), 2, "three queries into each provider");

    // Undo: the file's own provider again.
    show_tab(&mut harness, "Inspector");
    harness.get_by_label("Undo swap").click();
    settle(&mut harness);
    assert!(harness.state().session.swap.is_none());
    assert_eq!(harness.query_all_by_label("Swap…").count(), 2);
}

/// `wasmscope run --swap PART=FILE`: the Python sample's client linked to
/// the Rust provider prints what client_rust.wasm prints; a component that
/// does not fit is refused, saying what it lacks.
#[test]
fn run_swap_links_another_provider_from_the_command_line() {
    let data = "samples/composition/data::/data";
    let rust = wasmscope(&["run", "--dir", data, "samples/composition/client_rust.wasm"]);
    let swapped = wasmscope(&[
        "run",
        "--dir",
        data,
        "--swap",
        "database-connector=samples/composition/provider_rust.wasm",
        "--trace",
        "text",
        "samples/composition/client_python.wasm",
    ]);
    assert_eq!(swapped.status.code(), Some(0), "{}", text(&swapped.stderr));
    assert_eq!(text(&swapped.stdout), text(&rust.stdout));
    assert!(text(&swapped.stderr).contains("#0 database-connector (provider_rust.wasm)"), "{}", text(&swapped.stderr));

    let misfit =
        wasmscope(&["run", "--swap", "#0=samples/composition/client.wasm", "samples/composition/client_python.wasm"]);
    assert_eq!(misfit.status.code(), Some(126));
    let stderr = text(&misfit.stderr);
    assert!(
        stderr.contains(
            "`#0 database-connector (client.wasm)` cannot stand in for `#0 database-connector`: it does not export \
             `wasmscope:article/database-connector`, which `#1 command` imports"
        ),
        "{stderr}"
    );
    let unwritten = wasmscope(&["run", "--swap", "provider_rust.wasm", "samples/composition/client_python.wasm"]);
    assert!(text(&unwritten.stderr).contains("write PART=FILE"), "{}", text(&unwritten.stderr));
    let help = text(&wasmscope(&["run", "--help"]).stdout);
    assert!(help.contains("--swap <PART=FILE>"), "{help}");
}

/// Compare two runs of the composed C client and Rust provider, the second
/// without the provider's /data mount: the provider's answers are the
/// change, and the time in each part stands side by side. The times are
/// made steady (`ingest_steadily`) so that the picture is the same every
/// time (`UPDATE_SNAPSHOTS=1 cargo test -p wasmscope --test app composition`
/// rewrites it).
#[test]
fn compare_two_composed_runs_as_in_its_snapshot() {
    use runtime_worker::{Mount, SandboxProfile};

    use crate::ui_stories::{open_sample, steady_run, tall_app};

    let mut harness = tall_app();
    open_sample(&mut harness, "Composed: a C client and a Rust provider (the article's contract)");
    step_until(&mut harness, "the module to load", |app| !app.session.is_loading());
    // Relative (tests run in app/), so that the picture is the same in any checkout.
    let data = "../samples/composition/data";
    let granted = SandboxProfile { mounts: vec![Mount::read_only(data, "/data")], ..SandboxProfile::default() };
    let first = steady_run("composition/client_rust.wasm", granted, 1);
    let second = steady_run("composition/client_rust.wasm", SandboxProfile::default(), 2);
    let error_row = |c: &runtime_worker::HostCall| c.result.contains("cannot open /data/users.csv");
    assert!(second.host_calls.iter().any(error_row), "without /data the provider answers with an error row");
    assert!(!first.host_calls.iter().any(error_row));
    harness.state_mut().session.runs.extend([first, second]);
    settle(&mut harness);
    show_tab(&mut harness, "Compare");
    harness.get_by_label("Time in each inner component");
    assert_eq!(harness.query_all_by_label("#0 database-connector").count(), 2, "the provider in both runs");
    harness.remove_cursor();
    settle(&mut harness);
    harness.snapshot("compare_composed");
}
