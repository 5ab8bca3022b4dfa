//! What the doctor reads of a run, gathered from its events as they pass:
//! the one path from a run to its diagnosis, used by the window, the command
//! line and the tests alike, so a run is explained the same way everywhere.

use std::collections::BTreeSet;

use crate::boundary::denial::Denial;
use crate::boundary::event::{CallEvent, HostCall, MemoryChange, RunOutcome, Stream, WorkerEvent};
use crate::wasi::abi::WasiFunc;

/// How much of each output stream the doctor reads: the messages it looks
/// for come last (a panic, a perror).
const OUTPUT_TAIL: usize = 256 * 1024;

/// Distinct denied calls kept of each kind of denial: a guest that is
/// refused in a loop repeats itself, and the findings are the same for every
/// repeat; a later refusal of another kind is still kept.
const MAX_DENIED_PER_KIND: usize = 1024;

/// Distinct paths kept of those the guest passed to the host.
const MAX_HOST_PATHS: usize = 65_536;

/// Crossings kept of a composed run part by part, and how much of each
/// result: enough to tell which part an error came from.
const MAX_CROSSINGS: usize = 256;
const CROSSING_TEXT: usize = 1024;

/// Everything the diagnosis looks at, bounded whatever the run's length
/// (the preopens are as many as the guest was given).
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    /// The core-module calls marked denied, in order; repeats of the same
    /// call refused the same way are kept once.
    pub(super) denied_calls: Vec<CallEvent>,
    /// The component host calls marked denied, likewise.
    pub(super) denied_host_calls: Vec<HostCall>,
    /// Directory names the guest learned through `fd_prestat_dir_name`.
    pub(super) preopens_seen: Vec<String>,
    /// Every distinct path the guest passed to the host (`path_*` calls).
    pub(super) host_paths: BTreeSet<String>,
    /// The last `OUTPUT_TAIL` bytes (at least) of each stream.
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    /// In a composed run part by part: what calls between parts returned
    /// (the callee, the start of the result's text), distinct ones.
    pub(super) crossings: Vec<(String, String)>,
    /// In a composed run part by part: the parts that made a denied call.
    pub(super) denied_parts: BTreeSet<String>,
    /// The first `memory.grow` refused at the cap: (bytes asked for, cap).
    pub(super) memory_refused: Option<(u64, u64)>,
    pub(super) outcome: Option<RunOutcome>,
}

impl Evidence {
    /// The evidence of a run whose events are all at hand.
    pub fn of_events<'a>(events: impl IntoIterator<Item = &'a WorkerEvent>) -> Evidence {
        let mut evidence = Evidence::default();
        for event in events {
            evidence.observe(event);
        }
        evidence
    }

    /// Takes in one event of the run, in order.
    pub fn observe(&mut self, event: &WorkerEvent) {
        match event {
            WorkerEvent::Call(call) => self.observe_call(call),
            WorkerEvent::HostCall(call) => {
                let repeat = |seen: &HostCall| {
                    seen.interface == call.interface && seen.function == call.function && seen.denial == call.denial
                };
                keep_denied(&mut self.denied_host_calls, call, |c| c.denial.as_deref(), repeat);
                self.observe_part(call);
            }
            WorkerEvent::Output { stream, bytes } => {
                let kept = if *stream == Stream::Stdout { &mut self.stdout } else { &mut self.stderr };
                kept.extend_from_slice(bytes);
                if kept.len() > 2 * OUTPUT_TAIL {
                    kept.drain(..kept.len() - OUTPUT_TAIL);
                }
            }
            WorkerEvent::Memory(memory) => {
                if let MemoryChange::Refused { requested, cap, .. } = memory.change
                    && self.memory_refused.is_none()
                {
                    self.memory_refused = Some((requested, cap));
                }
            }
            WorkerEvent::Finished(outcome) => self.outcome = Some(outcome.clone()),
            WorkerEvent::CompileProgress { .. } | WorkerEvent::Phase(_) | WorkerEvent::OutputDropped { .. } => {}
        }
    }

    fn observe_call(&mut self, call: &CallEvent) {
        // A repeat is the same call refused the same way: everything a
        // finding reads (the function, the denial, the paths and the
        // directories they were looked up from) is the same.
        let repeat = |seen: &CallEvent| {
            seen.func == call.func
                && seen.denial == call.denial
                && seen.strings == call.strings
                && seen.fd_labels == call.fd_labels
        };
        keep_denied(&mut self.denied_calls, call, |c| c.denial.as_deref(), repeat);
        if call.func == WasiFunc::FdPrestatDirName
            && call.errno.is_none()
            && let Some(dir) = call.strings.first()
            && !self.preopens_seen.iter().any(|seen| **seen == **dir)
        {
            self.preopens_seen.push(dir.to_string());
        }
        // `path()` is also the directory name `fd_prestat_dir_name` returns:
        // only calls that look a path up count as paths the guest used.
        if call.func.takes_path()
            && let Some(path) = call.path()
            && self.host_paths.len() < MAX_HOST_PATHS
            && !self.host_paths.contains(path)
        {
            self.host_paths.insert(path.to_string());
        }
    }

    /// What tells the parts of a composed run apart: who was refused, and
    /// what each crossing brought back.
    fn observe_part(&mut self, call: &HostCall) {
        if let (Some(part), Some(_)) = (&call.part, &call.denial) {
            self.denied_parts.insert(part.to_string());
        }
        if let Some(callee) = &call.callee
            && self.crossings.len() < MAX_CROSSINGS
        {
            let result: &str = &call.result;
            let mut end = result.len().min(CROSSING_TEXT);
            while !result.is_char_boundary(end) {
                end -= 1;
            }
            let crossing = (callee.to_string(), result[..end].to_string());
            if !self.crossings.contains(&crossing) {
                self.crossings.push(crossing);
            }
        }
    }

    /// The end of a stream as text.
    pub(super) fn output_tail(&self, stream: Stream) -> String {
        let bytes = if stream == Stream::Stdout { &self.stdout } else { &self.stderr };
        String::from_utf8_lossy(&bytes[bytes.len().saturating_sub(OUTPUT_TAIL)..]).into_owned()
    }
}

/// Keeps `call` among the denied calls `kept` if it was denied, is not a
/// repeat of one kept, and fewer than `MAX_DENIED_PER_KIND` of its kind of
/// denial are kept.
fn keep_denied<T: Clone>(
    kept: &mut Vec<T>,
    call: &T,
    denial_of: impl Fn(&T) -> Option<&Denial>,
    repeat: impl Fn(&T) -> bool,
) {
    let Some(denial) = denial_of(call) else { return };
    let kind = std::mem::discriminant(&denial.kind);
    let same_kind = kept.iter().filter(|seen| denial_of(seen).is_some_and(|d| std::mem::discriminant(&d.kind) == kind));
    if same_kind.count() < MAX_DENIED_PER_KIND && !kept.iter().any(repeat) {
        kept.push(call.clone());
    }
}
