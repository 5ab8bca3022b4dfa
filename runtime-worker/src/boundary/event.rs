//! What crosses the boundary between the engine and its caller:
//! `WorkerEvent`s out (batched per run: `batch`), `WorkerCommand`s in.
//!
//! Events are plain data. A run's events arrive in the order they happened,
//! and the last event of every run is exactly one `WorkerEvent::Finished`.

use std::sync::Arc;

use crate::boundary::call_text::{CallArgs, CallText};
use crate::boundary::denial::Denial;
use crate::boundary::name::Name;
use crate::wasi::abi::{Errno, WasiFunc};

/// Identifies one run; every batch carries it, so a late event of an old run
/// can be told apart from the current one.
pub type RunId = u64;

/// Something that happened during a run.
#[derive(Clone, Debug)]
pub enum WorkerEvent {
    /// Compilation is under way: `done` of `total` functions compiled.
    CompileProgress { done: u32, total: u32 },
    /// A phase of the run ended.
    Phase(PhaseTiming),
    /// A WASI call returned (or trapped, or exited).
    Call(CallEvent),
    /// A component's call to a WASI 0.2 host function returned.
    HostCall(HostCall),
    /// Linear memory changed size, or a growth was refused.
    Memory(MemoryEvent),
    /// The guest wrote to stdout or stderr.
    Output { stream: Stream, bytes: Vec<u8> },
    /// Output beyond `Limits::max_output_bytes` was counted, not kept:
    /// `total` bytes dropped so far on this stream.
    OutputDropped { stream: Stream, total: u64 },
    /// The run is over. Always the last event of a run.
    Finished(RunOutcome),
}

/// Phases of a run, in the order they happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Turning the module into machine code (or fetching it from the cache).
    Compile,
    /// Creating the instance: memories, tables, imports, start function.
    Instantiate,
    /// From entering `_start` (or the invoked export) to the first WASI call.
    FirstCall,
    /// The whole run, from the request to the end.
    Total,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Compile => "compile",
            Phase::Instantiate => "instantiate",
            Phase::FirstCall => "first call",
            Phase::Total => "total",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhaseTiming {
    pub phase: Phase,
    /// How long the phase took, in nanoseconds (monotonic clock).
    pub nanos: u64,
    /// For `Compile`: the compiled code came from the cache. For
    /// `Instantiate`: the instance took a slot of the pooling allocator,
    /// which keeps memory and stacks mapped between runs.
    pub cached: bool,
}

/// One WASI call, recorded when it returned (or when the run ended while the
/// guest waited in it: `Abrupt::Unfinished`).
///
/// Parameters are recorded as raw numbers in the order of
/// `func.params()`, skipping strings (in `strings`, in order); results in the
/// order of `func.results()`. `trace/describe.rs` turns them into names and text.
#[derive(Clone, Debug)]
pub struct CallEvent {
    /// Position of the call in the run, from 0.
    pub seq: u64,
    pub func: WasiFunc,
    /// When the call started, in nanoseconds since the run started.
    pub start_ns: u64,
    pub dur_ns: u64,
    pub params: [u64; 6],
    /// Values written back on success (see `WasiFunc::results`).
    pub results: [u64; 2],
    /// `None` on success.
    pub errno: Option<Errno>,
    /// The call did not return to the guest: it trapped or exited, or the
    /// run was stopped while the guest waited in it.
    pub abrupt: Option<Abrupt>,
    /// Paths, names and lists the call passed or received, as text.
    pub strings: Vec<Box<str>>,
    /// The first bytes written (or read, or generated) by the call.
    pub preview: Preview,
    /// What each descriptor argument names, in order of the `Fd` parameters
    /// (for example `/data/hello.txt`); `None` for stdio and unknown fds.
    pub fd_labels: [Option<Arc<str>>; 2],
    /// Set when the call was refused for lack of a capability.
    pub denial: Option<Box<Denial>>,
    /// The guest's stack when it made the call, innermost frame first
    /// (the function that called WASI), when the run was asked for stacks
    /// (`RunRequest::call_stacks`).
    pub stack: Option<Arc<Vec<Frame>>>,
}

/// One call a component made to a WASI 0.2 host function, recorded when it
/// returned. Unlike preview1's `CallEvent`, its arguments and result are
/// already text: wasmtime-wasi's generated bindings describe them, with
/// strings quoted and byte lists elided (`"..."`). The text of many calls
/// shares one buffer (see `call_text`): a recorded call allocates nothing.
#[derive(Clone, Debug)]
pub struct HostCall {
    /// Position of the call in the run, from 0.
    pub seq: u64,
    /// The interface, e.g. `wasi:filesystem/types`.
    pub interface: Name,
    /// The function, e.g. `[method]descriptor.open-at`.
    pub function: Name,
    /// When the call started, in nanoseconds since the run started.
    pub start_ns: u64,
    pub dur_ns: u64,
    /// Each argument by name, e.g. `("path", "\"hello.txt\"")`.
    pub args: CallArgs,
    /// What the function returned, e.g. `Ok(Resource(7))`; empty when the
    /// call never returned (the run was stopped inside it).
    pub result: CallText,
    /// The WASI error code when the call failed, e.g. `access-denied`.
    pub error: Option<Box<str>>,
    /// Set when the call was refused for lack of a capability.
    pub denial: Option<Box<Denial>>,
    /// In a composed component run part by part: the inner component that
    /// made the call (`#1 command`); `None` otherwise.
    pub part: Option<Arc<str>>,
    /// Set when the call crossed from one inner component to another (the
    /// callee; `part` is the caller): `interface` is the import it went
    /// through, and the arguments and result are WAVE values.
    pub callee: Option<Arc<str>>,
}

impl HostCall {
    /// `wasi:filesystem/types#[method]descriptor.open-at`
    pub fn qualified_name(&self) -> String {
        format!("{}#{}", self.interface, self.function)
    }

    /// The function with the resource's method marker dropped:
    /// `descriptor.open-at`.
    pub fn short_name(&self) -> &str {
        let f = &*self.function;
        f.strip_prefix("[method]")
            .or_else(|| f.strip_prefix("[static]"))
            .or_else(|| f.strip_prefix("[constructor]"))
            .unwrap_or(f)
    }

    /// The arguments as one line: `path="hello.txt", flags=...`.
    pub fn args_text(&self) -> String {
        let mut text = String::new();
        for (i, (name, value)) in self.args.iter().enumerate() {
            if i > 0 {
                text.push_str(", ");
            }
            text.push_str(name);
            text.push('=');
            text.push_str(value);
        }
        text
    }
}

/// How a call left without returning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Abrupt {
    /// `proc_exit` with this code.
    Exit(i32),
    /// The host function trapped (a bad pointer, for example).
    Trap,
    /// The run ended (Stop, Ctrl+C, the time limit) while the guest waited in
    /// the call, a sleep or a read of stdin: strace's `<unfinished ...>`.
    Unfinished,
}

/// Up to `Preview::CAP` bytes of a call's data, kept inline (no allocation).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Preview {
    len: u8,
    bytes: [u8; Preview::CAP],
}

impl Preview {
    pub const CAP: usize = 32;
    pub const EMPTY: Preview = Preview { len: 0, bytes: [0; Preview::CAP] };

    pub fn from_slice(data: &[u8]) -> Preview {
        let mut preview = Preview::EMPTY;
        preview.extend(data);
        preview
    }

    /// Appends as much of `data` as fits.
    pub fn extend(&mut self, data: &[u8]) {
        let at = usize::from(self.len);
        let n = data.len().min(Preview::CAP - at);
        self.bytes[at..at + n].copy_from_slice(&data[..n]);
        self.len += n as u8;
    }

    pub fn is_full(&self) -> bool {
        usize::from(self.len) == Preview::CAP
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

impl Default for Preview {
    fn default() -> Self {
        Preview::EMPTY
    }
}

impl std::fmt::Debug for Preview {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_bytes()))
    }
}

/// A change of linear memory size (always in bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryEvent {
    /// Nanoseconds since the run started.
    pub at_ns: u64,
    pub change: MemoryChange,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemoryChange {
    /// The instance's memory after instantiation.
    Initial { bytes: u64, maximum: Option<u64> },
    /// `memory.grow` succeeded.
    Grew { from: u64, to: u64 },
    /// `memory.grow` asked for `requested` bytes and was refused because of the
    /// profile's cap (or the module's own maximum); the guest got -1.
    Refused { from: u64, requested: u64, cap: u64 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq)]
pub enum RunOutcome {
    /// The guest exited (`proc_exit`, or returned from `_start`: code 0).
    Exited { code: i32 },
    /// The invoked reactor export returned these values.
    Returned { values: Vec<Value> },
    /// The HTTP handler answered the request (`Entry::Http`).
    Responded(HttpResponse),
    /// The guest trapped.
    Trapped(TrapInfo),
    /// The caller asked to stop.
    Stopped,
    /// The profile's wall-clock timeout passed.
    TimedOut,
    /// The run could not start: the module failed to load, compile, link or
    /// instantiate. The message says what to fix.
    Failed { stage: Phase, message: String },
}

#[derive(Clone, Debug, PartialEq)]
pub struct TrapInfo {
    pub kind: TrapKind,
    /// wasmtime's message, e.g. "wasm trap: wasm `unreachable` instruction executed".
    pub message: String,
    /// Innermost frame first; function names from the name section where present.
    pub backtrace: Vec<Frame>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrapKind {
    Unreachable,
    StackOverflow,
    MemoryOutOfBounds,
    OutOfFuel,
    /// A trap raised by a host function (e.g. a pointer outside memory).
    Host,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub func_index: u32,
    pub func_name: Option<String>,
    /// Offset of the instruction in the module's bytes, where known.
    pub module_offset: Option<usize>,
    /// Where in the source the instruction is, from the module's DWARF
    /// (empty without it): the innermost function first, then each function
    /// it was inlined into, as wasmtime lists them.
    pub source: Vec<SourceLocation>,
}

/// One function of a frame in the source, from the module's DWARF.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceLocation {
    /// Demangled (C++ and Rust) where the debug info names it.
    pub function: Option<String>,
    /// As the compiler wrote it, e.g. `./prog.c`.
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
}

impl SourceLocation {
    /// `./prog.c:7:14`, or as much of it as the debug info gives; `None`
    /// without a file.
    pub fn place(&self) -> Option<String> {
        let mut at = self.file.clone()?;
        if let Some(line) = self.line {
            at.push_str(&format!(":{line}"));
            if let Some(column) = self.column {
                at.push_str(&format!(":{column}"));
            }
        }
        Some(at)
    }
}

/// A handler's answer, whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// A value passed to or returned from a reactor export.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    I32(i32),
    I64(i64),
    F32(f32),
    F64(f64),
    /// A component value of any WIT type, written in the WAVE syntax
    /// (`[{id: 1, name: "ada"}]`), the syntax `wasmtime run --invoke` reads.
    Wave(String),
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::I32(v) => write!(f, "{v}"),
            Value::I64(v) => write!(f, "{v}"),
            Value::F32(v) => write!(f, "{v}"),
            Value::F64(v) => write!(f, "{v}"),
            Value::Wave(text) => f.write_str(text),
        }
    }
}

/// What a caller can ask of a running worker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorkerCommand {
    /// End the run now, wherever the guest is.
    Stop,
    /// Bytes for an interactive stdin.
    Stdin(Vec<u8>),
    /// End-of-file on an interactive stdin.
    CloseStdin,
}
