//! What the user grants a guest for one run: the `SandboxProfile`.
//!
//! The profile is plain data (serialisable, comparable) so that the window, the
//! command line and saved profile files all describe a sandbox the same way.
//! It is turned into a WASI context in exactly one place, `sandbox/wasi_ctx.rs`.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Everything a guest may touch, for one run. The default grants nothing:
/// no files, no environment, no network, real clocks, system randomness,
/// empty stdin, and no limits beyond wasmtime's own.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SandboxProfile {
    /// Host directories made visible to the guest, in preopen order (the first
    /// mount is WASI fd 3).
    pub mounts: Vec<Mount>,
    pub env: Environment,
    /// Arguments after the program name (`argv[1..]`).
    pub args: Vec<String>,
    pub stdin: StdinSource,
    pub clocks: ClockPolicy,
    pub network: NetworkPolicy,
    /// DNS lookups (`wasi:sockets/ip-name-lookup`) for components, when the
    /// network is not off.
    pub dns: bool,
    pub random: RandomPolicy,
    pub limits: Limits,
    /// A composed component run part by part (see the engine's glass-box
    /// runs): parts given capabilities of their own. Such a part gets its
    /// profile's mounts, environment, clocks, network and randomness instead
    /// of this profile's; the arguments, stdin (a part's own is empty) and
    /// limits stay the run's. Parts not named here get this profile.
    pub parts: Vec<PartProfile>,
}

/// The capabilities of one inner component of a composed component.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PartProfile {
    /// The part, by name (`database-connector`, `command`: as the Inspector
    /// names parts) or by number (`#0`).
    pub part: String,
    pub profile: SandboxProfile,
}

impl PartProfile {
    /// Whether `label` (`#0 database-connector`) is the part this names.
    pub fn names(&self, label: &str) -> bool {
        part_named(&self.part, label)
    }
}

/// Whether `part` (`database-connector`, `#0`, or the whole label) names
/// the part labelled `label`. A swapped part (`#0 database-connector
/// (provider_rust.wasm)`) keeps the name of the place it stands in.
pub fn part_named(part: &str, label: &str) -> bool {
    let (number, name) = label.split_once(' ').unwrap_or((label, ""));
    let place = name.split_once(" (").map_or(name, |(place, _)| place);
    part == label || part == number || part == name || part == place
}

/// A host directory preopened for the guest at `guest` (for example `/data`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mount {
    pub host: PathBuf,
    pub guest: String,
    pub read_only: bool,
}

impl Mount {
    pub fn read_write(host: impl Into<PathBuf>, guest: impl Into<String>) -> Self {
        Mount { host: host.into(), guest: guest.into(), read_only: false }
    }

    pub fn read_only(host: impl Into<PathBuf>, guest: impl Into<String>) -> Self {
        Mount { host: host.into(), guest: guest.into(), read_only: true }
    }
}

/// Environment variables the guest sees.
///
/// With `inherit_host` the guest sees the host's whole environment, and `vars`
/// are added on top (overriding a host variable of the same name).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Environment {
    pub inherit_host: bool,
    pub vars: Vec<(String, String)>,
}

impl Environment {
    /// True when the guest is given no variable at all.
    pub fn is_empty(&self) -> bool {
        !self.inherit_host && self.vars.is_empty()
    }
}

/// Where the guest's stdin comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum StdinSource {
    /// Reading stdin returns end-of-file at once.
    #[default]
    Empty,
    /// These bytes, then end-of-file.
    Fixed(Vec<u8>),
    /// A pipe the caller writes to while the guest runs
    /// (`WorkerCommand::Stdin`, `WorkerCommand::CloseStdin`).
    Interactive,
}

/// What the guest's clocks say.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClockPolicy {
    /// The host's wall clock and a monotonic clock.
    #[default]
    Real,
    /// Both clocks stand still: the wall clock at this many nanoseconds after
    /// the Unix epoch, the monotonic clock at zero. Sleeps still take their time.
    Frozen { unix_nanos: u64 },
    /// Reading a clock fails with `notcapable`. Sleeps (`poll_oneoff` clock
    /// subscriptions) still work: they wait without telling the time.
    Denied,
}

/// Network access. Core (preview1) modules cannot create sockets at all, so
/// for them only `Off` versus anything else is visible (socket calls on any fd
/// are denials when `Off`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum NetworkPolicy {
    #[default]
    Off,
    /// Only loopback addresses.
    Loopback,
    /// Only `host:port` patterns in the list (`*` matches any port or host).
    AllowList(Vec<String>),
    /// Any address.
    All,
}

impl NetworkPolicy {
    pub fn is_off(&self) -> bool {
        matches!(self, NetworkPolicy::Off)
    }
}

/// Where `random_get` bytes come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum RandomPolicy {
    /// The host's cryptographically secure generator.
    #[default]
    System,
    /// A deterministic generator from this seed: every run sees the same bytes.
    Seeded(u64),
}

/// Resource limits for one run. `None` means "no limit of ours".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Limits {
    /// Largest linear memory, in bytes; a `memory.grow` beyond it fails (the
    /// guest sees -1) and the run reports it.
    pub max_memory_bytes: Option<u64>,
    /// Instructions the guest may execute (wasmtime fuel units).
    pub fuel: Option<u64>,
    /// Wall-clock time the whole run may take, compilation included.
    #[serde(with = "opt_duration_ms")]
    pub timeout: Option<Duration>,
    /// Bytes of stdout (and, separately, of stderr) kept and reported; beyond
    /// it output is counted but dropped. `None` passes everything on; it is
    /// written as `"unlimited"` so that a saved profile keeps it (a missing
    /// field means the default cap).
    #[serde(with = "output_cap")]
    pub max_output_bytes: Option<u64>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_memory_bytes: None, fuel: None, timeout: None, max_output_bytes: Some(DEFAULT_OUTPUT_CAP) }
    }
}

/// Output kept per stream by default: enough for any honest program's output,
/// small enough that a guest printing forever cannot exhaust the host.
pub const DEFAULT_OUTPUT_CAP: u64 = 8 << 20;

mod output_cap {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(bytes) => s.serialize_u64(*bytes),
            None => s.serialize_str("unlimited"),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Cap {
            Bytes(u64),
            Word(String),
        }
        match Cap::deserialize(d)? {
            Cap::Bytes(bytes) => Ok(Some(bytes)),
            Cap::Word(word) if word == "unlimited" => Ok(None),
            Cap::Word(word) => Err(serde::de::Error::custom(format!("`{word}` is not a byte count or \"unlimited\""))),
        }
    }
}

mod opt_duration_ms {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(d) => s.serialize_some(&(d.as_millis() as u64)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<u64>::deserialize(d)?.map(Duration::from_millis))
    }
}
