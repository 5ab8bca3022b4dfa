//! Preview1 calls that are nothing but numbers, handed over in 64 bytes.
//!
//! A `CallEvent` is 208 bytes: room for six parameters, a path or a list,
//! the first bytes of a buffer, what two descriptors name, a denial, a stack. Many
//! calls a guest makes in a loop use none of that: a clock reading, a
//! random number, a `sched_yield`, the sizes of its arguments. Written
//! whole, the guest's thread moves 208 bytes per call through its cache for
//! the reader on the other core. Such a call crosses as a `CompactCall`, in
//! a list beside the batch's events (as a component's hottest calls do,
//! `direct_calls`), and becomes the very same `CallEvent` on the thread that
//! receives the batch (`RunHandle::events`). What is left of recording such
//! a call is mostly its two readings of the clock (BENCHMARKS.md, P3r).

use crate::boundary::event::{CallEvent, Preview};
use crate::trace::recycled::Pooled;
use crate::wasi::abi::WasiFunc;

/// A preview1 call that returned 0 to the guest, whose parameters past the
/// second are 0, with nothing else to say but its results: one cache line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CompactCall {
    seq: u64,
    start_ns: u64,
    dur_ns: u64,
    params: [u64; 2],
    results: [u64; 2],
    /// How many of the batch's other events came before it.
    before: u32,
    func: WasiFunc,
}

/// The compact calls of one batch, in a buffer that goes back to the run's
/// recorder once the reader has expanded them.
pub(crate) type CompactBatch = Pooled<CompactCall>;

/// What a call passed and got back, as the recorder has it.
pub(crate) struct Numbers<'a> {
    pub seq: u64,
    pub func: WasiFunc,
    pub start_ns: u64,
    pub dur_ns: u64,
    pub params: &'a [u64; 6],
    pub results: [u64; 2],
}

impl CompactCall {
    /// The call in compact form, coming after `before` other events of its
    /// batch, if that loses nothing: its parameters past the second are 0
    /// (the caller has checked that it returned 0 and has no text, preview,
    /// descriptor names or denial).
    #[inline]
    pub(crate) fn of(call: Numbers<'_>, before: usize) -> Option<CompactCall> {
        let [p0, p1, rest @ ..] = call.params;
        let before = u32::try_from(before).ok()?;
        rest.iter().all(|p| *p == 0).then_some(CompactCall {
            seq: call.seq,
            start_ns: call.start_ns,
            dur_ns: call.dur_ns,
            params: [*p0, *p1],
            results: call.results,
            before,
            func: call.func,
        })
    }

    /// How many of its batch's other events came before it.
    pub(crate) fn before(&self) -> u32 {
        self.before
    }

    /// Its number in the run.
    pub(crate) fn seq(&self) -> u64 {
        self.seq
    }

    /// The call as the recorder would have written it whole.
    pub(crate) fn expand(&self) -> CallEvent {
        let [p0, p1] = self.params;
        CallEvent {
            seq: self.seq,
            func: self.func,
            start_ns: self.start_ns,
            dur_ns: self.dur_ns,
            params: [p0, p1, 0, 0, 0, 0],
            results: self.results,
            errno: None,
            abrupt: None,
            strings: Vec::new(),
            preview: Preview::EMPTY,
            fd_labels: [None, None],
            denial: None,
            stack: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(params: &[u64; 6]) -> Numbers<'_> {
        Numbers { seq: 7, func: WasiFunc::ClockTimeGet, start_ns: 100, dur_ns: 42, params, results: [123_456, 0] }
    }

    #[test]
    fn fits_one_cache_line() {
        assert_eq!(std::mem::size_of::<CompactCall>(), 64);
    }

    #[test]
    fn a_clock_reading_expands_to_the_event_it_stands_for() {
        let params = [1, 1000, 0, 0, 0, 0];
        let call = CompactCall::of(numbers(&params), 3).expect("two parameters fit");
        let event = call.expand();
        assert_eq!((event.seq, event.func, event.start_ns, event.dur_ns), (7, WasiFunc::ClockTimeGet, 100, 42));
        assert_eq!(event.params, params);
        assert_eq!(event.results, [123_456, 0]);
        assert!(event.errno.is_none() && event.abrupt.is_none() && event.denial.is_none());
        assert!(event.strings.is_empty() && event.preview.as_bytes().is_empty());
        assert_eq!(event.fd_labels, [None, None]);
        assert!(event.stack.is_none());
        assert_eq!(call.before, 3);
    }

    #[test]
    fn a_third_parameter_keeps_the_call_whole() {
        assert!(CompactCall::of(numbers(&[1, 2, 3, 0, 0, 0]), 0).is_none());
        assert!(CompactCall::of(numbers(&[1, 2, 0, 0, 0, 9]), 0).is_none());
        assert!(CompactCall::of(numbers(&[0; 6]), u32::MAX as usize + 1).is_none());
    }
}
