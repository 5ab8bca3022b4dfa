//! What the caller asks to run: a loaded module, the profile it runs under,
//! and where execution starts.

use crate::boundary::profile::SandboxProfile;
use crate::inspect::load::LoadedModule;
use crate::wasi::abi::WasiFunc;

/// What to run.
#[derive(Clone, Debug)]
pub struct RunRequest {
    pub module: LoadedModule,
    pub profile: SandboxProfile,
    pub entry: Entry,
    /// `argv[0]` as the guest sees it; the module's name when `None`.
    pub program_name: Option<String>,
    /// Report every WASI call as a `WorkerEvent::Call` (or `HostCall`), with
    /// its denial explained: on by default. A caller that reads no calls (the
    /// command line without `--trace` or `--explain`) turns it off, and calls
    /// then cost about what they cost without Wasmscope. Output, memory,
    /// phase timings (the first call's too) and the outcome are reported
    /// either way, and the profile is enforced either way.
    pub record_calls: bool,
    /// Inner parts of a composed command replaced for this run: the parts
    /// that imported from a replaced part are linked to its replacement,
    /// checked first. A run with swaps runs part by part; empty by default.
    pub swaps: Vec<PartSwap>,
    /// The inner component of a composed component whose export
    /// `Entry::Invoke` calls, named as `PartProfile::part` names one
    /// (`database-connector`, `#0`): that part and the parts it imports from
    /// are set up on their own, and the call's host calls are tagged with
    /// the part. `None` (the default): the component's own exports.
    pub part: Option<String>,
    /// With `record_calls`, each preview1 call carries the guest's stack
    /// when it made the call (`CallEvent::stack`, strace's `-k`): which
    /// function, and which source line where the module has DWARF. A stack
    /// walk per call, so off by default. Component calls carry none.
    pub call_stacks: bool,
    /// With `call_stacks`, only calls of these functions carry a stack, and
    /// only theirs are walked (strace's `-k` with `-e trace=`); empty, the
    /// default: every call.
    pub stacks_only_for: Vec<WasiFunc>,
}

impl RunRequest {
    pub fn new(module: LoadedModule, profile: SandboxProfile, entry: Entry) -> RunRequest {
        RunRequest {
            module,
            profile,
            entry,
            program_name: None,
            record_calls: true,
            swaps: Vec::new(),
            part: None,
            call_stacks: false,
            stacks_only_for: Vec::new(),
        }
    }
}

/// One inner part of a composed command, replaced by another component.
#[derive(Clone, Debug)]
pub struct PartSwap {
    /// The part replaced, named as `PartProfile::part` names one: by name
    /// (`database-connector`) or number (`#0`).
    pub part: String,
    /// The component that stands in for it. Its calls are tagged
    /// `#0 database-connector (provider_rust.wasm)`, from its `name`.
    pub with: LoadedModule,
}

/// Where execution starts.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Entry {
    /// A command: call `_start`.
    Start,
    /// A reactor: call `_initialize` if it is exported, then this export with
    /// these arguments (parsed by the export's parameter types).
    Invoke { name: String, args: Vec<String> },
    /// A `wasi:http` handler (`wasi:http/incoming-handler@0.2` or
    /// `wasi:http/handler@0.3`): one request, handled by a fresh instance,
    /// as `wasmtime serve` does for each request it receives.
    Http(HttpRequest),
}

/// One HTTP request for a handler, whole (the body is not streamed).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HttpRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path with its query, e.g. `/echo?x=1`.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// A request without headers or body.
    pub fn new(method: &str, path: &str) -> HttpRequest {
        HttpRequest { method: method.to_string(), path: path.to_string(), headers: Vec::new(), body: Vec::new() }
    }
}
