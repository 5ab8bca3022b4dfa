//! The profile as a `wasmtime run` command line (export), and such a line
//! read back into a profile (import), each saying what it cannot carry.

use runtime_worker::{ClockPolicy, RandomPolicy, SandboxProfile, StdinSource};

use super::flags::{apply_wasmtime_option, parse_mount};
use super::note::{Note, NoteKind};
use super::shell::{shell_join, shell_split};

/// A profile as a `wasmtime run` command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WasmtimeCommand {
    /// The command; `None` when every way to write it would grant more than
    /// the profile (see the notes).
    pub line: Option<String>,
    pub notes: Vec<Note>,
}

/// The profile as `wasmtime run` (version 48) flags. The command never
/// grants more than the profile: what `wasmtime run` cannot express is left
/// out (and said so), and if leaving it out would grant more, no command is
/// given.
pub fn to_wasmtime_run(profile: &SandboxProfile, module: &str) -> WasmtimeCommand {
    let mut words: Vec<String> = vec!["wasmtime".into(), "run".into()];
    let mut notes = Vec::new();
    let mut note = |kind, text: String| notes.push(Note { kind, text });
    for mount in &profile.mounts {
        if mount.read_only {
            note(
                NoteKind::GrantsLess,
                format!(
                    "`{}` is left out: wasmtime run 48 cannot mount a folder read-only, and --dir would allow writes",
                    mount.guest
                ),
            );
        } else {
            words.push("--dir".into());
            words.push(format!("{}::{}", mount.host.display(), mount.guest));
        }
    }
    if profile.env.inherit_host {
        words.extend(["-S".into(), "inherit-env".into()]);
    }
    for (name, value) in &profile.env.vars {
        words.push("--env".into());
        words.push(format!("{name}={value}"));
    }
    match profile.clocks {
        ClockPolicy::Real => {}
        ClockPolicy::Frozen { .. } => {
            note(NoteKind::GrantsMore, "the clocks are frozen here; wasmtime run always gives the real time".into())
        }
        ClockPolicy::Denied => {
            note(NoteKind::GrantsMore, "the clocks are denied here; wasmtime run has no way to deny them".into())
        }
    }
    match &profile.network {
        runtime_worker::NetworkPolicy::Off => {}
        runtime_worker::NetworkPolicy::All => {
            words.extend(["-S".into(), "inherit-network".into()]);
            if profile.dns {
                words.extend(["-S".into(), "allow-ip-name-lookup".into()]);
            }
        }
        other => note(
            NoteKind::GrantsLess,
            format!(
                "the network ({}) is left out: wasmtime run can only grant all of it (-S inherit-network)",
                if matches!(other, runtime_worker::NetworkPolicy::Loopback) {
                    "loopback only"
                } else {
                    "an allow-list"
                }
            ),
        ),
    }
    if let RandomPolicy::Seeded(seed) = profile.random {
        note(NoteKind::Differs, format!("random bytes are seeded ({seed}) here; wasmtime run uses the system's"));
    }
    let limits = &profile.limits;
    if let Some(bytes) = limits.max_memory_bytes {
        words.extend(["-W".into(), format!("max-memory-size={bytes}")]);
    }
    if let Some(fuel) = limits.fuel {
        words.extend(["-W".into(), format!("fuel={fuel}")]);
    }
    if let Some(timeout) = limits.timeout {
        words.extend(["-W".into(), format!("timeout={}ms", timeout.as_millis())]);
    }
    words.push(module.to_string());
    words.extend(profile.args.iter().cloned());
    let mut line = shell_join(&words);
    match &profile.stdin {
        StdinSource::Empty => line.push_str(" < /dev/null"),
        StdinSource::Fixed(_) => {
            note(NoteKind::Differs, "stdin is fixed text here: pipe it in (`… | wasmtime run …`)".into())
        }
        StdinSource::Interactive => {}
    }
    if !profile.parts.is_empty() {
        let names: Vec<String> = profile.parts.iter().map(|p| format!("`{}`", p.part)).collect();
        // The line would hand those parts the run's capabilities, which
        // their own are there to narrow.
        note(
            NoteKind::GrantsMore,
            format!(
                "the parts {} have capabilities of their own here; wasmtime run gives every part of a composed \
                 component the same ones",
                names.join(", ")
            ),
        );
    }
    let grants_more = notes.iter().any(|n| n.kind == NoteKind::GrantsMore);
    WasmtimeCommand { line: (!grants_more).then_some(line), notes }
}

/// A `wasmtime run` command line read back into a profile: the module, and
/// warnings about what could not be carried over.
pub fn from_wasmtime_run(line: &str) -> Result<(SandboxProfile, Option<String>, Vec<String>), String> {
    let words = shell_split(line)?;
    let mut words = words.into_iter().peekable();
    if words.peek().is_some_and(|w| w.ends_with("wasmtime")) {
        words.next();
    }
    if words.peek().is_some_and(|w| w == "run") {
        words.next();
    }
    let mut profile = SandboxProfile::default();
    let mut warnings = Vec::new();
    let mut module = None;
    let value = |flag: &str, words: &mut dyn Iterator<Item = String>| {
        words.next().ok_or_else(|| format!("{flag} needs a value"))
    };
    while let Some(word) = words.next() {
        if module.is_some() {
            profile.args.push(word);
            continue;
        }
        let (flag, inline) = match word.split_once('=') {
            Some((flag, rest)) if flag.starts_with("--") => (flag.to_string(), Some(rest.to_string())),
            _ => (word.clone(), None),
        };
        match flag.as_str() {
            "--dir" => {
                let spec = match inline {
                    Some(spec) => spec,
                    None => value("--dir", &mut words)?,
                };
                profile.mounts.push(parse_mount(&spec, false).map_err(|e| e.to_string())?);
            }
            "--env" => {
                let spec = match inline {
                    Some(spec) => spec,
                    None => value("--env", &mut words)?,
                };
                match spec.split_once('=') {
                    Some((name, value)) => profile.env.vars.push((name.to_string(), value.to_string())),
                    None => match std::env::var(&spec) {
                        Ok(value) => profile.env.vars.push((spec, value)),
                        Err(_) => warnings.push(format!("--env {spec}: this host has no such variable")),
                    },
                }
            }
            "-S" | "--wasi" | "-W" | "--wasm" => {
                let spec = match inline {
                    Some(spec) => spec,
                    None => value(&flag, &mut words)?,
                };
                for option in spec.split(',') {
                    if !apply_wasmtime_option(&flag, option, &mut profile)? {
                        warnings.push(format!("{flag} {option} is not carried over"));
                    }
                }
            }
            // wasmtime run's other flags that take a value.
            "--invoke" | "--preload" | "--profile" | "--argv0" | "--config" | "--target" | "-O" | "--optimize"
            | "-C" | "--codegen" | "-D" | "--debug" => {
                let value = match inline {
                    Some(value) => value,
                    None => value(&flag, &mut words)?,
                };
                warnings.push(format!("{flag} {value} is not carried over"));
            }
            other if other.starts_with('-') => warnings.push(format!("{other} is not carried over")),
            _ => module = Some(word),
        }
    }
    Ok((profile, module, warnings))
}

/// A profile that `wasmtime run` expresses in full (read-write mounts, one at
/// `.`, inherited and listed environment, arguments, limits): the exports'
/// tests start from it.
#[cfg(test)]
pub(super) fn expressible_profile() -> SandboxProfile {
    use std::time::Duration;

    use runtime_worker::{Environment, Limits, Mount};
    SandboxProfile {
        mounts: vec![Mount::read_write("/srv/data", "/data"), Mount::read_write("/tmp/my dir", ".")],
        env: Environment { inherit_host: true, vars: vec![("GREETING".into(), "hello world".into())] },
        args: vec!["--verbose".into(), "two words".into()],
        stdin: StdinSource::Interactive,
        limits: Limits {
            max_memory_bytes: Some(16 << 20),
            fuel: Some(5_000),
            timeout: Some(Duration::from_millis(2500)),
            max_output_bytes: None,
        },
        ..SandboxProfile::default()
    }
}

#[cfg(test)]
mod tests {
    use runtime_worker::Mount;

    use super::*;

    #[test]
    fn an_expressible_profile_round_trips_through_wasmtime_run() {
        let profile = expressible_profile();
        let export = to_wasmtime_run(&profile, "app.wasm");
        assert!(export.notes.is_empty(), "{:?}", export.notes);
        let line = export.line.unwrap();
        assert!(
            line.starts_with("wasmtime run --dir /srv/data::/data --dir '/tmp/my dir::.' -S inherit-env"),
            "{line}"
        );
        let (back, module, warnings) = from_wasmtime_run(&line).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(module.as_deref(), Some("app.wasm"));
        assert_eq!(back.mounts, profile.mounts);
        assert_eq!(back.env, profile.env);
        assert_eq!(back.args, profile.args);
        assert_eq!(back.limits.max_memory_bytes, profile.limits.max_memory_bytes);
        assert_eq!(back.limits.fuel, profile.limits.fuel);
        assert_eq!(back.limits.timeout, profile.limits.timeout);
    }

    #[test]
    fn an_export_never_grants_more_than_the_profile() {
        let read_only = SandboxProfile { mounts: vec![Mount::read_only("/srv", "/data")], ..Default::default() };
        let export = to_wasmtime_run(&read_only, "app.wasm");
        assert!(!export.line.as_deref().unwrap().contains("--dir"), "a read-only mount must not become --dir");
        assert_eq!(export.notes[0].kind, NoteKind::GrantsLess);

        let denied = SandboxProfile { clocks: ClockPolicy::Denied, ..Default::default() };
        let export = to_wasmtime_run(&denied, "app.wasm");
        assert_eq!(export.line, None, "no command can deny the clocks");
        assert_eq!(export.notes[0].kind, NoteKind::GrantsMore);
    }

    #[test]
    fn capabilities_per_part_are_not_offered_as_a_wasmtime_line() {
        let mut profile = expressible_profile();
        profile.parts =
            vec![runtime_worker::PartProfile { part: "command".into(), profile: SandboxProfile::default() }];
        let export = to_wasmtime_run(&profile, "client.wasm");
        assert_eq!(export.line, None, "the line would give the part the run's capabilities");
        assert_eq!(export.notes.len(), 1);
        assert_eq!(export.notes[0].kind, NoteKind::GrantsMore);
        assert!(export.notes[0].text.contains("`command`"), "{}", export.notes[0].text);
    }

    #[test]
    fn importing_says_what_it_could_not_carry() {
        let (profile, module, warnings) =
            from_wasmtime_run("wasmtime run -S cli,preview2=n --invoke add -W max-memory-size=65536 m.wasm 1 2")
                .unwrap();
        assert_eq!(module.as_deref(), Some("m.wasm"));
        assert_eq!(profile.args, ["1", "2"]);
        assert_eq!(profile.limits.max_memory_bytes, Some(65536));
        // `-S cli` is on here as in wasmtime run; preview2=n and --invoke are not carried.
        assert_eq!(warnings, ["-S preview2=n is not carried over", "--invoke add is not carried over"]);
        assert!(from_wasmtime_run("wasmtime run --dir").is_err());
    }
}
