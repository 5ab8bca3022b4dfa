//! An inner component's export called on its own: the provider inside a
//! composed client (`database-connector#execute-query`, which the composed
//! unit does not export) returns the rows the composed client prints, its
//! host calls tagged with the part.

use runtime_worker::{Entry, Mount, RunOutcome, RunRequest, SandboxProfile, Value};

use crate::support::{Report, runtime, sample, samples_dir};

fn users_mounted() -> SandboxProfile {
    let users = samples_dir().join("composition/data");
    SandboxProfile { mounts: vec![Mount::read_only(users, "/data")], ..SandboxProfile::default() }
}

fn call_part(file: &str, part: &str, name: &str, args: &[&str]) -> Report {
    let entry = Entry::Invoke { name: name.to_string(), args: args.iter().map(|a| a.to_string()).collect() };
    let mut request = RunRequest::new(sample(file), users_mounted(), entry);
    request.part = Some(part.to_string());
    Report { events: runtime().start(request).wait() }
}

fn returned(report: &Report) -> String {
    match report.outcome() {
        RunOutcome::Returned { values } => match &values[..] {
            [Value::Wave(wave)] => wave.clone(),
            other => panic!("one WAVE value expected: {other:?}"),
        },
        other => panic!("the call returns: {other:?}"),
    }
}

#[test]
fn the_provider_inside_a_composed_client_answers_as_the_client_prints() {
    let query = r#""select * from users where id = 2""#;
    for file in ["composition/client_python.wasm", "composition/client_rust.wasm"] {
        let report = call_part(file, "database-connector", "execute-query", &[query]);
        assert_eq!(returned(&report), r#"[{id: 2, payload: "name=grace;lang=rust"}]"#, "{file}");

        // The composed client prints the same row for the same query.
        let mut whole = RunRequest::new(sample(file), users_mounted(), Entry::Start);
        whole.record_calls = false;
        let printed = Report { events: runtime().start(whole).wait() }.stdout();
        assert!(
            printed.contains("== select * from users where id = 2 (1 row)\n2\tname=grace;lang=rust\n"),
            "{printed}"
        );

        // The provider read the file; its calls are tagged with the part.
        let calls = report.host_calls();
        let open = calls
            .iter()
            .find(|c| c.function.ends_with("descriptor.open-at") && c.args.iter().any(|(_, v)| v.contains("users.csv")))
            .unwrap_or_else(|| panic!("{file}: the provider opens users.csv"));
        assert_eq!(open.part.as_deref(), Some("#0 database-connector"), "{file}");
        assert!(
            calls.iter().all(|c| c.part.as_deref() == Some("#0 database-connector")),
            "{file}: the client is not set up"
        );
    }
    // By number, and the fully qualified function.
    let report = call_part(
        "composition/client_rust.wasm",
        "#0",
        "wasmscope:article/database-connector#execute-query",
        &[r#""select * from users""#],
    );
    assert!(returned(&report).starts_with(r#"[{id: 1, payload: "name=ada;lang=python"}, "#), "{}", returned(&report));
}

#[test]
fn a_part_or_function_that_is_not_there_is_named() {
    let failed = |report: &Report| match report.outcome() {
        RunOutcome::Failed { message, .. } => message.clone(),
        other => panic!("fails: {other:?}"),
    };
    let no_part = call_part("composition/client_rust.wasm", "storage", "execute-query", &["\"x\""]);
    let message = failed(&no_part);
    assert!(message.contains("no part `storage`") && message.contains("`#0 database-connector`"), "{message}");
    let no_function = call_part("composition/client_rust.wasm", "#0", "drop-everything", &[]);
    let message = failed(&no_function);
    assert!(message.contains("no function `drop-everything`") && message.contains("execute-query"), "{message}");
    let wrong_type = call_part("composition/client_rust.wasm", "#0", "execute-query", &["3"]);
    assert!(failed(&wrong_type).contains("`3` is not a string value"), "{}", failed(&wrong_type));
    let not_composed = call_part("composition/provider_rust.wasm", "#0", "execute-query", &["\"x\""]);
    assert!(failed(&not_composed).contains("not composed"), "{}", failed(&not_composed));
}
