//! The compiled-module cache on disk, through the engine: a second runtime
//! (a later session) starts a module without compiling it, and a damaged
//! cache entry costs a compile, never a wrong or failed run.

use runtime_worker::module_cache::{DEFAULT_CAP_BYTES, ModuleCache};
use runtime_worker::{Entry, Phase, RunOutcome, RunRequest, Runtime, SandboxProfile, WorkerEvent};

/// Runs hello.wat on a fresh runtime over `dir`: was the compile cached, and
/// what did the guest print?
fn run_fresh(dir: &std::path::Path) -> (bool, String) {
    let runtime = Runtime::with_module_cache(ModuleCache::new(dir, DEFAULT_CAP_BYTES)).unwrap();
    let events = runtime
        .start(RunRequest::new(crate::support::sample("hello.wat"), SandboxProfile::default(), Entry::Start))
        .wait();
    let cached = events
        .iter()
        .find_map(|e| match e {
            WorkerEvent::Phase(t) if t.phase == Phase::Compile => Some(t.cached),
            _ => None,
        })
        .expect("a compile phase");
    let report = crate::support::Report { events };
    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 0 });
    (cached, report.output(runtime_worker::Stream::Stdout))
}

#[test]
fn a_later_session_starts_the_module_from_the_disk_cache() {
    let dir = tempfile::tempdir().unwrap();
    let (first, out) = run_fresh(dir.path());
    assert!(!first, "nothing cached yet");
    assert_eq!(out, "Hello, WASI!\n");
    let (second, out) = run_fresh(dir.path());
    assert!(second, "the second runtime found the compiled module on disk");
    assert_eq!(out, "Hello, WASI!\n");
}

#[test]
fn a_damaged_entry_is_compiled_again_and_replaced() {
    let dir = tempfile::tempdir().unwrap();
    run_fresh(dir.path());
    let entries: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.path()).collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let mut bytes = std::fs::read(&entries[0]).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&entries[0], &bytes).unwrap();

    let (cached, out) = run_fresh(dir.path());
    assert!(!cached, "the damaged entry was not used");
    assert_eq!(out, "Hello, WASI!\n");
    // The run wrote a good entry in its place.
    let (cached, _) = run_fresh(dir.path());
    assert!(cached);
}
