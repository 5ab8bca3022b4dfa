//! Everything the window knows about one run, built from its events.

use std::sync::Arc;
use std::time::{Duration, Instant};

use runtime_worker::doctor::{Evidence, Finding, diagnose};
use runtime_worker::{
    HostCall, MemoryChange, MemoryEvent, Phase, PhaseTiming, RunId, RunOutcome, SandboxProfile, WorkerEvent,
};

use super::call_store::CallStore;
use super::console::Console;

pub struct RunRecord {
    pub id: RunId,
    /// 1-based number of the run in this session, for people.
    pub number: usize,
    pub module_name: String,
    pub module_sha256: [u8; 32],
    pub profile: SandboxProfile,
    /// The export the run called, when it did not run `_start`/`wasi:cli/run`.
    pub invoked: Option<String>,
    /// The inner component whose export the run called (`#0 database-connector`).
    pub invoked_part: Option<String>,
    /// The request the run sent to a `wasi:http` handler (`GET /echo`).
    pub request: Option<String>,
    /// The module is a component: its calls are `host_calls`.
    pub component: bool,
    started: Instant,
    ended: Option<Instant>,
    /// Shared, so that an export writes them on its own thread without a
    /// copy (`model::export_job`); a call arriving while one is written
    /// copies them once (`Arc::make_mut`), and the export keeps what it had.
    pub calls: Arc<CallStore>,
    /// A component's WASI 0.2 host calls (components make far fewer calls
    /// than a million, and their arguments are already text); shared as
    /// `calls` is.
    pub host_calls: Arc<Vec<HostCall>>,
    /// The calls were let go to bound memory (an old run).
    pub calls_discarded: bool,
    pub memory: Vec<MemoryEvent>,
    pub timings: Vec<PhaseTiming>,
    pub console: Console,
    pub compile_progress: Option<(u32, u32)>,
    pub outcome: Option<RunOutcome>,
    /// The module's source language (from its `producers` section), which
    /// tells the diagnosis how the guest resolves paths.
    pub language: Option<String>,
    /// What the diagnosis reads, gathered as the events arrive (the same
    /// path `--explain` takes).
    evidence: Evidence,
    /// Worked out once, when first asked after the run ended.
    diagnosis: Option<Vec<Finding>>,
    /// The run was read from a recording, not run here.
    pub recorded: Option<Recorded>,
}

/// Where a recorded run came from (`model/recorded_run.rs`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// The recording's file (or the name it was dropped with).
    pub file: String,
    /// The wasmscope version that recorded it.
    pub writer: String,
    /// When the run started, in milliseconds since the Unix epoch.
    pub started_unix_ms: u64,
    /// When its last timed event happened, in nanoseconds since the start:
    /// a cut recording's length.
    pub last_event_ns: u64,
    /// Set when the recording stops before the run's end: where and why.
    /// Such a run is over as far as the window is concerned (no more of it
    /// will come), though it has no outcome.
    pub cut: Option<String>,
}

impl RunRecord {
    pub fn new(id: RunId, number: usize, module_name: &str, sha256: [u8; 32], profile: SandboxProfile) -> RunRecord {
        RunRecord {
            id,
            number,
            module_name: module_name.to_string(),
            module_sha256: sha256,
            profile,
            invoked: None,
            invoked_part: None,
            request: None,
            component: false,
            started: Instant::now(),
            ended: None,
            calls: Arc::new(CallStore::new()),
            host_calls: Arc::new(Vec::new()),
            calls_discarded: false,
            memory: Vec::new(),
            timings: Vec::new(),
            console: Console::default(),
            compile_progress: None,
            outcome: None,
            language: None,
            evidence: Evidence::default(),
            diagnosis: None,
            recorded: None,
        }
    }

    pub fn with_language(mut self, language: Option<String>) -> RunRecord {
        self.language = language;
        self
    }

    pub fn ingest(&mut self, event: WorkerEvent) {
        self.evidence.observe(&event);
        match event {
            WorkerEvent::CompileProgress { done, total } => self.compile_progress = Some((done, total)),
            WorkerEvent::Phase(timing) => {
                if timing.phase == Phase::Compile {
                    self.compile_progress = None;
                }
                self.timings.push(timing);
            }
            WorkerEvent::Call(call) => Arc::make_mut(&mut self.calls).push(&call),
            WorkerEvent::HostCall(call) => Arc::make_mut(&mut self.host_calls).push(call),
            WorkerEvent::Memory(memory) => self.memory.push(memory),
            WorkerEvent::Output { stream, bytes } => self.console.push(stream, &bytes),
            WorkerEvent::OutputDropped { stream, total } => self.console.set_dropped(stream, total),
            WorkerEvent::Finished(outcome) => {
                self.ended = Some(Instant::now());
                self.compile_progress = None;
                self.outcome = Some(outcome);
            }
        }
    }

    /// Why the run failed, if it did: its denials and guest-side failures
    /// with their fixes.
    pub fn diagnosis(&mut self) -> &[Finding] {
        if self.diagnosis.is_none() && self.is_finished() {
            self.diagnosis = Some(diagnose(&self.evidence, &self.profile, self.language.as_deref()));
        }
        self.diagnosis.as_deref().unwrap_or(&[])
    }

    /// Lets go of the run's calls and, once it has ended, of what its
    /// diagnosis reads, to bound the memory old runs hold; the diagnosis is
    /// worked out first, so Why? still explains the run.
    pub fn discard_calls(&mut self) {
        self.calls = Arc::new(CallStore::new());
        self.host_calls = Arc::new(Vec::new());
        self.calls_discarded = true;
        if self.is_finished() {
            self.diagnosis();
            self.evidence = Evidence::default();
        }
    }

    pub fn is_finished(&self) -> bool {
        self.outcome.is_some() || self.recorded.as_ref().is_some_and(|recorded| recorded.cut.is_some())
    }

    /// Time since the run started, or its whole length once it ended: the
    /// length the worker measured, on the clock its events use, where it
    /// reported one (the window's own clock would add the time the events
    /// took to arrive).
    pub fn elapsed(&self) -> Duration {
        match (self.ended, self.timing(Phase::Total), &self.recorded) {
            (Some(_), Some(total), _) => Duration::from_nanos(total.nanos),
            // A recording read here: the window's clock says nothing of it.
            (_, _, Some(recorded)) => Duration::from_nanos(recorded.last_event_ns),
            (ended, _, None) => ended.unwrap_or_else(Instant::now) - self.started,
        }
    }

    /// The capabilities the run's calls exercised, with how many calls each:
    /// a core module's WASI calls, or a component's host calls by their
    /// interface (calls between its inner parts are none).
    pub fn capabilities_used(&self) -> std::collections::BTreeMap<runtime_worker::Capability, u64> {
        let mut used = self.calls.capabilities_used().clone();
        for call in self.host_calls.iter().filter(|call| call.callee.is_none()) {
            if let Some(capability) = runtime_worker::wasi::capability::of_p2_interface(&call.interface) {
                *used.entry(capability).or_default() += 1;
            }
        }
        used
    }

    pub fn timing(&self, phase: Phase) -> Option<PhaseTiming> {
        self.timings.iter().copied().find(|t| t.phase == phase)
    }

    /// Linear memory over time: (seconds since the start, bytes), starting
    /// from the initial size.
    pub fn memory_series(&self) -> Vec<[f64; 2]> {
        let mut points = Vec::new();
        for event in &self.memory {
            let t = event.at_ns as f64 / 1e9;
            match event.change {
                MemoryChange::Initial { bytes, .. } => points.push([t, bytes as f64]),
                MemoryChange::Grew { from, to } => {
                    points.push([t, from as f64]);
                    points.push([t, to as f64]);
                }
                MemoryChange::Refused { .. } => {}
            }
        }
        if let Some(last) = points.last().copied() {
            let end = self.elapsed().as_secs_f64().max(last[0]);
            points.push([end, last[1]]);
        }
        points
    }

    pub fn peak_memory(&self) -> Option<u64> {
        self.memory
            .iter()
            .filter_map(|e| match e.change {
                MemoryChange::Initial { bytes, .. } => Some(bytes),
                MemoryChange::Grew { to, .. } => Some(to),
                MemoryChange::Refused { .. } => None,
            })
            .max()
    }

    pub fn memory_maximum(&self) -> Option<u64> {
        self.memory.iter().find_map(|e| match e.change {
            MemoryChange::Initial { maximum, .. } => maximum,
            _ => None,
        })
    }

    /// `Run #3`, or `Run #3 (recorded)` for a run read from a recording.
    pub fn title(&self) -> String {
        match self.recorded {
            Some(_) => format!("Run #{} (recorded)", self.number),
            None => format!("Run #{}", self.number),
        }
    }

    /// A short word for the run's state, for the toolbar and history.
    pub fn status_text(&self) -> String {
        match &self.outcome {
            None if self.recorded.as_ref().is_some_and(|recorded| recorded.cut.is_some()) => {
                "recording cut off".to_string()
            }
            None if self.compile_progress.is_some() => "compiling".to_string(),
            None => "running".to_string(),
            Some(outcome) => outcome_text(outcome),
        }
    }
}

pub fn outcome_text(outcome: &RunOutcome) -> String {
    match outcome {
        RunOutcome::Exited { code } => format!("exited with {code}"),
        RunOutcome::Returned { values } if values.is_empty() => "returned".to_string(),
        RunOutcome::Returned { values } => {
            let values: Vec<String> = values.iter().map(ToString::to_string).collect();
            format!("returned {}", values.join(", "))
        }
        RunOutcome::Trapped(trap) => {
            format!("trapped: {}", trap.message.strip_prefix("wasm trap: ").unwrap_or(&trap.message))
        }
        RunOutcome::Responded(response) => {
            format!("answered {} ({} bytes)", status_line(response.status), response.body.len())
        }
        RunOutcome::Stopped => "stopped".to_string(),
        RunOutcome::TimedOut => "timed out".to_string(),
        RunOutcome::Failed { message, .. } => format!("could not run: {message}"),
    }
}

/// `200 OK`, `404 Not Found`; the number alone when it has no usual name.
pub fn status_line(status: u16) -> String {
    match http::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()) {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}

/// One request of the runs that sent requests to the loaded handler: how
/// long its fresh instance took to start, and the whole request.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RequestStartup {
    /// The run's number.
    pub number: usize,
    pub instantiate_ns: u64,
    /// The request from instantiation to its response: the run's total
    /// without compiling (the first request compiles the handler, seconds
    /// for a Python one, which is no part of a request's start-up).
    pub total_ns: u64,
}

/// The requests sent to the handler of the session's last run (runs of
/// other modules, and runs that are not requests, are left out), oldest
/// first; those that never got an instance (stopped early, failed to link)
/// have no start-up to show.
pub fn request_startups(runs: &[RunRecord]) -> Vec<RequestStartup> {
    let Some(last) = runs.last() else { return Vec::new() };
    runs.iter()
        .filter(|run| run.module_sha256 == last.module_sha256 && run.request.is_some() && run.is_finished())
        .filter_map(|run| {
            Some(RequestStartup {
                number: run.number,
                instantiate_ns: run.timing(Phase::Instantiate)?.nanos,
                total_ns: run
                    .timing(Phase::Total)?
                    .nanos
                    .saturating_sub(run.timing(Phase::Compile).map_or(0, |compile| compile.nanos)),
            })
        })
        .collect()
}

/// The value below which `fraction` of `values` lie (nearest rank); `None`
/// for no values.
pub fn percentile(values: &[u64], fraction: f64) -> Option<u64> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let rank = ((fraction * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len().max(1));
    sorted.get(rank - 1).copied()
}

#[cfg(test)]
mod tests {
    use runtime_worker::{HttpResponse, Phase, PhaseTiming, RunOutcome, SandboxProfile, WorkerEvent};

    use super::{RequestStartup, RunRecord, percentile, request_startups};

    /// A request run that took `compile` of its `total` nanoseconds compiling.
    fn request(number: usize, compile: u64, instantiate: u64, total: u64) -> RunRecord {
        let mut run = RunRecord::new(number as u64, number, "h.wasm", [7; 32], SandboxProfile::default());
        run.request = Some("GET /".to_string());
        for (phase, nanos) in [(Phase::Compile, compile), (Phase::Instantiate, instantiate), (Phase::Total, total)] {
            run.ingest(WorkerEvent::Phase(PhaseTiming { phase, nanos, cached: false }));
        }
        let response = HttpResponse { status: 200, headers: Vec::new(), body: Vec::new() };
        run.ingest(WorkerEvent::Finished(RunOutcome::Responded(response)));
        run
    }

    #[test]
    fn a_components_host_calls_count_as_the_capabilities_they_use() {
        let mut run = RunRecord::new(1, 1, "c.wasm", [1; 32], SandboxProfile::default());
        let call = |interface: &str, function: &str, callee: Option<&str>| {
            WorkerEvent::HostCall(runtime_worker::HostCall {
                seq: 0,
                interface: interface.into(),
                function: function.into(),
                start_ns: 0,
                dur_ns: 0,
                args: Default::default(),
                result: "Ok(())".into(),
                error: None,
                denial: None,
                part: None,
                callee: callee.map(Into::into),
            })
        };
        run.ingest(call("wasi:filesystem/preopens", "get-directories", None));
        run.ingest(call("wasi:filesystem/types", "[method]descriptor.open-at", None));
        run.ingest(call("wasi:cli/stdout", "get-stdout", None));
        run.ingest(call("wasi:io/streams", "[method]output-stream.write", None));
        run.ingest(call("wasmscope:article/database-connector", "execute-query", Some("#0 database-connector")));
        let used = run.capabilities_used();
        assert_eq!(used.get(&runtime_worker::Capability::Files), Some(&2));
        assert_eq!(used.get(&runtime_worker::Capability::Stdio), Some(&1));
        assert_eq!(used.len(), 2, "{used:?}");
    }

    #[test]
    fn a_requests_start_up_leaves_the_handlers_compile_out() {
        let runs = [request(1, 20_000_000, 3_000, 20_010_000), request(2, 8, 1_000, 4_008)];
        assert_eq!(
            request_startups(&runs),
            [
                RequestStartup { number: 1, instantiate_ns: 3_000, total_ns: 10_000 },
                RequestStartup { number: 2, instantiate_ns: 1_000, total_ns: 4_000 },
            ]
        );
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let values: Vec<u64> = (1..=100).rev().collect();
        assert_eq!(percentile(&values, 0.5), Some(50));
        assert_eq!(percentile(&values, 0.99), Some(99));
        assert_eq!(percentile(&values, 1.0), Some(100));
        assert_eq!(percentile(&[7], 0.5), Some(7));
        assert_eq!(percentile(&[], 0.5), None);
    }
}
