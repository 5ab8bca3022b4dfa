//! Wasmscope's engine: runs WebAssembly modules and components in a WASI
//! sandbox described by a `SandboxProfile`, and streams everything that
//! happens — every WASI call decoded, memory growth, phase timings, output,
//! the end — as `WorkerEvent`s over a crossbeam channel.
//!
//! ```no_run
//! use runtime_worker::{Entry, Runtime, RunRequest, SandboxProfile, inspect::load};
//!
//! let runtime = Runtime::new()?;
//! let module = load::load("hello.wat", br#"(module (func (export "_start")) (memory (export "memory") 1))"#)?;
//! let run = runtime.start(RunRequest::new(module, SandboxProfile::default(), Entry::Start));
//! for event in run.wait() {
//!     println!("{event:?}");
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! This crate knows nothing of any user interface; the window and the
//! command line both sit on top of it.
//!
//! The crate by job (ARCHITECTURE.md has the full map):
//!
//! | module | job |
//! |---|---|
//! | `boundary` | the types callers use: profile, request, events, commands |
//! | `wasi` | preview1 as data, capabilities |
//! | `inspect` | reading bytes: load, inspect, WIT, disassembly, exported types |
//! | `proposals` | the WebAssembly proposals every engine enables, which the Inspector validates with |
//! | `sandbox` | profile → WASI context, network policy, output capture |
//! | `trace` | the recorder, its clock, descriptors, guest memory, denials, component host calls |
//! | `run` | `Runtime`, the worker, core-module and component runs, engines, pool, threads |
//! | `module_cache` | compiled modules on disk |
//! | `doctor` | a finished run's evidence → findings with fixes |
//! | `density` | N instances at once, measured |
//! | `serve` | `wasi:http` handlers on a socket, one run per request |

pub mod boundary;
pub mod density;
pub mod doctor;
pub mod inspect;
pub mod module_cache;
pub mod proposals;
mod run;
pub mod sandbox;
pub mod serve;
pub mod trace;
pub mod wasi;

pub use boundary::batch::EventBatch;
pub use boundary::denial::{Denial, DenialKind, Guest, NetworkRule, SocketUse, Within};
pub use boundary::event::{
    Abrupt, CallEvent, Frame, HostCall, HttpResponse, MemoryChange, MemoryEvent, Phase, PhaseTiming, Preview, RunId,
    RunOutcome, SourceLocation, Stream, TrapInfo, TrapKind, Value, WorkerCommand, WorkerEvent,
};
pub use boundary::name::Name;
pub use boundary::profile::{
    ClockPolicy, Environment, Limits, Mount, NetworkPolicy, PartProfile, RandomPolicy, SandboxProfile, StdinSource,
};
pub use boundary::request::{Entry, HttpRequest, PartSwap, RunRequest};
pub use inspect::load::{LoadError, LoadedModule, ModuleKind};
pub use run::{Commander, EngineError, EventReceiver, POOLED_RUNS, RunHandle, Runtime};
pub use sandbox::wasi_ctx::SandboxError;
pub use trace::clock::runs_read_the_counter;
pub use wasi::abi::{Errno, WasiFunc};
pub use wasi::capability::Capability;
