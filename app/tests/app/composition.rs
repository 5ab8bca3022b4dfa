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
