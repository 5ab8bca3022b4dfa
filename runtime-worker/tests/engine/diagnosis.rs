//! "Why did it fail?" on the real sample programs (Rust, Go, C): each
//! failing run's diagnosis names the missing capability, and applying its
//! fix makes the next run succeed.

use std::path::{Path, PathBuf};

use crate::support::Report;
use runtime_worker::doctor::{Finding, Fix};
use runtime_worker::inspect::load;
use runtime_worker::{ClockPolicy, Entry, Limits, LoadedModule, Mount, RunOutcome, RunRequest, SandboxProfile};

fn real(name: &str) -> LoadedModule {
    load::load_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/real").join(name)).unwrap()
}

fn run(module: &LoadedModule, profile: &SandboxProfile) -> Report {
    Report {
        events: crate::support::runtime().start(RunRequest::new(module.clone(), profile.clone(), Entry::Start)).wait(),
    }
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/data")
}

/// Runs, expects failure, checks the first finding, applies its fix (with
/// `folder` where one must be chosen) and returns the next run's report.
fn fix_and_rerun(
    module: &LoadedModule,
    profile: &mut SandboxProfile,
    headline: &str,
    folder: Option<PathBuf>,
) -> (Finding, Report) {
    let report = run(module, profile);
    assert_ne!(report.outcome(), &RunOutcome::Exited { code: 0 }, "the run was meant to fail");
    let findings = crate::support::diagnose(&report, module, profile);
    let finding = findings
        .iter()
        .find(|f| f.headline.contains(headline))
        .unwrap_or_else(|| panic!("no finding about `{headline}` in {findings:#?}"))
        .clone();
    let fix = finding.fix.clone().expect("a fix");
    if fix.apply(profile).is_err() {
        fix.apply_with_folder(profile, folder.expect("this fix needs a folder"));
    }
    (finding, run(module, profile))
}

#[test]
fn rust_without_a_mount_fails_in_the_guest_and_the_fix_mounts_the_folder_as_dot() {
    let module = real("hello_file_rust.wasm");
    let mut profile = SandboxProfile::default();
    let (finding, after) = fix_and_rerun(&module, &mut profile, "found none", Some(data_dir()));
    assert!(finding.detail.contains("never saw a path_open"), "{}", finding.detail);
    assert_eq!(finding.fix, Some(Fix::Mount { host: None, guest: ".".into(), read_only: true }));
    assert_eq!(after.outcome(), &RunOutcome::Exited { code: 0 });
    assert!(after.stdout().starts_with("WASM Read: Hello from the host filesystem!"));
}

#[test]
fn rust_with_the_folder_at_slash_data_is_told_to_mount_it_as_dot() {
    let module = real("hello_file_rust.wasm");
    let mut profile = SandboxProfile { mounts: vec![Mount::read_only(data_dir(), "/data")], ..Default::default() };
    let (finding, after) = fix_and_rerun(&module, &mut profile, "mounted at `/data`", None);
    assert_eq!(finding.fix, Some(Fix::RemountAs { guest: "/data".into(), new_guest: ".".into() }));
    assert_eq!(after.outcome(), &RunOutcome::Exited { code: 0 });
}

#[test]
fn go_with_the_folder_at_dot_is_told_to_mount_it_at_slash() {
    let module = real("hello_file_go.wasm");
    let mut profile = SandboxProfile { mounts: vec![Mount::read_only(data_dir(), ".")], ..Default::default() };
    let (finding, after) = fix_and_rerun(&module, &mut profile, "Go looked for `hello.txt`", None);
    assert!(finding.detail.contains("working directory"));
    assert_eq!(finding.fix, Some(Fix::RemountAs { guest: ".".into(), new_guest: "/".into() }));
    assert_eq!(after.outcome(), &RunOutcome::Exited { code: 0 });
    assert!(after.stdout().starts_with("WASM Read:"));
}

#[test]
fn go_without_a_mount_is_told_to_grant_a_folder_at_slash() {
    let module = real("hello_file_go.wasm");
    let mut profile = SandboxProfile::default();
    let (_, after) = fix_and_rerun(&module, &mut profile, "nothing is mounted at `/`", Some(data_dir()));
    assert_eq!(after.outcome(), &RunOutcome::Exited { code: 0 });
}

#[test]
fn c_reading_home_and_secret_is_granted_each_variable() {
    let module = real("env_secret.wasm");
    let mut profile = SandboxProfile::default();
    let (finding, after) = fix_and_rerun(&module, &mut profile, "HOME, SECRET", None);
    assert!(matches!(finding.fix, Some(Fix::GrantEnv { ref name, .. }) if name == "HOME"));
    // HOME is granted now; SECRET is still missing, and named.
    assert_eq!(after.outcome(), &RunOutcome::Exited { code: 1 });
    let (_, last) = fix_and_rerun(&module, &mut profile, "SECRET, which is not among the variables granted", None);
    assert_eq!(last.outcome(), &RunOutcome::Exited { code: 0 });
}

#[test]
fn c_telling_the_time_with_clocks_denied() {
    let module = real("what_time.wasm");
    let mut profile = SandboxProfile { clocks: ClockPolicy::Denied, ..Default::default() };
    let (finding, after) = fix_and_rerun(&module, &mut profile, "read the clock", None);
    assert_eq!(finding.fix, Some(Fix::AllowClocks));
    assert!(after.stdout().starts_with("It is "));
}

#[test]
fn c_writing_to_a_read_only_mount() {
    let dir = tempfile::tempdir().unwrap();
    let module = real("write_log.wasm");
    let mut profile = SandboxProfile { mounts: vec![Mount::read_only(dir.path(), "/data")], ..Default::default() };
    let (finding, after) = fix_and_rerun(&module, &mut profile, "mounted read-only", None);
    assert_eq!(finding.fix, Some(Fix::MakeWritable { guest: "/data".into() }));
    assert_eq!(after.outcome(), &RunOutcome::Exited { code: 0 });
    assert_eq!(std::fs::read_to_string(dir.path().join("log.txt")).unwrap(), "written by wasm\n");
}

#[test]
fn c_allocating_past_the_memory_cap_is_given_more_until_it_fits() {
    let module = real("alloc_until_cap.wasm");
    let mut profile = SandboxProfile {
        limits: Limits { max_memory_bytes: Some(16 << 20), ..Limits::default() },
        ..Default::default()
    };
    let mut report = run(&module, &profile);
    for _ in 0..5 {
        if *report.outcome() == (RunOutcome::Exited { code: 0 }) {
            break;
        }
        let findings = crate::support::diagnose(&report, &module, &profile);
        let finding = findings.iter().find(|f| f.headline.contains("more than the")).expect("a memory finding");
        finding.fix.as_ref().unwrap().apply(&mut profile).unwrap();
        report = run(&module, &profile);
    }
    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 0 });
}

#[test]
fn c_trying_to_escape_is_explained_and_not_fixed() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(root.path().join("secret.txt"), "secret").unwrap();
    std::os::unix::fs::symlink(root.path().join("secret.txt"), data.join("escape_link")).unwrap();
    let module = real("ls_escape.wasm");
    let profile = SandboxProfile { mounts: vec![Mount::read_only(&data, "/data")], ..Default::default() };
    let report = run(&module, &profile);
    let findings = crate::support::diagnose(&report, &module, &profile);
    let escape = findings.iter().find(|f| f.headline.contains("../secret.txt")).expect("the `..` attempt");
    assert_eq!(escape.fix, None, "no grant undoes a refused escape");
    assert!(escape.detail.contains("the sandbox working"));
    assert!(findings.iter().any(|f| f.headline.contains("escape_link") && f.fix.is_none()));
    // /etc/passwd never reached the host: wasi-libc refused it in the guest.
    let etc = findings.iter().find(|f| f.headline.contains("/etc/passwd")).expect("the absolute path");
    assert!(etc.detail.contains("never saw a path_open"), "{}", etc.detail);
}

/// The doctor decides by the kind of each denial, never by its sentence:
/// with every reason reworded, every run is diagnosed the same, with the
/// same fixes.
#[test]
fn every_fix_is_still_found_when_every_reason_is_reworded() {
    use runtime_worker::{NetworkPolicy, WorkerEvent};

    let dir = tempfile::tempdir().unwrap();
    let tcp_connect = crate::support::sample("components/tcp_connect.wasm");
    let cases: Vec<(&str, LoadedModule, SandboxProfile)> = vec![
        (
            "a write on a read-only mount",
            real("write_log.wasm"),
            SandboxProfile { mounts: vec![Mount::read_only(dir.path(), "/data")], ..Default::default() },
        ),
        (
            "an escape with `..`",
            real("ls_escape.wasm"),
            SandboxProfile { mounts: vec![Mount::read_only(data_dir(), "/data")], ..Default::default() },
        ),
        ("an environment not granted", crate::support::sample("env.wat"), SandboxProfile::default()),
        (
            "a denied clock",
            crate::support::sample("clock.wat"),
            SandboxProfile { clocks: ClockPolicy::Denied, ..Default::default() },
        ),
        (
            "an address outside the allow-list",
            tcp_connect.clone(),
            SandboxProfile {
                args: vec!["127.0.0.1:9".into()],
                network: NetworkPolicy::AllowList(vec!["10.255.255.1:9".into()]),
                ..Default::default()
            },
        ),
        (
            "a socket with the network off",
            tcp_connect,
            SandboxProfile { args: vec!["127.0.0.1:9".into()], ..Default::default() },
        ),
    ];
    for (case, module, profile) in cases {
        let mut report = run(&module, &profile);
        let before = crate::support::diagnose(&report, &module, &profile);
        assert!(before.iter().any(|f| f.capability.is_some()), "{case}: no finding about a capability: {before:#?}");
        let mut reworded = 0;
        for event in &mut report.events {
            let denial = match event {
                WorkerEvent::Call(call) => call.denial.as_mut(),
                WorkerEvent::HostCall(call) => call.denial.as_mut(),
                _ => None,
            };
            if let Some(denial) = denial {
                denial.reason = "(reworded)".into();
                reworded += 1;
            }
        }
        assert!(reworded > 0, "{case}: no denial to reword");
        let after = crate::support::diagnose(&report, &module, &profile);
        let decided = |findings: &[Finding]| -> Vec<_> {
            findings.iter().map(|f| (f.capability, f.headline.clone(), f.fix.clone())).collect()
        };
        assert_eq!(decided(&after), decided(&before), "{case}: rewording the reasons changed the diagnosis");
    }
}
