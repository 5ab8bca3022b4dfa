//! The libraries' own logs — wasmtime, Cranelift, wasmtime-wasi, eframe,
//! winit — on stderr, when `WASMSCOPE_LOG` names what to show, in
//! `tracing`'s filter syntax (`WASMSCOPE_LOG=wasmtime=debug,eframe=info`,
//! or just `debug`), as `RUST_LOG` works elsewhere.
//!
//! Without the variable the global subscriber is one that wants nothing
//! (`NoSubscriber`), and there is no `log` bridge. That is cheaper than
//! none at all: `tracing` is built with its `log` feature here (calloop,
//! under the window's Wayland clipboard, asks for it), and until some
//! subscriber has been set, every span wasmtime-wasi opens around a
//! preview1 call also calls into `log` three times: about 40 ns of each
//! `clock_time_get`, traced or not (BENCHMARKS.md, P3r).
//! Once one is set, each span's callsite is known to be of no interest and
//! costs a check. The calls a component run records are not these logs: each
//! run collects them with a subscriber of its own, scoped to its worker
//! thread (`runtime_worker::trace::host_calls`), which takes precedence there
//! over the one installed here.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// The variable that turns the logs on.
pub const VARIABLE: &str = "WASMSCOPE_LOG";

/// Installs a stderr logger filtered by `WASMSCOPE_LOG`, when it is set;
/// otherwise (or when the filter does not parse, which is said on stderr)
/// a subscriber that wants nothing.
pub fn init_from_env() {
    let Some(spec) = std::env::var_os(VARIABLE) else {
        logs_off();
        return;
    };
    let spec = spec.to_string_lossy();
    let filter = match EnvFilter::builder().parse(spec.as_ref()) {
        Ok(filter) => filter,
        Err(e) => {
            eprintln!("warning: {VARIABLE}={spec} is not a log filter ({e}); logs stay off");
            logs_off();
            return;
        }
    };
    let logger = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(true);
    if let Err(e) = logger.try_init() {
        eprintln!("warning: cannot install the logger for {VARIABLE}: {e}");
    }
}

/// No logs: a global subscriber that wants nothing (see the module's notes).
fn logs_off() {
    // Fails only if a subscriber is set already, which then decides.
    let _ = tracing::dispatcher::set_global_default(tracing::Dispatch::new(tracing::subscriber::NoSubscriber::new()));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With the logs off a subscriber is set, so `tracing` no longer tries
    /// `log` for each span, and it wants no span.
    #[test]
    fn logs_off_sets_a_subscriber_that_wants_nothing() {
        logs_off();
        assert!(tracing::dispatcher::has_been_set());
        tracing::dispatcher::get_default(|dispatch| {
            assert!(dispatch.is::<tracing::subscriber::NoSubscriber>(), "another subscriber was set first");
        });
        assert!(tracing::error_span!("a wasmtime-wasi call").is_disabled());
    }
}
