//! A composed component run part by part: every call from the client to the
//! provider is recorded with its typed values, the caller and the callee,
//! between the WASI calls each part makes (tagged with the part); the output
//! is that of the composed file run whole.

use runtime_worker::{HostCall, Mount, RunRequest, SandboxProfile};

use crate::support::{Report, runtime, sample, samples_dir};

fn users_mounted() -> SandboxProfile {
    let users = samples_dir().join("composition/data");
    SandboxProfile { mounts: vec![Mount::read_only(users, "/data")], ..SandboxProfile::default() }
}

fn run(file: &str, record_calls: bool) -> Report {
    let mut request = RunRequest::new(sample(file), users_mounted(), runtime_worker::Entry::Start);
    request.record_calls = record_calls;
    Report { events: runtime().start(request).wait() }
}

#[test]
fn every_query_crossing_is_recorded_with_its_values_caller_and_callee() {
    for file in ["composition/client_rust.wasm", "composition/client_go.wasm"] {
        let traced = run(file, true);
        let whole = run(file, false);
        assert_eq!(traced.stdout(), whole.stdout(), "{file}: part by part prints what the fused file prints");
        assert_eq!(traced.outcome(), whole.outcome(), "{file}");
        assert!(traced.stdout().contains("2\tname=grace;lang=rust"), "{file}: {}", traced.stdout());

        let calls = traced.host_calls();
        let crossings: Vec<&&HostCall> = calls.iter().filter(|c| c.callee.is_some()).collect();
        assert_eq!(crossings.len(), 3, "{file}: three queries");
        for crossing in &crossings {
            assert_eq!(&*crossing.interface, "wasmscope:article/database-connector");
            assert_eq!(&*crossing.function, "execute-query");
            assert_eq!(crossing.part.as_deref(), Some("#1 command"));
            assert_eq!(crossing.callee.as_deref(), Some("#0 database-connector"));
        }
        assert_eq!(crossings[1].args.iter().next(), Some(("sql", r#""select * from users where id = 2""#)));
        assert_eq!(&*crossings[1].result, r#"[{id: 2, payload: "name=grace;lang=rust"}]"#);
        assert_eq!(&*crossings[2].result, "[]");

        // The provider's own WASI calls are its own, and come before the
        // crossing that made them (calls are recorded as they return).
        let open = calls
            .iter()
            .position(|c| {
                c.function.ends_with("descriptor.open-at") && c.args.iter().any(|(_, v)| v.contains("users.csv"))
            })
            .expect("the provider opens users.csv");
        assert_eq!(calls[open].part.as_deref(), Some("#0 database-connector"), "{file}");
        let first_crossing = calls.iter().position(|c| c.callee.is_some()).unwrap();
        assert!(open < first_crossing, "{file}");
        // The client prints.
        assert!(
            calls.iter().any(|c| c.part.as_deref() == Some("#1 command") && c.function.contains("blocking-write")),
            "{file}"
        );
    }
}

#[test]
fn a_plain_component_is_not_taken_apart() {
    let report = run("components/hello_component.wasm", true);
    assert!(report.host_calls().iter().all(|c| c.part.is_none() && c.callee.is_none()));
}

/// Least privilege per part: the provider alone reads /data; the client,
/// which only prints, gets no mount. And a provider given nothing answers
/// with its error row even though the run grants /data.
#[test]
fn each_part_gets_the_capabilities_the_profile_gives_it() {
    use runtime_worker::PartProfile;
    let part = |name: &str, profile: SandboxProfile| PartProfile { part: name.into(), profile };

    let provider_only = SandboxProfile {
        parts: vec![part("database-connector", users_mounted()), part("command", SandboxProfile::default())],
        ..SandboxProfile::default()
    };
    let mut request =
        RunRequest::new(sample("composition/client_rust.wasm"), provider_only, runtime_worker::Entry::Start);
    request.record_calls = true;
    let report = Report { events: runtime().start(request).wait() };
    assert!(report.stdout().contains("2\tname=grace;lang=rust"), "{}", report.stdout());
    let calls = report.host_calls();
    let directories = |part: &str| {
        calls
            .iter()
            .filter(|c| c.part.as_deref() == Some(part) && c.function.as_ref() == "get-directories")
            .map(|c| c.result.to_string())
            .collect::<Vec<_>>()
    };
    let provider = directories("#0 database-connector");
    assert!(!provider.is_empty() && provider.iter().all(|r| r == r#"["/data"]"#), "{provider:?}");
    assert!(directories("#1 command").iter().all(|r| r == "[]"), "{:?}", directories("#1 command"));
    assert!(!directories("#1 command").is_empty());

    // Untraced too: the parts still run one by one, each with its own.
    let mut nothing_for_the_provider = users_mounted();
    nothing_for_the_provider.parts = vec![part("#0", SandboxProfile::default())];
    let mut request =
        RunRequest::new(sample("composition/client_rust.wasm"), nothing_for_the_provider, runtime_worker::Entry::Start);
    request.record_calls = false;
    let report = Report { events: runtime().start(request).wait() };
    assert!(report.stdout().contains("0\terror: cannot open /data/users.csv"), "{}", report.stdout());

    // A part the component does not have is an error, not ignored.
    let unknown =
        SandboxProfile { parts: vec![part("storage", SandboxProfile::default())], ..SandboxProfile::default() };
    let report = Report {
        events: runtime()
            .start(RunRequest::new(sample("composition/client_rust.wasm"), unknown, runtime_worker::Entry::Start))
            .wait(),
    };
    let runtime_worker::RunOutcome::Failed { message, .. } = report.outcome() else { panic!("{:?}", report.outcome()) };
    assert!(message.contains("no part `storage`") && message.contains("#0 database-connector"), "{message}");
}
