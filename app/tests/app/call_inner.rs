//! The Call tab on an inner component: open a composed client, choose its
//! provider as the component, and call `execute-query`, which the composed
//! unit does not export; the rows come back as a table, and the provider's
//! host calls are tagged with it.

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use runtime_worker::{RunOutcome, Value};

use crate::ui_stories::{PYTHON_COMPILE, open_sample, settle, show_tab, step_until, step_within, tall_app};

#[test]
fn call_the_providers_query_inside_a_composed_client() {
    let mut harness = tall_app();
    open_sample(&mut harness, "Composed: a C client and a Rust provider (the article's contract)");
    step_until(&mut harness, "the module to load", |app| {
        app.session.module.as_ref().is_some_and(|m| m.module.name == "client_rust.wasm") && !app.session.is_loading()
    });
    show_tab(&mut harness, "Call");
    // The composed unit exports only its command: nothing to call yet.
    harness.get_by_label("This component exports no functions to call; run it with F5.");

    harness.get_by_role_and_label(Role::ComboBox, "Component").click();
    settle(&mut harness);
    harness.get_by_label("#0 database-connector").click();
    settle(&mut harness);
    harness.get_by_label("execute-query: func(sql: string) -> list<query-result>");
    harness.get_by_label("sql").click();
    settle(&mut harness);
    harness.get_by_label("sql").type_text("select * from users where id = 2");
    settle(&mut harness);
    harness.get_by_label("▶ Call").click();
    settle(&mut harness);
    step_within(&mut harness, PYTHON_COMPILE, "the call to return", |app| !app.session.is_running());
    settle(&mut harness);

    let run = harness.state().session.current_run().expect("a run");
    assert_eq!(
        run.outcome,
        Some(RunOutcome::Returned {
            values: vec![Value::Wave(r#"[{id: 2, payload: "name=grace;lang=rust"}]"#.into())]
        })
    );
    assert_eq!(run.invoked_part.as_deref(), Some("#0 database-connector"));
    // Under the form: the run, and the row as a table.
    harness.get_by_label_contains("of #0 database-connector");
    harness.get_by_label("name=grace;lang=rust");
    // The provider read /data/users.csv: its calls are tagged with it.
    let parts: Vec<Option<String>> = run.host_calls.iter().map(|c| c.part.as_deref().map(str::to_string)).collect();
    assert!(!parts.is_empty());
    assert!(parts.iter().all(|p| p.as_deref() == Some("#0 database-connector")), "{parts:?}");
}
