//! Running samples through the engine and collecting what happened.

#![allow(dead_code)]

pub mod guest;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use runtime_worker::inspect::load;
use runtime_worker::{
    CallEvent, Entry, MemoryChange, Phase, PhaseTiming, RunHandle, RunOutcome, RunRequest, Runtime, SandboxProfile,
    Stream, WasiFunc, WorkerEvent,
};

/// One runtime for the whole test binary, as the app has.
pub fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| Runtime::new().expect("engine"))
}

pub fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples")
}

pub fn sample(name: &str) -> runtime_worker::LoadedModule {
    load::load_file(&samples_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A private copy of `samples/data`, so guests that write leave the repository alone.
pub fn data_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for entry in std::fs::read_dir(samples_dir().join("data")).expect("samples/data") {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

/// Everything a run reported, sorted by kind.
#[derive(Debug, Default)]
pub struct Report {
    pub events: Vec<WorkerEvent>,
}

impl Report {
    /// A component's host calls, in order.
    pub fn host_calls(&self) -> Vec<&runtime_worker::HostCall> {
        self.events
            .iter()
            .filter_map(|e| match e {
                WorkerEvent::HostCall(call) => Some(call),
                _ => None,
            })
            .collect()
    }

    pub fn calls(&self) -> impl Iterator<Item = &CallEvent> {
        self.events.iter().filter_map(|e| match e {
            WorkerEvent::Call(call) => Some(call),
            _ => None,
        })
    }

    pub fn calls_to(&self, func: WasiFunc) -> Vec<&CallEvent> {
        self.calls().filter(|c| c.func == func).collect()
    }

    pub fn output(&self, stream: Stream) -> String {
        let mut out = Vec::new();
        for event in &self.events {
            if let WorkerEvent::Output { stream: s, bytes } = event
                && *s == stream
            {
                out.extend_from_slice(bytes);
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    pub fn stdout(&self) -> String {
        self.output(Stream::Stdout)
    }

    pub fn stderr(&self) -> String {
        self.output(Stream::Stderr)
    }

    pub fn outcome(&self) -> &RunOutcome {
        match self.events.last() {
            Some(WorkerEvent::Finished(outcome)) => outcome,
            other => panic!("the last event is not Finished: {other:?}"),
        }
    }

    pub fn memory(&self) -> Vec<MemoryChange> {
        self.events
            .iter()
            .filter_map(|e| match e {
                WorkerEvent::Memory(m) => Some(m.change),
                _ => None,
            })
            .collect()
    }

    pub fn phase(&self, phase: Phase) -> Option<PhaseTiming> {
        self.events.iter().find_map(|e| match e {
            WorkerEvent::Phase(t) if t.phase == phase => Some(*t),
            _ => None,
        })
    }

    pub fn denied(&self) -> Vec<&CallEvent> {
        self.calls().filter(|c| c.denial.is_some()).collect()
    }
}

pub fn start(module: &str, profile: SandboxProfile, entry: Entry) -> RunHandle {
    runtime().start(RunRequest::new(sample(module), profile, entry))
}

pub fn run(module: &str, profile: SandboxProfile) -> Report {
    Report { events: start(module, profile, Entry::Start).wait() }
}

pub fn invoke(module: &str, name: &str, args: &[&str]) -> Report {
    let entry = Entry::Invoke { name: name.to_string(), args: args.iter().map(|s| s.to_string()).collect() };
    Report { events: start(module, SandboxProfile::default(), entry).wait() }
}

/// The diagnosis of a finished run, through the same evidence path as the
/// window and `--explain`.
pub fn diagnose(
    report: &Report,
    module: &runtime_worker::LoadedModule,
    profile: &SandboxProfile,
) -> Vec<runtime_worker::doctor::Finding> {
    let evidence = runtime_worker::doctor::Evidence::of_events(&report.events);
    let language = runtime_worker::inspect::inspect(module).language();
    runtime_worker::doctor::diagnose(&evidence, profile, language.as_deref())
}
