//! What the doctor says: a `Finding` (what went wrong, in words) and the
//! `Fix` that grants what was missing, applied to a profile.

use std::path::PathBuf;

use serde::Serialize;

use crate::boundary::profile::{ClockPolicy, Mount, NetworkPolicy, SandboxProfile};
use crate::wasi::capability::Capability;

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
    /// In a composed component whose part `part` was given capabilities of
    /// its own (`PartProfile`): grant `fix` to that part. The run already
    /// grants it (a part gets no more than the run).
    InPart {
        part: String,
        fix: Box<Fix>,
    },
}

/// A fix that needs a folder the person has to choose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedsFolder {
    pub guest: String,
}

impl Fix {
    /// Grants the variable `name`, with the host's value where it has one.
    pub fn grant_env(name: &str) -> Fix {
        Fix::GrantEnv { name: name.to_string(), value: std::env::var(name).unwrap_or_default() }
    }

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
            Fix::InPart { part, fix } => format!("In the part `{part}`'s own capabilities: {}", fix.describe()),
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
            Fix::InPart { part, fix } => {
                if let Some(own) = profile.parts.iter_mut().find(|p| p.part == *part) {
                    fix.apply(&mut own.profile)?;
                }
            }
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
    }
}
