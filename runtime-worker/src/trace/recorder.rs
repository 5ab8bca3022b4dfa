//! The run's recorder: timestamps, the event buffer and its hand-over.
//!
//! Events are buffered in the worker and handed over in batches: a channel
//! send per event would cost more than most WASI calls. A batch leaves when it
//! is full, when it is older than `FLUSH_INTERVAL`, before the guest may block
//! (sleeping, reading stdin), on every epoch tick while the guest computes,
//! and at the end of the run, so a viewer never waits long for what happened.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossbeam_channel::{SendTimeoutError, Sender};

use crate::boundary::batch::EventBatch;
use crate::boundary::event::{
    Abrupt, CallEvent, Frame, HostCall, MemoryChange, MemoryEvent, Phase, PhaseTiming, Preview, RunId, WorkerEvent,
};
use crate::sandbox::output::OutputSink;
use crate::trace::clock::RunClock;
use crate::trace::compact_calls::{CompactBatch, CompactCall, Numbers};
use crate::trace::denial::{CallView, DenialContext};
use crate::trace::direct_calls::{DirectBatch, DirectCall};
use crate::trace::fds::FdTable;
use crate::trace::recycled::Pool;
use crate::wasi::abi::{Errno, WasiFunc};

const BATCH_LEN: usize = 4096;
/// Room past `BATCH_LEN` for what is pushed after the check that sends a
/// full batch: a call's output (both streams), the call, and the dropped
/// counts `flush_at` adds. Without it every full batch is reallocated and
/// copied whole (about 800 KB) just before it is sent.
const BATCH_CAPACITY: usize = BATCH_LEN + 8;
const FLUSH_INTERVAL: Duration = Duration::from_millis(10);

pub(crate) struct Tracer {
    run: RunId,
    clock: RunClock,
    tx: Sender<EventBatch>,
    stop: Arc<AtomicBool>,
    buf: Vec<WorkerEvent>,
    /// Component host calls recorded as plain values, beside `buf`…
    direct: DirectBatch,
    /// …and preview1 calls of plain numbers…
    compact: CompactBatch,
    /// …in buffers that come back once the reader has taken the calls out
    /// (made at the first such call: a run makes one kind or neither).
    direct_pool: Option<Pool<(u32, DirectCall)>>,
    compact_pool: Option<Pool<CompactCall>>,
    last_flush_ns: u64,
    seq: u64,
    /// Set when the guest's entry point is entered, cleared by the first call.
    entered_ns: Option<u64>,
    /// Calls become events (see `RunRequest::record_calls`); when off, a
    /// call costs one branch here, and only the first is timed.
    pub(crate) record_calls: bool,
    /// The preview1 functions whose calls carry the guest's stack
    /// (`RunRequest::call_stacks`), one bit each by `WasiFunc` number: the
    /// interposer captures it into `next_stack` before the call begins.
    call_stacks: u64,
    pub(crate) next_stack: Option<Arc<Vec<Frame>>>,
    output: Arc<OutputSink>,
    pub(crate) fds: FdTable,
    pub(crate) denials: DenialContext,
    /// The strings `args_get` hands the guest, and the names `environ_get` does.
    pub(crate) argv: Vec<Box<str>>,
    pub(crate) env_names: Vec<Box<str>>,
    /// A component's preopened directories, as the guest sees them.
    pub(crate) preopens: Vec<Box<str>>,
    /// A copy of the preview1 call the guest waits in (a sleep, a read of
    /// stdin), until any call is recorded: a run stopped there drops the
    /// call's future, and with it the interposer's own `PendingCall`.
    waiting: Option<PendingCall>,
}

/// A call being recorded: filled in by the interposer before and after it
/// delegates to wasmtime-wasi.
#[derive(Clone)]
pub(crate) struct PendingCall {
    pub func: WasiFunc,
    start_ns: u64,
    params: [u64; 6],
    n_params: u8,
    results: [u64; 2],
    n_results: u8,
    pub strings: Vec<Box<str>>,
    pub preview: Preview,
}

impl PendingCall {
    pub(crate) fn param(&mut self, value: impl Into<ParamValue>) -> &mut Self {
        if let Some(slot) = self.params.get_mut(usize::from(self.n_params)) {
            *slot = value.into().0;
            self.n_params += 1;
        }
        self
    }

    pub(crate) fn result(&mut self, value: u64) -> &mut Self {
        if let Some(slot) = self.results.get_mut(usize::from(self.n_results)) {
            *slot = value;
            self.n_results += 1;
        }
        self
    }

    pub(crate) fn string(&mut self, s: impl Into<Box<str>>) -> &mut Self {
        self.strings.push(s.into());
        self
    }

    pub(crate) fn params(&self) -> &[u64] {
        &self.params[..usize::from(self.n_params)]
    }
}

/// A wasm scalar as recorded: i32 parameters are unsigned (fds, sizes and
/// flags are `u32` in the ABI), i64 ones keep their bits.
pub(crate) struct ParamValue(u64);

impl From<i32> for ParamValue {
    fn from(v: i32) -> Self {
        ParamValue(u64::from(v as u32))
    }
}

impl From<i64> for ParamValue {
    fn from(v: i64) -> Self {
        ParamValue(v as u64)
    }
}

impl From<u64> for ParamValue {
    fn from(v: u64) -> Self {
        ParamValue(v)
    }
}

impl Tracer {
    pub(crate) fn new(
        run: RunId,
        clock: RunClock,
        tx: Sender<EventBatch>,
        stop: Arc<AtomicBool>,
        output: Arc<OutputSink>,
        fds: FdTable,
        denials: DenialContext,
    ) -> Tracer {
        Tracer {
            run,
            clock,
            tx,
            stop,
            buf: Vec::with_capacity(BATCH_CAPACITY),
            direct: DirectBatch::default(),
            compact: CompactBatch::default(),
            direct_pool: None,
            compact_pool: None,
            last_flush_ns: 0,
            seq: 0,
            entered_ns: None,
            record_calls: true,
            call_stacks: 0,
            next_stack: None,
            output,
            fds,
            denials,
            argv: Vec::new(),
            env_names: Vec::new(),
            preopens: Vec::new(),
            waiting: None,
        }
    }

    /// Has calls of `only` (every function when empty) carry the guest's stack.
    pub(crate) fn stacks_for(&mut self, only: &[WasiFunc]) {
        const { assert!(WasiFunc::ALL.len() <= 64, "one bit per function") };
        self.call_stacks = match only {
            [] => u64::MAX,
            only => only.iter().fold(0, |bits, func| bits | 1 << *func as u8),
        };
    }

    /// Whether a call of `func` carries the guest's stack.
    #[inline]
    pub(crate) fn wants_stack(&self, func: WasiFunc) -> bool {
        self.call_stacks & 1 << func as u8 != 0
    }

    /// Nanoseconds since the run started.
    #[inline]
    pub(crate) fn now_ns(&self) -> u64 {
        self.clock.now_ns()
    }

    pub(crate) fn begin(&self, func: WasiFunc) -> PendingCall {
        let timed = self.record_calls || self.entered_ns.is_some();
        PendingCall {
            func,
            start_ns: if timed { self.now_ns() } else { 0 },
            params: [0; 6],
            n_params: 0,
            results: [0; 2],
            n_results: 0,
            strings: Vec::new(),
            preview: Preview::EMPTY,
        }
    }

    /// Marks the moment the guest's entry point is entered.
    pub(crate) fn entered(&mut self) {
        self.entered_ns = Some(self.now_ns());
    }

    /// The first call after `entered` gives the `FirstCall` phase.
    #[inline]
    fn first_call(&mut self, start_ns: u64) {
        if let Some(entered) = self.entered_ns.take() {
            let nanos = start_ns.saturating_sub(entered);
            self.buf.push(WorkerEvent::Phase(PhaseTiming { phase: Phase::FirstCall, nanos, cached: false }));
        }
    }

    /// Records a call that returned `errno` (0 for success).
    pub(crate) fn returned(&mut self, call: PendingCall, errno: i32) {
        let errno = (errno != 0).then_some(Errno(errno as u16));
        self.record(call, errno, None);
    }

    /// Records a call that did not return to the guest.
    pub(crate) fn abrupt(&mut self, call: PendingCall, how: Abrupt) {
        self.record(call, None, Some(how));
    }

    /// The guest may now wait in `call` for as long as it likes (a sleep, a
    /// read of stdin); should the run end there, `ended_while_waiting`
    /// records it as unfinished. Only calls that wait on the world are
    /// marked: a stop anywhere else lands in the guest's code, between calls
    /// (the epoch interrupt), or in a file call that ends in microseconds.
    pub(crate) fn waiting_in(&mut self, call: &PendingCall) {
        if self.record_calls {
            self.waiting = Some(call.clone());
        }
    }

    /// The run has ended: a call the guest was still waiting in is recorded
    /// as unfinished (strace's `<unfinished ...>`), lasting until now.
    pub(crate) fn ended_while_waiting(&mut self) {
        if let Some(call) = self.waiting.take() {
            self.record(call, None, Some(Abrupt::Unfinished));
        }
    }

    fn record(&mut self, call: PendingCall, errno: Option<Errno>, abrupt: Option<Abrupt>) {
        // One call at a time: whatever the guest waited in has returned.
        self.waiting = None;
        self.first_call(call.start_ns);
        if !self.record_calls {
            // Output still leaves at least every `FLUSH_INTERVAL`, as it
            // would with every call recorded; the clock is read only after
            // a write.
            if self.output.has_pending() {
                self.flush_if_due();
            }
            return;
        }
        let end_ns = self.now_ns();
        // Output the call wrote goes before the call's own event.
        if self.output.has_pending() {
            self.output.take_into(&mut self.buf, false);
        }

        let params = call.params();
        let denial = if self.denials.may_deny(call.func, errno) {
            let view = CallView { func: call.func, errno, params, strings: &call.strings };
            self.denials.classify(&view, &self.fds).map(Box::new)
        } else {
            None
        };
        let fd_labels = self.fd_labels(call.func, params);
        let dur_ns = end_ns.saturating_sub(call.start_ns);
        let stack = self.next_stack.take();
        // A call of plain numbers crosses in 64 bytes, not 208.
        let plain = stack.is_none()
            && errno.is_none()
            && abrupt.is_none()
            && denial.is_none()
            && call.strings.is_empty()
            && call.preview.as_bytes().is_empty()
            && fd_labels.iter().all(Option::is_none);
        let compact = if plain {
            let numbers = Numbers {
                seq: self.seq,
                func: call.func,
                start_ns: call.start_ns,
                dur_ns,
                params: &call.params,
                results: call.results,
            };
            CompactCall::of(numbers, self.buf.len())
        } else {
            None
        };
        match compact {
            Some(compact) => {
                if self.compact.has_no_buffer() {
                    self.compact = self.compact_pool.get_or_insert_with(|| Pool::new(BATCH_CAPACITY)).take();
                }
                self.compact.push(compact);
            }
            None => self.buf.push(WorkerEvent::Call(CallEvent {
                seq: self.seq,
                func: call.func,
                start_ns: call.start_ns,
                dur_ns,
                params: call.params,
                results: call.results,
                errno,
                abrupt,
                strings: call.strings,
                preview: call.preview,
                fd_labels,
                denial,
                stack,
            })),
        }
        self.seq += 1;
        self.flush_if_full(end_ns);
    }

    /// A component's host call has begun that will not be recorded (a run
    /// that records no calls has no collector): only the first is timed.
    #[inline]
    pub(crate) fn unrecorded_call(&mut self) {
        if self.entered_ns.is_some() {
            let now = self.now_ns();
            self.first_call(now);
        }
    }

    /// Records a component's host call (handed over by `ComponentHost::drain`).
    pub(crate) fn host_call(&mut self, mut call: HostCall) {
        let end_ns = call.start_ns + call.dur_ns;
        self.first_call(call.start_ns);
        if !self.record_calls {
            if end_ns.saturating_sub(self.last_flush_ns) >= FLUSH_INTERVAL.as_nanos() as u64 {
                self.flush_at(end_ns.max(self.last_flush_ns));
            }
            return;
        }
        // Output written before the call returned comes before it. (What
        // a write carried is in its `contents`: `hot_calls` records writes.)
        self.output.take_into(&mut self.buf, false);
        // Lists the guest was given that the trace knows without the
        // bindings' help. Environment values are never recorded, as for
        // preview1: names only.
        if &*call.result == "\"...\"" {
            let quoted = |items: &[Box<str>]| items.iter().map(|i| format!("{i:?}")).collect::<Vec<_>>().join(", ");
            let known = match (&*call.interface, &*call.function) {
                ("wasi:cli/environment", "get-arguments") => Some(format!("[{}]", quoted(&self.argv))),
                ("wasi:cli/environment", "get-environment") => {
                    Some(format!("[{}] (names; values are not recorded)", quoted(&self.env_names)))
                }
                ("wasi:filesystem/preopens", "get-directories") => Some(format!("[{}]", quoted(&self.preopens))),
                _ => None,
            };
            if let Some(text) = known {
                call.result = text.into();
            }
        }
        call.seq = self.seq;
        self.seq += 1;
        self.buf.push(WorkerEvent::HostCall(call));
        self.flush_if_full(end_ns);
    }

    /// Records a component's host call made of plain values
    /// (`direct_calls`; recorded only when the run records its calls).
    #[inline]
    pub(crate) fn direct_call(&mut self, mut call: DirectCall) {
        let (start_ns, end_ns) = call.span_ns();
        self.first_call(start_ns);
        // Output written before the call returned comes before it.
        self.output.take_into(&mut self.buf, false);
        call.seq = self.seq;
        self.seq += 1;
        if self.direct.has_no_buffer() {
            self.direct = self.direct_pool.get_or_insert_with(|| Pool::new(BATCH_CAPACITY)).take();
        }
        self.direct.push((self.buf.len() as u32, call));
        self.flush_if_full(end_ns);
    }

    /// Hands the batch over when it is full or old enough.
    #[inline]
    fn flush_if_full(&mut self, end_ns: u64) {
        if self.buf.len() + self.direct.len() + self.compact.len() >= BATCH_LEN
            || end_ns.saturating_sub(self.last_flush_ns) >= FLUSH_INTERVAL.as_nanos() as u64
        {
            self.flush_at(end_ns.max(self.last_flush_ns));
        }
    }

    /// What the call's descriptors name (`FdTable::label`).
    #[inline]
    fn fd_labels(&self, func: WasiFunc, params: &[u64]) -> [Option<Arc<str>>; 2] {
        func.fd_params().map(|at| self.fds.label(*params.get(usize::from(at?))?))
    }

    pub(crate) fn phase(&mut self, phase: Phase, nanos: u64, cached: bool) {
        self.buf.push(WorkerEvent::Phase(PhaseTiming { phase, nanos, cached }));
        self.flush();
    }

    pub(crate) fn memory(&mut self, change: MemoryChange) {
        let at_ns = self.now_ns();
        self.buf.push(WorkerEvent::Memory(MemoryEvent { at_ns, change }));
    }

    /// Hands over whatever is buffered if the last hand-over is old enough.
    pub(crate) fn flush_if_due(&mut self) {
        let now = self.now_ns();
        if now.saturating_sub(self.last_flush_ns) >= FLUSH_INTERVAL.as_nanos() as u64 {
            self.flush_at(now);
        }
    }

    /// Output has arrived that is not handed over yet.
    pub(crate) fn output_pending(&self) -> bool {
        self.output.has_pending()
    }

    /// Hands over whatever is buffered now.
    pub(crate) fn flush(&mut self) {
        let now = self.now_ns();
        self.flush_at(now);
    }

    fn flush_at(&mut self, now: u64) {
        self.last_flush_ns = now;
        self.clock.refresh();
        self.output.take_into(&mut self.buf, true);
        if self.buf.is_empty() && self.direct.is_empty() && self.compact.is_empty() {
            return;
        }
        let events = std::mem::replace(&mut self.buf, Vec::with_capacity(BATCH_CAPACITY));
        let (direct, compact) = (std::mem::take(&mut self.direct), std::mem::take(&mut self.compact));
        send(&self.tx, &self.stop, EventBatch::recorded(self.run, events, direct, compact));
    }

    /// The last event of the run.
    pub(crate) fn finish(&mut self, outcome: crate::boundary::event::RunOutcome) {
        self.output.take_into(&mut self.buf, true);
        self.buf.push(WorkerEvent::Finished(outcome));
        let events = std::mem::take(&mut self.buf);
        let (direct, compact) = (std::mem::take(&mut self.direct), std::mem::take(&mut self.compact));
        send(&self.tx, &self.stop, EventBatch::recorded(self.run, events, direct, compact));
    }
}

/// Sends a batch, waiting while the receiver is behind, but never past a stop
/// request or a receiver that is gone: a slow viewer slows the guest down, a
/// stopped or abandoned run drops what is left.
pub(crate) fn send(tx: &Sender<EventBatch>, stop: &AtomicBool, mut batch: EventBatch) {
    loop {
        match tx.send_timeout(batch, Duration::from_millis(20)) {
            Ok(()) | Err(SendTimeoutError::Disconnected(_)) => return,
            Err(SendTimeoutError::Timeout(back)) => {
                if stop.load(Ordering::Relaxed) {
                    // Keep the last word: the Finished event must still arrive
                    // once there is room, so only drop calls.
                    let finished: Vec<_> =
                        back.events.into_iter().filter(|e| matches!(e, WorkerEvent::Finished(_))).collect();
                    if finished.is_empty() {
                        return;
                    }
                    let _ = tx.send(EventBatch::new(back.run, finished));
                    return;
                }
                batch = back;
            }
        }
    }
}
