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
//! returned), and these cross to the reader as they are (`DirectCall`, in
//! the batch beside the other events): the text is written there, by hand,
//! when the batch is received (`render`), as a preview1 call's is when
//! someone reads it. Anything out of the ordinary (a failed write, a denied
//! clock, a call the run ended in) is made into text at once, through the
//! same `Debug` and tidying as `host_calls`, so a call reads the same
//! whichever way it was recorded. Writes show their length and first bytes
//! (`16 "hello…"`), whichever stream they went to.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Instant;

use crate::boundary::call_text::{ArgsBuilder, CallText, TextArena};
use crate::boundary::event::{HostCall, Preview};
use crate::boundary::name::Name;
use crate::trace::clock::RunClock;
use crate::trace::host_calls::{Judge, first_line, result_text};
use crate::trace::recycled::Pooled;

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

/// A call that returned `Ok`, as plain values: what crosses to the reader
/// in its batch (`EventBatch`), whose text is made there (`render`).
#[derive(Clone, Debug)]
pub struct DirectCall {
    pub(crate) seq: u64,
    begun: Begun,
    dur_ns: u64,
    /// `Ok(n)`; `None` for `Ok(())`.
    number: Option<u64>,
    /// The inner component that made the call, in a composed component
    /// run part by part.
    pub(crate) part: Option<Arc<str>>,
}

/// A recorded call: plain values when it returned as calls usually do,
/// text made at once otherwise.
pub(crate) enum Recorded {
    Direct(DirectCall),
    Made(HostCall),
}

/// Where a call's text is written, then copied into the text calls keep.
#[derive(Default)]
pub(crate) struct Render {
    args: ArgsBuilder,
    text: String,
    tidy: String,
    arena: Option<TextArena>,
}

/// One run's recorder of the calls above; lives in the store's data.
pub(crate) struct DirectCalls {
    /// The run's clock (the processor's counter where it can), from here on…
    clock: RunClock,
    /// …which was this long after the run's origin.
    clock_offset_ns: u64,
    /// Text of the calls made into text here.
    render: Render,
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
            render: Render::default(),
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
        let dur_ns = self.now_ns().saturating_sub(begun.start_ns);
        let mut call = self.render.call(&begun, dur_ns, None);
        call.denial = self.judge.classify(&call).map(Box::new);
        Some(call)
    }

    /// The call `begun` has returned `returned`, now.
    #[inline]
    pub(crate) fn returned(&mut self, begun: Begun, returned: Returned<'_>) -> Recorded {
        let dur_ns = self.now_ns().saturating_sub(begun.start_ns);
        // A better measurement of the counter's rate, if one came.
        self.clock.refresh();
        let number = match returned {
            Returned::Unit => None,
            Returned::Number(n) => Some(n),
            Returned::Other(_) => return Recorded::Made(self.made(&begun, dur_ns, returned)),
        };
        // A clock reading the profile denies is marked so now, as
        // `host_calls` marks one; nothing else that returns `Ok` is denied.
        if begun.hot == Hot::MonotonicNow && self.judge.clocks_denied() {
            return Recorded::Made(self.made(&begun, dur_ns, returned));
        }
        Recorded::Direct(DirectCall { seq: 0, begun, dur_ns, number, part: None })
    }

    fn made(&mut self, begun: &Begun, dur_ns: u64, returned: Returned<'_>) -> HostCall {
        let mut call = self.render.call(begun, dur_ns, Some(returned));
        call.denial = self.judge.classify(&call).map(Box::new);
        call
    }
}

/// The direct calls of one batch, each with the number of the batch's
/// other events that came before it, in a buffer that goes back to the
/// run's recorder once the reader has made them text.
pub(crate) type DirectBatch = Pooled<(u32, DirectCall)>;

impl DirectCall {
    /// When the call started and ended, in nanoseconds since the run's origin.
    pub(crate) fn span_ns(&self) -> (u64, u64) {
        (self.begun.start_ns, self.begun.start_ns + self.dur_ns)
    }

    /// The call as `host_calls` would have recorded it.
    pub(crate) fn render(&self, render: &mut Render) -> HostCall {
        let returned = match self.number {
            None => Returned::Unit,
            Some(n) => Returned::Number(n),
        };
        let mut call = render.call(&self.begun, self.dur_ns, Some(returned));
        call.seq = self.seq;
        call.part.clone_from(&self.part);
        call
    }
}

impl Render {
    /// The text of `begun`, which took `dur_ns` and returned `returned`
    /// (`None`: it never did).
    fn call(&mut self, begun: &Begun, dur_ns: u64, returned: Option<Returned<'_>>) -> HostCall {
        let Render { args, text, tidy, arena } = self;
        let arena = arena.get_or_insert_with(TextArena::new);
        args.clear();
        if let Some(handle) = begun.handle {
            text.clear();
            text.push('#');
            push_number(text, u64::from(handle));
            args.push("self", text);
        }
        if let Some((len, preview)) = &begun.written {
            text.clear();
            push_number(text, *len as u64);
            text.push(' ');
            push_preview(text, preview);
            args.push("contents", text);
        }
        let (result, error) = match returned {
            // Never returned: empty, as `host_calls` records it.
            None => (CallText::default(), None),
            Some(Returned::Unit) => (CallText::from_static("Ok(())"), None),
            Some(Returned::Number(n)) => {
                tidy.clear();
                tidy.push_str("Ok(");
                push_number(tidy, n);
                tidy.push(')');
                (arena.text(tidy), None)
            }
            Some(Returned::Other(value)) => {
                first_line(text, value);
                let error = result_text(text, tidy).map(Box::from);
                (arena.text(tidy), error)
            }
        };
        let (interface, function) = begun.hot.names();
        let args = arena.args(args);
        HostCall {
            seq: 0,
            interface: Name::from_static(interface),
            function: Name::from_static(function),
            start_ns: begun.start_ns,
            dur_ns,
            args,
            result,
            error,
            denial: None,
            part: None,
            callee: None,
        }
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

    /// A call that crossed as plain values, as the reader makes it.
    fn rendered(recorded: Recorded) -> HostCall {
        match recorded {
            Recorded::Direct(call) => call.render(&mut Render::default()),
            Recorded::Made(call) => panic!("made into text on the guest's thread: {call:#?}"),
        }
    }

    /// A call made into text at once.
    fn made(recorded: Recorded) -> HostCall {
        match recorded {
            Recorded::Made(call) => call,
            Recorded::Direct(call) => panic!("left as plain values: {call:#?}"),
        }
    }

    #[test]
    fn a_write_reads_as_the_bindings_would_print_it() {
        let mut calls = recorder(ClockPolicy::Real);
        let begun = calls.begin(Hot::BlockingWriteAndFlush, Some(3), Some(b"Hello, world!\n"));
        let call = rendered(calls.returned(begun, Returned::Unit));
        assert_eq!(&*call.interface, "wasi:io/streams");
        assert_eq!(&*call.function, "[method]output-stream.blocking-write-and-flush");
        assert_eq!(call.args.iter().collect::<Vec<_>>(), [("self", "#3"), ("contents", "14 \"Hello, world!\\n\"")]);
        assert_eq!(&*call.result, "Ok(())");
        assert_eq!(call.error, None);
        assert!(call.denial.is_none());

        let begun = calls.begin(Hot::CheckWrite, Some(3), None);
        let call = rendered(calls.returned(begun, Returned::Number(4096)));
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
        let call = made(calls.returned(begun, Returned::Other(&failed)));
        assert_eq!(&*call.result, "Err(Closed)");
        assert_eq!(call.error.as_deref(), Some("error"), "a stream's failure has no WASI error code");
    }

    #[test]
    fn a_denied_clock_reading_is_marked_as_host_calls_marks_it() {
        let mut calls = recorder(ClockPolicy::Denied);
        let begun = calls.begin(Hot::MonotonicNow, None, None);
        let call = made(calls.returned(begun, Returned::Number(0)));
        assert!(call.args.is_empty());
        assert_eq!(&*call.result, "Ok(0)");
        assert!(call.denial.is_some(), "{call:#?}");
        let mut real = recorder(ClockPolicy::Real);
        let begun = real.begin(Hot::MonotonicNow, None, None);
        assert!(rendered(real.returned(begun, Returned::Number(5))).denial.is_none());
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
