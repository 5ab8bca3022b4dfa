//! "Why did it fail?": a finished run's denials and guest-side failures as
//! plain sentences — what the guest asked for, which capability was missing,
//! and the exact change to the profile that grants it.
//!
//! Two kinds of failure are read. Denials reached the host and are in the
//! trace. Others never reach it: wasi-libc and Rust's standard library match
//! every path against the directories they saw preopened at start-up
//! (`fd_prestat_get` / `fd_prestat_dir_name`) and give up inside the guest
//! when none covers it ("failed to find a pre-opened file descriptor…",
//! `ENOTCAPABLE` in older wasi-libc); Go resolves relative paths from `/`.
//! Those are recognised from the preopens the guest saw, its output, and the
//! paths it did (or did not) pass to the host.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::abi::WasiFunc;
use crate::capability::Capability;
use crate::event::{CallEvent, RunOutcome, TrapKind};
use crate::profile::{ClockPolicy, Mount, NetworkPolicy, SandboxProfile};

/// What the diagnosis looks at.
pub struct DiagnosisInput<'a> {
    pub profile: &'a SandboxProfile,
    pub outcome: Option<&'a RunOutcome>,
    /// The calls marked denied, in order.
    pub denied: &'a [CallEvent],
    /// Directory names the guest learned through `fd_prestat_dir_name`.
    pub preopens_seen: &'a [String],
    /// Every path the guest passed to the host (`path_*` calls).
    pub host_paths: &'a [String],
    pub stdout: &'a str,
    pub stderr: &'a str,
    /// A `memory.grow` refused at the cap: (bytes asked for, cap).
    pub memory_refused: Option<(u64, u64)>,
    /// The source language, from the module's `producers` section.
    pub language: Option<&'a str>,
}

/// One thing that went wrong, and what would fix it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub capability: Option<Capability>,
    /// One sentence a newcomer understands: what the guest asked for and why
    /// it did not get it.
    pub headline: String,
    /// The mechanism behind it, in two or three sentences.
    pub detail: String,
    /// The change to the profile that grants what was missing; `None` where
    /// the refusal is the sandbox doing its job and no grant should undo it.
    pub fix: Option<Fix>,
}

/// A change to a profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Fix {
    /// Mount a host folder. `host: None` means the person must pick it (we
    /// cannot know where the guest's file lives on the host).
    Mount {
        host: Option<PathBuf>,
        guest: String,
        read_only: bool,
    },
    /// Make the mount at `guest` writable.
    MakeWritable {
        guest: String,
    },
    /// Show the mount at `guest` under another guest path.
    RemountAs {
        guest: String,
        new_guest: String,
    },
    GrantEnv {
        name: String,
        value: String,
    },
    AllowClocks,
    EnableNetwork,
    /// Add `host:port` to the network allow-list (least privilege: this one
    /// address rather than the whole network).
    AllowAddress {
        addr: String,
    },
    /// Allow DNS lookups; `network_on`: the network is off, so turn it on
    /// for loopback only (the addresses a name resolves to are then each
    /// refused, and allowed one by one).
    AllowDns {
        network_on: bool,
    },
    RaiseMemory {
        bytes: u64,
    },
    RaiseFuel {
        fuel: u64,
    },
    RaiseTimeout {
        seconds: u64,
    },
}

/// A fix that needs a folder the person has to choose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedsFolder {
    pub guest: String,
}

impl Fix {
    /// The fix as an instruction: "Grant read-only access to a folder as `.`".
    pub fn describe(&self) -> String {
        match self {
            Fix::Mount { host: Some(host), guest, read_only } => {
                format!("Mount {} as `{guest}`{}", host.display(), if *read_only { ", read-only" } else { "" })
            }
            Fix::Mount { host: None, guest, read_only } => {
                let access = if *read_only { "read-only" } else { "read-write" };
                format!("Grant the folder that holds the file, {access}, as `{guest}`")
            }
            Fix::MakeWritable { guest } => format!("Make `{guest}` writable"),
            Fix::RemountAs { guest, new_guest } => {
                format!("Mount the folder now at `{guest}` as `{new_guest}` instead")
            }
            Fix::GrantEnv { name, value } if value.is_empty() => format!("Grant the variable {name}"),
            Fix::GrantEnv { name, value } => format!("Grant {name}={value}"),
            Fix::AllowClocks => "Allow the clocks (real time)".to_string(),
            Fix::EnableNetwork => "Allow network access".to_string(),
            Fix::AllowAddress { addr } => format!("Allow {addr} in the network allow-list"),
            Fix::AllowDns { network_on: false } => "Allow DNS lookups".to_string(),
            Fix::AllowDns { network_on: true } => {
                "Allow DNS lookups, with the network on for loopback only".to_string()
            }
            Fix::RaiseMemory { bytes } => format!("Raise the memory cap to {} MiB", bytes >> 20),
            Fix::RaiseFuel { fuel } => format!("Raise the fuel to {fuel}"),
            Fix::RaiseTimeout { seconds } => format!("Raise the timeout to {seconds} s"),
        }
    }

    /// The fix as `wasmtime run`-style flags for Wasmscope's command line.
    pub fn as_flags(&self) -> String {
        match self {
            Fix::Mount { host, guest, read_only } => {
                let flag = if *read_only { "--dir-readonly" } else { "--dir" };
                let host = host.as_ref().map_or("FOLDER".to_string(), |h| h.display().to_string());
                format!("{flag} {host}::{guest}")
            }
            Fix::MakeWritable { guest } => format!("--dir HOST::{guest} (instead of --dir-readonly)"),
            Fix::RemountAs { guest, new_guest } => format!("--dir HOST::{new_guest} (instead of HOST::{guest})"),
            Fix::GrantEnv { name, value } if value.is_empty() => format!("--env {name}"),
            Fix::GrantEnv { name, value } => format!("--env {name}={value}"),
            Fix::AllowClocks => "--clock real".to_string(),
            Fix::EnableNetwork => "--inherit-network".to_string(),
            Fix::AllowAddress { addr } => format!("--allow-net {addr}"),
            Fix::AllowDns { network_on: false } => "--allow-ip-name-lookup".to_string(),
            Fix::AllowDns { network_on: true } => "--allow-ip-name-lookup --allow-net localhost:*".to_string(),
            Fix::RaiseMemory { bytes } => format!("--max-memory {}M", bytes >> 20),
            Fix::RaiseFuel { fuel } => format!("--fuel {fuel}"),
            Fix::RaiseTimeout { seconds } => format!("--timeout {seconds}"),
        }
    }

    /// Applies the fix; a `Mount` without a host folder needs one chosen
    /// (`apply_with_folder`).
    pub fn apply(&self, profile: &mut SandboxProfile) -> Result<(), NeedsFolder> {
        match self {
            Fix::Mount { host: None, guest, .. } => return Err(NeedsFolder { guest: guest.clone() }),
            Fix::Mount { host: Some(host), guest, read_only } => {
                profile.mounts.retain(|m| m.guest != *guest);
                profile.mounts.push(Mount { host: host.clone(), guest: guest.clone(), read_only: *read_only });
            }
            Fix::MakeWritable { guest } => {
                for mount in profile.mounts.iter_mut().filter(|m| m.guest == *guest) {
                    mount.read_only = false;
                }
            }
            Fix::RemountAs { guest, new_guest } => {
                for mount in profile.mounts.iter_mut().filter(|m| m.guest == *guest) {
                    mount.guest = new_guest.clone();
                }
            }
            Fix::GrantEnv { name, value } => {
                profile.env.vars.retain(|(n, _)| n != name);
                profile.env.vars.push((name.clone(), value.clone()));
            }
            Fix::AllowClocks => profile.clocks = ClockPolicy::Real,
            Fix::EnableNetwork => profile.network = NetworkPolicy::All,
            Fix::AllowAddress { addr } => match &mut profile.network {
                NetworkPolicy::AllowList(list) => {
                    if !list.contains(addr) {
                        list.push(addr.clone());
                    }
                }
                // Loopback stays allowed beside the new address.
                NetworkPolicy::Loopback => {
                    profile.network = NetworkPolicy::AllowList(vec!["localhost:*".into(), addr.clone()]);
                }
                other => *other = NetworkPolicy::AllowList(vec![addr.clone()]),
            },
            Fix::AllowDns { network_on } => {
                profile.dns = true;
                if *network_on && profile.network.is_off() {
                    profile.network = NetworkPolicy::Loopback;
                }
            }
            Fix::RaiseMemory { bytes } => profile.limits.max_memory_bytes = Some(*bytes),
            Fix::RaiseFuel { fuel } => profile.limits.fuel = Some(*fuel),
            Fix::RaiseTimeout { seconds } => profile.limits.timeout = Some(std::time::Duration::from_secs(*seconds)),
        }
        Ok(())
    }

    /// Applies a `Mount` fix with the folder the person chose.
    pub fn apply_with_folder(&self, profile: &mut SandboxProfile, folder: PathBuf) {
        if let Fix::Mount { guest, read_only, .. } = self {
            let chosen = Fix::Mount { host: Some(folder), guest: guest.clone(), read_only: *read_only };
            let _ = chosen.apply(profile);
        }
    }
}

/// The findings for a component's refused host calls (WASI 0.2): each
/// denial in a sentence, with the least grant that lifts it.
pub fn diagnose_host_calls(denied: &[crate::event::HostCall]) -> Vec<Finding> {
    let mut findings: Vec<Finding> = Vec::new();
    for call in denied {
        let Some(denial) = &call.denial else { continue };
        let finding = match denial.capability {
            Capability::Network => {
                // "a TCP connection to 10.0.0.1:80 refused: …": the address
                // is the word before "refused".
                let addr = denial
                    .reason
                    .split_once(" refused:")
                    .and_then(|(before, _)| before.rsplit(' ').next())
                    .filter(|a| a.parse::<std::net::SocketAddr>().is_ok())
                    .map(str::to_string);
                let dns = call.interface.ends_with("/ip-name-lookup");
                let network_off = denial.reason.contains("the network is off");
                let fix = match (&addr, dns) {
                    (_, true) => Some(Fix::AllowDns { network_on: network_off }),
                    (Some(addr), _) => Some(Fix::AllowAddress { addr: addr.clone() }),
                    (None, _) => Some(Fix::EnableNetwork),
                };
                let headline = match (&addr, dns) {
                    (_, true) => "The component tried to look up a host name, and DNS lookups are off.".to_string(),
                    (Some(addr), _) => {
                        format!("The component tried to reach {addr}, which the network policy does not allow.")
                    }
                    (None, _) => "The component tried to open a socket, and this run grants no network.".to_string(),
                };
                let detail = format!(
                    "`{}` in `{}` failed with `{}`: {}. WASI 0.2 components get sockets only through \
                     wasi:sockets, and every address they use is checked against the profile.",
                    call.short_name(),
                    call.interface,
                    call.error.as_deref().unwrap_or("an error"),
                    denial.reason
                );
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

pub fn diagnose(input: &DiagnosisInput<'_>) -> Vec<Finding> {
    let mut findings: Vec<Finding> = Vec::new();
    let mut push = |finding: Finding| {
        if !findings.iter().any(|f| f.headline == finding.headline) {
            findings.push(finding);
        }
    };
    for call in input.denied {
        if let Some(finding) = from_denial(input, call) {
            push(finding);
        }
    }
    for finding in guest_side(input) {
        push(finding);
    }
    for finding in limits(input) {
        push(finding);
    }
    findings
}

fn from_denial(input: &DiagnosisInput<'_>, call: &CallEvent) -> Option<Finding> {
    let denial = call.denial.as_ref()?;
    let path = call.path().unwrap_or("");
    let dir = call.fd_labels[0].as_deref().unwrap_or("");
    let reason = &denial.reason;
    Some(match denial.capability {
        Capability::Files if reason.contains("mounted read-only") => {
            let guest = reason.split('`').nth(1).unwrap_or(dir).to_string();
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
        Capability::Files if reason.contains("absolute path") => {
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
        Capability::Files if reason.contains("with `..`") || reason.contains("symbolic link") => Finding {
            capability: Some(Capability::Files),
            headline: format!("The program tried to leave `{dir}` through `{path}`, and the sandbox stopped it."),
            detail: format!(
                "{reason}. A preopened directory is a capability for that directory only: `..` and symbolic links \
                 may not lead out of it. This refusal is the sandbox working; mount the other folder too if the \
                 program should see it."
            ),
            fix: None,
        },
        Capability::Files if reason.contains("is not open") => Finding {
            capability: Some(Capability::Files),
            headline: "The program used a file descriptor it was never given.".to_string(),
            detail: format!(
                "{reason}. In WASI a descriptor is a capability: a number the host did not hand over refers to \
                 nothing, and guessing numbers gets nowhere."
            ),
            fix: None,
        },
        Capability::EnvArgs => {
            // Most runtimes read the environment at start-up whatever the
            // program needs: it only matters if the program says it missed one.
            let wanted = wanted_variables(input);
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
                fix: wanted.first().map(|name| grant(name)),
            }
        }
        Capability::Clocks => Finding {
            capability: Some(Capability::Clocks),
            headline: "The program tried to read the clock, and the profile denies clocks.".to_string(),
            detail: "Denied clocks answer notcapable; a program that needs the time fails or prints nothing. Allow \
                     real clocks, or freeze them at an instant for repeatable runs."
                .to_string(),
            fix: Some(Fix::AllowClocks),
        },
        Capability::Network => Finding {
            capability: Some(Capability::Network),
            headline: format!("The program used a socket ({}), and a core module has none.", call.func.name()),
            detail: "A core WASI (preview1) module cannot open sockets; it can only use ones the host passes in, \
                     and Wasmscope passes none. No profile changes that: a component can have sockets, through \
                     wasi:sockets."
                .to_string(),
            fix: None,
        },
        _ => return None,
    })
}

/// Failures that never reached the host.
fn guest_side(input: &DiagnosisInput<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let output = format!("{}\n{}", input.stdout, input.stderr);

    // Rust's standard library (and newer wasi-libc) when no preopen matches.
    for path in quoted_after(&output, "failed to find a pre-opened file descriptor through which ") {
        findings.push(no_preopen_for(input, &path, "Rust's standard library"));
    }

    // Go resolves relative paths from "/".
    if input.language.is_some_and(|l| l.starts_with("Go")) {
        for path in go_open_failures(&output) {
            if !path.starts_with('/') && !input.preopens_seen.iter().any(|p| p == "/") {
                let (fix, where_now) = match input.profile.mounts.first() {
                    Some(mount) => (
                        Fix::RemountAs { guest: mount.guest.clone(), new_guest: "/".into() },
                        format!("The folder is mounted at `{}`: mount it at `/` instead.", mount.guest),
                    ),
                    None => (
                        Fix::Mount { host: None, guest: "/".into(), read_only: true },
                        "Nothing is mounted: grant the folder that holds it at `/`.".to_string(),
                    ),
                };
                findings.push(Finding {
                    capability: Some(Capability::Files),
                    headline: format!("Go looked for `{path}` at `/{path}`, and nothing is mounted at `/`."),
                    detail: format!(
                        "Go resolves a relative path against its working directory, which under WASI is `/`, so \
                         `{path}` means `/{path}` — unlike Rust or C, which look for a directory preopened as `.`. \
                         {where_now}"
                    ),
                    fix: Some(fix),
                });
            }
        }
    }

    // wasi-libc refusing a path inside the guest ("Capabilities insufficient"
    // from older wasi-libc; "No such file or directory" from newer ones), for
    // paths that never reached the host.
    for (path, message) in libc_path_failures(&output) {
        let covered = input.preopens_seen.iter().any(|p| covers(p, &path));
        let reached_host = input.host_paths.iter().any(|h| path.ends_with(h.trim_start_matches("./")));
        if covered || reached_host {
            continue;
        }
        findings.push(no_preopen_for(input, &path, &format!("wasi-libc (\"{message}\")")));
    }

    // A variable the program says is missing, while others are granted.
    if !input.profile.env.is_empty() {
        for name in wanted_variables(input) {
            if !input.profile.env.vars.iter().any(|(n, _)| *n == name) && !input.profile.env.inherit_host {
                findings.push(Finding {
                    capability: Some(Capability::EnvArgs),
                    headline: format!("The program looked for {name}, which is not among the variables granted."),
                    detail: "Only the listed variables reach the guest; the host's others stay on the host.".into(),
                    fix: Some(grant(&name)),
                });
            }
        }
    }
    findings
}

/// A path no preopen covered, refused inside the guest by `who`.
fn no_preopen_for(input: &DiagnosisInput<'_>, path: &str, who: &str) -> Finding {
    let seen = if input.preopens_seen.is_empty() {
        "No folder was granted".to_string()
    } else {
        format!(
            "The guest was given {}",
            input.preopens_seen.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
        )
    };
    let (headline, fix) = if path.starts_with('/') {
        let dir = parent(path);
        let host = PathBuf::from(&dir);
        (
            format!("The program asked for `{path}`, and no folder it was given covers that path."),
            Fix::Mount { host: host.is_dir().then_some(host), guest: dir, read_only: true },
        )
    } else if let Some(mount) = input.profile.mounts.first().filter(|m| m.guest != ".") {
        (
            format!("The program opened `{path}` relative to `.`, but its folder is mounted at `{}`.", mount.guest),
            Fix::RemountAs { guest: mount.guest.clone(), new_guest: ".".into() },
        )
    } else {
        (
            format!("The program looked for a folder through which to open `{path}` and found none."),
            Fix::Mount { host: None, guest: ".".into(), read_only: true },
        )
    };
    Finding {
        capability: Some(Capability::Files),
        headline,
        detail: format!(
            "{seen}. {who} matches each path against the directories preopened at start-up and gives up inside the \
             guest when none covers it, so the host never saw a path_open for `{path}`. A relative path resolves \
             only through a directory preopened as `.`."
        ),
        fix: Some(fix),
    }
}

fn limits(input: &DiagnosisInput<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some((requested, cap)) = input.memory_refused {
        let bytes = (requested.max(cap) * 4).next_power_of_two().min(4 << 30);
        findings.push(Finding {
            capability: None,
            headline: format!(
                "The program asked to grow its memory to {}, more than the {} cap allows.",
                mebibytes(requested),
                mebibytes(cap)
            ),
            detail: "memory.grow failed, as the guest's allocator saw it: malloc returns nothing and most programs \
                     stop there."
                .to_string(),
            fix: Some(Fix::RaiseMemory { bytes }),
        });
    }
    match input.outcome {
        Some(RunOutcome::Trapped(trap)) if trap.kind == TrapKind::OutOfFuel => {
            let fuel = input.profile.limits.fuel.unwrap_or(1_000_000).saturating_mul(10);
            findings.push(Finding {
                capability: None,
                headline: "The program used up its fuel before it finished.".to_string(),
                detail: "Fuel counts instructions; the run ends when it reaches zero.".to_string(),
                fix: Some(Fix::RaiseFuel { fuel }),
            });
        }
        Some(RunOutcome::TimedOut) => {
            let seconds = input.profile.limits.timeout.map_or(10, |t| t.as_secs().max(1) * 4);
            findings.push(Finding {
                capability: None,
                headline: "The program was still running when its time ran out.".to_string(),
                detail: "The wall-clock timeout ends the run wherever the guest is. If it loops forever, more time \
                         will not help."
                    .to_string(),
                fix: Some(Fix::RaiseTimeout { seconds }),
            });
        }
        _ => {}
    }
    findings
}

fn grant(name: &str) -> Fix {
    Fix::GrantEnv { name: name.to_string(), value: std::env::var(name).unwrap_or_default() }
}

/// Variable names the program's output says are missing:
/// "GREETING is not set", "environment variable not found: HOME", …
fn wanted_variables(input: &DiagnosisInput<'_>) -> Vec<String> {
    let output = format!("{}\n{}", input.stdout, input.stderr);
    let mut names = Vec::new();
    for line in output.lines() {
        let words: Vec<&str> = line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).collect();
        for (i, word) in words.iter().enumerate() {
            let is_name = word.len() >= 2
                && word.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                && word.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            let said_missing = line.contains("not set") || line.contains("not found") || line.contains("missing");
            if is_name && said_missing && !names.iter().any(|n| n == word) && i < words.len() {
                names.push(word.to_string());
            }
        }
    }
    names
}

/// The quoted texts following `prefix`: `"x"`, or `\"x\"` as a Rust panic
/// message prints a quoted string inside a `Debug` of the error.
fn quoted_after(text: &str, prefix: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(prefix) {
        rest = &rest[at + prefix.len()..];
        let (opening, closing) = if rest.starts_with("\\\"") { ("\\\"", "\\\"") } else { ("\"", "\"") };
        let Some(inner) = rest.strip_prefix(opening) else { continue };
        if let Some(end) = inner.find(closing) {
            let path = inner[..end].to_string();
            if !found.contains(&path) {
                found.push(path);
            }
        }
    }
    found
}

/// Paths in Go's "open PATH: …" errors.
fn go_open_failures(text: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.trim().strip_prefix("open ")
            && let Some((path, _)) = rest.split_once(": ")
            && !paths.iter().any(|p| p == path)
        {
            paths.push(path.to_string());
        }
    }
    paths
}

/// "PATH: Capabilities insufficient" and "PATH: No such file or directory"
/// in a program's output, for absolute paths.
fn libc_path_failures(text: &str) -> Vec<(String, &'static str)> {
    let mut failures = Vec::new();
    for message in ["Capabilities insufficient", "No such file or directory"] {
        for line in text.lines() {
            let Some(before) = line.split(&format!(": {message}")).next().filter(|_| line.contains(message)) else {
                continue;
            };
            let Some(path) = before.split_whitespace().last().filter(|p| p.starts_with('/')) else { continue };
            if !failures.iter().any(|(p, _)| p == path) {
                failures.push((path.to_string(), message));
            }
        }
    }
    failures
}

fn covers(preopen: &str, path: &str) -> bool {
    let preopen = preopen.trim_end_matches('/');
    preopen.is_empty() || path == preopen || path.starts_with(&format!("{preopen}/"))
}

fn parent(path: &str) -> String {
    match Path::new(path).parent().map(|p| p.display().to_string()) {
        Some(dir) if !dir.is_empty() => dir,
        _ => "/".to_string(),
    }
}

/// `16 MiB`, `16.06 MiB`: whole mebibytes when exact, else two decimals.
fn mebibytes(bytes: u64) -> String {
    if bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{:.2} MiB", bytes as f64 / f64::from(1 << 20))
    }
}

/// The directory names the guest learned at start-up, from its successful
/// `fd_prestat_dir_name` calls.
pub fn preopens_seen(calls: &[CallEvent]) -> Vec<String> {
    calls
        .iter()
        .filter(|c| c.func == WasiFunc::FdPrestatDirName && c.errno.is_none())
        .filter_map(|c| c.strings.first().map(|s| s.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixes_change_the_profile_they_say() {
        let mut profile = SandboxProfile { mounts: vec![Mount::read_only("/srv", "/data")], ..Default::default() };
        Fix::MakeWritable { guest: "/data".into() }.apply(&mut profile).unwrap();
        assert!(!profile.mounts[0].read_only);
        Fix::RemountAs { guest: "/data".into(), new_guest: ".".into() }.apply(&mut profile).unwrap();
        assert_eq!(profile.mounts[0].guest, ".");
        Fix::GrantEnv { name: "GREETING".into(), value: "hi".into() }.apply(&mut profile).unwrap();
        assert_eq!(profile.env.vars, [("GREETING".to_string(), "hi".to_string())]);
        let needs = Fix::Mount { host: None, guest: ".".into(), read_only: true };
        assert_eq!(needs.apply(&mut profile), Err(NeedsFolder { guest: ".".into() }));
        needs.apply_with_folder(&mut profile, PathBuf::from("/home/me"));
        assert_eq!(profile.mounts[0], Mount::read_only("/home/me", "."));
        assert_eq!(Fix::RaiseMemory { bytes: 64 << 20 }.as_flags(), "--max-memory 64M");
    }

    #[test]
    fn output_is_read_for_what_the_guest_wanted() {
        assert_eq!(quoted_after("through which \"hello.txt\" could be opened", "through which "), ["hello.txt"]);
        assert_eq!(quoted_after(r#"error: "through which \"a b.txt\" could", "#, "through which "), ["a b.txt"]);
        assert_eq!(go_open_failures("open hello.txt: Bad file number\n"), ["hello.txt"]);
        assert_eq!(
            libc_path_failures("blocked /etc/passwd: Capabilities insufficient\n"),
            [("/etc/passwd".to_string(), "Capabilities insufficient")]
        );
        assert!(covers("/data", "/data/x") && covers("/", "/x") && !covers("/data", "/database"));
    }

    #[test]
    fn network_fixes_grant_the_least_that_lifts_the_refusal() {
        let mut profile = SandboxProfile { network: NetworkPolicy::Loopback, ..SandboxProfile::default() };
        Fix::AllowAddress { addr: "10.0.0.5:443".into() }.apply(&mut profile).unwrap();
        assert_eq!(profile.network, NetworkPolicy::AllowList(vec!["localhost:*".into(), "10.0.0.5:443".into()]));
        Fix::AllowAddress { addr: "10.0.0.5:443".into() }.apply(&mut profile).unwrap();
        assert_eq!(profile.network, NetworkPolicy::AllowList(vec!["localhost:*".into(), "10.0.0.5:443".into()]));

        let mut off = SandboxProfile::default();
        Fix::AllowDns { network_on: true }.apply(&mut off).unwrap();
        assert!(off.dns);
        assert_eq!(off.network, NetworkPolicy::Loopback, "DNS needs the network on; loopback is the least of it");
        assert_eq!(Fix::AllowDns { network_on: true }.as_flags(), "--allow-ip-name-lookup --allow-net localhost:*");
    }
}
