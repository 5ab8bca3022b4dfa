//! Ctrl+C and SIGTERM during `wasmscope run`: the first one is noted (the
//! run loop then stops the guest and writes out what was recorded); a second
//! one ends the process at once, as a user pressing Ctrl+C twice expects.
//!
//! Hand-written over `libc::sigaction` rather than a crate: the handler only
//! stores the signal's number in an atomic (async-signal-safe), and the run
//! loop, which already wakes at least every 50 ms, reads it.

use std::sync::atomic::{AtomicI32, Ordering};

/// The first SIGINT or SIGTERM received, 0 until then.
static RECEIVED: AtomicI32 = AtomicI32::new(0);

/// A signal that asks the run to end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interrupt {
    /// SIGINT (Ctrl+C): exit status 130.
    Int,
    /// SIGTERM: exit status 143.
    Term,
}

impl Interrupt {
    pub fn exit_status(self) -> i32 {
        match self {
            Interrupt::Int => 130,
            Interrupt::Term => 143,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Interrupt::Int => "SIGINT",
            Interrupt::Term => "SIGTERM",
        }
    }
}

/// Catches SIGINT and SIGTERM from now on (for the rest of the process).
#[cfg(unix)]
pub fn catch() {
    extern "C" fn on_signal(signal: libc::c_int) {
        if RECEIVED.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst).is_err() {
            // The second one: the user means it.
            // SAFETY: _exit is async-signal-safe.
            unsafe { libc::_exit(128 + signal) };
        }
    }
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: the action is zeroed plain data, then filled in; the
        // handler only touches an atomic and calls _exit.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            if libc::sigaction(signal, &action, std::ptr::null_mut()) != 0 {
                eprintln!("warning: cannot catch signal {signal}: Ctrl+C will end wasmscope without a trace");
            }
        }
    }
}

#[cfg(not(unix))]
pub fn catch() {}

/// The signal received so far, if any.
pub fn received() -> Option<Interrupt> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        #[cfg(unix)]
        libc::SIGTERM => Some(Interrupt::Term),
        _ => Some(Interrupt::Int),
    }
}
