//! WASI 0.3's streams and futures after the call that made them.
//!
//! A 0.3 host call may hand a `stream<u8>` or a `future` over and return at
//! once; the work happens later, in the store's event loop, where no
//! `tracing` span sees it. This module follows such ends: the bytes that went
//! through each stream (a count and the first bytes), when it ended and how,
//! when its future resolved and with what, and which were still open when the
//! run ended. Each of those becomes a `HostCall` record (`end_record`, the one
//! place they are made) that the run puts among its calls in time order.
//!
//! Followed: `wasi:cli/stdout` and `stderr`'s `write-via-stream` (through the
//! writer wasmtime-wasi asks of our output, `sandbox::output`) and
//! `wasi:filesystem/types`' `read-via-stream` (through `file_reads`).
//!
//! An end is made inside its call, but its handles (`stream#5`, `future#9`)
//! are known only from the call's record, once the call returned: each end
//! is named by the next call of its kind the run hands over (`name_by`).
//! Calls of one kind return in the order they began, since none of them
//! awaits, so the first end waiting is the one the call made.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use crate::boundary::event::{HostCall, Preview};
use crate::boundary::name::Name;

/// The kind of call that makes an end, and so the call that names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Opener {
    /// `wasi:cli/stdout#write-via-stream`: the guest's bytes to stdout.
    Stdout,
    /// `wasi:cli/stderr#write-via-stream`.
    Stderr,
    /// `wasi:filesystem/types#[method]descriptor.read-via-stream`: a file's
    /// bytes to the guest.
    FileRead,
}

impl Opener {
    /// The opener a recorded call is, if any. A WASI 0.2 call of the same
    /// name gives resources, not stream and future handles, and names no end.
    fn of(call: &HostCall) -> Option<Opener> {
        match (&*call.interface, &*call.function) {
            ("wasi:cli/stdout", "write-via-stream") => Some(Opener::Stdout),
            ("wasi:cli/stderr", "write-via-stream") => Some(Opener::Stderr),
            ("wasi:filesystem/types", "[method]descriptor.read-via-stream") => Some(Opener::FileRead),
            _ => None,
        }
    }

    /// The handles in the call's record: the stream (an argument or in the
    /// result) and the future (in the result).
    fn handles(self, call: &HostCall) -> Option<(Box<str>, Box<str>)> {
        let in_result = |prefix: &str| handle_in(&call.result, prefix);
        match self {
            Opener::Stdout | Opener::Stderr => {
                let stream = call.args.iter().find(|(name, _)| &**name == "data").map(|(_, value)| text(value))?;
                Some((handle_in(stream, "stream#")?, in_result("future#")?))
            }
            Opener::FileRead => Some((in_result("stream#")?, in_result("future#")?)),
        }
    }
}

/// The first `stream#N` / `future#N` (by `prefix`) in a value's text.
fn handle_in(text: &str, prefix: &str) -> Option<Box<str>> {
    let at = text.find(prefix)?;
    let digits = text[at + prefix.len()..].bytes().take_while(u8::is_ascii_digit).count();
    (digits > 0).then(|| Box::from(&text[at..at + prefix.len() + digits]))
}

/// How a stream ended, said from the side that ended it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StreamEnd {
    /// The guest closed its writable end: everything it wrote went through.
    ClosedByGuest,
    /// The host had no more to give (the end of a file, or a failure the
    /// stream's future tells).
    EndOfData,
    /// The guest dropped its readable end before the data ended.
    DroppedByGuest,
}

impl StreamEnd {
    fn text(self) -> &'static str {
        match self {
            StreamEnd::ClosedByGuest => "closed by the guest",
            StreamEnd::EndOfData => "end of data",
            StreamEnd::DroppedByGuest => "dropped by the guest before the end",
        }
    }
}

/// The ends of one run, shared by what taps them and the run's hand-over.
pub(crate) struct AsyncEnds {
    origin: Instant,
    /// Set when an end was opened or something ended since the last
    /// hand-over looked: most hand-overs only read this.
    news: AtomicBool,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Every end of the run, by the id its `Tap` holds.
    followed: Vec<Followed>,
    /// Indices in `followed` still waiting for their call's name, oldest first.
    unnamed: Vec<usize>,
    /// When the run ended: what ends later (its store being dropped) was
    /// still open then.
    over_at: Option<u64>,
}

struct Followed {
    opener: Opener,
    name: Naming,
    bytes: u64,
    preview: Preview,
    /// When the stream ended (ns since the run started), and how; reported once.
    stream_end: Option<(u64, StreamEnd)>,
    stream_reported: bool,
    /// When the future's value came, and the value's text; reported once.
    future_value: Option<(u64, Box<str>)>,
    future_reported: bool,
}

enum Naming {
    Waiting,
    /// From the call that made it.
    Named {
        interface: Name,
        stream: Box<str>,
        future: Box<str>,
        opened_ns: u64,
        /// When that call returned: nothing it made ends before that. (The
        /// ends are timed here, on the run's `Instant`; the call on the
        /// collector's clock, which may be a few microseconds apart.)
        returned_ns: u64,
    },
}

impl AsyncEnds {
    pub(crate) fn new(origin: Instant) -> Arc<AsyncEnds> {
        Arc::new(AsyncEnds { origin, news: AtomicBool::new(false), state: Mutex::default() })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A tap that panicked mid-update leaves counts that are still worth reporting.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn now_ns(&self) -> u64 {
        self.origin.elapsed().as_nanos() as u64
    }

    /// Follows a new end, made by a call of `opener`'s kind now under way.
    pub(crate) fn open(self: &Arc<Self>, opener: Opener) -> Tap {
        let mut state = self.lock();
        let id = state.followed.len();
        state.followed.push(Followed {
            opener,
            name: Naming::Waiting,
            bytes: 0,
            preview: Preview::EMPTY,
            stream_end: None,
            stream_reported: false,
            future_value: None,
            future_reported: false,
        });
        state.unnamed.push(id);
        self.news.store(true, Ordering::Release);
        Tap { ends: Arc::clone(self), id }
    }

    /// Whether the hand-over has anything to do here: an end waits for its
    /// name, or ended and waits to be reported.
    #[inline]
    pub(crate) fn has_news(&self) -> bool {
        self.news.load(Ordering::Acquire)
    }

    /// Names the oldest end waiting for a call of `call`'s kind, if `call`
    /// is one that gave handles; call it for every call, in the order they
    /// are handed over. (A call of that kind that gave none made no end: a
    /// WASI 0.2 call of the same name, or one that failed and so trapped.)
    pub(crate) fn name_by(&self, call: &HostCall) {
        let Some(opener) = Opener::of(call) else { return };
        let Some((stream, future)) = opener.handles(call) else { return };
        let mut state = self.lock();
        let Some(at) = state.unnamed.iter().position(|&id| state.followed[id].opener == opener) else { return };
        let id = state.unnamed.remove(at);
        let interface = call.interface.clone();
        let returned_ns = call.start_ns + call.dur_ns;
        state.followed[id].name = Naming::Named { interface, stream, future, opened_ns: call.start_ns, returned_ns };
    }

    /// Moves the records of what ended since the last look, and is named,
    /// into `out`, in the order things ended.
    pub(crate) fn take_ended(&self, out: &mut Vec<HostCall>) {
        let start = out.len();
        let mut state = self.lock();
        for followed in &mut state.followed {
            let Naming::Named { interface, stream, future, opened_ns, returned_ns } = &followed.name else { continue };
            if let Some((at, how)) = followed.stream_end
                && !followed.stream_reported
            {
                followed.stream_reported = true;
                let args = stream_args(followed.bytes, &followed.preview);
                let at = at.max(*returned_ns);
                out.push(end_record(interface, format!("{stream} ended"), *opened_ns, at, args, how.text().into()));
            }
            if let Some((at, value)) = &followed.future_value
                && !followed.future_reported
            {
                followed.future_reported = true;
                out.push(end_record(
                    interface,
                    format!("{future} resolved"),
                    *opened_ns,
                    (*at).max(*returned_ns),
                    Vec::new(),
                    value.clone(),
                ));
            }
        }
        out[start..].sort_by_key(|record| record.start_ns + record.dur_ns);
        let waiting = state.followed.iter().any(|f| {
            matches!(f.name, Naming::Waiting)
                || (f.stream_end.is_some() && !f.stream_reported)
                || (f.future_value.is_some() && !f.future_reported)
        });
        self.news.store(waiting, Ordering::Release);
    }

    /// The run is over: ends from now on are the store going away, and
    /// what has not ended by now was still pending.
    pub(crate) fn run_over(&self) {
        let now = self.now_ns();
        self.lock().over_at.get_or_insert(now);
    }

    /// Records of what was still pending when the run ended (after
    /// `run_over` and the last `take_ended`): a stream still open, a future
    /// that never resolved. Their result is empty, as a call's that never
    /// returned.
    pub(crate) fn take_pending(&self, out: &mut Vec<HostCall>) {
        let mut state = self.lock();
        let over_at = state.over_at.unwrap_or_else(|| self.now_ns());
        for followed in &mut state.followed {
            let Naming::Named { interface, stream, future, opened_ns, .. } = &followed.name else { continue };
            if followed.stream_end.is_none() {
                followed.stream_reported = true;
                let args = stream_args(followed.bytes, &followed.preview);
                out.push(end_record(interface, format!("{stream} still open"), *opened_ns, over_at, args, "".into()));
            }
            if followed.future_value.is_none() {
                followed.future_reported = true;
                out.push(end_record(
                    interface,
                    format!("{future} unresolved"),
                    *opened_ns,
                    over_at,
                    Vec::new(),
                    "".into(),
                ));
            }
        }
    }
}

/// A stream's record arguments: its byte count and first bytes.
fn stream_args(bytes: u64, preview: &Preview) -> Vec<(&'static str, String)> {
    vec![("bytes", bytes.to_string()), ("preview", format!("{preview:?}"))]
}

/// An argument's value as text, whichever way `HostCall` keeps it.
fn text(value: &(impl AsRef<str> + ?Sized)) -> &str {
    value.as_ref()
}

/// The one constructor of an end's record: `function` names the handle's
/// end (`stream#5 ended`), `start_ns` is when the call that made the handle
/// began and `end_ns` when the end came (or the run ended), `result` how it
/// ended (empty: still pending).
fn end_record(
    interface: &Name,
    function: String,
    start_ns: u64,
    end_ns: u64,
    args: Vec<(&str, String)>,
    result: Box<str>,
) -> HostCall {
    let error = result.strip_prefix("Err(").map(|inner| Box::from(inner.trim_end_matches(')')));
    HostCall {
        seq: 0,
        interface: interface.clone(),
        function: Name::from(function),
        start_ns,
        dur_ns: end_ns.saturating_sub(start_ns),
        args: args.into_iter().map(|(name, value)| (Box::<str>::from(name), Box::<str>::from(value))).collect(),
        result: result.into(),
        error,
        denial: None,
        part: None,
        callee: None,
    }
}

/// What follows one end from where its bytes pass: counts them, and says
/// when the stream ended and the future resolved.
pub(crate) struct Tap {
    ends: Arc<AsyncEnds>,
    id: usize,
}

impl Tap {
    /// `bytes` went through the stream.
    pub(crate) fn moved(&self, bytes: &[u8]) {
        let mut state = self.ends.lock();
        let followed = &mut state.followed[self.id];
        followed.bytes += bytes.len() as u64;
        if !followed.preview.is_full() {
            followed.preview.extend(bytes);
        }
    }

    /// The stream ended, `how`; ignored once the run is over (the store
    /// going away ends every stream: those were still open at the end).
    pub(crate) fn stream_ended(&self, how: StreamEnd) {
        let now = self.ends.now_ns();
        let mut state = self.ends.lock();
        if state.over_at.is_some() {
            return;
        }
        let followed = &mut state.followed[self.id];
        if followed.stream_end.is_none() {
            followed.stream_end = Some((now, how));
            self.ends.news.store(true, Ordering::Release);
        }
    }

    /// The future resolved with `value` (its text, e.g. `Ok(())`).
    pub(crate) fn future_resolved(&self, value: &str) {
        let now = self.ends.now_ns();
        let mut state = self.ends.lock();
        if state.over_at.is_some() {
            return;
        }
        let followed = &mut state.followed[self.id];
        if followed.future_value.is_none() {
            followed.future_value = Some((now, value.into()));
            self.ends.news.store(true, Ordering::Release);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(interface: &str, function: &str, args: &[(&str, &str)], result: &str, start_ns: u64) -> HostCall {
        let args = args.iter().map(|(name, value)| (*name, value.to_string())).collect();
        end_record(&Name::from(interface), function.to_string(), start_ns, start_ns + 10, args, result.into())
    }

    fn texts(records: &[HostCall]) -> Vec<String> {
        records.iter().map(|r| format!("{}({}) = {}", r.function, r.args_text(), r.result)).collect()
    }

    #[test]
    fn ends_are_named_by_their_calls_in_order_and_reported_once() {
        let ends = AsyncEnds::new(Instant::now());
        let first = ends.open(Opener::Stdout);
        let file = ends.open(Opener::FileRead);
        let second = ends.open(Opener::Stdout);
        first.moved(b"hello ");
        first.moved(b"world");
        second.stream_ended(StreamEnd::ClosedByGuest);
        second.future_resolved("Ok(())");
        assert!(ends.has_news());
        let mut out = Vec::new();
        ends.take_ended(&mut out);
        assert!(out.is_empty(), "nothing is named yet");

        ends.name_by(&call("wasi:cli/stdout", "write-via-stream", &[("data", "stream#5")], "Ok(future#9)", 100));
        ends.name_by(&call(
            "wasi:filesystem/types",
            "[method]descriptor.read-via-stream",
            &[("self", "#1")],
            "Ok(#3)",
            150,
        ));
        ends.name_by(&call(
            "wasi:filesystem/types",
            "[method]descriptor.read-via-stream",
            &[],
            "Ok((stream#13, future#16))",
            200,
        ));
        ends.name_by(&call("wasi:cli/stdout", "write-via-stream", &[("data", "stream#20")], "Ok(future#22)", 300));
        ends.take_ended(&mut out);
        assert_eq!(
            texts(&out),
            ["stream#20 ended(bytes=0, preview=\"\") = closed by the guest", "future#22 resolved() = Ok(())"]
        );
        assert_eq!(out[0].start_ns, 300);
        assert!(!ends.has_news());
        out.clear();
        ends.take_ended(&mut out);
        assert!(out.is_empty(), "each end is reported once");

        file.moved(b"Hello from the host filesystem!\n");
        file.stream_ended(StreamEnd::EndOfData);
        ends.run_over();
        file.future_resolved("Err(io)");
        ends.take_ended(&mut out);
        ends.take_pending(&mut out);
        assert_eq!(
            texts(&out),
            [
                "stream#13 ended(bytes=32, preview=\"Hello from the host filesystem!\\n\") = end of data",
                "stream#5 still open(bytes=11, preview=\"hello world\") = ",
                "future#9 unresolved() = ",
                "future#16 unresolved() = ",
            ]
        );
    }

    #[test]
    fn a_failed_future_carries_its_error_code() {
        let ends = AsyncEnds::new(Instant::now());
        let tap = ends.open(Opener::FileRead);
        tap.stream_ended(StreamEnd::EndOfData);
        tap.future_resolved("Err(is-directory)");
        ends.name_by(&call(
            "wasi:filesystem/types",
            "[method]descriptor.read-via-stream",
            &[],
            "Ok((stream#2, future#4))",
            0,
        ));
        let mut out = Vec::new();
        ends.take_ended(&mut out);
        assert_eq!(out[1].error.as_deref(), Some("is-directory"));
    }

    #[test]
    fn handles_are_read_from_value_text() {
        assert_eq!(handle_in("Ok((stream#13, future#16))", "future#").as_deref(), Some("future#16"));
        assert_eq!(handle_in("stream#5", "stream#").as_deref(), Some("stream#5"));
        assert_eq!(handle_in("Ok(#3)", "stream#"), None);
        assert_eq!(handle_in("stream#", "stream#"), None);
    }
}
