//! What the caller asks to run: a loaded module, the profile it runs under,
//! and where execution starts.

use crate::boundary::profile::SandboxProfile;
use crate::inspect::load::LoadedModule;

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
}

impl RunRequest {
    pub fn new(module: LoadedModule, profile: SandboxProfile, entry: Entry) -> RunRequest {
        RunRequest { module, profile, entry, program_name: None, record_calls: true }
    }
}

/// Where execution starts.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Entry {
    /// A command: call `_start`.
    Start,
    /// A reactor: call `_initialize` if it is exported, then this export with
    /// these arguments (parsed by the export's parameter types).
    Invoke { name: String, args: Vec<String> },
}
