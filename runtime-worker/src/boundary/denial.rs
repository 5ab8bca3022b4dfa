//! A call refused because the sandbox did not grant something: what kind of
//! refusal it was, with the data each kind needs (the mount, the path, the
//! address, the rule), and the sentence made from it.
//!
//! The doctor decides what went wrong, and what would fix it, from the kind;
//! the sentence is for people and may be reworded freely.

use std::fmt;
use std::net::SocketAddr;

use crate::wasi::capability::Capability;

/// A refused call: which capability was missing, the kind of refusal, and
/// the kind as one line of text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Denial {
    /// Invariant: `kind.capability()`, set by `Denial::new`.
    pub capability: Capability,
    pub kind: DenialKind,
    /// One line saying what was refused and why, e.g. "`../secret.txt` climbs
    /// out of the mount `/data` with `..`". Made from `kind` by `Denial::new`;
    /// nothing decides by reading it.
    pub reason: String,
}

impl Denial {
    pub fn new(kind: DenialKind) -> Denial {
        Denial { capability: kind.capability(), reason: kind.to_string(), kind }
    }
}

/// Which kind of guest was refused: the sentences differ, because a core
/// module and a component reach the host differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guest {
    CoreModule,
    Component,
}

/// The directory a path was looked up from, as the sentence names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Within {
    /// The directory is a mount's own guest path (`/data`).
    Mount(String),
    /// A directory the guest opened, by its guest path (`/data/sub`).
    Dir(String),
    /// A core module's descriptor whose directory is not known.
    UnknownDir,
    /// A component's mount (which one is not in the call).
    SomeMount,
}

impl fmt::Display for Within {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Within::Mount(guest) => write!(f, "the mount `{guest}`"),
            Within::Dir(guest) => write!(f, "`{guest}`"),
            Within::UnknownDir => f.write_str("its directory"),
            Within::SomeMount => f.write_str("its mount"),
        }
    }
}

/// What the guest did with a socket address the policy refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SocketUse {
    TcpBind,
    TcpListen,
    TcpConnect,
    UdpBind,
    UdpSend,
}

/// The rule of the network policy that refused an address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NetworkRule {
    NetworkOff,
    LoopbackOnly,
    EmptyAllowList,
    /// No entry of the allow-list matches; the entries, as written.
    NoEntryMatches(Vec<String>),
}

/// The kinds of refusal the sandbox makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DenialKind {
    /// A path climbed out of its directory with `..`.
    EscapeByDotDot { path: String, within: Within },
    /// A path left its directory through a symbolic link (`link`, the first
    /// link on the guest's own path, pointing to `target`).
    EscapeBySymlink { path: String, within: Within, link: String, target: String },
    /// A path named the host's root: WASI resolves paths inside mounts only.
    AbsolutePath { path: String, guest: Guest },
    /// A change inside a read-only mount; `needed_by`: the function that
    /// needed write access, when the call was a path lookup.
    ReadOnlyMount { mount: String, needed_by: Option<&'static str> },
    /// A component's write refused while these mounts are read-only (which
    /// mount the descriptor belongs to is not in the call).
    ReadOnlyMounts { mounts: Vec<String> },
    /// A descriptor number the guest was never given.
    FdNotOpen { fd: u64 },
    /// The environment was read and the profile grants no variable.
    EnvNotGranted { host_vars: usize },
    /// A clock was read and the profile denies clocks. A component's WASI
    /// 0.2 clocks cannot fail, so it was told the time is 0.
    ClockDenied { guest: Guest },
    /// A core module used a socket call; it has no sockets at all.
    NoSockets,
    /// A component made a socket and the network is off.
    NetworkOff,
    /// An address the network policy does not allow.
    AddressRefused { addr: SocketAddr, socket_use: SocketUse, rule: NetworkRule },
    /// A host name lookup while DNS is off (`network_off`: because the whole
    /// network is).
    DnsOff { host: Option<String>, network_off: bool },
    /// An outgoing `wasi:http` request the network policy refused: the
    /// request as the guest made it, and the refusal of the address (or of
    /// the name lookup) that it needed.
    HttpRequestRefused { method: String, url: String, cause: Box<DenialKind> },
}

impl DenialKind {
    pub fn capability(&self) -> Capability {
        match self {
            DenialKind::EscapeByDotDot { .. }
            | DenialKind::EscapeBySymlink { .. }
            | DenialKind::AbsolutePath { .. }
            | DenialKind::ReadOnlyMount { .. }
            | DenialKind::ReadOnlyMounts { .. }
            | DenialKind::FdNotOpen { .. } => Capability::Files,
            DenialKind::EnvNotGranted { .. } => Capability::EnvArgs,
            DenialKind::ClockDenied { .. } => Capability::Clocks,
            DenialKind::NoSockets
            | DenialKind::NetworkOff
            | DenialKind::AddressRefused { .. }
            | DenialKind::DnsOff { .. }
            | DenialKind::HttpRequestRefused { .. } => Capability::Network,
        }
    }

    /// The refusal underneath: for an HTTP request, the refusal of its
    /// address or name lookup; any other kind is its own.
    pub fn network_cause(&self) -> &DenialKind {
        match self {
            DenialKind::HttpRequestRefused { cause, .. } => cause.network_cause(),
            other => other,
        }
    }
}

impl fmt::Display for DenialKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DenialKind::EscapeByDotDot { path, within } => write!(f, "`{path}` climbs out of {within} with `..`"),
            DenialKind::EscapeBySymlink { path, within, link, target } => {
                write!(f, "`{path}` leaves {within} through the symbolic link `{link}` (pointing to `{target}`)")
            }
            DenialKind::AbsolutePath { path, guest: Guest::CoreModule } => write!(
                f,
                "`{path}` is an absolute path: WASI resolves paths inside a preopened directory, never from the host's root"
            ),
            DenialKind::AbsolutePath { path, guest: Guest::Component } => {
                write!(f, "`{path}` is an absolute path: a component reaches files only through its mounts")
            }
            DenialKind::ReadOnlyMount { mount, needed_by: None } => write!(f, "`{mount}` is mounted read-only"),
            DenialKind::ReadOnlyMount { mount, needed_by: Some(func) } => {
                write!(f, "`{mount}` is mounted read-only: {func} needs write access")
            }
            DenialKind::ReadOnlyMounts { mounts } => {
                let names: Vec<String> = mounts.iter().map(|g| format!("`{g}`")).collect();
                let verb = if mounts.len() == 1 { "is" } else { "are" };
                write!(f, "writing needs a read-write mount, and {} {verb} read-only", names.join(", "))
            }
            DenialKind::FdNotOpen { fd } => {
                write!(f, "fd {fd} is not open: the guest holds no descriptor with that number")
            }
            DenialKind::EnvNotGranted { host_vars } => {
                write!(f, "the profile grants no environment variables: the guest sees none of the host's {host_vars}")
            }
            DenialKind::ClockDenied { guest: Guest::CoreModule } => {
                f.write_str("the profile denies clocks: the guest may not read the time")
            }
            DenialKind::ClockDenied { guest: Guest::Component } => {
                f.write_str("clocks are denied: WASI 0.2 clocks cannot fail, so the guest was told the time is 0")
            }
            DenialKind::NoSockets => f.write_str("the profile grants no network access"),
            DenialKind::NetworkOff => f.write_str("the network is off: this run grants no sockets"),
            DenialKind::AddressRefused { addr, socket_use, rule } => {
                let what = match socket_use {
                    SocketUse::TcpBind => "binding a TCP socket to",
                    SocketUse::TcpListen => "listening for TCP on",
                    SocketUse::TcpConnect => "a TCP connection to",
                    SocketUse::UdpBind => "binding a UDP socket to",
                    SocketUse::UdpSend => "a UDP datagram to",
                };
                write!(f, "{what} {addr} refused: ")?;
                match rule {
                    NetworkRule::NetworkOff => f.write_str("the network is off"),
                    NetworkRule::LoopbackOnly => f.write_str("the network is loopback-only"),
                    NetworkRule::EmptyAllowList => f.write_str("the allow-list is empty"),
                    NetworkRule::NoEntryMatches(entries) => {
                        let list: Vec<String> = entries.iter().map(|p| format!("`{p}`")).collect();
                        write!(f, "no allow-list entry matches it (allowed: {})", list.join(", "))
                    }
                }
            }
            DenialKind::DnsOff { host, network_off } => {
                let host = host.as_deref().unwrap_or("a name");
                if *network_off {
                    write!(f, "the network is off, and DNS lookups with it: {host} was not resolved")
                } else {
                    write!(f, "DNS lookups are off: {host} was not resolved")
                }
            }
            DenialKind::HttpRequestRefused { method, url, cause } => write!(f, "{method} {url} was not sent: {cause}"),
        }
    }
}
