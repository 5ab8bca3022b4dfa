//! Every WASI 0.2 host call a component makes, as `HostCall`s.
//!
//! wasmtime-wasi's preview2 bindings are generated with `bindgen!`'s
//! `tracing` option: each host function opens a `tracing` span named
//! `wit-bindgen import` (fields `module`, `function`), emits a `call` event
//! with every argument's `Debug` text, and a `return` event with the result's.
//! A `tracing` subscriber installed on the worker thread alone (a scoped
//! dispatcher, so no other thread and no preview1 run is affected) turns
//! those into calls; nothing in wasmtime-wasi is wrapped or copied.
//!
//! The bindings elide lists (`"..."`). The tracer fills in what it knows
//! without them (`Tracer::host_call`): the arguments, the environment's
//! variable names (never values) and the preopens come from the profile.
//! Data read stays elided. The hottest functions (stream writes, which show
//! what they wrote, and the monotonic clock) do not come through here: their
//! definitions are shadowed and their calls recorded without `tracing`
//! (`direct_calls`).
//!
//! The collector is on the path of every host call, so its bookkeeping is
//! kept small: its state belongs to the thread that made it (no lock; see
//! `ThreadBound`), open spans live in a slab indexed by their id (no hash
//! map), each callsite's names and whether an event is a `call` or a
//! `return` are worked out once per callsite, and argument text is formatted
//! into one reused buffer and copied out once, at its final size. The `Debug`
//! text itself cannot be put off: `tracing` hands the values over as
//! `&dyn Debug` borrowed for the event only.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};

use crate::boundary::call_text::{ArgsBuilder, TextArena};
use crate::boundary::denial::{Denial, DenialKind, Guest, Within};
use crate::boundary::event::HostCall;
use crate::boundary::name::Name;
use crate::boundary::profile::{ClockPolicy, SandboxProfile};
use crate::sandbox::network::NetworkGuard;
use crate::trace::clock::RunClock;

/// The span every generated host function opens.
const SPAN_NAME: &str = "wit-bindgen import";

/// Calls that have returned, waiting to be moved into the run's tracer.
///
/// The collector and the run's host both live on the run's worker thread,
/// which pushes and drains nearly every call: that thread's calls wait in
/// `here`, without a lock. A call pushed from any other thread (an outgoing
/// HTTP request finishing on a runtime thread, say) waits in `elsewhere`.
pub(crate) struct CallLog {
    here: ThreadBound<Vec<HostCall>>,
    elsewhere: Mutex<Vec<HostCall>>,
    /// `elsewhere` is not empty: a drain looks at it without a lock otherwise.
    any_elsewhere: AtomicBool,
}

impl Default for CallLog {
    /// A log whose own thread is the calling one.
    fn default() -> CallLog {
        CallLog {
            here: ThreadBound::new(Vec::new()),
            elsewhere: Mutex::new(Vec::new()),
            any_elsewhere: AtomicBool::new(false),
        }
    }
}

impl CallLog {
    pub(crate) fn push(&self, call: HostCall) {
        if let Err(call) = self.here.with_value(call, |done, call| done.push(call)) {
            lock(&self.elsewhere).push(call);
            self.any_elsewhere.store(true, Ordering::Release);
        }
    }

    /// Hands every waiting call to `each`, in order, keeping the buffer's
    /// room for the next ones (a run hands over after nearly every call).
    /// Calls from other threads come first: they were pushed while a call
    /// of this thread was under way, before it returned.
    pub(crate) fn drain_each(&self, mut each: impl FnMut(HostCall)) {
        // A plain load first: the swap would take the cache line each time.
        if self.any_elsewhere.load(Ordering::Relaxed) && self.any_elsewhere.swap(false, Ordering::Acquire) {
            lock(&self.elsewhere).drain(..).for_each(&mut each);
        }
        // A call pushed while `each` runs (none is, today) waits in
        // `elsewhere` for the next drain: `here` is borrowed till then.
        self.here.with(|done| {
            if !done.is_empty() {
                done.drain(..).for_each(&mut each);
            }
        });
    }
}

/// The subscriber: one per component run, installed on its worker thread.
pub(crate) struct Collector {
    log: Arc<CallLog>,
    state: ThreadBound<State>,
    judge: Judge,
}

struct State {
    /// Each host function's interface and function names, by its span's
    /// callsite (the bindings give them as constants, one callsite per
    /// function): made once, then shared by every call. `None` for spans
    /// that are not host calls.
    names: HashMap<usize, Option<Names>, Keys>,
    /// What each event callsite is (`call`, `return`, something else).
    events: HashMap<usize, EventKind, Keys>,
    /// Open spans; a span's id is its index + 1.
    slots: Vec<Slot>,
    /// Indices of free slots.
    free: Vec<usize>,
    /// Entered spans, innermost last.
    stack: Vec<u64>,
    /// Where values are formatted…
    text: String,
    /// …and tidied, before they are copied out…
    tidy: String,
    /// …into the text the calls keep.
    arena: TextArena,
    /// The run's clock, read from the processor's timestamp counter where
    /// the kernel keeps time with it (`trace::clock`), from here on…
    clock: RunClock,
    /// …which was this long after the run's origin.
    clock_offset_ns: u64,
}

#[derive(Clone)]
struct Names {
    interface: Name,
    function: Name,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum EventKind {
    Call,
    Return,
    Other,
}

#[derive(Default)]
struct Slot {
    /// 0 when the slot is free.
    refs: usize,
    /// `None` for spans that are not host calls (and free slots).
    call: Option<OpenCall>,
    /// The open call's arguments, once its `call` event came (kept with
    /// the slot, so its room serves the slot's next calls).
    args: ArgsBuilder,
}

struct OpenCall {
    names: Names,
    start_ns: Option<u64>,
}

/// A span id's slot (out of range for `FOREIGN`).
fn index_of(id: u64) -> usize {
    usize::try_from(id.wrapping_sub(1)).unwrap_or(usize::MAX)
}

/// The id given to a span made on another thread than the collector's:
/// nothing is kept for it.
const FOREIGN: u64 = u64::MAX;

impl Collector {
    pub(crate) fn new(origin: Instant, log: Arc<CallLog>, judge: Judge) -> Collector {
        Collector { log, state: ThreadBound::new(State::new(origin)), judge }
    }

    /// Logs a call with arguments `args` that returned `result` (empty:
    /// never returned) at `now`; `tidy` is room to work in.
    fn finish(&self, call: OpenCall, args: &ArgsBuilder, result: &str, now: u64, text: Room<'_>) {
        let start_ns = call.start_ns.unwrap_or(now);
        let Room { tidy, arena } = text;
        let error = result_text(result, tidy);
        let mut host_call = HostCall {
            seq: 0,
            interface: call.names.interface,
            function: call.names.function,
            start_ns,
            dur_ns: now.saturating_sub(start_ns),
            args: arena.args(args),
            result: arena.text(tidy),
            error: error.map(Box::from),
            denial: None,
            part: None,
            callee: None,
        };
        host_call.denial = self.judge.classify(&host_call).map(Box::new);
        self.log.push(host_call);
    }
}

/// `result`, a value's `Debug` text as `first_line` writes it, as a call
/// keeps it: tidied into `out` (replacing what was there). The WASI error
/// code when the call failed.
pub(crate) fn result_text(result: &str, out: &mut String) -> Option<&'static str> {
    out.clear();
    tidy_into(result, out);
    // `exit` ends the run by returning an error to wasmtime, not to the guest.
    if let Some(code) = out.strip_prefix("Err(Exited with i32 exit status ") {
        *out = format!("exited with status {}", code.trim_end_matches(')'));
    }
    error_code(out)
}

/// Where a call's text is finished and kept (`State::tidy`, `State::arena`).
struct Room<'a> {
    tidy: &'a mut String,
    arena: &'a mut TextArena,
}

impl State {
    fn new(origin: Instant) -> State {
        let clock = RunClock::start();
        State {
            names: HashMap::default(),
            events: HashMap::default(),
            slots: Vec::new(),
            free: Vec::new(),
            stack: Vec::new(),
            text: String::new(),
            tidy: String::new(),
            arena: TextArena::new(),
            clock_offset_ns: origin.elapsed().as_nanos() as u64,
            clock,
        }
    }

    /// Nanoseconds since the run's origin.
    fn now_ns(&self) -> u64 {
        self.clock_offset_ns + self.clock.now_ns()
    }

    fn slot(&mut self, id: u64) -> Option<&mut Slot> {
        self.slots.get_mut(index_of(id)).filter(|slot| slot.refs > 0)
    }

    fn event_kind(&mut self, event: &Event<'_>) -> EventKind {
        let callsite = std::ptr::from_ref(event.metadata()) as usize;
        *self.events.entry(callsite).or_insert_with(|| {
            let mut message = Message(String::new());
            event.record(&mut message);
            match message.0.as_str() {
                "call" => EventKind::Call,
                "return" => EventKind::Return,
                _ => EventKind::Other,
            }
        })
    }
}

impl Subscriber for Collector {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        if self.enabled(metadata) { Interest::sometimes() } else { Interest::never() }
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        if metadata.is_span() { metadata.name() == SPAN_NAME } else { metadata.target().starts_with("wasmtime_wasi") }
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let id = self.state.with(|state| {
            let metadata = span.metadata();
            let callsite = std::ptr::from_ref(metadata) as usize;
            let names = state
                .names
                .entry(callsite)
                .or_insert_with(|| {
                    (metadata.name() == SPAN_NAME).then(|| {
                        let mut fields = Fields::default();
                        span.record(&mut fields);
                        let module = fields.get("module").unwrap_or_default();
                        let function = fields.get("function").unwrap_or_default();
                        Names {
                            interface: Name::interned(&qualified_interface(&module, &function)),
                            function: Name::interned(&function),
                        }
                    })
                })
                .clone();
            let call = names.map(|names| OpenCall { names, start_ns: None });
            let index = match state.free.pop() {
                Some(index) => {
                    let slot = &mut state.slots[index];
                    slot.refs = 1;
                    slot.call = call;
                    slot.args.clear();
                    index
                }
                None => {
                    state.slots.push(Slot { refs: 1, call, args: ArgsBuilder::default() });
                    state.slots.len() - 1
                }
            };
            index as u64 + 1
        });
        Id::from_u64(id.unwrap_or(FOREIGN))
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        self.state.with(|state| {
            let id = match event.parent() {
                Some(parent) => parent.into_u64(),
                None if event.is_contextual() => match state.stack.last() {
                    Some(id) => *id,
                    None => return,
                },
                None => return,
            };
            let kind = state.event_kind(event);
            if kind == EventKind::Other {
                return;
            }
            let now = state.now_ns();
            let Some(slot) = state.slots.get_mut(index_of(id)).filter(|slot| slot.refs > 0) else { return };
            let (text, tidy) = (&mut state.text, &mut state.tidy);
            if kind == EventKind::Call {
                let Some(call) = slot.call.as_mut() else { return };
                call.start_ns.get_or_insert(now);
                slot.args.clear();
                event.record(&mut Args { args: &mut slot.args, text, tidy });
            } else if let Some(call) = slot.call.take() {
                // Returned: nothing is left to log when the span closes.
                text.clear();
                event.record(&mut ResultText { text });
                self.finish(call, &slot.args, text, now, Room { tidy, arena: &mut state.arena });
                // A better measurement of the counter's rate, if one came.
                state.clock.refresh();
            }
        });
    }

    fn enter(&self, span: &Id) {
        self.state.with(|state| state.stack.push(span.into_u64()));
    }

    fn exit(&self, span: &Id) {
        self.state.with(|state| {
            let id = span.into_u64();
            if state.stack.last() == Some(&id) {
                state.stack.pop();
            } else if let Some(at) = state.stack.iter().rposition(|s| *s == id) {
                state.stack.remove(at);
            }
        });
    }

    fn clone_span(&self, span: &Id) -> Id {
        self.state.with(|state| {
            if let Some(slot) = state.slot(span.into_u64()) {
                slot.refs += 1;
            }
        });
        span.clone()
    }

    fn try_close(&self, span: Id) -> bool {
        let id = span.into_u64();
        self.state
            .with(|state| {
                let Some(slot) = state.slots.get_mut(index_of(id)).filter(|slot| slot.refs > 0) else {
                    return false;
                };
                slot.refs -= 1;
                if slot.refs > 0 {
                    return false;
                }
                // A call whose future was dropped before it returned: the run
                // ended (Stop, timeout) while the guest waited in it.
                if let Some(call) = slot.call.take()
                    && call.start_ns.is_some()
                {
                    let now = state.clock_offset_ns + state.clock.now_ns();
                    self.finish(call, &slot.args, "", now, Room { tidy: &mut state.tidy, arena: &mut state.arena });
                }
                state.free.push(id as usize - 1);
                true
            })
            .unwrap_or(false)
    }
}

/// A value only the thread that made it may use: the collector's state,
/// without a lock on every span and event.
///
/// `tracing` requires a subscriber to be `Send + Sync`, but a run's
/// collector is the scoped default of its worker thread only
/// (`tracing::dispatcher::set_default`), and the spans it sees are made,
/// entered, left and closed by the run's future, which that thread polls and
/// drops. Any other thread is turned away (`with` returns `None`), so a span
/// or event that reached the collector from elsewhere would be ignored, not
/// raced on.
struct ThreadBound<T> {
    /// `thread_mark()` of the thread that made it.
    owner: usize,
    value: RefCell<T>,
}

thread_local! {
    static MARK: u8 = const { 0 };
}

/// The address of this thread's `MARK`: different for every thread alive.
fn thread_mark() -> usize {
    MARK.with(|mark| std::ptr::from_ref(mark) as usize)
}

impl<T> ThreadBound<T> {
    fn new(value: T) -> ThreadBound<T> {
        ThreadBound { owner: thread_mark(), value: RefCell::new(value) }
    }

    /// Runs `f` on the value, on the owning thread; `None` on any other,
    /// and when called again from inside `f` (a `Debug` text that emitted an
    /// event, say).
    fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        if thread_mark() != self.owner {
            return None;
        }
        let mut value = self.value.try_borrow_mut().ok()?;
        Some(f(&mut value))
    }

    /// `with`, handing `given` to `f`; `given` back when `f` cannot run.
    fn with_value<V, R>(&self, given: V, f: impl FnOnce(&mut T, V) -> R) -> Result<R, V> {
        if thread_mark() != self.owner {
            return Err(given);
        }
        match self.value.try_borrow_mut() {
            Ok(mut value) => Ok(f(&mut value, given)),
            Err(_) => Err(given),
        }
    }
}

// SAFETY: the `RefCell` is only reached through `with` and `with_value`, which return
// without touching it unless the calling thread is the one that made the
// `ThreadBound` (same `MARK` address: two threads alive at once never share
// one). So at most one thread ever uses the cell at a time; the `RefCell`
// itself catches re-entry on that thread. If the owner ends and a later
// thread happens to get the same address, the owner can no longer use the
// cell (no borrow outlives a call into `with`), so that thread has it alone.
// Moving or dropping the value needs `&mut`/ownership, which is exclusive
// already, and `T: Send` makes that sound on another thread.
unsafe impl<T: Send> Sync for ThreadBound<T> {}

/// Span ids (a counter) and callsite addresses are their own hash: the
/// default `SipHash` cost more than the rest of a span's bookkeeping.
type Keys = std::hash::BuildHasherDefault<KeyHasher>;

#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        // Spread into the top bits (hashbrown's control bytes) and the low
        // ones (its bucket index; addresses are aligned).
        let spread = self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        spread ^ (spread >> 32)
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 << 8 | u64::from(*byte)).wrapping_mul(0x100_0000_01B3);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = n as u64;
    }
}

/// A span's field values as text, in the order they were recorded (once per
/// callsite).
#[derive(Default)]
struct Fields {
    values: Vec<(&'static str, String)>,
}

impl Fields {
    fn get(&self, name: &str) -> Option<String> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone())
    }
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.values.push((field.name(), value.to_string()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut text = String::new();
        first_line(&mut text, value);
        self.values.push((field.name(), text));
    }
}

/// An event's `message` (once per callsite).
struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            first_line(&mut self.0, value);
        }
    }
}

/// A `call` event's arguments, each formatted into `text`, tidied into
/// `tidy` and copied out.
struct Args<'a> {
    args: &'a mut ArgsBuilder,
    text: &'a mut String,
    tidy: &'a mut String,
}

impl Visit for Args<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        // As given, not quoted (only `debug(…)` values are formatted).
        let name = field.name();
        if name != "message" {
            self.tidy.clear();
            tidy_into(value, self.tidy);
            self.args.push(name.trim_end_matches('_'), self.tidy);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let name = field.name();
        if name == "message" {
            return;
        }
        let name = name.trim_end_matches('_');
        if first_line(self.text, value) {
            // `#3`: nothing for `tidy` to do.
            self.args.push(name, self.text);
            return;
        }
        self.tidy.clear();
        tidy_into(self.text, self.tidy);
        self.args.push(name, self.tidy);
    }
}

/// A `return` event's `result`, formatted into `text` (left as it is without one).
struct ResultText<'a> {
    text: &'a mut String,
}

impl Visit for ResultText<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "result" {
            self.text.clear();
            self.text.push_str(value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "result" {
            first_line(self.text, value);
        }
    }
}

/// Writes `value`'s `Debug` text into `text` (replacing what was there): its
/// first line, up to `MAX_VALUE_TEXT` bytes. True when the value was a
/// resource handle, written as `tidy` would write it (`#3`).
pub(crate) fn first_line(text: &mut String, value: &dyn std::fmt::Debug) -> bool {
    text.clear();
    // A host error's `Debug` goes on with a backtrace when one was
    // captured (`RUST_BACKTRACE=1`); resolving it takes tens of
    // milliseconds. The first line is the message: stop writing there.
    let mut writer = FirstLine { text, probe: 0 };
    let cut = write!(writer, "{value:?}").is_err();
    if cut && writer.probe == HANDLE_DONE {
        // `#3` already.
        return true;
    }
    // The value ended while its pieces looked like a handle's: put them back.
    match writer.probe {
        HANDLE_OFF => {}
        HANDLE_NUMBER => text.replace_range(..1, HANDLE_PREFIX),
        held => {
            for piece in &HANDLE_PIECES[..usize::from(held)] {
                text.push_str(piece);
            }
        }
    }
    if cut {
        // Close what the cut left open: `Err(access-denied (error 1)`.
        let open = text.matches('(').count().saturating_sub(text.matches(')').count());
        for _ in 0..open {
            text.push(')');
        }
    }
    false
}

/// A `fmt::Write` that takes the first line, up to `MAX_VALUE_TEXT` bytes,
/// and then makes the formatting stop.
///
/// It also stops a resource handle's `Debug` (most arguments: the stream, the
/// descriptor) once its number is out, and leaves `#3` for
/// `Resource { rep: 3, state: "borrow" }` (what `tidy` would make of it):
/// `probe` counts the pieces of `HANDLE_PIECES` seen so far, in the order
/// `debug_struct` writes them, and becomes `HANDLE_OFF` at the first other
/// piece, after which the text is taken as it comes. The pieces are held
/// back while they match (the text stays empty, then holds `#3`), and put
/// back when they turn out not to be a handle.
struct FirstLine<'a> {
    text: &'a mut String,
    probe: u8,
}

/// How `debug_struct` writes a handle up to its number.
const HANDLE_PIECES: [&str; 4] = ["Resource", " { ", "rep", ": "];
/// `HANDLE_PIECES`, joined.
const HANDLE_PREFIX: &str = "Resource { rep: ";
/// The number has been written (as `#3`).
const HANDLE_NUMBER: u8 = HANDLE_PIECES.len() as u8 + 1;
/// `#` and the number are in the text; formatting was stopped.
const HANDLE_DONE: u8 = HANDLE_NUMBER + 1;
/// Not a handle.
const HANDLE_OFF: u8 = u8::MAX;

/// What `FirstLine::probe` made of a piece.
enum Probe {
    /// Part of a handle, held back.
    Held,
    /// The handle is complete: stop formatting.
    Done,
    /// Not a handle (what was held back is in the text again): take the piece.
    Off,
}

impl FirstLine<'_> {
    /// Follows a handle's pieces.
    fn probe(&mut self, s: &str) -> Probe {
        let at = usize::from(self.probe);
        if at < HANDLE_PIECES.len() {
            if s == HANDLE_PIECES[at] {
                self.probe += 1;
                return Probe::Held;
            }
            for piece in &HANDLE_PIECES[..at] {
                self.text.push_str(piece);
            }
        } else if at == HANDLE_PIECES.len() {
            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
                self.text.push('#');
                self.text.push_str(s);
                self.probe = HANDLE_NUMBER;
                return Probe::Held;
            }
            self.text.push_str(HANDLE_PREFIX);
        } else if self.probe == HANDLE_NUMBER {
            // The next field, or the end of the struct.
            if s == ", " || s == " }" {
                self.probe = HANDLE_DONE;
                return Probe::Done;
            }
            self.text.replace_range(..1, HANDLE_PREFIX);
        }
        self.probe = HANDLE_OFF;
        Probe::Off
    }
}

/// Longest argument or result text kept per call.
const MAX_VALUE_TEXT: usize = 4096;

impl std::fmt::Write for FirstLine<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.probe != HANDLE_OFF {
            match self.probe(s) {
                Probe::Held => return Ok(()),
                Probe::Done => return Err(std::fmt::Error),
                Probe::Off => {}
            }
        }
        // Most pieces: short, no line break and room for all of it.
        if self.text.len() + s.len() <= MAX_VALUE_TEXT && !s.bytes().any(|b| b == b'\n') {
            self.text.push_str(s);
            return Ok(());
        }
        let line = s.split('\n').next().unwrap_or_default();
        let room = MAX_VALUE_TEXT.saturating_sub(self.text.len());
        let mut take = line.len().min(room);
        while !line.is_char_boundary(take) {
            take -= 1;
        }
        self.text.push_str(&line[..take]);
        if take < s.len() { Err(std::fmt::Error) } else { Ok(()) }
    }
}
/// The bindings name an interface by its short name (`types`, `stdout`);
/// the package is put back from the name, and for the three `types`
/// interfaces (filesystem, sockets in 0.3, http) from the function's resource.
/// The version (0.2 or 0.3) is not in the span, so none is shown.
fn qualified_interface(short: &str, function: &str) -> String {
    let package = match short {
        "types" if function.contains("tcp-socket") || function.contains("udp-socket") => "wasi:sockets",
        "types" if function.contains("descriptor") || function.contains("directory-entry") => "wasi:filesystem",
        "types"
            if ["fields", "request", "response", "body", "trailers", "http-error-code"]
                .iter()
                .any(|w| function.contains(w)) =>
        {
            "wasi:http"
        }
        "types" | "preopens" => "wasi:filesystem",
        "streams" | "poll" | "error" => "wasi:io",
        "monotonic-clock" | "wall-clock" | "system-clock" | "timezone" => "wasi:clocks",
        "random" | "insecure" | "insecure-seed" => "wasi:random",
        "network" | "instance-network" | "tcp" | "tcp-create-socket" | "udp" | "udp-create-socket"
        | "ip-name-lookup" => "wasi:sockets",
        "environment" | "exit" | "stdin" | "stdout" | "stderr" | "terminal-input" | "terminal-output"
        | "terminal-stdin" | "terminal-stdout" | "terminal-stderr" | "run" => "wasi:cli",
        "outgoing-handler" | "incoming-handler" | "handler" | "client" => "wasi:http",
        _ => return short.to_string(),
    };
    format!("{package}/{short}")
}

/// `tidy(text)` appended to `out`, without the work where it would change
/// nothing (most text: numbers, `Ok(())`, quoted paths) or where the text is
/// one resource handle (a stream, a descriptor: most arguments).
fn tidy_into(text: &str, out: &mut String) {
    // Every rewrite `tidy` makes starts at one of these.
    // (one scan for their first letters, rather than a search for each).
    if !text.bytes().any(|b| matches!(b, b'R' | b':' | b'I')) {
        out.push_str(text);
        return;
    }
    match lone_handle(text) {
        Some((ok, number)) => {
            out.push_str(if ok { "Ok(#" } else { "#" });
            out.push_str(number);
            if ok {
                out.push(')');
            }
        }
        None => out.push_str(&tidy(text)),
    }
}

/// `tidy_into` as a new string.
#[cfg(test)]
fn tidied(text: &str) -> String {
    let mut out = String::new();
    tidy_into(text, &mut out);
    out
}

/// `Resource { rep: 3, state: "borrow" }`, alone or as `Ok(…)` (which `tidy`
/// makes `#3`, `Ok(#3)`): whether in `Ok`, and the number. `None` for
/// anything else.
fn lone_handle(text: &str) -> Option<(bool, &str)> {
    let (ok, inner) = match text.strip_prefix("Ok(").and_then(|t| t.strip_suffix(')')) {
        Some(inner) => (true, inner),
        None => (false, text),
    };
    let rest = inner.strip_prefix("Resource { rep: ")?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let state = rest[digits..].strip_prefix(", state: \"")?.strip_suffix("\" }")?;
    if digits == 0 || state.contains(['"', '\\']) {
        return None;
    }
    Some((ok, &rest[..digits]))
}

/// Makes `Debug` text shorter where it says nothing: resource handles
/// (`Resource { handle: 3, .. }` style) become `#3`, socket addresses
/// become `127.0.0.1:8080`, enum paths lose their type (`Ipv4`).
fn tidy(text: &str) -> String {
    // Only outside string literals: a path named `Resource(1).txt` stays so.
    let handled = if text.contains("Resource") { handles(text) } else { text.to_string() };
    let mut out = String::with_capacity(handled.len());
    let mut tail: &str = &handled;
    while !tail.is_empty() {
        let (code, literal, after) = match tail.find('"') {
            None => (tail, "", ""),
            Some(open) => {
                let close = string_end(&tail[open + 1..]).map_or(tail.len(), |end| open + 1 + end + 1);
                (&tail[..open], &tail[open..close], &tail[close..])
            }
        };
        out.push_str(&tidy_code(code));
        out.push_str(literal);
        tail = after;
    }
    out
}

/// Where an escaped string's closing quote is, in the text after its opening one.
fn string_end(text: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i),
            _ => {}
        }
    }
    None
}

fn tidy_code(text: &str) -> String {
    let text = transmit_handles(text);
    if !text.contains("::") && !text.contains("Ipv4SocketAddress") {
        return text;
    }
    let text = socket_addresses(&text);
    ["IpAddressFamily::", "IpSocketAddress::", "IpAddress::", "DescriptorType::", "ErrorCode::"]
        .iter()
        .fold(text, |text, prefix| text.replace(prefix, ""))
}

/// WASI 0.3's stream and future ends: `StreamReader { id: TransmitHandle(5) }`
/// → `stream#5`, `FutureReader { id: TransmitHandle(9) }` → `future#9`.
fn transmit_handles(text: &str) -> String {
    let mut out = text.to_string();
    for (kind, short) in [("StreamReader", "stream"), ("FutureReader", "future")] {
        let open = format!("{kind} {{ id: TransmitHandle(");
        while let Some(at) = out.find(&open) {
            let rest = &out[at + open.len()..];
            let Some(close) = rest.find(") }") else { break };
            let number = &rest[..close];
            if !number.chars().all(|c| c.is_ascii_digit()) {
                break;
            }
            out = format!("{}{short}#{number}{}", &out[..at], &rest[close + 3..]);
        }
    }
    out
}

/// `Ipv4SocketAddress { port: 80, address: (127, 0, 0, 1) }` → `127.0.0.1:80`.
fn socket_addresses(text: &str) -> String {
    const OPEN: &str = "Ipv4SocketAddress { port: ";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let after = &rest[at + OPEN.len()..];
        let parsed = after.split_once(", address: (").and_then(|(port, tail)| {
            let (octets, tail) = tail.split_once(") }")?;
            let octets: Vec<&str> = octets.split(", ").collect();
            (octets.len() == 4 && port.parse::<u16>().is_ok()).then(|| (format!("{}:{port}", octets.join(".")), tail))
        });
        match parsed {
            Some((addr, tail)) => {
                out.push_str(&addr);
                rest = tail;
            }
            None => {
                out.push_str(OPEN);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `Resource { rep: 3, state: "borrow" }` (or `Resource(3)`) → `#3`, outside
/// string literals; the braces are matched with literals inside skipped.
fn handles(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        if let Some(literal) = rest.strip_prefix('"') {
            let end = string_end(literal).map_or(rest.len(), |e| e + 2);
            out.push_str(&rest[..end]);
            i += end;
            continue;
        }
        if let Some(after) = rest.strip_prefix("Resource")
            && let Some((inner, used)) = bracketed(after.trim_start())
        {
            let skipped = after.len() - after.trim_start().len();
            let digits = inner.split(|c: char| !c.is_ascii_digit()).find(|part| !part.is_empty()).unwrap_or("?");
            out.push('#');
            out.push_str(digits);
            i += "Resource".len() + skipped + used;
            continue;
        }
        let c = rest.chars().next().unwrap_or_default();
        out.push(c);
        i += c.len_utf8().max(1);
    }
    out
}

/// `{ … }` or `( … )` at the start of `text`: what is inside (string
/// literals removed) and how many bytes the whole took.
fn bracketed(text: &str) -> Option<(String, usize)> {
    let close = match text.chars().next()? {
        '{' => '}',
        '(' => ')',
        _ => return None,
    };
    let mut inner = String::new();
    let mut i = 1;
    while i < text.len() {
        let rest = &text[i..];
        let c = rest.chars().next()?;
        if c == '"' {
            i += string_end(&rest[1..])? + 2;
            continue;
        }
        if c == close {
            return Some((inner, i + 1));
        }
        inner.push(c);
        i += c.len_utf8();
    }
    None
}

/// WASI 0.2 error codes (filesystem and sockets), as the bindings print them
/// and as WIT names them.
const ERROR_CODES: &[(&str, &str)] = &[
    ("AccessDenied", "access-denied"),
    ("Access", "access"),
    ("NotPermitted", "not-permitted"),
    ("ReadOnly", "read-only"),
    ("NoEntry", "no-entry"),
    ("Exist", "exist"),
    ("NotDirectory", "not-directory"),
    ("IsDirectory", "is-directory"),
    ("BadDescriptor", "bad-descriptor"),
    ("Invalid", "invalid"),
    ("InvalidArgument", "invalid-argument"),
    ("InvalidState", "invalid-state"),
    ("Unsupported", "unsupported"),
    ("NotSupported", "not-supported"),
    ("Loop", "loop"),
    ("NameTooLong", "name-too-long"),
    ("NotEmpty", "not-empty"),
    ("CrossDevice", "cross-device"),
    ("ConnectionRefused", "connection-refused"),
    ("ConnectionReset", "connection-reset"),
    ("ConnectionAborted", "connection-aborted"),
    ("RemoteUnreachable", "remote-unreachable"),
    ("AddressInUse", "address-in-use"),
    ("AddressNotBindable", "address-not-bindable"),
    ("Timeout", "timeout"),
    ("WouldBlock", "would-block"),
    ("NameUnresolvable", "name-unresolvable"),
    ("TemporaryResolverFailure", "temporary-resolver-failure"),
    ("PermanentResolverFailure", "permanent-resolver-failure"),
    ("NewSocketLimit", "new-socket-limit"),
    ("ConcurrencyConflict", "concurrency-conflict"),
    ("NotInProgress", "not-in-progress"),
    ("Io", "io"),
    ("Unknown", "unknown"),
];

/// The error code in a failed call's result text (`Err(...)`), as WIT names it.
fn error_code(result: &str) -> Option<&'static str> {
    let inner = result.strip_prefix("Err(")?;
    // The longest name that appears as a whole word wins (`InvalidArgument`
    // over `Invalid`); kebab-case names (an error's Display) count too.
    let is_word = |at: usize, len: usize| {
        let before = inner[..at].chars().next_back();
        let after = inner[at + len..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '-')
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '-')
    };
    let mut best: Option<(&str, usize)> = None;
    for (camel, kebab) in ERROR_CODES {
        for name in [*camel, *kebab] {
            let found = inner.match_indices(name).any(|(at, _)| is_word(at, name.len()));
            if found && best.is_none_or(|(_, len)| name.len() > len) {
                best = Some((kebab, name.len()));
            }
        }
    }
    Some(best.map_or("error", |(kebab, _)| kebab))
}

/// Decides which failed host calls were refusals of a capability, and says
/// why in one line.
pub(crate) struct Judge {
    mounts: Vec<(String, bool)>,
    clocks: ClockPolicy,
    network: Arc<NetworkGuard>,
}

impl Judge {
    pub(crate) fn new(profile: &SandboxProfile, network: Arc<NetworkGuard>) -> Judge {
        Judge {
            mounts: profile.mounts.iter().map(|m| (m.guest.clone(), m.read_only)).collect(),
            clocks: profile.clocks,
            network,
        }
    }

    /// Every reading of the clocks is refused (`classify` marks it).
    pub(crate) fn clocks_denied(&self) -> bool {
        matches!(self.clocks, ClockPolicy::Denied)
    }

    pub(crate) fn classify(&self, call: &HostCall) -> Option<Denial> {
        let interface = &*call.interface;
        if interface.starts_with("wasi:clocks/")
            && matches!(self.clocks, ClockPolicy::Denied)
            && call.function.as_ref() == "now"
        {
            return Some(Denial::new(DenialKind::ClockDenied { guest: Guest::Component }));
        }
        let error = call.error.as_deref()?;
        if interface.starts_with("wasi:sockets/") {
            let kind = match error {
                // The address check refused an address (and said why), or
                // the network is off; an `access-denied` from the host's own
                // network stack (a privileged port, say) is not the sandbox.
                "access-denied" => match self.network.take_refusal() {
                    Some(reason) => reason,
                    None if !self.network.sockets_allowed() => self.network.why_denied(),
                    None => return None,
                },
                "permanent-resolver-failure" if !self.network.dns_allowed() => {
                    let host = call.args.get("name").map(str::to_string);
                    DenialKind::DnsOff { host, network_off: !self.network.sockets_allowed() }
                }
                _ => return None,
            };
            return Some(Denial::new(kind));
        }
        if interface == "wasi:filesystem/types" && matches!(error, "not-permitted" | "access" | "read-only") {
            return self.filesystem_refusal(call).map(Denial::new);
        }
        None
    }

    /// Why a refused filesystem call was the sandbox; `None` when nothing
    /// in the call says so (the host's own permissions refused it, say).
    fn filesystem_refusal(&self, call: &HostCall) -> Option<DenialKind> {
        let path = call.args.get("path").map(|v| v.trim_matches('"').to_string());
        let wants_write = call.args.iter().any(|(n, v)| {
            (n == "flags" || n == "open_flags")
                && (v.contains("WRITE") || v.contains("CREATE") || v.contains("TRUNCATE"))
        }) || matches!(
            call.short_name(),
            "descriptor.write"
                | "descriptor.write-via-stream"
                | "descriptor.append-via-stream"
                | "descriptor.set-size"
                | "descriptor.create-directory-at"
                | "descriptor.remove-directory-at"
                | "descriptor.unlink-file-at"
                | "descriptor.rename-at"
                | "descriptor.symlink-at"
                | "descriptor.link-at"
                | "descriptor.set-times"
                | "descriptor.set-times-at"
        );
        let read_only: Vec<String> = self.mounts.iter().filter(|(_, ro)| *ro).map(|(g, _)| g.clone()).collect();
        Some(match path {
            Some(path) if path.starts_with('/') => DenialKind::AbsolutePath { path, guest: Guest::Component },
            Some(path) if path.split('/').any(|part| part == "..") => {
                DenialKind::EscapeByDotDot { path, within: Within::SomeMount }
            }
            // Which mount the descriptor belongs to is not in the call; say
            // which mounts are read-only.
            _ if wants_write && !read_only.is_empty() => DenialKind::ReadOnlyMounts { mounts: read_only },
            _ => return None,
        })
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_handles_are_shortened() {
        assert_eq!(tidy("Ok(Resource { handle: 3, .. })"), "Ok(#3)");
        assert_eq!(tidy("Ok(Resource { rep: 0, state: \"own (not in table)\" })"), "Ok(#0)");
        assert_eq!(tidy("Ok(DescriptorType::Directory)"), "Ok(Directory)");
        assert_eq!(tidy("Resource(12)"), "#12");
        assert_eq!(tidy("\"no resources here\""), "\"no resources here\"");
        for text in ["Ok(Resource { handle: 3, .. })", "Ok(DescriptorType::Directory)", "Ok(())", "12345", "\"a.txt\""]
        {
            assert_eq!(&*tidied(text), tidy(text), "{text}");
        }
        assert_eq!(tidy("path=\"Resource(1).txt\", fd=Resource(4)"), "path=\"Resource(1).txt\", fd=#4");
        assert_eq!(tidy("\"say \\\"Resource(2)\\\"\" Resource(5)"), "\"say \\\"Resource(2)\\\"\" #5");
        assert_eq!(
            tidy("IpSocketAddress::Ipv4(Ipv4SocketAddress { port: 40211, address: (127, 0, 0, 1) })"),
            "Ipv4(127.0.0.1:40211)"
        );
    }

    /// `Debug` as wasmtime prints a resource handle.
    struct Handle(u32);

    impl std::fmt::Debug for Handle {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("Resource").field("rep", &self.0).field("state", &"borrow").finish()
        }
    }

    /// A host error with a backtrace after its first line.
    struct Failure;

    impl std::fmt::Debug for Failure {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("ErrorCode::Io\n\nStack backtrace:\n   0: somewhere")
        }
    }

    fn collector() -> (tracing::Dispatch, Arc<CallLog>) {
        let profile = SandboxProfile::default();
        let network = Arc::new(NetworkGuard::new(&profile.network, profile.dns).unwrap());
        let log = Arc::new(CallLog::default());
        let collector = Collector::new(Instant::now(), Arc::clone(&log), Judge::new(&profile, network));
        (tracing::Dispatch::new(collector), log)
    }

    fn drained(log: &CallLog) -> Vec<HostCall> {
        let mut calls = Vec::new();
        log.drain_each(|call| calls.push(call));
        calls
    }

    /// A host function's span: one callsite per function, as in the bindings.
    macro_rules! host_span {
        ($function:literal) => {
            tracing::span!(tracing::Level::TRACE, "wit-bindgen import", module = "streams", function = $function)
        };
    }

    /// What the bindings do for one host function, as `bindgen!` writes it.
    fn host_call(span: tracing::Span, returns: bool) {
        let _entered = span.enter();
        tracing::event!(
            target: "wasmtime_wasi::test",
            tracing::Level::TRACE,
            self_ = tracing::field::debug(&Handle(7)),
            contents = tracing::field::debug("..."),
            "call"
        );
        if returns {
            let result: Result<u64, Failure> = Err(Failure);
            tracing::event!(target: "wasmtime_wasi::test", tracing::Level::TRACE, result = tracing::field::debug(&result), "return");
        }
    }

    #[test]
    fn collector_records_calls_in_order_with_their_text() {
        let (dispatch, log) = collector();
        tracing::dispatcher::with_default(&dispatch, || {
            for _ in 0..3 {
                host_call(host_span!("[method]output-stream.blocking-write-and-flush"), true);
            }
            // Stopped inside the call: logged when its span closes.
            host_call(host_span!("[method]output-stream.blocking-flush"), false);
        });
        let calls = drained(&log);
        assert_eq!(calls.len(), 4);
        for call in &calls[..3] {
            assert_eq!(&*call.interface, "wasi:io/streams");
            assert_eq!(&*call.function, "[method]output-stream.blocking-write-and-flush");
            let args: Vec<(&str, &str)> = call.args.iter().collect();
            assert_eq!(args, [("self", "#7"), ("contents", "\"...\"")]);
            assert_eq!(&*call.result, "Err(Io)");
            assert_eq!(call.error.as_deref(), Some("io"));
        }
        assert_eq!(&*calls[3].function, "[method]output-stream.blocking-flush");
        assert_eq!(&*calls[3].result, "");
        assert!(calls.windows(2).all(|w| w[0].start_ns <= w[1].start_ns));
        // The interface and function names are made once per callsite.
        assert!(std::ptr::eq(calls[0].function.as_str(), calls[2].function.as_str()));
    }

    #[test]
    fn collector_ignores_other_threads() {
        let (dispatch, log) = collector();
        std::thread::scope(|scope| {
            scope.spawn(|| {
                tracing::dispatcher::with_default(&dispatch, || {
                    host_call(host_span!("[method]output-stream.flush"), true)
                });
            });
        });
        assert!(drained(&log).is_empty());
        tracing::dispatcher::with_default(&dispatch, || host_call(host_span!("[method]output-stream.flush"), true));
        assert_eq!(drained(&log).len(), 1);
    }

    #[test]
    fn handles_are_cut_short_as_tidy_would_shorten_them() {
        let text = |value: &dyn std::fmt::Debug| {
            let mut text = String::new();
            first_line(&mut text, value);
            text
        };
        assert_eq!(text(&Handle(42)), "#42");
        assert_eq!(tidy(&format!("{:?}", Handle(42))), "#42");
        // Not handles: taken whole.
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Resource {
            rep: &'static str,
        }
        assert_eq!(text(&Resource { rep: "x" }), "Resource { rep: \"x\" }");
        // Held back while they looked like a handle's pieces, then put back.
        mod unit {
            #[derive(Debug)]
            pub struct Resource;
        }
        mod other {
            #[derive(Debug)]
            #[allow(dead_code)]
            pub struct Resource {
                pub repx: u32,
            }
        }
        mod tuple {
            #[derive(Debug)]
            #[allow(dead_code)]
            pub struct Resource(pub u32);
        }
        assert_eq!(text(&unit::Resource), "Resource");
        assert_eq!(text(&other::Resource { repx: 1 }), "Resource { repx: 1 }");
        assert_eq!(text(&tuple::Resource(2)), "Resource(2)");
        struct NumberThenMore;
        impl std::fmt::Debug for NumberThenMore {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                for piece in ["Resource", " { ", "rep", ": ", "3", "!"] {
                    f.write_str(piece)?;
                }
                Ok(())
            }
        }
        assert_eq!(text(&NumberThenMore), "Resource { rep: 3!");
        assert_eq!(text(&Some(Handle(5))), "Some(Resource { rep: 5, state: \"borrow\" })");
        assert_eq!(text(&Ok::<u32, ()>(7)), "Ok(7)");
        assert_eq!(text(&"Resource { rep: 3 }"), "\"Resource { rep: 3 }\"");
    }

    #[test]
    fn lone_handles_tidy_as_tidy_does() {
        for text in [
            "Resource { rep: 3, state: \"borrow\" }",
            "Ok(Resource { rep: 12, state: \"own (not in table)\" })",
            "Ok(Resource { rep: 0, state: \"own\" })",
        ] {
            assert!(lone_handle(text).is_some(), "{text}");
            assert_eq!(&*tidied(text), tidy(text), "{text}");
        }
        for text in ["Resource { rep: , state: \"own\" }", "Err(Resource { rep: 1, state: \"own\" })", "Resource(4)"] {
            assert!(lone_handle(text).is_none(), "{text}");
        }
    }

    #[test]
    fn stream_and_future_ends_read_as_their_handles() {
        assert_eq!(
            tidy("Ok((StreamReader { id: TransmitHandle(13) }, FutureReader { id: TransmitHandle(16) }))"),
            "Ok((stream#13, future#16))"
        );
        assert_eq!(tidy("StreamReader { id: TransmitHandle(5) }"), "stream#5");
    }

    #[test]
    fn error_codes_are_found_by_whole_name() {
        assert_eq!(error_code("Err(ErrorCode::InvalidArgument)"), Some("invalid-argument"));
        assert_eq!(error_code("Err(access-denied)"), Some("access-denied"));
        assert_eq!(error_code("Err(NotPermitted)"), Some("not-permitted"));
        assert_eq!(error_code("Err(something new)"), Some("error"));
        assert_eq!(error_code("Ok(())"), None);
    }

    #[test]
    fn interfaces_get_their_package_back() {
        assert_eq!(qualified_interface("types", "[method]descriptor.open-at"), "wasi:filesystem/types");
        assert_eq!(qualified_interface("types", "filesystem-error-code"), "wasi:filesystem/types");
        assert_eq!(qualified_interface("types", "[method]tcp-socket.connect"), "wasi:sockets/types");
        assert_eq!(qualified_interface("types", "[method]outgoing-request.set-path-with-query"), "wasi:http/types");
        assert_eq!(qualified_interface("types", "[constructor]fields"), "wasi:http/types");
        assert_eq!(qualified_interface("tcp", "[method]tcp-socket.start-connect"), "wasi:sockets/tcp");
        assert_eq!(qualified_interface("environment", "get-environment"), "wasi:cli/environment");
        assert_eq!(qualified_interface("system-clock", "now"), "wasi:clocks/system-clock");
        assert_eq!(qualified_interface("outgoing-handler", "handle"), "wasi:http/outgoing-handler");
        assert_eq!(qualified_interface("custom", "f"), "custom");
    }
}
