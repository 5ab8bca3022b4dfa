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

/// The capability a WASI 0.2 interface import belongs to, by its name
/// (`wasi:filesystem/types@0.2.0`), or `None` for an interface that is not a
/// WASI capability (`wasi:io/*` streams serve files, stdio and sockets alike).
pub fn of_p2_interface(name: &str) -> Option<Capability> {
    let name = name.split('@').next().unwrap_or(name);
    let (package, interface) = name.split_once('/')?;
    match package {
        "wasi:filesystem" => Some(Capability::Files),
        "wasi:sockets" => Some(Capability::Network),
        // Requests out need the network; answering requests does not.
        "wasi:http" => matches!(interface, "outgoing-handler" | "client").then_some(Capability::Network),
        "wasi:clocks" => Some(Capability::Clocks),
        "wasi:random" => Some(Capability::Random),
        "wasi:cli" => match interface {
            "environment" => Some(Capability::EnvArgs),
            "exit" => Some(Capability::Process),
            _ => Some(Capability::Stdio),
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview2_interfaces_are_tagged() {
        assert_eq!(of_p2_interface("wasi:filesystem/types@0.2.0"), Some(Capability::Files));
        assert_eq!(of_p2_interface("wasi:sockets/tcp@0.2.3"), Some(Capability::Network));
        assert_eq!(of_p2_interface("wasi:clocks/wall-clock@0.2.0"), Some(Capability::Clocks));
        assert_eq!(of_p2_interface("wasi:cli/environment@0.2.0"), Some(Capability::EnvArgs));
        assert_eq!(of_p2_interface("wasi:cli/stdout@0.2.0"), Some(Capability::Stdio));
        assert_eq!(of_p2_interface("wasi:cli/exit@0.2.0"), Some(Capability::Process));
        assert_eq!(of_p2_interface("wasi:random/random@0.2.0"), Some(Capability::Random));
        assert_eq!(of_p2_interface("wasi:io/streams@0.2.0"), None);
        assert_eq!(of_p2_interface("my:db/connector"), None);
    }
}
