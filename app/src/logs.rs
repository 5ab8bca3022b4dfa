//! The libraries' own logs — wasmtime, Cranelift, wasmtime-wasi, eframe,
//! winit — on stderr, when `WASMSCOPE_LOG` names what to show, in
//! `tracing`'s filter syntax (`WASMSCOPE_LOG=wasmtime=debug,eframe=info`,
//! or just `debug`), as `RUST_LOG` works elsewhere.
//!
//! Without the variable nothing is installed: no global subscriber, no `log`
//! bridge, so logging costs nothing. The calls a component run records are
//! not these logs: each run collects them with a subscriber of its own,
//! scoped to its worker thread (`runtime_worker::trace::host_calls`), which
//! takes precedence there over the one installed here.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// The variable that turns the logs on.
pub const VARIABLE: &str = "WASMSCOPE_LOG";

/// Installs a stderr logger filtered by `WASMSCOPE_LOG`, when it is set;
/// a filter that does not parse is said on stderr, and nothing is installed.
pub fn init_from_env() {
    let Some(spec) = std::env::var_os(VARIABLE) else { return };
    let spec = spec.to_string_lossy();
    let filter = match EnvFilter::builder().parse(spec.as_ref()) {
        Ok(filter) => filter,
        Err(e) => {
            eprintln!("warning: {VARIABLE}={spec} is not a log filter ({e}); logs stay off");
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
