//! The sandbox as command-line flags, following `wasmtime run` where it has a
//! flag: `--dir HOST[::GUEST]`, `--env NAME[=VALUE]`, … The one place where
//! flags become a `SandboxProfile`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use runtime_worker::{
    ClockPolicy, Environment, Limits, Mount, NetworkPolicy, RandomPolicy, SandboxProfile, StdinSource,
};

/// Flags that describe what the guest may touch.
#[derive(Args, Debug, Default, Clone, PartialEq)]
pub struct SandboxFlags {
    /// Grant a host directory read-write, seen by the guest at GUEST
    /// (default: the same path as given)
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    pub dirs: Vec<String>,

    /// Grant a host directory read-only (writes, creates and deletes are denied)
    #[arg(long = "dir-readonly", value_name = "HOST[::GUEST]")]
    pub dirs_readonly: Vec<String>,

    /// Pass an environment variable; NAME alone passes the host's value
    #[arg(long = "env", value_name = "NAME[=VALUE]")]
    pub env: Vec<String>,

    /// Pass the host's whole environment (every variable, secrets included)
    #[arg(long)]
    pub inherit_env: bool,

    /// What the guest's clocks say: the real time, a time frozen at an
    /// instant (Unix seconds; now if omitted), or denied
    #[arg(long, value_name = "real|frozen[=UNIX_SECONDS]|deny", default_value = "real", value_parser = parse_clock)]
    pub clock: ClockPolicy,

    /// Make random_get deterministic from this seed
    #[arg(long, value_name = "SEED")]
    pub random_seed: Option<u64>,

    /// Cap linear memory (bytes; K, M and G suffixes are binary multiples)
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes)]
    pub max_memory: Option<u64>,

    /// Instructions the guest may execute (wasmtime fuel units)
    #[arg(long, value_name = "N")]
    pub fuel: Option<u64>,

    /// End the run after this long (seconds, or with ms/s/m suffix)
    #[arg(long, value_name = "SECONDS", value_parser = parse_duration)]
    pub timeout: Option<Duration>,

    /// Read the guest's stdin from FILE instead of this process's stdin
    #[arg(long, value_name = "FILE")]
    pub stdin: Option<PathBuf>,

    /// Components: grant every network address (wasmtime run's
    /// `-S inherit-network`)
    #[arg(long)]
    pub inherit_network: bool,

    /// Components: grant sockets to this address only (repeatable); `*` for
    /// any host or port, `localhost` for loopback, e.g. `127.0.0.1:8080`
    #[arg(long = "allow-net", value_name = "HOST:PORT", conflicts_with = "inherit_network")]
    pub allow_net: Vec<String>,

    /// Components: allow DNS lookups when the network is granted (wasmtime
    /// run's `-S allow-ip-name-lookup`)
    #[arg(long)]
    pub allow_ip_name_lookup: bool,
}

/// Where a mount flag sits on the command line, so that mounts keep their
/// order across `--dir` and `--dir-readonly` (the order gives their fds).
#[derive(Debug, Clone, Copy)]
pub struct MountOrder<'a> {
    pub dirs: &'a [usize],
    pub dirs_readonly: &'a [usize],
}

impl SandboxFlags {
    /// The profile these flags describe. `args` are the guest's arguments;
    /// `order` gives the positions of the mount flags (see `MountOrder`).
    pub fn to_profile(&self, args: &[String], order: Option<MountOrder<'_>>) -> anyhow::Result<SandboxProfile> {
        let mut mounts: Vec<(usize, Mount)> = Vec::new();
        for (i, spec) in self.dirs.iter().enumerate() {
            let at = order.and_then(|o| o.dirs.get(i).copied()).unwrap_or(i);
            mounts.push((at, parse_mount(spec, false)?));
        }
        for (i, spec) in self.dirs_readonly.iter().enumerate() {
            let at = order.and_then(|o| o.dirs_readonly.get(i).copied()).unwrap_or(self.dirs.len() + i);
            mounts.push((at, parse_mount(spec, true)?));
        }
        mounts.sort_by_key(|(at, _)| *at);

        let mut vars = Vec::new();
        for spec in &self.env {
            match spec.split_once('=') {
                Some((name, value)) => vars.push((name.to_string(), value.to_string())),
                None => match std::env::var(spec) {
                    Ok(value) => vars.push((spec.clone(), value)),
                    Err(_) => eprintln!("warning: --env {spec}: the host has no such variable; not passed"),
                },
            }
        }

        let stdin = match &self.stdin {
            Some(path) => StdinSource::Fixed(
                std::fs::read(path).with_context(|| format!("cannot read --stdin file `{}`", path.display()))?,
            ),
            None => StdinSource::Interactive,
        };

        let network = if self.inherit_network {
            NetworkPolicy::All
        } else if !self.allow_net.is_empty() {
            for pattern in &self.allow_net {
                runtime_worker::network::AddrPattern::parse(pattern)
                    .map_err(|e| anyhow::anyhow!("--allow-net: {e}"))?;
            }
            NetworkPolicy::AllowList(self.allow_net.clone())
        } else {
            NetworkPolicy::Off
        };
        if self.allow_ip_name_lookup && network.is_off() {
            eprintln!("warning: --allow-ip-name-lookup does nothing without --inherit-network or --allow-net");
        }

        Ok(SandboxProfile {
            mounts: mounts.into_iter().map(|(_, m)| m).collect(),
            env: Environment { inherit_host: self.inherit_env, vars },
            args: args.to_vec(),
            stdin,
            clocks: self.clock,
            network,
            dns: self.allow_ip_name_lookup,
            random: self.random_seed.map_or(RandomPolicy::System, RandomPolicy::Seeded),
            limits: Limits {
                max_memory_bytes: self.max_memory,
                fuel: self.fuel,
                timeout: self.timeout,
                // The command line passes output straight through.
                max_output_bytes: None,
            },
        })
    }
}

/// `HOST[::GUEST]`; the guest path defaults to the host path as written.
pub fn parse_mount(spec: &str, read_only: bool) -> anyhow::Result<Mount> {
    let (host, guest) = match spec.split_once("::") {
        Some((host, guest)) => (host, guest),
        None => (spec, spec),
    };
    if host.is_empty() || guest.is_empty() {
        bail!("`{spec}` is not HOST or HOST::GUEST");
    }
    Ok(Mount { host: PathBuf::from(host), guest: guest.to_string(), read_only })
}

fn parse_clock(text: &str) -> Result<ClockPolicy, String> {
    match text {
        "real" => Ok(ClockPolicy::Real),
        "deny" | "denied" => Ok(ClockPolicy::Denied),
        "frozen" => {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            Ok(ClockPolicy::Frozen { unix_nanos: now.as_nanos() as u64 })
        }
        other => match other.strip_prefix("frozen=") {
            Some(seconds) => {
                let seconds: f64 = seconds.parse().map_err(|_| format!("`{seconds}` is not a number of seconds"))?;
                if !(0.0..1.8e10).contains(&seconds) {
                    return Err(format!("{seconds} is not a time between 1970 and 2540"));
                }
                Ok(ClockPolicy::Frozen { unix_nanos: (seconds * 1e9) as u64 })
            }
            None => Err(format!("`{other}` is not one of real, frozen[=UNIX_SECONDS], deny")),
        },
    }
}

/// `65536`, `64K`, `16M`, `1G` (binary multiples; a trailing `B`/`iB` is allowed).
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let trimmed = text.trim().trim_end_matches("iB").trim_end_matches('B');
    let (digits, multiplier) = match trimmed.char_indices().last() {
        Some((i, 'K' | 'k')) => (&trimmed[..i], 1u64 << 10),
        Some((i, 'M' | 'm')) => (&trimmed[..i], 1 << 20),
        Some((i, 'G' | 'g')) => (&trimmed[..i], 1 << 30),
        _ => (trimmed, 1),
    };
    digits
        .trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(multiplier))
        .ok_or_else(|| format!("`{text}` is not a byte count like 65536, 64K or 16M"))
}

/// `2`, `2.5`, `2s`, `500ms`, `1m`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60.0)
    } else {
        (text, 1.0)
    };
    let seconds =
        number.trim().parse::<f64>().map_err(|_| format!("`{text}` is not a duration like 2, 2.5s or 500ms"))?;
    Duration::try_from_secs_f64(seconds * scale).map_err(|_| format!("`{text}` is not a positive duration"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mounts_parse_like_wasmtime() {
        assert_eq!(parse_mount("samples/data::/data", true).unwrap(), Mount::read_only("samples/data", "/data"));
        assert_eq!(parse_mount(".", false).unwrap(), Mount::read_write(".", "."));
        assert!(parse_mount("::/data", false).is_err());
    }

    #[test]
    fn mounts_keep_their_command_line_order() {
        let flags =
            SandboxFlags { dirs: vec!["b::/b".into()], dirs_readonly: vec!["a::/a".into()], ..Default::default() };
        let order = MountOrder { dirs: &[5], dirs_readonly: &[2] };
        let profile = flags.to_profile(&[], Some(order)).unwrap();
        let guests: Vec<_> = profile.mounts.iter().map(|m| m.guest.as_str()).collect();
        assert_eq!(guests, ["/a", "/b"]);
        assert!(profile.mounts[0].read_only);
    }

    #[test]
    fn sizes_durations_and_clocks_read_naturally() {
        assert_eq!(parse_bytes("16M"), Ok(16 << 20));
        assert_eq!(parse_bytes("65536"), Ok(65536));
        assert_eq!(parse_bytes("64KiB"), Ok(64 << 10));
        assert!(parse_bytes("lots").is_err());
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert!(parse_duration("-1").is_err());
        assert_eq!(parse_clock("deny"), Ok(ClockPolicy::Denied));
        assert_eq!(parse_clock("frozen=1.5"), Ok(ClockPolicy::Frozen { unix_nanos: 1_500_000_000 }));
        assert!(parse_clock("sometimes").is_err());
    }

    #[test]
    fn env_flags_take_values_or_the_hosts() {
        // SAFETY: test-only variable, set before it is read.
        unsafe { std::env::set_var("WASMSCOPE_FLAGS_TEST", "from-host") };
        let flags = SandboxFlags { env: vec!["A=1".into(), "WASMSCOPE_FLAGS_TEST".into()], ..Default::default() };
        let profile = flags.to_profile(&[], None).unwrap();
        assert_eq!(
            profile.env.vars,
            vec![("A".into(), "1".into()), ("WASMSCOPE_FLAGS_TEST".into(), "from-host".into())]
        );
    }
}

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
    parts.join(" · ")
}

/// How an exported setting compares with the profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoteKind {
    /// Left out: the command grants less than the profile.
    GrantsLess,
    /// The command would grant more than the profile: it is not offered.
    GrantsMore,
    /// Differs in a way that grants nothing more or less.
    Differs,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub kind: NoteKind,
    pub text: String,
}

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
                    let (key, val) = option.split_once('=').unwrap_or((option, "y"));
                    let on = matches!(val, "y" | "yes" | "true");
                    match key {
                        "inherit-env" if on => profile.env.inherit_host = true,
                        "inherit-network" if on => profile.network = runtime_worker::NetworkPolicy::All,
                        "allow-ip-name-lookup" if on => profile.dns = true,
                        "max-memory-size" => profile.limits.max_memory_bytes = Some(parse_bytes(val)?),
                        "fuel" => {
                            profile.limits.fuel = Some(val.parse().map_err(|_| format!("fuel={val} is not a number"))?)
                        }
                        "timeout" => profile.limits.timeout = Some(parse_duration(val)?),
                        other => warnings.push(format!("{flag} {other} is not carried over")),
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

/// Words quoted for a POSIX shell where needed.
pub fn shell_join(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            if !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c)) {
                w.clone()
            } else {
                format!("'{}'", w.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A shell command line as words: single and double quotes, backslashes.
pub fn shell_split(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => current.push(c),
                        None => return Err("a single quote is not closed".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => current.push(chars.next().ok_or("the line ends after a backslash")?),
                        Some(c) => current.push(c),
                        None => return Err("a double quote is not closed".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                current.push(chars.next().ok_or("the line ends after a backslash")?);
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                current.push(c);
            }
        }
    }
    if in_word {
        words.push(current);
    }
    Ok(words)
}

#[cfg(test)]
mod export_tests {
    use super::*;

    fn expressible() -> SandboxProfile {
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

    #[test]
    fn an_expressible_profile_round_trips_through_wasmtime_run() {
        let profile = expressible();
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
    fn importing_says_what_it_could_not_carry() {
        let (profile, module, warnings) =
            from_wasmtime_run("wasmtime run -S cli,preview2=n --invoke add -W max-memory-size=65536 m.wasm 1 2")
                .unwrap();
        assert_eq!(module.as_deref(), Some("m.wasm"));
        assert_eq!(profile.args, ["1", "2"]);
        assert_eq!(profile.limits.max_memory_bytes, Some(65536));
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(from_wasmtime_run("wasmtime run --dir").is_err());
    }

    #[test]
    fn a_pod_manifest_carries_mounts_env_and_limits() {
        let (yaml, notes) = to_pod_manifest(&expressible(), "My App.wasm", "registry.example/app:1");
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

    #[test]
    fn shell_words_split_and_join_back() {
        let words = vec!["a b".to_string(), "it's".into(), "plain".into(), "".into()];
        assert_eq!(shell_split(&shell_join(&words)).unwrap(), words);
        assert_eq!(shell_split(r#"x "y z" 'w' \q"#).unwrap(), ["x", "y z", "w", "q"]);
    }
}
