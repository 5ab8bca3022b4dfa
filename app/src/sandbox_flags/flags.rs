//! Command-line flags ↔ `SandboxProfile`: the sandbox as flags, following
//! `wasmtime run` where it has a flag (`--dir HOST[::GUEST]`,
//! `--env NAME[=VALUE]`, …). The one place where flags become a profile.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use runtime_worker::{
    ClockPolicy, Environment, Limits, Mount, NetworkPolicy, PartProfile, RandomPolicy, SandboxProfile, StdinSource,
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

    /// A composed component: give one inner component capabilities of its
    /// own instead of the run's (least privilege per part): NAME as the
    /// Inspector and `wasmscope inspect` name the part (`database-connector`,
    /// `command`, or `#0`), FLAGS the sandbox flags it gets, separated by
    /// spaces (`--dir`, `--dir-readonly`, `--env`, `--clock`, `--allow-net`,
    /// ...), e.g. `--part 'database-connector=--dir-readonly data::/data'
    /// --part command=` (the client gets nothing beyond stdio); repeatable.
    /// The arguments, stdin (a part's own is empty) and limits stay the run's
    #[arg(long = "part", value_name = "NAME=FLAGS")]
    pub parts: Vec<String>,

    /// WASI options, as `wasmtime run` takes them: `inherit-env`,
    /// `inherit-network`, `allow-ip-name-lookup`; `cli`, `tcp` and `udp` are
    /// always on here; any other is refused
    #[arg(short = 'S', long = "wasi", value_name = "KEY[=VAL[,...]]")]
    pub wasi: Vec<String>,

    /// Wasm options, as `wasmtime run` takes them: `max-memory-size=BYTES`,
    /// `fuel=N`, `timeout=DURATION`; any other is refused
    #[arg(short = 'W', long = "wasm", value_name = "KEY[=VAL[,...]]")]
    pub wasm: Vec<String>,
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
                runtime_worker::sandbox::network::AddrPattern::parse(pattern)
                    .map_err(|e| anyhow::anyhow!("--allow-net: {e}"))?;
            }
            NetworkPolicy::AllowList(self.allow_net.clone())
        } else {
            NetworkPolicy::Off
        };
        if self.allow_ip_name_lookup && network.is_off() {
            eprintln!("warning: --allow-ip-name-lookup does nothing without --inherit-network or --allow-net");
        }

        let mut profile = SandboxProfile {
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
            parts: self.parts.iter().map(|spec| parse_part(spec)).collect::<anyhow::Result<_>>()?,
        };
        for (flag, specs) in [("-S", &self.wasi), ("-W", &self.wasm)] {
            for option in specs.iter().flat_map(|spec| spec.split(',')) {
                if !apply_wasmtime_option(flag, option, &mut profile).map_err(anyhow::Error::msg)? {
                    bail!(
                        "`{flag} {option}` is a wasmtime run option wasmscope does not take \
                         (it takes -S inherit-env, inherit-network, allow-ip-name-lookup, cli, tcp, udp \
                         and -W max-memory-size, fuel, timeout)"
                    );
                }
            }
        }
        Ok(profile)
    }
}

/// `--part NAME=FLAGS`: the part and the profile its flags describe.
fn parse_part(spec: &str) -> anyhow::Result<PartProfile> {
    #[derive(clap::Parser)]
    #[command(no_binary_name = true)]
    struct PartFlags {
        #[command(flatten)]
        sandbox: SandboxFlags,
    }
    let Some((part, flags)) = spec.split_once('=') else {
        bail!("--part {spec}: write NAME=FLAGS, e.g. `--part 'database-connector=--dir-readonly data::/data'`");
    };
    let part = part.trim();
    if part.is_empty() {
        bail!("--part {spec}: name the part (as `wasmscope inspect` does: `database-connector`, `command`, `#0`)");
    }
    let words = super::shell::shell_split(flags).map_err(|e| anyhow::anyhow!("--part {part}: {e}"))?;
    let parsed = <PartFlags as clap::Parser>::try_parse_from(words).map_err(|e| {
        let rendered = e.render().to_string();
        let first = rendered.lines().next().unwrap_or_default();
        anyhow::anyhow!("--part {part}: {}", first.strip_prefix("error: ").unwrap_or(first))
    })?;
    let flags = &parsed.sandbox;
    if !flags.parts.is_empty() {
        bail!("--part {part}: a part's flags cannot have --part of their own");
    }
    // The run's, for every part: a part cannot have its own.
    let run_wide = [
        ("--stdin", flags.stdin.is_some()),
        ("--fuel", flags.fuel.is_some()),
        ("--max-memory", flags.max_memory.is_some()),
        ("--timeout", flags.timeout.is_some()),
        ("-W", !flags.wasm.is_empty()),
    ];
    if let Some((flag, _)) = run_wide.iter().find(|(_, given)| *given) {
        bail!("--part {part}: {flag} applies to the whole run; give it outside --part");
    }
    Ok(PartProfile { part: part.to_string(), profile: parsed.sandbox.to_profile(&[], None)? })
}

/// One `wasmtime run` option (`inherit-env`, `max-memory-size=64K`…) of
/// `flag` (`-S`/`--wasi` or `-W`/`--wasm`) applied to `profile`: the one
/// place both `wasmscope run -S/-W` and a pasted `wasmtime run` line read
/// them. `Ok(false)`: an option this sandbox cannot carry; `Err`: a value it
/// cannot read.
pub fn apply_wasmtime_option(flag: &str, option: &str, profile: &mut SandboxProfile) -> Result<bool, String> {
    let (key, value) = option.split_once('=').unwrap_or((option, "y"));
    let on = match value {
        "y" | "yes" | "true" => Some(true),
        "n" | "no" | "false" => Some(false),
        _ => None,
    };
    let wasi = matches!(flag, "-S" | "--wasi");
    match (wasi, key, on) {
        (true, "inherit-env", Some(on)) => profile.env.inherit_host = on,
        (true, "inherit-network", Some(true)) => profile.network = NetworkPolicy::All,
        (true, "allow-ip-name-lookup", Some(on)) => profile.dns = on,
        // Takes back what `inherit-network` grants, and nothing else (an
        // allow-list stays).
        (true, "inherit-network", Some(false)) => {
            if profile.network == NetworkPolicy::All {
                profile.network = NetworkPolicy::Off;
            }
        }
        // On by default in wasmtime run, and always on here.
        (true, "cli" | "tcp" | "udp", Some(true)) => {}
        // WASI 0.3 and wasi:http are always linked here. (`-S http` does
        // not grant the network: outgoing requests still pass the network
        // policy, where wasmtime 48 lets every request out.)
        (true, "p3" | "http", Some(true)) => {}
        (false, "component-model-async", Some(true)) => {}
        (false, "max-memory-size", _) => profile.limits.max_memory_bytes = Some(parse_bytes(value)?),
        (false, "fuel", _) => {
            profile.limits.fuel = Some(value.parse().map_err(|_| format!("{flag} fuel={value}: not a number"))?)
        }
        (false, "timeout", _) => profile.limits.timeout = Some(parse_duration(value)?),
        _ => return Ok(false),
    }
    Ok(true)
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
    fn inherit_network_off_takes_back_only_what_it_granted() {
        let mut profile = SandboxProfile::default();
        assert_eq!(apply_wasmtime_option("-S", "inherit-network", &mut profile), Ok(true));
        assert_eq!(profile.network, NetworkPolicy::All);
        assert_eq!(apply_wasmtime_option("-S", "inherit-network=n", &mut profile), Ok(true));
        assert_eq!(profile.network, NetworkPolicy::Off);
        let list = NetworkPolicy::AllowList(vec!["127.0.0.1:80".into()]);
        profile.network = list.clone();
        assert_eq!(apply_wasmtime_option("-S", "inherit-network=n", &mut profile), Ok(true));
        assert_eq!(profile.network, list, "an allow-list is not inherit-network's to take back");
    }

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
