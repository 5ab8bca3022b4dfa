//! The one place a `SandboxProfile` becomes a WASI context. The window, the
//! command line and the density view all run guests through here, so "what
//! does this toggle grant?" has one answer.

use std::sync::Arc;
use std::time::Duration;

use rand::SeedableRng;
use tokio::io::DuplexStream;
use wasmtime_wasi::p2::pipe::MemoryInputPipe;
use wasmtime_wasi::{FsPerms, HostMonotonicClock, HostWallClock, WasiCtxBuilder};

use crate::boundary::event::Stream;
use crate::boundary::profile::{ClockPolicy, RandomPolicy, SandboxProfile, StdinSource};
use crate::sandbox::output::OutputSink;

/// A profile that cannot be granted as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SandboxError {
    #[error("mount `{guest}`: host directory `{host}` does not exist")]
    MountMissing { host: String, guest: String },
    #[error("mount `{guest}`: `{host}` is not a directory")]
    MountNotDirectory { host: String, guest: String },
    #[error("mount of `{host}` has an empty guest path")]
    MountEmptyGuestPath { host: String },
    #[error("mount `{guest}`: cannot open `{host}`: {message}")]
    MountUnreadable { host: String, guest: String, message: String },
    #[error("environment variable name `{name}` is empty or contains `=`")]
    BadEnvName { name: String },
}

/// The WASI context for one run, and the handles that go with it.
pub(crate) struct GuestContext<C = wasmtime_wasi::p1::WasiP1Ctx> {
    pub wasi: C,
    /// The writing end of an interactive stdin.
    pub stdin: Option<DuplexStream>,
    /// What `args_get` will return, for the trace.
    pub argv: Vec<Box<str>>,
    /// The names `environ_get` will return, for the trace.
    pub env_names: Vec<Box<str>>,
}

/// Buffer of an interactive stdin pipe: typing ahead of the guest is fine up
/// to this much.
const STDIN_PIPE_BYTES: usize = 64 * 1024;

/// Builds the preview1 context. Must be called inside a tokio runtime (an
/// interactive stdin starts a reader task).
pub(crate) fn build(
    profile: &SandboxProfile,
    program_name: &str,
    output: &Arc<OutputSink>,
) -> Result<GuestContext, SandboxError> {
    let (mut builder, ctx) = builder(profile, program_name, output)?;
    // Preview1 has no way to create sockets; the components engine applies
    // the full network policy. Here the network is simply never inherited.
    builder.allow_tcp(false).allow_udp(false).allow_ip_name_lookup(false);
    Ok(GuestContext { wasi: builder.build_p1(), stdin: ctx.stdin, argv: ctx.argv, env_names: ctx.env_names })
}

/// Builds a component's (WASI 0.2) context, with the network policy applied
/// by `network`. Denied clocks cannot fail in WASI 0.2: they stand still at 0
/// and the trace marks every reading as denied.
pub(crate) fn build_p2(
    profile: &SandboxProfile,
    program_name: &str,
    output: &Arc<OutputSink>,
    network: &Arc<crate::sandbox::network::NetworkGuard>,
) -> Result<GuestContext<wasmtime_wasi::WasiCtx>, SandboxError> {
    let (mut builder, ctx) = builder(profile, program_name, output)?;
    if profile.clocks == ClockPolicy::Denied {
        builder.wall_clock(FrozenWallClock(Duration::ZERO));
        builder.monotonic_clock(FrozenMonotonicClock);
    }
    network.apply(&mut builder);
    Ok(GuestContext { wasi: builder.build(), stdin: ctx.stdin, argv: ctx.argv, env_names: ctx.env_names })
}

/// What both kinds of context share.
fn builder(
    profile: &SandboxProfile,
    program_name: &str,
    output: &Arc<OutputSink>,
) -> Result<(WasiCtxBuilder, GuestContext<()>), SandboxError> {
    let mut builder = WasiCtxBuilder::new();

    let mut argv: Vec<Box<str>> = vec![program_name.into()];
    argv.extend(profile.args.iter().map(|a| Box::from(a.as_str())));
    builder.args(&argv.iter().map(|a| &**a).collect::<Vec<_>>());

    let mut env: Vec<(String, String)> = Vec::new();
    if profile.env.inherit_host {
        env.extend(std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))));
    }
    for (name, value) in &profile.env.vars {
        if name.is_empty() || name.contains('=') {
            return Err(SandboxError::BadEnvName { name: name.clone() });
        }
        env.retain(|(k, _)| k != name);
        env.push((name.clone(), value.clone()));
    }
    builder.envs(&env);
    let env_names = env.iter().map(|(k, _)| Box::from(k.as_str())).collect();

    for mount in &profile.mounts {
        let host = mount.host.display().to_string();
        let guest = mount.guest.clone();
        if guest.is_empty() {
            return Err(SandboxError::MountEmptyGuestPath { host });
        }
        match std::fs::metadata(&mount.host) {
            Err(_) => return Err(SandboxError::MountMissing { host, guest }),
            Ok(meta) if !meta.is_dir() => return Err(SandboxError::MountNotDirectory { host, guest }),
            Ok(_) => {}
        }
        let perms = if mount.read_only { FsPerms::ReadOnly } else { FsPerms::ReadWrite };
        builder.preopened_dir(&mount.host, &mount.guest, perms).map_err(|e| SandboxError::MountUnreadable {
            host,
            guest,
            message: e.to_string(),
        })?;
    }

    let stdin = match &profile.stdin {
        StdinSource::Empty => None,
        StdinSource::Fixed(bytes) => {
            builder.stdin(MemoryInputPipe::new(bytes.clone()));
            None
        }
        StdinSource::Interactive => {
            let (reader, writer) = tokio::io::duplex(STDIN_PIPE_BYTES);
            builder.stdin(wasmtime_wasi::cli::AsyncStdinStream::new(reader));
            Some(writer)
        }
    };
    builder.stdout(output.stream(Stream::Stdout));
    builder.stderr(output.stream(Stream::Stderr));

    match profile.clocks {
        // Denied clocks are refused call by call (interpose.rs); the context
        // keeps real clocks so that sleeps still wait the right time.
        ClockPolicy::Real | ClockPolicy::Denied => {}
        ClockPolicy::Frozen { unix_nanos } => {
            builder.wall_clock(FrozenWallClock(Duration::from_nanos(unix_nanos)));
            builder.monotonic_clock(FrozenMonotonicClock);
        }
    }

    if let RandomPolicy::Seeded(seed) = profile.random {
        builder.secure_random(rand::rngs::StdRng::seed_from_u64(seed));
        builder.insecure_random(rand::rngs::StdRng::seed_from_u64(seed.wrapping_add(1)));
        builder.insecure_random_seed(u128::from(seed));
    }

    Ok((builder, GuestContext { wasi: (), stdin, argv, env_names }))
}

struct FrozenWallClock(Duration);

impl HostWallClock for FrozenWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_nanos(1)
    }

    fn now(&self) -> Duration {
        self.0
    }
}

struct FrozenMonotonicClock;

impl HostMonotonicClock for FrozenMonotonicClock {
    fn resolution(&self) -> u64 {
        1
    }

    fn now(&self) -> u64 {
        0
    }
}
