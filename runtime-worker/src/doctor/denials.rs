//! Findings for calls the sandbox refused (denials that reached the host),
//! decided by the kind of each denial, never by its sentence.

use std::path::PathBuf;

use super::case::Case;
use super::finding::{Finding, Fix};
use super::guest_side::{parent, wanted_variables};
use crate::boundary::denial::{DenialKind, NetworkRule};
use crate::boundary::event::{CallEvent, HostCall};
use crate::wasi::capability::Capability;

pub(super) fn from_call(case: &Case<'_>, call: &CallEvent) -> Option<Finding> {
    let denial = call.denial.as_ref()?;
    let path = call.path().unwrap_or("");
    let dir = call.fd_labels[0].as_deref().unwrap_or("");
    // For people only: the findings quote it, nothing decides by it.
    let reason = &denial.reason;
    Some(match &denial.kind {
        DenialKind::ReadOnlyMount { mount, .. } => {
            let guest = mount.clone();
            Finding {
                capability: Some(Capability::Files),
                headline: format!("The program tried to change `{path}` in `{guest}`, which is mounted read-only."),
                detail: format!(
                    "{} asked for write access, and a read-only mount refuses every change: creating, writing, \
                     truncating, renaming and deleting. Reading still works.",
                    call.func.name()
                ),
                fix: Some(Fix::MakeWritable { guest }),
            }
        }
        DenialKind::AbsolutePath { .. } => {
            let guest_dir = parent(path);
            let host_dir = PathBuf::from(&guest_dir);
            Finding {
                capability: Some(Capability::Files),
                headline: format!(
                    "The program asked for `{path}`, a path on the host outside the folders it was given."
                ),
                detail: "WASI has no root directory: every path is resolved inside a preopened folder, and a path \
                         that names the host's own file system is refused. Mount the folder itself if the program \
                         should see it."
                    .to_string(),
                fix: host_dir.is_dir().then_some(Fix::Mount {
                    host: Some(host_dir),
                    guest: guest_dir,
                    read_only: true,
                }),
            }
        }
        DenialKind::EscapeByDotDot { .. } | DenialKind::EscapeBySymlink { .. } => Finding {
            capability: Some(Capability::Files),
            headline: format!("The program tried to leave `{dir}` through `{path}`, and the sandbox stopped it."),
            detail: format!(
                "{reason}. A preopened directory is a capability for that directory only: `..` and symbolic links \
                 may not lead out of it. This refusal is the sandbox working; mount the other folder too if the \
                 program should see it."
            ),
            fix: None,
        },
        DenialKind::FdNotOpen { .. } => Finding {
            capability: Some(Capability::Files),
            headline: "The program used a file descriptor it was never given.".to_string(),
            detail: format!(
                "{reason}. In WASI a descriptor is a capability: a number the host did not hand over refers to \
                 nothing, and guessing numbers gets nowhere."
            ),
            fix: None,
        },
        DenialKind::EnvNotGranted { .. } => {
            // Most runtimes read the environment at start-up whatever the
            // program needs: it only matters if the program says it missed one.
            let wanted = wanted_variables(case);
            if wanted.is_empty() {
                return None;
            }
            let names = wanted.join(", ");
            Finding {
                capability: Some(Capability::EnvArgs),
                headline: format!("The program looked for {names} in its environment, and the profile grants none."),
                detail: "A WASI program sees only the variables the host passes in; with none granted, every \
                         getenv comes back empty — HOME and secrets included."
                    .to_string(),
                fix: wanted.first().map(|name| Fix::grant_env(name)),
            }
        }
        DenialKind::ClockDenied { .. } => Finding {
            capability: Some(Capability::Clocks),
            headline: "The program tried to read the clock, and the profile denies clocks.".to_string(),
            detail: "Denied clocks answer notcapable; a program that needs the time fails or prints nothing. Allow \
                     real clocks, or freeze them at an instant for repeatable runs."
                .to_string(),
            fix: Some(Fix::AllowClocks),
        },
        DenialKind::NoSockets
        | DenialKind::NetworkOff
        | DenialKind::AddressRefused { .. }
        | DenialKind::DnsOff { .. }
        | DenialKind::HttpRequestRefused { .. } => Finding {
            capability: Some(Capability::Network),
            headline: format!("The program used a socket ({}), and a core module has none.", call.func.name()),
            detail: "A core WASI (preview1) module cannot open sockets; it can only use ones the host passes in, \
                     and Wasmscope passes none. No profile changes that: a component can have sockets, through \
                     wasi:sockets."
                .to_string(),
            fix: None,
        },
        // A component's refusal: `from_host_calls` reads those.
        DenialKind::ReadOnlyMounts { .. } => return None,
    })
}

/// The findings for a component's refused host calls (WASI 0.2): each
/// denial in a sentence, with the least grant that lifts it.
pub(super) fn from_host_calls(denied: &[HostCall]) -> Vec<Finding> {
    let mut findings: Vec<Finding> = Vec::new();
    for call in denied {
        let Some(denial) = &call.denial else { continue };
        let finding = match denial.capability {
            Capability::Network => {
                let cause = denial.kind.network_cause();
                let addr = match cause {
                    DenialKind::AddressRefused { addr, .. } => Some(addr.to_string()),
                    _ => None,
                };
                let dns = call.interface.ends_with("/ip-name-lookup") || matches!(cause, DenialKind::DnsOff { .. });
                let network_off = matches!(
                    cause,
                    DenialKind::NetworkOff
                        | DenialKind::DnsOff { network_off: true, .. }
                        | DenialKind::AddressRefused { rule: NetworkRule::NetworkOff, .. }
                );
                let fix = match (&addr, dns) {
                    (_, true) => Some(Fix::AllowDns { network_on: network_off }),
                    (Some(addr), _) => Some(Fix::AllowAddress { addr: addr.clone() }),
                    (None, _) => Some(Fix::EnableNetwork),
                };
                let request = match &denial.kind {
                    DenialKind::HttpRequestRefused { method, url, .. } => Some(format!("{method} {url}")),
                    _ => None,
                };
                let headline = match (&addr, dns) {
                    _ if request.is_some() => format!(
                        "The component sent {}, and the network policy does not let it through ({}).",
                        request.as_deref().unwrap_or_default(),
                        addr.as_deref().map_or("name lookups are off", |_| "its address is not allowed")
                    ),
                    (_, true) => "The component tried to look up a host name, and DNS lookups are off.".to_string(),
                    (Some(addr), _) => {
                        format!("The component tried to reach {addr}, which the network policy does not allow.")
                    }
                    (None, _) => "The component tried to open a socket, and this run grants no network.".to_string(),
                };
                let detail = if request.is_some() {
                    format!(
                        "{}. Outgoing wasi:http requests are checked like sockets: the host resolves the URL's \
                         host (when DNS is allowed) and sends the request only if every address is allowed.",
                        denial.reason
                    )
                } else {
                    format!(
                        "`{}` in `{}` failed with `{}`: {}. Components get sockets only through wasi:sockets, \
                         and every address they use is checked against the profile.",
                        call.short_name(),
                        call.interface,
                        call.error.as_deref().unwrap_or("an error"),
                        denial.reason
                    )
                };
                Finding { capability: Some(Capability::Network), headline, detail, fix }
            }
            Capability::Clocks => Finding {
                capability: Some(Capability::Clocks),
                headline: "The component read a clock, and clocks are denied: it was told the time is 0.".into(),
                detail: "WASI 0.2 clocks cannot fail, so a denied clock reads as the epoch (and zero on the \
                         monotonic clock) instead of an error."
                    .into(),
                fix: Some(Fix::AllowClocks),
            },
            other => Finding {
                capability: Some(other),
                headline: format!("`{}` was refused: {}.", call.short_name(), denial.reason),
                detail: format!(
                    "The call `{}#{}` failed with `{}`. A component reaches files only through the mounts of \
                     the profile, and a read-only mount refuses every change.",
                    call.interface,
                    call.function,
                    call.error.as_deref().unwrap_or("an error")
                ),
                fix: None,
            },
        };
        if !findings.iter().any(|f| f.headline == finding.headline) {
            findings.push(finding);
        }
    }
    findings
}
