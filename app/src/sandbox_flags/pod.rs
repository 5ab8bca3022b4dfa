//! The profile as a Kubernetes Pod for runwasi's wasmtime shim, with what
//! runwasi grants differently.

use runtime_worker::{ClockPolicy, SandboxProfile};

use super::note::{Note, NoteKind};

/// Where a Pod mounts a folder the profile mounts at `.`.
const POD_WORKDIR: &str = "/work";

/// A profile as a Pod for a cluster whose containerd runs runwasi's wasmtime
/// shim, with a RuntimeClass; and what runwasi grants differently.
pub fn to_pod_manifest(profile: &SandboxProfile, name: &str, image: &str) -> (String, Vec<Note>) {
    let name: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .trim_matches('-')
        .to_string();
    let name = if name.is_empty() { "wasm-guest".to_string() } else { name };
    let mut yaml = String::from(
        "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: wasmtime\nhandler: wasmtime\n---\n",
    );
    yaml.push_str(&format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  runtimeClassName: wasmtime\n  restartPolicy: Never\n"
    ));
    if let Some(timeout) = profile.limits.timeout {
        yaml.push_str(&format!("  activeDeadlineSeconds: {}\n", timeout.as_secs().max(1)));
    }
    yaml.push_str(&format!("  containers:\n    - name: {name}\n      image: {}\n", yaml_str(image)));
    // A mount path must be absolute: a folder mounted at `.` goes to a
    // working directory of its own.
    let relative_mount = profile.mounts.iter().any(|m| m.guest == ".");
    if relative_mount {
        yaml.push_str(&format!("      workingDir: {POD_WORKDIR}\n"));
    }
    if !profile.args.is_empty() {
        let args: Vec<String> = profile.args.iter().map(|a| yaml_str(a)).collect();
        yaml.push_str(&format!("      args: [{}]\n", args.join(", ")));
    }
    if !profile.env.vars.is_empty() {
        yaml.push_str("      env:\n");
        for (key, value) in &profile.env.vars {
            yaml.push_str(&format!("        - name: {}\n          value: {}\n", yaml_str(key), yaml_str(value)));
        }
    }
    if let Some(bytes) = profile.limits.max_memory_bytes {
        yaml.push_str(&format!("      resources:\n        limits:\n          memory: {}Mi\n", (bytes >> 20).max(1)));
    }
    if !profile.mounts.is_empty() {
        yaml.push_str("      volumeMounts:\n");
        for (i, mount) in profile.mounts.iter().enumerate() {
            yaml.push_str(&format!(
                "        - name: mount-{i}\n          mountPath: {}\n          readOnly: {}\n",
                yaml_str(if mount.guest == "." { POD_WORKDIR } else { &mount.guest }),
                mount.read_only
            ));
        }
        yaml.push_str("  volumes:\n");
        for (i, mount) in profile.mounts.iter().enumerate() {
            yaml.push_str(&format!(
                "    - name: mount-{i}\n      hostPath:\n        path: {}\n        type: Directory\n",
                yaml_str(&mount.host.display().to_string())
            ));
        }
    }
    let mut notes = vec![Note {
        kind: NoteKind::GrantsMore,
        text: "runwasi preopens the container's root file system at `/`: the guest sees the whole image, not only \
               these folders"
            .into(),
    }];
    if profile.env.inherit_host {
        notes.push(Note {
            kind: NoteKind::GrantsLess,
            text: "the host's environment is not inherited: only the variables listed, plus what the image sets".into(),
        });
    }
    if profile.clocks != ClockPolicy::Real {
        notes.push(Note { kind: NoteKind::GrantsMore, text: "clocks are always real under runwasi".into() });
    }
    notes.push(Note {
        kind: NoteKind::Differs,
        text: "the network is the Pod's: what the guest may reach is set by the cluster's network policy".into(),
    });
    if relative_mount {
        notes.push(Note {
            kind: NoteKind::Differs,
            text: format!(
                "the folder mounted at `.` is mounted at {POD_WORKDIR}, the container's working directory: a guest \
                 that resolves relative paths against its working directory finds it there"
            ),
        });
    }
    if profile.limits.max_memory_bytes.is_some() {
        notes.push(Note {
            kind: NoteKind::Differs,
            text: "the memory limit covers the whole container (shim and guest), not linear memory alone".into(),
        });
    }
    if profile.limits.fuel.is_some() {
        notes.push(Note {
            kind: NoteKind::GrantsMore,
            text: "fuel has no Kubernetes equivalent and is left out".into(),
        });
    }
    (yaml, notes)
}

fn yaml_str(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::super::wasmtime_run::expressible_profile;
    use super::*;

    #[test]
    fn a_pod_manifest_carries_mounts_env_and_limits() {
        let (yaml, notes) = to_pod_manifest(&expressible_profile(), "My App.wasm", "registry.example/app:1");
        assert!(yaml.contains("runtimeClassName: wasmtime"));
        assert!(yaml.contains("name: my-app-wasm"));
        assert!(yaml.contains("mountPath: \"/data\""));
        assert!(yaml.contains("memory: 16Mi"));
        assert!(yaml.contains("activeDeadlineSeconds: 2"));
        assert!(notes.iter().any(|n| n.text.contains("root file system")));
        // Kubernetes takes absolute mount paths only.
        assert!(!yaml.contains("mountPath: \".\""), "{yaml}");
        assert!(yaml.lines().filter(|l| l.contains("mountPath:")).all(|l| l.contains("\"/")), "{yaml}");
        assert!(yaml.contains("mountPath: \"/work\"") && yaml.contains("workingDir: /work"), "{yaml}");
        assert!(notes.iter().any(|n| n.text.contains("mounted at `.`")));
    }
}
