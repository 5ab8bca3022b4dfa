//! How the window starts: the options the command line gives it, and when
//! the process began (the origin of `--measure-startup`).

use std::path::PathBuf;

use super::state::Tab;

/// How the window starts (from the command line).
#[derive(Clone, Debug, Default)]
pub struct WindowOptions {
    /// Open this file instead of the last module.
    pub file: Option<PathBuf>,
    /// Open this bundled sample, with its profile.
    pub sample: Option<String>,
    /// Run as soon as the module is open.
    pub run: bool,
    pub tab: Option<Tab>,
    /// Report start-up time and idle memory, then close (`--measure-startup`).
    pub measure_startup: bool,
}

/// When `main` began: the origin of the start-up measurement.
static PROCESS_START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Call first thing in `main`.
pub fn mark_process_start() {
    PROCESS_START.get_or_init(std::time::Instant::now);
}

pub(crate) fn since_process_start() -> std::time::Duration {
    PROCESS_START.get_or_init(std::time::Instant::now).elapsed()
}
