//! `wasmscope run --record FILE`: the whole run in a file, read back as the
//! events the run made; a run stopped by Ctrl+C still leaves a complete
//! recording.

use std::path::Path;
use std::time::{Duration, Instant};

use runtime_worker::{ModuleKind, RunOutcome, Stream, WorkerEvent};
use wasmscope::recording::{self, Ending};

use crate::cli_run::{text, wasmscope, wasmscope_command};

fn count(events: &[WorkerEvent], kind: fn(&WorkerEvent) -> bool) -> usize {
    events.iter().filter(|e| kind(e)).count()
}

fn stdout_of(events: &[WorkerEvent]) -> String {
    let bytes: Vec<u8> = events
        .iter()
        .filter_map(|e| match e {
            WorkerEvent::Output { stream: Stream::Stdout, bytes } => Some(bytes.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn a_recording_names_the_environment_variables_but_keeps_none_of_their_values() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("env.wsrec");
    let out = wasmscope_command(&["run", "--env", "API_TOKEN", "--env", "GREETING=hello-there", "--record"])
        .arg(&file)
        .arg("samples/hello.wat")
        .env("API_TOKEN", "s3cr3t-t0ken-value")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let bytes = std::fs::read(&file).unwrap();
    for value in ["s3cr3t-t0ken-value", "hello-there"] {
        assert!(!bytes.windows(value.len()).any(|w| w == value.as_bytes()), "{value} is in the recording");
    }
    let recorded = recording::read_file(&file).expect("the recording reads");
    let names: Vec<&str> = recorded.header.profile.env.vars.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["API_TOKEN", "GREETING"], "the names are kept");
    assert!(recorded.header.profile.env.vars.iter().all(|(_, value)| value.is_empty()));
}

#[test]
fn a_core_run_reads_back_as_the_calls_the_trace_shows() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("escape.wsrec");
    let file = file.to_str().unwrap();
    let out = wasmscope(&["run", "--dir", "samples/data::/data", "--record", file, "samples/escape.wat"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let recorded = recording::read_file(Path::new(file)).expect("the recording reads");
    assert_eq!(recorded.ending, Ending::Complete);

    let header = &recorded.header;
    assert_eq!(header.module_name, "escape.wat");
    assert_eq!(header.kind, ModuleKind::Core);
    let module = runtime_worker::inspect::load::load_file(Path::new("../samples/escape.wat")).unwrap();
    assert_eq!(header.module_sha256, module.sha256, "the module's hash");
    assert_eq!(header.profile.mounts.len(), 1);
    assert_eq!(header.profile.mounts[0].guest, "/data");
    // `--dir samples/data::/data` recorded as the folder it named, wherever
    // the recording is opened.
    let host = &header.profile.mounts[0].host;
    assert!(host.is_absolute(), "{}", host.display());
    assert_eq!(std::fs::canonicalize(host).unwrap(), std::fs::canonicalize("../samples/data").unwrap());
    assert_eq!(header.entry, runtime_worker::Entry::Start);

    // The same run traced as JSON: the same calls, in the same order.
    let traced = wasmscope(&["run", "--dir", "samples/data::/data", "--trace", "json", "samples/escape.wat"]);
    let lines: Vec<serde_json::Value> =
        text(&traced.stderr).lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let calls: Vec<_> = recorded
        .events
        .iter()
        .filter_map(|e| match e {
            WorkerEvent::Call(call) => Some(call),
            _ => None,
        })
        .collect();
    assert_eq!(calls.len(), lines.len(), "as many calls as the trace has lines");
    for (call, line) in calls.iter().zip(&lines) {
        assert_eq!(call.func.name(), line["func"], "{line}");
        assert_eq!(call.denial.is_some(), line["denied"] == true, "{line}");
    }
    let escape = calls.iter().find(|c| c.strings.first().is_some_and(|p| &**p == "../secret.txt")).unwrap();
    assert_eq!(escape.errno.map(|e| e.name().into_owned()), Some("perm".to_string()));
    assert!(escape.denial.is_some(), "the escape is a denial");

    assert_eq!(stdout_of(&recorded.events), text(&out.stdout), "the output, as printed");
    assert!(count(&recorded.events, |e| matches!(e, WorkerEvent::Phase(_))) >= 3, "compile, instantiate, total");
    assert!(count(&recorded.events, |e| matches!(e, WorkerEvent::Memory(_))) >= 1, "the initial memory");
    assert!(matches!(recorded.events.last(), Some(WorkerEvent::Finished(RunOutcome::Exited { code: 0 }))));
}

#[test]
fn a_component_run_reads_back_with_its_host_calls() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hello.wsrec");
    let file = file.to_str().unwrap();
    let component = "samples/components/hello_component.wasm";
    let out = wasmscope(&["run", "--dir", "samples/data::/data", "--record", file, component]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let recorded = recording::read_file(Path::new(file)).expect("the recording reads");
    assert_eq!(recorded.ending, Ending::Complete);
    assert_eq!(recorded.header.kind, ModuleKind::Component);

    let traced = wasmscope(&["run", "--dir", "samples/data::/data", "--trace", "json", component]);
    let lines = text(&traced.stderr).lines().filter(|l| l.starts_with('{')).count();
    let host_calls: Vec<_> = recorded
        .events
        .iter()
        .filter_map(|e| match e {
            WorkerEvent::HostCall(call) => Some(call),
            _ => None,
        })
        .collect();
    assert!(!host_calls.is_empty());
    assert_eq!(host_calls.len(), lines, "as many host calls as the trace has lines");
    assert!(host_calls.iter().any(|c| c.interface.starts_with("wasi:cli/")), "{host_calls:?}");
    assert_eq!(stdout_of(&recorded.events), text(&out.stdout));
    assert!(matches!(recorded.events.last(), Some(WorkerEvent::Finished(RunOutcome::Exited { code: 0 }))));
}

/// `wasmscope run --record FILE samples/sleep.wat`, once the header is
/// written (before the guest runs) and the guest is well into its sleep.
fn recording_a_sleeper(file: &Path) -> std::process::Child {
    let child = wasmscope_command(&["run", "--record", file.to_str().unwrap(), "samples/sleep.wat"])
        .spawn()
        .expect("wasmscope starts");
    let started = Instant::now();
    while std::fs::metadata(file).map_or(0, |m| m.len()) == 0 {
        assert!(started.elapsed() < Duration::from_secs(60), "no recording was started");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));
    child
}

#[test]
fn ctrl_c_leaves_a_complete_recording_of_what_ran() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sleep.wsrec");
    let child = recording_a_sleeper(&file);
    // SAFETY: a signal to our own child, by its id.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    let recorded = recording::read_file(&file).expect("the recording reads");
    assert_eq!(recorded.ending, Ending::Complete, "closed with its end frame");
    assert!(matches!(recorded.events.last(), Some(WorkerEvent::Finished(RunOutcome::Stopped))));
}

#[test]
fn a_recording_cut_by_a_kill_reads_up_to_the_cut() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("loop.wsrec");
    let mut child = recording_a_sleeper(&file);
    child.kill().unwrap();
    child.wait().unwrap();
    let recorded = recording::read_file(&file).expect("the beginning reads");
    let Ending::Incomplete { why, .. } = &recorded.ending else { panic!("a killed run's recording read as complete") };
    assert!(why.contains("without its end"), "{why}");
    assert!(!recorded.events.iter().any(|e| matches!(e, WorkerEvent::Finished(_))));
    assert!(recorded.events.iter().any(|e| matches!(e, WorkerEvent::Phase(_))), "what ran before the kill");
}

#[test]
fn opening_a_newer_recording_says_which_version_wrote_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hello.wsrec");
    let out = wasmscope(&["run", "--record", file.to_str().unwrap(), "samples/hello.wat"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[8..10].copy_from_slice(&(recording::FORMAT_VERSION + 1).to_le_bytes());
    let error = recording::read(&bytes).err().expect("a newer format is refused");
    let message = error.to_string();
    assert!(message.contains("reads formats up to"), "{message}");
}

/// Every `.wasm` in `dir` and the folders below it.
fn wasm_files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            wasm_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "wasm") {
            found.push(path);
        }
    }
}

#[test]
fn the_header_names_the_language_as_inspect_does_from_the_producers_section_alone() {
    // The header reads only the producers section (a whole inspection made
    // `--record` start 100 ms later on a 20 MB component): it must say what
    // a whole inspection says, for every sample, whole or cut short.
    let mut samples = Vec::new();
    wasm_files(Path::new("../samples"), &mut samples);
    assert!(samples.len() >= 10, "{samples:?}");
    let mut languages = std::collections::BTreeSet::new();
    for path in &samples {
        let bytes = std::fs::read(path).unwrap();
        let inspected = runtime_worker::inspect::inspect_bytes(&bytes).language();
        assert_eq!(runtime_worker::inspect::language_of(&bytes), inspected, "{}", path.display());
        languages.extend(inspected);
        if bytes.len() < 200_000 {
            for cut in [9, bytes.len() / 3, bytes.len() / 2, bytes.len() - 1] {
                let cut = &bytes[..cut];
                let inspected = runtime_worker::inspect::inspect_bytes(cut).language();
                assert_eq!(
                    runtime_worker::inspect::language_of(cut),
                    inspected,
                    "{} cut at {}",
                    path.display(),
                    cut.len()
                );
            }
        }
    }
    // Core modules from C, Rust and Go, components from Python.
    assert!(languages.len() >= 3, "{languages:?}");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("what_time.wsrec");
    let out = wasmscope(&["run", "--record", file.to_str().unwrap(), "samples/real/what_time.wasm"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let recorded = recording::read_file(&file).expect("the recording reads");
    let bytes = std::fs::read("../samples/real/what_time.wasm").unwrap();
    let language = runtime_worker::inspect::inspect_bytes(&bytes).language();
    assert!(language.is_some(), "the sample names its language");
    assert_eq!(recorded.header.language, language);
}
