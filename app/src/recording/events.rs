//! A run's `WorkerEvent`s as frames of bytes, and back (the layout is in
//! `recording/mod.rs`'s documentation).
//!
//! Text that repeats from call to call — preview1 function names, what a
//! descriptor names, a component's interfaces, functions, argument names,
//! error codes and parts — is written once, as a string frame, and named by
//! its number after that. Numbers are varints; a call's sequence number and
//! start time are written as the difference from the call before, so a
//! typical `fd_write` takes about 30 bytes.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use runtime_worker::boundary::call_text::CallArgs;
use runtime_worker::wasi::abi::{Errno, WasiFunc};
use runtime_worker::{
    Abrupt, CallEvent, Denial, DenialKind, Frame, Guest, HostCall, HttpResponse, MemoryChange, MemoryEvent,
    NetworkRule, Phase, PhaseTiming, Preview, RunOutcome, SocketUse, SourceLocation, Stream, TrapInfo, TrapKind, Value,
    Within, WorkerEvent,
};

use super::wire::{Cursor, WireResult, invalid, put_bytes, put_i64, put_opt_str, put_opt_u64, put_str, put_u64};

/// Frame tags. A frame is its tag, its payload's length (varint), the payload.
pub mod tag {
    /// A piece of text for the table; it is numbered in order, from 0.
    pub const STRING: u8 = 1;
    pub const COMPILE_PROGRESS: u8 = 2;
    pub const PHASE: u8 = 3;
    pub const CALL: u8 = 4;
    pub const HOST_CALL: u8 = 5;
    pub const MEMORY: u8 = 6;
    pub const OUTPUT: u8 = 7;
    pub const OUTPUT_DROPPED: u8 = 8;
    pub const FINISHED: u8 = 9;
    /// The recording is complete; the payload is the number of events.
    pub const END: u8 = 0xff;
}

/// Appends a frame: tag, length, payload.
pub fn put_frame(out: &mut Vec<u8>, tag: u8, payload: &[u8]) {
    out.push(tag);
    put_bytes(out, payload);
}

/// Turns events into frames; keeps the text table and the last call's
/// numbers between events of one run.
#[derive(Default)]
pub struct EventEncoder {
    /// Invariant: every text here was written as a `tag::STRING` frame, and
    /// its number is its place among them.
    strings: HashMap<Box<str>, u64>,
    /// A preview1 function's number in the table, by `WasiFunc as u8`,
    /// plus one (0: not written yet); saves hashing its name per call.
    funcs: Vec<u64>,
    last_seq: u64,
    last_start_ns: u64,
    payload: Vec<u8>,
}

impl EventEncoder {
    /// Appends `event`'s frame to `out`, preceded by frames for any text it
    /// names that the table does not hold yet.
    pub fn encode(&mut self, event: &WorkerEvent, out: &mut Vec<u8>) {
        let mut payload = std::mem::take(&mut self.payload);
        payload.clear();
        let tag = match event {
            WorkerEvent::CompileProgress { done, total } => {
                put_u64(&mut payload, u64::from(*done));
                put_u64(&mut payload, u64::from(*total));
                tag::COMPILE_PROGRESS
            }
            WorkerEvent::Phase(timing) => {
                payload.push(phase_code(timing.phase));
                put_u64(&mut payload, timing.nanos);
                payload.push(u8::from(timing.cached));
                tag::PHASE
            }
            WorkerEvent::Call(call) => {
                self.call(call, &mut payload, out);
                tag::CALL
            }
            WorkerEvent::HostCall(call) => {
                self.host_call(call, &mut payload, out);
                tag::HOST_CALL
            }
            WorkerEvent::Memory(memory) => {
                put_memory(&mut payload, memory);
                tag::MEMORY
            }
            WorkerEvent::Output { stream, bytes } => {
                payload.push(stream_code(*stream));
                payload.extend_from_slice(bytes);
                tag::OUTPUT
            }
            WorkerEvent::OutputDropped { stream, total } => {
                payload.push(stream_code(*stream));
                put_u64(&mut payload, *total);
                tag::OUTPUT_DROPPED
            }
            WorkerEvent::Finished(outcome) => {
                put_outcome(&mut payload, outcome);
                tag::FINISHED
            }
        };
        put_frame(out, tag, &payload);
        self.payload = payload;
    }

    /// The text's number in the table; a new text is written to `out` first.
    fn string(&mut self, text: &str, out: &mut Vec<u8>) -> u64 {
        if let Some(&index) = self.strings.get(text) {
            return index;
        }
        let index = self.strings.len() as u64;
        put_frame(out, tag::STRING, text.as_bytes());
        self.strings.insert(text.into(), index);
        index
    }

    fn opt_string(&mut self, text: Option<&str>, out: &mut Vec<u8>) -> u64 {
        text.map_or(0, |text| self.string(text, out) + 1)
    }

    fn func(&mut self, func: WasiFunc, out: &mut Vec<u8>) -> u64 {
        let slot = func as usize;
        if self.funcs.len() <= slot {
            self.funcs.resize(slot + 1, 0);
        }
        if self.funcs[slot] == 0 {
            self.funcs[slot] = self.string(func.name(), out) + 1;
        }
        self.funcs[slot] - 1
    }

    /// Sequence number and start time, as differences from the call before.
    fn position(&mut self, seq: u64, start_ns: u64, payload: &mut Vec<u8>) {
        put_i64(payload, seq.wrapping_sub(self.last_seq.wrapping_add(1)) as i64);
        put_i64(payload, start_ns.wrapping_sub(self.last_start_ns) as i64);
        self.last_seq = seq;
        self.last_start_ns = start_ns;
    }

    fn call(&mut self, call: &CallEvent, payload: &mut Vec<u8>, out: &mut Vec<u8>) {
        let func = self.func(call.func, out);
        put_u64(payload, func);
        self.position(call.seq, call.start_ns, payload);
        put_u64(payload, call.dur_ns);
        // Only as many parameters and results as are not zero at the end.
        let params = call.params.iter().rposition(|&p| p != 0).map_or(0, |i| i + 1);
        let results = call.results.iter().rposition(|&r| r != 0).map_or(0, |i| i + 1);
        payload.push((params as u8) | ((results as u8) << 4));
        for &param in &call.params[..params] {
            put_u64(payload, param);
        }
        for &result in &call.results[..results] {
            put_u64(payload, result);
        }
        put_u64(payload, call.errno.map_or(0, |errno| u64::from(errno.0) + 1));
        match call.abrupt {
            None => payload.push(0),
            Some(Abrupt::Exit(code)) => {
                payload.push(1);
                put_i64(payload, i64::from(code));
            }
            Some(Abrupt::Trap) => payload.push(2),
            Some(Abrupt::Unfinished) => payload.push(3),
        }
        put_u64(payload, call.strings.len() as u64);
        for text in &call.strings {
            put_str(payload, text);
        }
        put_bytes(payload, call.preview.as_bytes());
        for label in &call.fd_labels {
            let index = self.opt_string(label.as_deref(), out);
            put_u64(payload, index);
        }
        put_denial(payload, call.denial.as_deref());
    }

    fn host_call(&mut self, call: &HostCall, payload: &mut Vec<u8>, out: &mut Vec<u8>) {
        let interface = self.string(&call.interface, out);
        let function = self.string(&call.function, out);
        put_u64(payload, interface);
        put_u64(payload, function);
        self.position(call.seq, call.start_ns, payload);
        put_u64(payload, call.dur_ns);
        put_u64(payload, call.args.len() as u64);
        for (name, value) in &call.args {
            let name = self.string(name, out);
            put_u64(payload, name);
            put_str(payload, value);
        }
        put_str(payload, &call.result);
        for text in [call.error.as_deref(), call.part.as_deref(), call.callee.as_deref()] {
            let index = self.opt_string(text, out);
            put_u64(payload, index);
        }
        put_denial(payload, call.denial.as_deref());
    }
}

fn phase_code(phase: Phase) -> u8 {
    match phase {
        Phase::Compile => 0,
        Phase::Instantiate => 1,
        Phase::FirstCall => 2,
        Phase::Total => 3,
    }
}

fn phase_of(code: u8) -> WireResult<Phase> {
    Ok(match code {
        0 => Phase::Compile,
        1 => Phase::Instantiate,
        2 => Phase::FirstCall,
        3 => Phase::Total,
        other => return invalid(format!("{other} is not a phase")),
    })
}

fn stream_code(stream: Stream) -> u8 {
    match stream {
        Stream::Stdout => 1,
        Stream::Stderr => 2,
    }
}

fn stream_of(code: u8) -> WireResult<Stream> {
    match code {
        1 => Ok(Stream::Stdout),
        2 => Ok(Stream::Stderr),
        other => invalid(format!("{other} is not an output stream")),
    }
}

fn put_memory(out: &mut Vec<u8>, memory: &MemoryEvent) {
    put_u64(out, memory.at_ns);
    match memory.change {
        MemoryChange::Initial { bytes, maximum } => {
            out.push(0);
            put_u64(out, bytes);
            put_opt_u64(out, maximum);
        }
        MemoryChange::Grew { from, to } => {
            out.push(1);
            put_u64(out, from);
            put_u64(out, to);
        }
        MemoryChange::Refused { from, requested, cap } => {
            out.push(2);
            put_u64(out, from);
            put_u64(out, requested);
            put_u64(out, cap);
        }
    }
}

fn memory_of(cursor: &mut Cursor) -> WireResult<MemoryEvent> {
    let at_ns = cursor.u64()?;
    let change = match cursor.u8()? {
        0 => MemoryChange::Initial { bytes: cursor.u64()?, maximum: cursor.opt_u64()? },
        1 => MemoryChange::Grew { from: cursor.u64()?, to: cursor.u64()? },
        2 => MemoryChange::Refused { from: cursor.u64()?, requested: cursor.u64()?, cap: cursor.u64()? },
        other => return invalid(format!("{other} is not a memory change")),
    };
    Ok(MemoryEvent { at_ns, change })
}

fn put_denial(out: &mut Vec<u8>, denial: Option<&Denial>) {
    match denial {
        None => out.push(0),
        Some(denial) => {
            out.push(1);
            put_denial_kind(out, &denial.kind);
            // The sentence as it was: a newer wording must not change an old run.
            put_str(out, &denial.reason);
        }
    }
}

/// A refusal nests at most this deep (an HTTP request's cause).
const DENIAL_DEPTH: usize = 4;

fn denial_of(cursor: &mut Cursor) -> WireResult<Option<Box<Denial>>> {
    if !cursor.bool()? {
        return Ok(None);
    }
    let kind = denial_kind_of(cursor, DENIAL_DEPTH)?;
    let reason = cursor.string()?;
    Ok(Some(Box::new(Denial { capability: kind.capability(), kind, reason })))
}

fn put_within(out: &mut Vec<u8>, within: &Within) {
    match within {
        Within::Mount(guest) => {
            out.push(0);
            put_str(out, guest);
        }
        Within::Dir(guest) => {
            out.push(1);
            put_str(out, guest);
        }
        Within::UnknownDir => out.push(2),
        Within::SomeMount => out.push(3),
    }
}

fn within_of(cursor: &mut Cursor) -> WireResult<Within> {
    Ok(match cursor.u8()? {
        0 => Within::Mount(cursor.string()?),
        1 => Within::Dir(cursor.string()?),
        2 => Within::UnknownDir,
        3 => Within::SomeMount,
        other => return invalid(format!("{other} is not a directory kind")),
    })
}

fn guest_of(cursor: &mut Cursor) -> WireResult<Guest> {
    Ok(if cursor.bool()? { Guest::Component } else { Guest::CoreModule })
}

fn put_strings(out: &mut Vec<u8>, texts: &[String]) {
    put_u64(out, texts.len() as u64);
    for text in texts {
        put_str(out, text);
    }
}

fn strings_of(cursor: &mut Cursor) -> WireResult<Vec<String>> {
    (0..cursor.count()?).map(|_| cursor.string()).collect()
}

fn put_denial_kind(out: &mut Vec<u8>, kind: &DenialKind) {
    match kind {
        DenialKind::EscapeByDotDot { path, within } => {
            out.push(0);
            put_str(out, path);
            put_within(out, within);
        }
        DenialKind::EscapeBySymlink { path, within, link, target } => {
            out.push(1);
            put_str(out, path);
            put_within(out, within);
            put_str(out, link);
            put_str(out, target);
        }
        DenialKind::AbsolutePath { path, guest } => {
            out.push(2);
            put_str(out, path);
            out.push(u8::from(*guest == Guest::Component));
        }
        DenialKind::ReadOnlyMount { mount, needed_by } => {
            out.push(3);
            put_str(out, mount);
            put_opt_str(out, *needed_by);
        }
        DenialKind::ReadOnlyMounts { mounts } => {
            out.push(4);
            put_strings(out, mounts);
        }
        DenialKind::FdNotOpen { fd } => {
            out.push(5);
            put_u64(out, *fd);
        }
        DenialKind::EnvNotGranted { host_vars } => {
            out.push(6);
            put_u64(out, *host_vars as u64);
        }
        DenialKind::ClockDenied { guest } => {
            out.push(7);
            out.push(u8::from(*guest == Guest::Component));
        }
        DenialKind::NoSockets => out.push(8),
        DenialKind::NetworkOff => out.push(9),
        DenialKind::AddressRefused { addr, socket_use, rule } => {
            out.push(10);
            put_str(out, &addr.to_string());
            out.push(match socket_use {
                SocketUse::TcpBind => 0,
                SocketUse::TcpListen => 1,
                SocketUse::TcpConnect => 2,
                SocketUse::UdpBind => 3,
                SocketUse::UdpSend => 4,
            });
            match rule {
                NetworkRule::NetworkOff => out.push(0),
                NetworkRule::LoopbackOnly => out.push(1),
                NetworkRule::EmptyAllowList => out.push(2),
                NetworkRule::NoEntryMatches(entries) => {
                    out.push(3);
                    put_strings(out, entries);
                }
            }
        }
        DenialKind::DnsOff { host, network_off } => {
            out.push(11);
            put_opt_str(out, host.as_deref());
            out.push(u8::from(*network_off));
        }
        DenialKind::HttpRequestRefused { method, url, cause } => {
            out.push(12);
            put_str(out, method);
            put_str(out, url);
            put_denial_kind(out, cause);
        }
    }
}

fn denial_kind_of(cursor: &mut Cursor, depth: usize) -> WireResult<DenialKind> {
    Ok(match cursor.u8()? {
        0 => DenialKind::EscapeByDotDot { path: cursor.string()?, within: within_of(cursor)? },
        1 => DenialKind::EscapeBySymlink {
            path: cursor.string()?,
            within: within_of(cursor)?,
            link: cursor.string()?,
            target: cursor.string()?,
        },
        2 => DenialKind::AbsolutePath { path: cursor.string()?, guest: guest_of(cursor)? },
        3 => {
            let mount = cursor.string()?;
            let needed_by = match cursor.opt_string()? {
                None => None,
                Some(name) => match WasiFunc::from_name(&name) {
                    Some(func) => Some(func.name()),
                    None => return invalid(format!("`{name}` is not a preview1 function")),
                },
            };
            DenialKind::ReadOnlyMount { mount, needed_by }
        }
        4 => DenialKind::ReadOnlyMounts { mounts: strings_of(cursor)? },
        5 => DenialKind::FdNotOpen { fd: cursor.u64()? },
        6 => DenialKind::EnvNotGranted {
            host_vars: usize::try_from(cursor.u64()?).or_else(|_| invalid("too many host variables"))?,
        },
        7 => DenialKind::ClockDenied { guest: guest_of(cursor)? },
        8 => DenialKind::NoSockets,
        9 => DenialKind::NetworkOff,
        10 => {
            let text = cursor.str()?;
            let addr: SocketAddr = text.parse().or_else(|_| invalid(format!("`{text}` is not a socket address")))?;
            let socket_use = match cursor.u8()? {
                0 => SocketUse::TcpBind,
                1 => SocketUse::TcpListen,
                2 => SocketUse::TcpConnect,
                3 => SocketUse::UdpBind,
                4 => SocketUse::UdpSend,
                other => return invalid(format!("{other} is not a socket use")),
            };
            let rule = match cursor.u8()? {
                0 => NetworkRule::NetworkOff,
                1 => NetworkRule::LoopbackOnly,
                2 => NetworkRule::EmptyAllowList,
                3 => NetworkRule::NoEntryMatches(strings_of(cursor)?),
                other => return invalid(format!("{other} is not a network rule")),
            };
            DenialKind::AddressRefused { addr, socket_use, rule }
        }
        11 => DenialKind::DnsOff { host: cursor.opt_string()?, network_off: cursor.bool()? },
        12 if depth > 0 => DenialKind::HttpRequestRefused {
            method: cursor.string()?,
            url: cursor.string()?,
            cause: Box::new(denial_kind_of(cursor, depth - 1)?),
        },
        12 => return invalid("a refusal nests too deep"),
        other => return invalid(format!("{other} is not a kind of refusal")),
    })
}

fn put_outcome(out: &mut Vec<u8>, outcome: &RunOutcome) {
    match outcome {
        RunOutcome::Exited { code } => {
            out.push(0);
            put_i64(out, i64::from(*code));
        }
        RunOutcome::Returned { values } => {
            out.push(1);
            put_u64(out, values.len() as u64);
            for value in values {
                match value {
                    Value::I32(v) => {
                        out.push(0);
                        put_i64(out, i64::from(*v));
                    }
                    Value::I64(v) => {
                        out.push(1);
                        put_i64(out, *v);
                    }
                    Value::F32(v) => {
                        out.push(2);
                        out.extend_from_slice(&v.to_bits().to_le_bytes());
                    }
                    Value::F64(v) => {
                        out.push(3);
                        out.extend_from_slice(&v.to_bits().to_le_bytes());
                    }
                    Value::Wave(text) => {
                        out.push(4);
                        put_str(out, text);
                    }
                }
            }
        }
        RunOutcome::Responded(response) => {
            out.push(2);
            put_u64(out, u64::from(response.status));
            put_u64(out, response.headers.len() as u64);
            for (name, value) in &response.headers {
                put_str(out, name);
                put_str(out, value);
            }
            put_bytes(out, &response.body);
        }
        RunOutcome::Trapped(trap) => {
            out.push(3);
            out.push(match trap.kind {
                TrapKind::Unreachable => 0,
                TrapKind::StackOverflow => 1,
                TrapKind::MemoryOutOfBounds => 2,
                TrapKind::OutOfFuel => 3,
                TrapKind::Host => 4,
                TrapKind::Other => 5,
            });
            put_str(out, &trap.message);
            put_u64(out, trap.backtrace.len() as u64);
            for frame in &trap.backtrace {
                put_u64(out, u64::from(frame.func_index));
                put_opt_str(out, frame.func_name.as_deref());
                put_opt_u64(out, frame.module_offset.map(|offset| offset as u64));
                put_u64(out, frame.source.len() as u64);
                for place in &frame.source {
                    put_opt_str(out, place.function.as_deref());
                    put_opt_str(out, place.file.as_deref());
                    put_opt_u64(out, place.line.map(u64::from));
                    put_opt_u64(out, place.column.map(u64::from));
                }
            }
        }
        RunOutcome::Stopped => out.push(4),
        RunOutcome::TimedOut => out.push(5),
        RunOutcome::Failed { stage, message } => {
            out.push(6);
            out.push(phase_code(*stage));
            put_str(out, message);
        }
    }
}

fn opt_u32_of(cursor: &mut Cursor) -> WireResult<Option<u32>> {
    cursor.opt_u64()?.map(|v| u32::try_from(v).or_else(|_| invalid(format!("{v} does not fit 32 bits")))).transpose()
}

fn outcome_of(cursor: &mut Cursor) -> WireResult<RunOutcome> {
    Ok(match cursor.u8()? {
        0 => RunOutcome::Exited { code: cursor.i32()? },
        1 => {
            let mut values = Vec::new();
            for _ in 0..cursor.count()? {
                values.push(match cursor.u8()? {
                    0 => Value::I32(cursor.i32()?),
                    1 => Value::I64(cursor.i64()?),
                    2 => Value::F32(f32::from_bits(u32::from_le_bytes(cursor.array()?))),
                    3 => Value::F64(f64::from_bits(u64::from_le_bytes(cursor.array()?))),
                    4 => Value::Wave(cursor.string()?),
                    other => return invalid(format!("{other} is not a kind of value")),
                });
            }
            RunOutcome::Returned { values }
        }
        2 => {
            let status = u16::try_from(cursor.u64()?).or_else(|_| invalid("an HTTP status beyond 65535"))?;
            let headers = (0..cursor.count()?)
                .map(|_| Ok((cursor.string()?, cursor.string()?)))
                .collect::<WireResult<Vec<_>>>()?;
            RunOutcome::Responded(HttpResponse { status, headers, body: cursor.bytes()?.to_vec() })
        }
        3 => {
            let kind = match cursor.u8()? {
                0 => TrapKind::Unreachable,
                1 => TrapKind::StackOverflow,
                2 => TrapKind::MemoryOutOfBounds,
                3 => TrapKind::OutOfFuel,
                4 => TrapKind::Host,
                5 => TrapKind::Other,
                other => return invalid(format!("{other} is not a kind of trap")),
            };
            let message = cursor.string()?;
            let mut backtrace = Vec::new();
            for _ in 0..cursor.count()? {
                let func_index = cursor.u32()?;
                let func_name = cursor.opt_string()?;
                let module_offset = cursor
                    .opt_u64()?
                    .map(|v| usize::try_from(v).or_else(|_| invalid("an offset beyond this machine's")))
                    .transpose()?;
                let mut source = Vec::new();
                for _ in 0..cursor.count()? {
                    source.push(SourceLocation {
                        function: cursor.opt_string()?,
                        file: cursor.opt_string()?,
                        line: opt_u32_of(cursor)?,
                        column: opt_u32_of(cursor)?,
                    });
                }
                backtrace.push(Frame { func_index, func_name, module_offset, source });
            }
            RunOutcome::Trapped(TrapInfo { kind, message, backtrace })
        }
        4 => RunOutcome::Stopped,
        5 => RunOutcome::TimedOut,
        6 => RunOutcome::Failed { stage: phase_of(cursor.u8()?)?, message: cursor.string()? },
        other => return invalid(format!("{other} is not a way for a run to end")),
    })
}

/// What a frame held: text for the table, an event, or the end.
pub enum Decoded {
    String,
    Event(WorkerEvent),
    End { events: u64 },
}

/// Turns frames back into events; the counterpart of `EventEncoder`.
#[derive(Default)]
pub struct EventDecoder {
    strings: Vec<Arc<str>>,
    last_seq: u64,
    last_start_ns: u64,
}

impl EventDecoder {
    /// Decodes one frame's payload.
    pub fn decode(&mut self, tag: u8, payload: &[u8]) -> WireResult<Decoded> {
        let mut cursor = Cursor::new(payload);
        let decoded = match tag {
            tag::STRING => {
                let text = std::str::from_utf8(payload).or_else(|_| invalid("a piece of text is not UTF-8"))?;
                self.strings.push(text.into());
                return Ok(Decoded::String);
            }
            tag::COMPILE_PROGRESS => {
                Decoded::Event(WorkerEvent::CompileProgress { done: cursor.u32()?, total: cursor.u32()? })
            }
            tag::PHASE => Decoded::Event(WorkerEvent::Phase(PhaseTiming {
                phase: phase_of(cursor.u8()?)?,
                nanos: cursor.u64()?,
                cached: cursor.bool()?,
            })),
            tag::CALL => Decoded::Event(WorkerEvent::Call(self.call(&mut cursor)?)),
            tag::HOST_CALL => Decoded::Event(WorkerEvent::HostCall(self.host_call(&mut cursor)?)),
            tag::MEMORY => Decoded::Event(WorkerEvent::Memory(memory_of(&mut cursor)?)),
            tag::OUTPUT => {
                let stream = stream_of(cursor.u8()?)?;
                let bytes = cursor.take(cursor.remaining())?.to_vec();
                Decoded::Event(WorkerEvent::Output { stream, bytes })
            }
            tag::OUTPUT_DROPPED => {
                Decoded::Event(WorkerEvent::OutputDropped { stream: stream_of(cursor.u8()?)?, total: cursor.u64()? })
            }
            tag::FINISHED => Decoded::Event(WorkerEvent::Finished(outcome_of(&mut cursor)?)),
            tag::END => Decoded::End { events: cursor.u64()? },
            other => return invalid(format!("{other} is not a kind of frame")),
        };
        if !cursor.is_empty() {
            return invalid(format!("{} bytes too many in a frame", cursor.remaining()));
        }
        Ok(decoded)
    }

    fn string(&self, cursor: &mut Cursor) -> WireResult<Arc<str>> {
        let index = cursor.u64()?;
        match usize::try_from(index).ok().and_then(|i| self.strings.get(i)) {
            Some(text) => Ok(text.clone()),
            None => invalid(format!("text number {index} was never written")),
        }
    }

    fn opt_string(&self, cursor: &mut Cursor) -> WireResult<Option<Arc<str>>> {
        let index = cursor.u64()?;
        match index.checked_sub(1) {
            None => Ok(None),
            Some(index) => match usize::try_from(index).ok().and_then(|i| self.strings.get(i)) {
                Some(text) => Ok(Some(text.clone())),
                None => invalid(format!("text number {index} was never written")),
            },
        }
    }

    fn position(&mut self, cursor: &mut Cursor) -> WireResult<(u64, u64)> {
        let seq = self.last_seq.wrapping_add(1).wrapping_add(cursor.i64()? as u64);
        let start_ns = self.last_start_ns.wrapping_add(cursor.i64()? as u64);
        self.last_seq = seq;
        self.last_start_ns = start_ns;
        Ok((seq, start_ns))
    }

    fn call(&mut self, cursor: &mut Cursor) -> WireResult<CallEvent> {
        let name = self.string(cursor)?;
        let Some(func) = WasiFunc::from_name(&name) else {
            return invalid(format!("`{name}` is not a preview1 function"));
        };
        let (seq, start_ns) = self.position(cursor)?;
        let dur_ns = cursor.u64()?;
        let counts = cursor.u8()?;
        let (n_params, n_results) = (usize::from(counts & 0x0f), usize::from(counts >> 4));
        if n_params > 6 || n_results > 2 {
            return invalid(format!("a call with {n_params} parameters and {n_results} results"));
        }
        let mut params = [0u64; 6];
        for param in &mut params[..n_params] {
            *param = cursor.u64()?;
        }
        let mut results = [0u64; 2];
        for result in &mut results[..n_results] {
            *result = cursor.u64()?;
        }
        let errno = match cursor.u64()? {
            0 => None,
            n => Some(Errno(u16::try_from(n - 1).or_else(|_| invalid(format!("{} is not an errno", n - 1)))?)),
        };
        let abrupt = match cursor.u8()? {
            0 => None,
            1 => Some(Abrupt::Exit(cursor.i32()?)),
            2 => Some(Abrupt::Trap),
            3 => Some(Abrupt::Unfinished),
            other => return invalid(format!("{other} is not a way for a call to leave")),
        };
        let strings = (0..cursor.count()?).map(|_| cursor.str().map(Box::from)).collect::<WireResult<Vec<_>>>()?;
        let preview = cursor.bytes()?;
        if preview.len() > Preview::CAP {
            return invalid(format!("a preview of {} bytes (at most {})", preview.len(), Preview::CAP));
        }
        let preview = Preview::from_slice(preview);
        let fd_labels = [self.opt_string(cursor)?, self.opt_string(cursor)?];
        let denial = denial_of(cursor)?;
        Ok(CallEvent {
            seq,
            func,
            start_ns,
            dur_ns,
            params,
            results,
            errno,
            abrupt,
            strings,
            preview,
            fd_labels,
            denial,
            stack: None,
        })
    }

    fn host_call(&mut self, cursor: &mut Cursor) -> WireResult<HostCall> {
        let interface = self.string(cursor)?;
        let function = self.string(cursor)?;
        let (seq, start_ns) = self.position(cursor)?;
        let dur_ns = cursor.u64()?;
        let mut args = Vec::new();
        for _ in 0..cursor.count()? {
            args.push((self.string(cursor)?, cursor.str()?));
        }
        let args: CallArgs = args.into_iter().collect();
        let result = cursor.str()?.into();
        let error = self.opt_string(cursor)?.map(|text| Box::from(&*text));
        let part = self.opt_string(cursor)?;
        let callee = self.opt_string(cursor)?;
        let denial = denial_of(cursor)?;
        Ok(HostCall {
            seq,
            interface: interface.into(),
            function: function.into(),
            start_ns,
            dur_ns,
            args,
            result,
            error,
            denial,
            part,
            callee,
        })
    }
}
