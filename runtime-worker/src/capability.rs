//! Capabilities: the kinds of access a sandbox can grant, and which WASI
//! imports belong to which. The inspector, the trace and the diagnosis all
//! take the mapping from here.

use serde::{Deserialize, Serialize};

/// A kind of access a guest can be granted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    /// Preopened directories and the files under them.
    Files,
    /// Sockets.
    Network,
    /// Wall and monotonic clocks.
    Clocks,
    /// Environment variables and program arguments.
    EnvArgs,
    /// Random bytes.
    Random,
    /// stdin, stdout, stderr.
    Stdio,
    /// Exiting, signals, yielding: the process itself.
    Process,
}

impl Capability {
    pub const ALL: [Capability; 7] = [
        Capability::Files,
        Capability::Network,
        Capability::Clocks,
        Capability::EnvArgs,
        Capability::Random,
        Capability::Stdio,
        Capability::Process,
    ];

    /// Short lowercase name, as used in JSON and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Capability::Files => "files",
            Capability::Network => "network",
            Capability::Clocks => "clocks",
            Capability::EnvArgs => "env/args",
            Capability::Random => "random",
            Capability::Stdio => "stdio",
            Capability::Process => "process",
        }
    }
}

impl std::fmt::Display for Capability {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The capability a `wasi_snapshot_preview1` import belongs to, by its name,
/// or `None` for a name that is not a preview1 function.
///
/// `fd_read`/`fd_write` and friends serve both stdio and files; statically they
/// are tagged `Stdio` when that is their only plausible use (`fd_write`,
/// `fd_read`) and `Files` otherwise. At run time the trace tags each call by
/// the descriptor it actually used.
pub fn of_p1_import(name: &str) -> Option<Capability> {
    crate::abi::WasiFunc::from_name(name).map(|f| f.capability())
}
