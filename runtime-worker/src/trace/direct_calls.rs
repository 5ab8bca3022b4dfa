//! Host calls recorded where they are made, without `tracing`: the hottest
//! WASI functions (stream writes, the monotonic clock), whose definitions
//! `run::hot_calls` shadows.
//!
//! Every other component host call is seen through the bindings' `tracing`
//! spans (`host_calls`): a span, two events and every argument formatted
//! through `core::fmt` while `tracing` lends it, several thousand
//! instructions a call. A guest that writes or reads the clock in a loop
//! makes that its whole cost. Here the shadowing function hands over what it
//! knows as plain values (a handle's number, the bytes written, a number
//! returned) and the text is written by hand, byte by byte; anything out of
//! the ordinary (a failed write, say) goes through the same `Debug` and
//! tidying as `host_calls`, so a call reads the same whichever way it was
//! recorded. Writes show their length and first bytes (`16 "hello…"`),
//! whichever stream they went to.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

use crate::boundary::call_text::{ArgsBuilder, TextArena};
use crate::boundary::event::{HostCall, Preview};
use crate::trace::clock::RunClock;
use crate::trace::host_calls::{Judge, first_line, result_text};

/// The host functions recorded here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hot {
    CheckWrite,
    Write,
    BlockingWriteAndFlush,
    Flush,
    BlockingFlush,
    /// `wasi:clocks/monotonic-clock` `now`, WASI 0.2 and 0.3 alike.
    MonotonicNow,
}

impl Hot {
    const ALL: [Hot; 6] =
        [Hot::CheckWrite, Hot::Write, Hot::BlockingWriteAndFlush, Hot::Flush, Hot::BlockingFlush, Hot::MonotonicNow];

    /// The interface and function, as `host_calls` names them (no version:
    /// the bindings' spans do not say which).
    pub(crate) fn names(self) -> (&'static str, &'static str) {
        const STREAMS: &str = "wasi:io/streams";
        match self {
            Hot::CheckWrite => (STREAMS, "[method]output-stream.check-write"),
            Hot::Write => (STREAMS, "[method]output-stream.write"),
            Hot::BlockingWriteAndFlush => (STREAMS, "[method]output-stream.blocking-write-and-flush"),
            Hot::Flush => (STREAMS, "[method]output-stream.flush"),
            Hot::BlockingFlush => (STREAMS, "[method]output-stream.blocking-flush"),
            Hot::MonotonicNow => ("wasi:clocks/monotonic-clock", "now"),
        }
    }
}

/// A call that has begun: what it was given, and when.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Begun {
    hot: Hot,
    start_ns: u64,
    /// The stream's handle (`self`), for stream methods.
    handle: Option<u32>,
    /// The bytes written: how many, and the first of them.
    written: Option<(usize, Preview)>,
}

/// What a call returned.
pub(crate) enum Returned<'a> {
    /// `Ok(())`
    Unit,
    /// `Ok(n)`
    Number(u64),
    /// Anything else (an error, say), as its `Debug` text says it.
    Other(&'a dyn std::fmt::Debug),
}

/// One run's recorder of the calls above; lives in the store's data.
pub(crate) struct DirectCalls {
    /// The run's clock (the processor's counter where it can), from here on…
    clock: RunClock,
    /// …which was this long after the run's origin.
    clock_offset_ns: u64,
    /// Each `Hot`'s interface and function, made once and shared by its calls.
    names: [(Arc<str>, Arc<str>); Hot::ALL.len()],
    args: ArgsBuilder,
    /// Where text is written, and tidied when it comes from `Debug`.
    text: String,
    tidy: String,
    arena: TextArena,
    judge: Judge,
    /// A call awaiting (a blocking write or flush): recorded as not having
    /// returned if the run ends first (Stop, a timeout).
    open: Option<Begun>,
}

impl DirectCalls {
    pub(crate) fn new(origin: Instant, judge: Judge) -> DirectCalls {
        let clock = RunClock::start();
        DirectCalls {
            clock_offset_ns: clock.origin().saturating_duration_since(origin).as_nanos() as u64,
            clock,
            names: Hot::ALL.map(|hot| {
                let (interface, function) = hot.names();
                (Arc::from(interface), Arc::from(function))
            }),
            args: ArgsBuilder::default(),
            text: String::new(),
            tidy: String::new(),
            arena: TextArena::new(),
            judge,
            open: None,
        }
    }

    /// Nanoseconds since the run's origin.
    #[inline]
    fn now_ns(&self) -> u64 {
        self.clock_offset_ns + self.clock.now_ns()
    }

    /// `hot` begins now, on the stream `handle` (if a stream method),
    /// writing `written` (if a write).
    #[inline]
    pub(crate) fn begin(&mut self, hot: Hot, handle: Option<u32>, written: Option<&[u8]>) -> Begun {
        let written = written.map(|bytes| (bytes.len(), Preview::from_slice(bytes)));
        Begun { hot, start_ns: self.now_ns(), handle, written }
    }

    /// `begun` is awaiting: if the run ends before it returns, it is
    /// recorded as not having returned (`unfinished`).
    pub(crate) fn awaiting(&mut self, begun: Begun) {
        self.open = Some(begun);
    }

    /// The call `awaiting` kept has returned: it is no longer open.
    pub(crate) fn resumed(&mut self) -> Option<Begun> {
        self.open.take()
    }

    /// The call that was awaiting when the run ended, as a call that never
    /// returned (an empty result, as `host_calls` records one).
    pub(crate) fn unfinished(&mut self) -> Option<HostCall> {
        let begun = self.open.take()?;
        Some(self.call(begun, None))
    }

    /// The call `begun` has returned `returned`, now.
    pub(crate) fn returned(&mut self, begun: Begun, returned: Returned<'_>) -> HostCall {
        self.call(begun, Some(returned))
    }

    fn call(&mut self, begun: Begun, returned: Option<Returned<'_>>) -> HostCall {
        let end_ns = self.now_ns().max(begun.start_ns);
        self.args.clear();
        if let Some(handle) = begun.handle {
            self.text.clear();
            self.text.push('#');
            push_number(&mut self.text, u64::from(handle));
            self.args.push("self", &self.text);
        }
        if let Some((len, preview)) = &begun.written {
            self.text.clear();
            push_number(&mut self.text, *len as u64);
            self.text.push(' ');
            push_preview(&mut self.text, preview);
            self.args.push("contents", &self.text);
        }
        let error = match returned {
            None => {
                self.tidy.clear();
                None
            }
            Some(Returned::Unit) => {
                self.tidy.clear();
                self.tidy.push_str("Ok(())");
                None
            }
            Some(Returned::Number(n)) => {
                self.tidy.clear();
                self.tidy.push_str("Ok(");
                push_number(&mut self.tidy, n);
                self.tidy.push(')');
                None
            }
            Some(Returned::Other(value)) => {
                first_line(&mut self.text, value);
                result_text(&self.text, &mut self.tidy)
            }
        };
        let (interface, function) = &self.names[begun.hot as usize];
        let mut call = HostCall {
            seq: 0,
            interface: Arc::clone(interface),
            function: Arc::clone(function),
            start_ns: begun.start_ns,
            dur_ns: end_ns - begun.start_ns,
            args: self.arena.args(&self.args),
            result: self.arena.text(&self.tidy),
            error: error.map(Box::from),
            denial: None,
            part: None,
            callee: None,
        };
        call.denial = self.judge.classify(&call).map(Box::new);
        // A better measurement of the counter's rate, if one came.
        self.clock.refresh();
        call
    }
}

/// `n` in decimal, without `core::fmt`.
fn push_number(text: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    text.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
}

/// The preview quoted, as its `Debug` writes it: by hand when every byte is
/// printable ASCII that needs no escape (nearly all output), through
/// `Debug` otherwise.
fn push_preview(text: &mut String, preview: &Preview) {
    let bytes = preview.as_bytes();
    if bytes.iter().all(|b| matches!(b, b' '..=b'~') && !matches!(b, b'"' | b'\\')) {
        text.push('"');
        // All printable ASCII, checked above.
        text.push_str(std::str::from_utf8(bytes).unwrap_or_default());
        text.push('"');
    } else {
        let _ = write!(text, "{preview:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boundary::profile::{ClockPolicy, SandboxProfile};
    use crate::sandbox::network::NetworkGuard;

    fn recorder(clocks: ClockPolicy) -> DirectCalls {
        let profile = SandboxProfile { clocks, ..SandboxProfile::default() };
        let network = Arc::new(NetworkGuard::new(&profile.network, profile.dns).unwrap());
        DirectCalls::new(Instant::now(), Judge::new(&profile, network))
    }

    #[test]
    fn numbers_and_previews_read_as_their_debug_text() {
        let mut text = String::new();
        for n in [0, 7, 10, 4096, u64::MAX] {
            text.clear();
            push_number(&mut text, n);
            assert_eq!(text, n.to_string());
        }
        for bytes in [&b"0123456789abcdef"[..], b"", b"line\n", b"say \"hi\"", b"back\\slash", "naïve ✓".as_bytes()]
        {
            let preview = Preview::from_slice(bytes);
            text.clear();
            push_preview(&mut text, &preview);
            assert_eq!(text, format!("{preview:?}"));
        }
        // Cut inside a character: as `Debug` shows it too.
        let mut cut = "x".repeat(Preview::CAP - 1).into_bytes();
        cut.extend_from_slice("é".as_bytes());
        let preview = Preview::from_slice(&cut);
        text.clear();
        push_preview(&mut text, &preview);
        assert_eq!(text, format!("{preview:?}"));
    }

    #[test]
    fn a_write_reads_as_the_bindings_would_print_it() {
        let mut calls = recorder(ClockPolicy::Real);
        let begun = calls.begin(Hot::BlockingWriteAndFlush, Some(3), Some(b"Hello, world!\n"));
        let call = calls.returned(begun, Returned::Unit);
        assert_eq!(&*call.interface, "wasi:io/streams");
        assert_eq!(&*call.function, "[method]output-stream.blocking-write-and-flush");
        assert_eq!(call.args.iter().collect::<Vec<_>>(), [("self", "#3"), ("contents", "14 \"Hello, world!\\n\"")]);
        assert_eq!(&*call.result, "Ok(())");
        assert_eq!(call.error, None);
        assert!(call.denial.is_none());

        let begun = calls.begin(Hot::CheckWrite, Some(3), None);
        let call = calls.returned(begun, Returned::Number(4096));
        assert_eq!(call.args.iter().collect::<Vec<_>>(), [("self", "#3")]);
        assert_eq!(&*call.result, "Ok(4096)");
    }

    #[test]
    fn a_failed_write_reads_as_host_calls_records_one() {
        #[derive(Debug)]
        #[allow(dead_code, reason = "read through Debug")]
        enum StreamError {
            Closed,
        }
        let mut calls = recorder(ClockPolicy::Real);
        let begun = calls.begin(Hot::Write, Some(2), Some(b"x"));
        let failed: Result<(), StreamError> = Err(StreamError::Closed);
        let call = calls.returned(begun, Returned::Other(&failed));
        assert_eq!(&*call.result, "Err(Closed)");
        assert_eq!(call.error.as_deref(), Some("error"), "a stream's failure has no WASI error code");
    }

    #[test]
    fn a_denied_clock_reading_is_marked_as_host_calls_marks_it() {
        let mut calls = recorder(ClockPolicy::Denied);
        let begun = calls.begin(Hot::MonotonicNow, None, None);
        let call = calls.returned(begun, Returned::Number(0));
        assert!(call.args.is_empty());
        assert_eq!(&*call.result, "Ok(0)");
        assert!(call.denial.is_some(), "{call:#?}");
        let mut real = recorder(ClockPolicy::Real);
        let begun = real.begin(Hot::MonotonicNow, None, None);
        assert!(real.returned(begun, Returned::Number(5)).denial.is_none());
    }

    #[test]
    fn a_call_awaiting_when_the_run_ends_is_recorded_as_unfinished() {
        let mut calls = recorder(ClockPolicy::Real);
        let begun = calls.begin(Hot::BlockingFlush, Some(1), None);
        calls.awaiting(begun);
        let call = calls.unfinished().expect("the open call");
        assert_eq!(&*call.result, "");
        assert!(calls.unfinished().is_none(), "recorded once");
        let begun = calls.begin(Hot::BlockingFlush, Some(1), None);
        calls.awaiting(begun);
        assert!(calls.resumed().is_some());
        assert!(calls.unfinished().is_none(), "a call that returned is not unfinished");
    }
}
