//! The profile as a Kubernetes Pod for runwasi's wasmtime shim, with what
//! runwasi grants differently.
//!
//! The manifest is built from Kubernetes' own types (`k8s-openapi`) and written
//! by a YAML serialiser (`serde-saphyr`), so any value — an environment value
//! with a newline, a quote, a leading dash, `yes` or `0755` — comes out as the
//! same string when the cluster reads it. (A cluster reads YAML 1.1, where an
//! unquoted `yes` is a boolean: serde-saphyr quotes such strings; libyaml's
//! emitter, under serde_yaml and its forks, leaves them bare.)

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Container, EnvVar, HostPathVolumeSource, Pod, PodSpec, ResourceRequirements, Volume, VolumeMount,
};
use k8s_openapi::api::node::v1::RuntimeClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use runtime_worker::{ClockPolicy, SandboxProfile};

use super::note::{Note, NoteKind};

/// Where a Pod mounts a folder the profile mounts at `.`.
const POD_WORKDIR: &str = "/work";
/// The RuntimeClass, and the containerd handler it names: runwasi's wasmtime
/// shim (`containerd-shim-wasmtime-v1`) registered as `wasmtime`.
const RUNTIME_CLASS: &str = "wasmtime";
/// A container's name is a DNS label: at most 63 characters.
const MAX_NAME: usize = 63;

/// A profile as Kubernetes objects: the RuntimeClass that selects runwasi's
/// wasmtime shim, the Pod that runs the module under it, and what runwasi
/// grants differently from the profile.
#[derive(Clone, Debug, PartialEq)]
pub struct PodManifest {
    pub runtime_class: RuntimeClass,
    pub pod: Pod,
    pub notes: Vec<Note>,
}

impl PodManifest {
    /// Both objects as one YAML file (two documents), after a header of
    /// comments that says what runwasi grants differently.
    pub fn to_yaml(&self) -> Result<String, serde_saphyr::SerializeError> {
        let mut yaml = String::from(
            "# A Pod for a cluster whose containerd runs runwasi's wasmtime shim, and the\n\
             # RuntimeClass that selects it; written by Wasmscope from a sandbox profile.\n\
             # What runwasi grants differently from the profile:\n",
        );
        for note in &self.notes {
            // A comment ends at a line break: each line of a note is a
            // comment of its own.
            let mut lines = note.text.lines();
            yaml.push_str(&format!("# - {}: {}\n", note.kind.label(), lines.next().unwrap_or_default()));
            for line in lines {
                yaml.push_str(&format!("#   {line}\n"));
            }
        }
        yaml.push_str(&serde_saphyr::to_string(&self.runtime_class)?);
        yaml.push_str("---\n");
        yaml.push_str(&serde_saphyr::to_string(&self.pod)?);
        Ok(yaml)
    }
}

/// The name a Pod and its container get for a module file name: a DNS label
/// (lower-case letters, digits and `-`, at most 63 characters).
pub fn pod_name(module: &str) -> String {
    let name: String = module.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let name: String = name.trim_matches('-').chars().take(MAX_NAME).collect();
    let name = name.trim_end_matches('-');
    if name.is_empty() { "wasm-guest".to_string() } else { name.to_string() }
}

/// The module's file name as the image holds it (`app.wat` → `app.wasm`):
/// the Pod's command, which runwasi takes for the entry point (`path[#export]`)
/// and gives the guest as `argv[0]`, before the profile's arguments. runwasi
/// calls the export named after the first `#`, so a `#` in the name is
/// written `_` (`app#2.wasm` → `app_2.wasm`; the manifest's notes say so).
pub fn program_name(module: &str) -> String {
    let stem = std::path::Path::new(module).file_stem().map(|s| s.to_string_lossy()).unwrap_or_default();
    let stem = stem.replace('#', "_");
    if stem.is_empty() { "module.wasm".to_string() } else { format!("{stem}.wasm") }
}

/// A profile as a Pod for a cluster whose containerd runs runwasi's wasmtime
/// shim, with a RuntimeClass; and what runwasi grants differently. `module`
/// is the module's file name (the Pod is named after it), `image` the image
/// the cluster pulls.
pub fn to_pod_manifest(profile: &SandboxProfile, module: &str, image: &str) -> PodManifest {
    let name = pod_name(module);
    // A mount path must be absolute: a folder mounted at `.` goes to a
    // working directory of its own.
    let relative_mount = profile.mounts.iter().any(|m| m.guest == ".");
    let container = Container {
        name: name.clone(),
        image: Some(image.to_string()),
        // runwasi reads the entry point from the first word of the process's
        // arguments: without a command, the first of the profile's would be
        // taken for it (and the guest would lose it).
        command: Some(vec![program_name(module)]),
        working_dir: relative_mount.then(|| POD_WORKDIR.to_string()),
        args: (!profile.args.is_empty()).then(|| profile.args.clone()),
        env: (!profile.env.vars.is_empty()).then(|| {
            profile
                .env
                .vars
                .iter()
                .map(|(key, value)| EnvVar { name: key.clone(), value: Some(value.clone()), value_from: None })
                .collect()
        }),
        resources: profile.limits.max_memory_bytes.map(|bytes| ResourceRequirements {
            limits: Some(BTreeMap::from([("memory".to_string(), Quantity(format!("{}Mi", (bytes >> 20).max(1))))])),
            ..ResourceRequirements::default()
        }),
        volume_mounts: (!profile.mounts.is_empty()).then(|| {
            profile
                .mounts
                .iter()
                .enumerate()
                .map(|(i, mount)| VolumeMount {
                    name: format!("mount-{i}"),
                    mount_path: if mount.guest == "." { POD_WORKDIR.to_string() } else { mount.guest.clone() },
                    read_only: Some(mount.read_only),
                    ..VolumeMount::default()
                })
                .collect()
        }),
        ..Container::default()
    };
    let volumes = (!profile.mounts.is_empty()).then(|| {
        profile
            .mounts
            .iter()
            .enumerate()
            .map(|(i, mount)| Volume {
                name: format!("mount-{i}"),
                host_path: Some(HostPathVolumeSource {
                    path: mount.host.display().to_string(),
                    type_: Some("Directory".to_string()),
                }),
                ..Volume::default()
            })
            .collect()
    });
    let pod = Pod {
        metadata: ObjectMeta { name: Some(name), ..ObjectMeta::default() },
        spec: Some(PodSpec {
            runtime_class_name: Some(RUNTIME_CLASS.to_string()),
            restart_policy: Some("Never".to_string()),
            active_deadline_seconds: profile.limits.timeout.map(|timeout| timeout.as_secs().max(1) as i64),
            containers: vec![container],
            volumes,
            ..PodSpec::default()
        }),
        status: None,
    };
    let runtime_class = RuntimeClass {
        metadata: ObjectMeta { name: Some(RUNTIME_CLASS.to_string()), ..ObjectMeta::default() },
        handler: RUNTIME_CLASS.to_string(),
        ..RuntimeClass::default()
    };
    PodManifest { runtime_class, pod, notes: notes(profile, relative_mount, module) }
}

/// What runwasi grants differently from `profile`, and what the Pod names
/// differently from `module`.
fn notes(profile: &SandboxProfile, relative_mount: bool, module: &str) -> Vec<Note> {
    let mut notes = vec![Note {
        kind: NoteKind::GrantsMore,
        text: "runwasi preopens the container's root file system at `/`: the guest sees the whole image, not only \
               these folders"
            .into(),
    }];
    let file_name = std::path::Path::new(module).file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    if file_name.contains('#') {
        notes.push(Note {
            kind: NoteKind::Differs,
            text: format!(
                "the module is named `{}` in the Pod (the guest's argv[0]), not `{file_name}`: runwasi reads what \
                 follows a `#` in the command as the export to call",
                program_name(module)
            ),
        });
    }
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
    notes
}

#[cfg(test)]
mod tests {
    use runtime_worker::{Environment, Mount};

    use super::super::wasmtime_run::expressible_profile;
    use super::*;

    /// The YAML read back as the two objects it holds.
    fn read_back(yaml: &str) -> (RuntimeClass, Pod) {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Object {
            RuntimeClass(Box<RuntimeClass>),
            Pod(Box<Pod>),
        }
        let objects: Vec<Object> = serde_saphyr::from_multiple(yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
        match <[Object; 2]>::try_from(objects) {
            Ok([Object::RuntimeClass(runtime_class), Object::Pod(pod)]) => (*runtime_class, *pod),
            _ => panic!("not a RuntimeClass then a Pod:\n{yaml}"),
        }
    }

    fn with_env(vars: &[(&str, &str)]) -> SandboxProfile {
        SandboxProfile {
            env: Environment {
                inherit_host: false,
                vars: vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            },
            ..SandboxProfile::default()
        }
    }

    #[test]
    fn a_pod_manifest_carries_mounts_env_and_limits() {
        let manifest = to_pod_manifest(&expressible_profile(), "My App.wasm", "registry.example/app:1");
        let (yaml, notes) = (manifest.to_yaml().unwrap(), manifest.notes);
        assert!(yaml.contains("runtimeClassName: wasmtime"));
        assert!(yaml.contains("name: my-app-wasm"));
        assert!(yaml.contains("mountPath: /data"), "{yaml}");
        assert!(yaml.contains("memory: 16Mi"));
        assert!(yaml.contains("activeDeadlineSeconds: 2"));
        assert!(notes.iter().any(|n| n.text.contains("root file system")));
        // Kubernetes takes absolute mount paths only.
        assert!(!yaml.contains("mountPath: ."), "{yaml}");
        assert!(yaml.lines().filter(|l| l.contains("mountPath:")).all(|l| l.contains("mountPath: /")), "{yaml}");
        assert!(yaml.contains("mountPath: /work") && yaml.contains("workingDir: /work"), "{yaml}");
        assert!(notes.iter().any(|n| n.text.contains("mounted at `.`")));
    }

    #[test]
    fn the_yaml_reads_back_as_the_same_objects() {
        let manifest = to_pod_manifest(&expressible_profile(), "My App.wasm", "registry.example/app:1");
        let (runtime_class, pod) = read_back(&manifest.to_yaml().unwrap());
        assert_eq!(runtime_class, manifest.runtime_class);
        assert_eq!(pod, manifest.pod);
        // And what was read is what the profile says, field by field.
        let spec = pod.spec.as_ref().unwrap();
        let container = &spec.containers[0];
        assert_eq!(container.image.as_deref(), Some("registry.example/app:1"));
        // runwasi takes the first word for the entry point, and the guest
        // gets every word: argv is the module's name, then the arguments.
        assert_eq!(container.command.as_deref(), Some(&["My App.wasm".to_string()][..]));
        assert_eq!(container.args.as_deref(), Some(&["--verbose".to_string(), "two words".to_string()][..]));
        let mounts = container.volume_mounts.as_ref().unwrap();
        assert_eq!(
            mounts.iter().map(|m| (m.mount_path.as_str(), m.read_only)).collect::<Vec<_>>(),
            [("/data", Some(false)), ("/work", Some(false))]
        );
        let volumes = spec.volumes.as_ref().unwrap();
        assert_eq!(volumes[1].host_path.as_ref().unwrap().path, "/tmp/my dir");
        assert_eq!(container.resources.as_ref().unwrap().limits.as_ref().unwrap()["memory"].0, "16Mi");
        assert_eq!(spec.runtime_class_name.as_deref(), Some(runtime_class.handler.as_str()));
    }

    #[test]
    fn any_environment_value_reaches_the_cluster_unchanged() {
        let values = [
            "line one\nline two",
            "ends with a newline\n",
            "two trailing newlines\n\n",
            "\n",
            "  indented\n  block",
            "a \"quoted\" and 'single' value",
            "key: value",
            "- a leading dash",
            "#not a comment",
            "yes",
            "off",
            "0755",
            "1_000",
            "12:30",
            "~",
            "null",
            "",
            "  ",
            "tab\there",
            "crlf\r\nline",
            "ünïcödé 漢字 🦀",
            "line\u{2028}separator",
            "{[&*!|>%@`",
        ];
        let vars: Vec<(String, &str)> = values.iter().enumerate().map(|(i, v)| (format!("V{i}"), *v)).collect();
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let manifest = to_pod_manifest(&with_env(&vars), "env.wasm", "registry.example/env:1");
        let yaml = manifest.to_yaml().unwrap();
        let (_, pod) = read_back(&yaml);
        let env = pod.spec.unwrap().containers.remove(0).env.unwrap();
        let read: Vec<(&str, &str)> = env.iter().map(|e| (e.name.as_str(), e.value.as_deref().unwrap())).collect();
        assert_eq!(read, vars, "{yaml}");
        // A value with a newline is one value, not a line that ends the list.
        assert!(yaml.contains("value: |-\n        line one\n        line two\n"), "{yaml}");
    }

    #[test]
    fn strings_yaml_1_1_reads_as_other_types_are_quoted() {
        // A cluster's YAML reader (YAML 1.1) takes a bare `yes` for a boolean
        // and a bare `0755` for an octal number; the value must stay a string.
        let manifest = to_pod_manifest(&with_env(&[("A", "yes"), ("B", "0755"), ("C", "on")]), "m.wasm", "r/m:1");
        let yaml = manifest.to_yaml().unwrap();
        for quoted in ["value: \"yes\"", "value: \"0755\"", "value: \"on\""] {
            assert!(yaml.contains(quoted), "{quoted} in\n{yaml}");
        }
    }

    #[test]
    fn the_notes_head_the_yaml_as_comments() {
        let manifest = to_pod_manifest(&expressible_profile(), "app.wasm", "registry.example/app:1");
        let yaml = manifest.to_yaml().unwrap();
        let header: Vec<&str> = yaml.lines().take_while(|l| l.starts_with('#')).collect();
        for note in &manifest.notes {
            assert!(header.iter().any(|l| l.contains(&note.text)), "{} not in\n{yaml}", note.text);
        }
        assert!(header.iter().any(|l| l.contains("grants more: fuel has no Kubernetes equivalent")), "{yaml}");
        assert_eq!(yaml.lines().nth(header.len()), Some("apiVersion: node.k8s.io/v1"), "{yaml}");
    }

    #[test]
    fn the_program_is_the_module_as_the_image_holds_it() {
        for (module, program) in [
            ("app.wasm", "app.wasm"),
            ("hello.wat", "hello.wasm"),
            ("dropped", "dropped.wasm"),
            ("", "module.wasm"),
            // runwasi would call the export `v2.wasm` of `app`.
            ("app#v2.wasm", "app_v2.wasm"),
            ("#init.wat", "_init.wasm"),
        ] {
            assert_eq!(program_name(module), program, "{module}");
        }
    }

    #[test]
    fn a_hash_in_the_module_name_is_no_export_selector_and_the_notes_say_so() {
        let manifest = to_pod_manifest(&expressible_profile(), "app#v2.wasm", "registry.example/app:1");
        let command = manifest.pod.spec.as_ref().unwrap().containers[0].command.clone().unwrap();
        assert_eq!(command, ["app_v2.wasm"]);
        let note = manifest.notes.iter().find(|n| n.text.contains("`#`")).expect("a note on the name");
        assert_eq!(note.kind, NoteKind::Differs);
        assert!(note.text.contains("`app_v2.wasm`") && note.text.contains("`app#v2.wasm`"), "{}", note.text);
        let plain = to_pod_manifest(&expressible_profile(), "app.wasm", "registry.example/app:1");
        assert!(!plain.notes.iter().any(|n| n.text.contains("`#`")), "no note without a `#`");
    }

    #[test]
    fn pod_names_are_dns_labels() {
        for (module, name) in [
            ("My App.wasm", "my-app-wasm"),
            ("--x--.wasm", "x---wasm"),
            ("漢字", "wasm-guest"),
            ("", "wasm-guest"),
            (&"a".repeat(100), &"a".repeat(63)),
            (&format!("{}-b", "a".repeat(62)), &"a".repeat(62)),
        ] {
            assert_eq!(pod_name(module), name, "{module}");
        }
    }

    #[test]
    fn a_read_only_mount_stays_read_only() {
        let profile = SandboxProfile { mounts: vec![Mount::read_only("/srv/in", "/in")], ..SandboxProfile::default() };
        let (_, pod) = read_back(&to_pod_manifest(&profile, "m.wasm", "r/m:1").to_yaml().unwrap());
        let spec = pod.spec.unwrap();
        assert_eq!(spec.containers[0].volume_mounts.as_ref().unwrap()[0].read_only, Some(true));
        let volume = &spec.volumes.unwrap()[0];
        assert_eq!(
            volume.host_path.as_ref().map(|h| (h.path.as_str(), h.type_.as_deref())),
            Some(("/srv/in", Some("Directory")))
        );
    }
}
