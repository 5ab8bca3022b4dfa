//! The one-line profile summary that people read: in Compare, in a
//! diagnosis copied as Markdown.

use runtime_worker::{ClockPolicy, SandboxProfile};

use super::shell::shell_join;

/// One line about a profile, for people: "mounts /data (read-only) · env:
/// GREETING · clocks denied · memory ≤ 16 MiB".
pub fn profile_summary(profile: &SandboxProfile) -> String {
    let mut parts = Vec::new();
    if profile.mounts.is_empty() {
        parts.push("no folders".to_string());
    }
    for mount in &profile.mounts {
        let access = if mount.read_only { "read-only" } else { "read-write" };
        parts.push(format!("{} -> {} ({access})", mount.host.display(), mount.guest));
    }
    match (&profile.env.inherit_host, profile.env.vars.is_empty()) {
        (true, _) => parts.push("env: the host's".to_string()),
        (false, true) => parts.push("no env".to_string()),
        (false, false) => {
            let names: Vec<&str> = profile.env.vars.iter().map(|(n, _)| n.as_str()).collect();
            parts.push(format!("env: {}", names.join(", ")));
        }
    }
    parts.push(match profile.clocks {
        ClockPolicy::Real => "clocks real".to_string(),
        ClockPolicy::Frozen { unix_nanos } => format!("clocks frozen at {}", unix_nanos / 1_000_000_000),
        ClockPolicy::Denied => "clocks denied".to_string(),
    });
    if !profile.network.is_off() {
        parts.push("network on".to_string());
    }
    if let Some(bytes) = profile.limits.max_memory_bytes {
        parts.push(format!("memory up to {} MiB", bytes >> 20));
    }
    if let Some(fuel) = profile.limits.fuel {
        parts.push(format!("fuel {fuel}"));
    }
    if let Some(timeout) = profile.limits.timeout {
        parts.push(format!("timeout {:.1} s", timeout.as_secs_f64()));
    }
    if !profile.args.is_empty() {
        parts.push(format!("args: {}", shell_join(&profile.args)));
    }
    for part in &profile.parts {
        parts.push(format!("part {}: {}", part.part, profile_summary(&part.profile)));
    }
    parts.join(" · ")
}
