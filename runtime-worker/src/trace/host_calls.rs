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
//! without them (`Tracer::host_call`): a write to stdout or stderr gets the
//! length and first bytes of the output that came with it; the arguments, the
//! environment's variable names (never values) and the preopens come from the
//! profile. Data read, and data written to files, stays elided.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};

use crate::boundary::denial::{Denial, DenialKind, Guest, Within};
use crate::boundary::event::HostCall;
use crate::boundary::profile::{ClockPolicy, SandboxProfile};
use crate::sandbox::network::NetworkGuard;

/// The span every generated host function opens.
const SPAN_NAME: &str = "wit-bindgen import";

/// Calls that have returned, waiting to be moved into the run's tracer.
#[derive(Default)]
pub(crate) struct CallLog {
    done: Mutex<Vec<HostCall>>,
}

impl CallLog {
    pub(crate) fn push(&self, call: HostCall) {
        lock(&self.done).push(call);
    }

    pub(crate) fn take(&self) -> Vec<HostCall> {
        std::mem::take(&mut *lock(&self.done))
    }
}

/// The subscriber: one per component run, installed on its worker thread.
pub(crate) struct Collector {
    origin: Instant,
    log: Arc<CallLog>,
    state: Mutex<State>,
    judge: Judge,
}

#[derive(Default)]
struct State {
    /// Each host function's interface and function names, by its span's
    /// callsite (the bindings give them as constants, one callsite per
    /// function): made once, then shared by every call.
    names: HashMap<usize, (Arc<str>, Arc<str>), Keys>,
    next_id: u64,
    spans: HashMap<u64, OpenSpan, Keys>,
    /// Entered spans, innermost last.
    stack: Vec<u64>,
}

struct OpenSpan {
    refs: usize,
    /// `None` for spans that are not host calls (wasmtime's own).
    call: Option<OpenCall>,
}

struct OpenCall {
    interface: Arc<str>,
    function: Arc<str>,
    start_ns: Option<u64>,
    args: Vec<(Box<str>, Box<str>)>,
    returned: bool,
}

impl Collector {
    pub(crate) fn new(origin: Instant, log: Arc<CallLog>, judge: Judge) -> Collector {
        Collector { origin, log, state: Mutex::new(State::default()), judge }
    }

    fn now_ns(&self) -> u64 {
        self.origin.elapsed().as_nanos() as u64
    }

    fn finish(&self, call: OpenCall, result: String) {
        let now = self.now_ns();
        let start_ns = call.start_ns.unwrap_or(now);
        // `exit` ends the run by returning an error to wasmtime, not to the guest.
        let result = match result.strip_prefix("Err(Exited with i32 exit status ") {
            Some(code) => format!("exited with status {}", code.trim_end_matches(')')),
            None => result,
        };
        let error = error_code(&result);
        let mut host_call = HostCall {
            seq: 0,
            interface: call.interface,
            function: call.function,
            start_ns,
            dur_ns: now.saturating_sub(start_ns),
            args: call.args,
            result: result.into(),
            error: error.map(Box::from),
            denial: None,
            part: None,
            callee: None,
        };
        host_call.denial = self.judge.classify(&host_call).map(Box::new);
        lock(&self.log.done).push(host_call);
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
        let metadata = span.metadata();
        let mut state = lock(&self.state);
        let call = (metadata.name() == SPAN_NAME).then(|| {
            let callsite = std::ptr::from_ref(metadata) as usize;
            let (interface, function) = state
                .names
                .entry(callsite)
                .or_insert_with(|| {
                    let mut fields = Fields::default();
                    span.record(&mut fields);
                    let module = fields.get("module").unwrap_or_default();
                    let function = fields.get("function").unwrap_or_default();
                    (Arc::from(qualified_interface(&module, &function)), Arc::from(function))
                })
                .clone();
            OpenCall { interface, function, start_ns: None, args: Vec::new(), returned: false }
        });
        state.next_id += 1;
        let id = state.next_id;
        state.spans.insert(id, OpenSpan { refs: 1, call });
        Id::from_u64(id)
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let mut state = lock(&self.state);
        let id = match event.parent() {
            Some(parent) => parent.into_u64(),
            None if event.is_contextual() => match state.stack.last() {
                Some(id) => *id,
                None => return,
            },
            None => return,
        };
        let now = self.now_ns();
        let Some(call) = state.spans.get_mut(&id).and_then(|s| s.call.as_mut()) else { return };
        let message = fields.values.iter().find(|(n, _)| *n == "message").map(|(_, v)| v.as_str());
        let (is_call, is_return) = (message == Some("call"), message == Some("return"));
        if is_call {
            call.start_ns.get_or_insert(now);
            call.args = fields
                .values
                .into_iter()
                .filter(|(name, _)| *name != "message")
                .map(|(name, value)| (Box::from(name.trim_end_matches('_')), tidied(value).into()))
                .collect();
        } else if is_return && !call.returned {
            call.returned = true;
            let result = fields.take("result").map(tidied).unwrap_or_default();
            let snapshot = OpenCall {
                interface: Arc::clone(&call.interface),
                function: Arc::clone(&call.function),
                start_ns: call.start_ns,
                args: std::mem::take(&mut call.args),
                returned: true,
            };
            drop(state);
            self.finish(snapshot, result);
        }
    }

    fn enter(&self, span: &Id) {
        let now = self.now_ns();
        let mut state = lock(&self.state);
        let id = span.into_u64();
        if let Some(call) = state.spans.get_mut(&id).and_then(|s| s.call.as_mut()) {
            call.start_ns.get_or_insert(now);
        }
        state.stack.push(id);
    }

    fn exit(&self, span: &Id) {
        let mut state = lock(&self.state);
        let id = span.into_u64();
        if let Some(at) = state.stack.iter().rposition(|s| *s == id) {
            state.stack.remove(at);
        }
    }

    fn clone_span(&self, span: &Id) -> Id {
        if let Some(open) = lock(&self.state).spans.get_mut(&span.into_u64()) {
            open.refs += 1;
        }
        span.clone()
    }

    fn try_close(&self, span: Id) -> bool {
        let mut state = lock(&self.state);
        let id = span.into_u64();
        let Some(open) = state.spans.get_mut(&id) else { return false };
        open.refs = open.refs.saturating_sub(1);
        if open.refs > 0 {
            return false;
        }
        let closed = state.spans.remove(&id);
        drop(state);
        // A call whose future was dropped before it returned: the run ended
        // (Stop, timeout) while the guest waited in it.
        if let Some(call) = closed.and_then(|s| s.call)
            && !call.returned
            && call.start_ns.is_some()
        {
            self.finish(call, String::new());
        }
        true
    }
}

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

/// Field values as text, in the order they were recorded.
#[derive(Default)]
struct Fields {
    values: Vec<(&'static str, String)>,
}

impl Fields {
    fn get(&self, name: &str) -> Option<String> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone())
    }

    fn take(&mut self, name: &str) -> Option<String> {
        self.values.iter_mut().find(|(n, _)| *n == name).map(|(_, v)| std::mem::take(v))
    }
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.values.push((field.name(), value.to_string()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        // A host error's `Debug` goes on with a backtrace when one was
        // captured (`RUST_BACKTRACE=1`); resolving it takes tens of
        // milliseconds. The first line is the message: stop writing there.
        let mut text = FirstLine(String::with_capacity(16));
        let cut = write!(text, "{value:?}").is_err();
        let mut text = text.0;
        if cut {
            // Close what the cut left open: `Err(access-denied (error 1)`.
            let open = text.matches('(').count().saturating_sub(text.matches(')').count());
            text.push_str(&")".repeat(open));
        }
        self.values.push((field.name(), text));
    }
}

/// A `fmt::Write` that takes the first line, up to `MAX_VALUE_TEXT` bytes,
/// and then makes the formatting stop.
struct FirstLine(String);

/// Longest argument or result text kept per call.
const MAX_VALUE_TEXT: usize = 4096;

impl std::fmt::Write for FirstLine {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        // Most pieces: no line break and room for all of it.
        if self.0.len() + s.len() <= MAX_VALUE_TEXT && !s.as_bytes().contains(&b'\n') {
            self.0.push_str(s);
            return Ok(());
        }
        let line = s.split('\n').next().unwrap_or_default();
        let room = MAX_VALUE_TEXT.saturating_sub(self.0.len());
        let mut take = line.len().min(room);
        while !line.is_char_boundary(take) {
            take -= 1;
        }
        self.0.push_str(&line[..take]);
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

/// `tidy`, without copying text it would not change (most of it: numbers,
/// `Ok(())`, quoted paths).
fn tidied(text: String) -> String {
    // Every rewrite `tidy` makes starts at one of these.
    // (one scan for their first letters, rather than a search for each).
    if text.contains(['R', ':', 'I']) { tidy(&text) } else { text }
}

/// Makes `Debug` text shorter where it says nothing: resource handles
/// (`Resource { handle: 3, .. }` style) become `#3`, socket addresses
/// become `127.0.0.1:8080`, enum paths lose their type (`Ipv4`).
fn tidy(text: &str) -> String {
    // Only outside string literals: a path named `Resource(1).txt` stays so.
    let handled = handles(text);
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
    let text = socket_addresses(text);
    ["IpAddressFamily::", "IpSocketAddress::", "IpAddress::", "DescriptorType::", "ErrorCode::"]
        .iter()
        .fold(text, |text, prefix| text.replace(prefix, ""))
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

    fn classify(&self, call: &HostCall) -> Option<Denial> {
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
                    let host = call.args.iter().find(|(n, _)| &**n == "name").map(|(_, v)| v.to_string());
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
        let path = call.args.iter().find(|(n, _)| &**n == "path").map(|(_, v)| v.trim_matches('"').to_string());
        let wants_write = call.args.iter().any(|(n, v)| {
            (&**n == "flags" || &**n == "open_flags")
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
            assert_eq!(tidied(text.to_string()), tidy(text), "{text}");
        }
        assert_eq!(tidy("path=\"Resource(1).txt\", fd=Resource(4)"), "path=\"Resource(1).txt\", fd=#4");
        assert_eq!(tidy("\"say \\\"Resource(2)\\\"\" Resource(5)"), "\"say \\\"Resource(2)\\\"\" #5");
        assert_eq!(
            tidy("IpSocketAddress::Ipv4(Ipv4SocketAddress { port: 40211, address: (127, 0, 0, 1) })"),
            "Ipv4(127.0.0.1:40211)"
        );
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
