//! Turning a recorded call into names and text: the decoded arguments, an
//! strace-like line, and a JSON object. The window, the command line and the
//! exports all describe calls through this module.

use std::borrow::Cow;
use std::fmt::Write as _;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value as Json;

use crate::boundary::event::{Abrupt, CallEvent, Frame};
use crate::wasi::abi::{self, Kind};

/// A decoded argument or result.
#[derive(Clone, Debug, PartialEq)]
pub struct Arg<'a> {
    pub name: &'static str,
    pub value: ArgValue<'a>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ArgValue<'a> {
    /// A descriptor and the guest path it was opened as, if known.
    Fd {
        fd: u64,
        path: Option<&'a str>,
    },
    Num(u64),
    Signed(i64),
    Nanos(u64),
    /// A byte count and the first bytes.
    Bytes {
        len: u64,
        preview: &'a [u8],
    },
    Str(&'a str),
    List(&'a [Box<str>]),
    /// An enum value by name (or its number when out of range).
    Enum(Cow<'static, str>),
    Flags(Vec<Cow<'static, str>>),
}

impl CallEvent {
    /// The call's arguments, decoded, in declaration order.
    pub fn args(&self) -> Vec<Arg<'_>> {
        let mut strings = self.strings.iter();
        let mut scalars = self.params.iter();
        let mut fd_labels = self.fd_labels.iter();
        let mut out = Vec::with_capacity(self.func.params().len());
        for field in self.func.params() {
            let value = match field.kind {
                Kind::Str => ArgValue::Str(strings.next().map(|s| &**s).unwrap_or("")),
                Kind::StrList => ArgValue::List(strings.as_slice()),
                Kind::Fd => {
                    let fd = scalars.next().copied().unwrap_or(0);
                    ArgValue::Fd { fd, path: fd_labels.next().and_then(|l| l.as_deref()) }
                }
                kind => decode_scalar(kind, scalars.next().copied().unwrap_or(0), self.preview.as_bytes()),
            };
            out.push(Arg { name: field.name, value });
        }
        out
    }

    /// What the call wrote back, decoded; empty unless it succeeded.
    pub fn results(&self) -> Vec<Arg<'_>> {
        if self.errno.is_some() || self.abrupt.is_some() {
            return Vec::new();
        }
        let params_use_strings = self.func.params().iter().filter(|p| p.kind == Kind::Str).count();
        let mut strings = self.strings.get(params_use_strings..).unwrap_or(&[]).iter();
        let mut values = self.results.iter();
        self.func
            .results()
            .iter()
            .map(|field| {
                let value = match field.kind {
                    Kind::Str => ArgValue::Str(strings.next().map(|s| &**s).unwrap_or("")),
                    Kind::StrList => ArgValue::List(strings.as_slice()),
                    Kind::Fd => ArgValue::Fd { fd: values.next().copied().unwrap_or(0), path: None },
                    kind => decode_scalar(kind, values.next().copied().unwrap_or(0), self.preview.as_bytes()),
                };
                Arg { name: field.name, value }
            })
            .collect()
    }

    /// The first path (or name) the call passed, if it takes one.
    pub fn path(&self) -> Option<&str> {
        let takes_string = self.func.params().iter().any(|p| p.kind == Kind::Str);
        takes_string.then(|| self.strings.first().map(|s| &**s)).flatten()
    }

    /// The result as a short word: `ok`, the errno name, `exit(3)`, `trap`
    /// or `unfinished`.
    pub fn outcome_text(&self) -> Cow<'static, str> {
        match (self.abrupt, self.errno) {
            (Some(Abrupt::Exit(code)), _) => Cow::Owned(format!("exit({code})")),
            (Some(Abrupt::Trap), _) => Cow::Borrowed("trap"),
            (Some(Abrupt::Unfinished), _) => Cow::Borrowed("unfinished"),
            (None, Some(errno)) => errno.name(),
            (None, None) => Cow::Borrowed("ok"),
        }
    }

    /// One strace-like line, a failure's errno followed by what it means:
    /// `path_open(fd=3</data>, …, path="../secret.txt", …) = perm (Operation not permitted) <8.1µs>  [denied: …]`;
    /// a call the run ended in, as strace shows one:
    /// `poll_oneoff(subscriptions=[…]) <unfinished ...>`.
    pub fn to_text(&self) -> String {
        let mut line = String::with_capacity(128);
        line.push_str(self.func.name());
        line.push('(');
        for (i, arg) in self.args().iter().enumerate() {
            if i > 0 {
                line.push_str(", ");
            }
            let _ = write!(line, "{}={}", arg.name, arg.value);
        }
        if self.abrupt == Some(Abrupt::Unfinished) {
            line.push_str(") <unfinished ...>");
            return line;
        }
        let _ = write!(line, ") = {}", self.outcome_text());
        if let (None, Some(errno)) = (self.abrupt, self.errno) {
            let _ = write!(line, " ({})", errno.description());
        }
        let results = self.results();
        for arg in &results {
            let _ = write!(line, " {}={}", arg.name, arg.value);
        }
        let _ = write!(line, " <{}>", format_nanos(self.dur_ns));
        if let Some(denial) = &self.denial {
            let _ = write!(line, "  [denied: {}: {}]", denial.capability, denial.reason);
        }
        line
    }

    /// One JSON object: `seq`, `t_ns`, `func`, `args`, `result`, `errno`
    /// (name or null), `denied`, `reason`, `capability`, `dur_ns`; and
    /// `"unfinished": true` (with a null result) for a call the run ended in.
    pub fn to_json(&self) -> Json {
        serde_json::to_value(self.json()).expect("a call serialises")
    }

    /// The same object, serialised as it is written (`serde_json::to_writer`)
    /// without building a `Value` first: the command line's `--trace json`
    /// writes a line per call this way.
    pub fn json(&self) -> CallJson<'_> {
        CallJson(self)
    }
}

/// A call as its JSON object; see `CallEvent::to_json`.
pub struct CallJson<'a>(&'a CallEvent);

impl Serialize for CallJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let call = self.0;
        let unfinished = call.abrupt == Some(Abrupt::Unfinished);
        let entries = 10 + usize::from(unfinished) + usize::from(call.stack.is_some());
        let mut map = serializer.serialize_map(Some(entries))?;
        map.serialize_entry("seq", &call.seq)?;
        map.serialize_entry("t_ns", &call.start_ns)?;
        map.serialize_entry("func", call.func.name())?;
        map.serialize_entry("args", &ArgsJson(&call.args()))?;
        match call.abrupt {
            Some(Abrupt::Exit(code)) => map.serialize_entry("result", &ExitJson { exit: code })?,
            Some(Abrupt::Trap) => map.serialize_entry("result", &TrapJson { trap: true })?,
            Some(Abrupt::Unfinished) => map.serialize_entry("result", &())?,
            None if call.errno.is_some() => map.serialize_entry("result", &())?,
            None => map.serialize_entry("result", &ResultsJson(&call.results()))?,
        }
        map.serialize_entry("errno", &call.errno.map(|e| e.name()))?;
        map.serialize_entry("denied", &call.denial.is_some())?;
        map.serialize_entry("reason", &call.denial.as_ref().map(|d| d.reason.as_str()))?;
        map.serialize_entry("capability", &call.denial.as_ref().map(|d| d.capability.name()))?;
        map.serialize_entry("dur_ns", &call.dur_ns)?;
        if unfinished {
            map.serialize_entry("unfinished", &true)?;
        }
        if let Some(stack) = &call.stack {
            map.serialize_entry("stack", &StackJson(stack))?;
        }
        map.end()
    }
}

/// A call's stack, innermost first, one object per function as `lines`
/// has them: `function`, `file`, `line`, `column` where the module has
/// DWARF, `offset` in the module's bytes, and `inlined` for a function
/// inlined into the next.
struct StackJson<'a>(&'a [Frame]);

impl Serialize for StackJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut functions = serializer.serialize_seq(None)?;
        for frame in self.0 {
            for (i, function) in frame.functions().enumerate() {
                let source = frame.source.get(i);
                let object = serde_json::json!({
                    "function": function,
                    "file": source.and_then(|s| s.file.as_deref()),
                    "line": source.and_then(|s| s.line),
                    "column": source.and_then(|s| s.column),
                    "offset": frame.module_offset,
                    "inlined": i + 1 < frame.source.len(),
                });
                functions.serialize_element(&object)?;
            }
        }
        functions.end()
    }
}

impl Frame {
    /// The frame's function: its name in the debug info (demangled), else
    /// in the name section, else `<func N>`.
    pub fn function(&self) -> Cow<'_, str> {
        match self.source.last().and_then(|s| s.function.as_deref()).or(self.func_name.as_deref()) {
            Some(name) => Cow::Borrowed(name),
            None => Cow::Owned(format!("<func {}>", self.func_index)),
        }
    }

    /// The functions of the frame in the source, innermost first: those
    /// inlined (from the DWARF), then the frame's own; one without DWARF.
    fn functions(&self) -> impl Iterator<Item = Cow<'_, str>> {
        let last = self.source.len().saturating_sub(1);
        let inlined = self.source.iter().take(last).map(|s| match &s.function {
            Some(name) => Cow::Borrowed(name.as_str()),
            None => Cow::Borrowed("<inlined function>"),
        });
        inlined.chain(std::iter::once(self.function()))
    }

    /// The frame as lines, innermost first: `read_config at ./prog.c:12:9`
    /// where the module has DWARF (a function inlined there first, marked
    /// `(inlined)`), `read_config @ 0x1a2b` (the offset in the module)
    /// without.
    pub fn lines(&self) -> Vec<String> {
        if self.source.is_empty() {
            let function = self.function();
            return vec![match self.module_offset {
                Some(offset) => format!("{function} @ {offset:#x}"),
                None => function.into_owned(),
            }];
        }
        let last = self.source.len() - 1;
        self.functions()
            .zip(&self.source)
            .enumerate()
            .map(|(i, (function, source))| {
                let mut line = function.into_owned();
                if let Some(place) = source.place() {
                    line.push_str(&format!(" at {place}"));
                }
                if i < last {
                    line.push_str(" (inlined)");
                }
                line
            })
            .collect()
    }
}

#[derive(serde::Serialize)]
struct ExitJson {
    exit: i32,
}

#[derive(serde::Serialize)]
struct TrapJson {
    trap: bool,
}

/// Arguments by name; a descriptor with a known path also gets `NAME_path`.
struct ArgsJson<'a>(&'a [Arg<'a>]);

impl Serialize for ArgsJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for arg in self.0 {
            if let ArgValue::Fd { path: Some(path), .. } = arg.value {
                map.serialize_entry(&format_args!("{}_path", arg.name), path)?;
            }
            map.serialize_entry(arg.name, &arg.value)?;
        }
        map.end()
    }
}

struct ResultsJson<'a>(&'a [Arg<'a>]);

impl Serialize for ResultsJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for arg in self.0 {
            map.serialize_entry(arg.name, &arg.value)?;
        }
        map.end()
    }
}

fn decode_scalar(kind: Kind, raw: u64, preview: &[u8]) -> ArgValue<'_> {
    match kind {
        Kind::Num => ArgValue::Num(raw),
        Kind::Signed => ArgValue::Signed(raw as i64),
        Kind::Nanos => ArgValue::Nanos(raw),
        Kind::Bytes => ArgValue::Bytes { len: raw, preview },
        Kind::Rights => ArgValue::Flags(rights_names(raw)),
        kind if abi::flag_names(kind).is_some() => ArgValue::Flags(abi::flags_to_names(kind, raw)),
        kind => match abi::enum_names(kind).and_then(|names| names.get(raw as usize)) {
            Some(name) => ArgValue::Enum(Cow::Borrowed(name)),
            None => ArgValue::Enum(Cow::Owned(raw.to_string())),
        },
    }
}

/// Rights, shortened to the two wasmtime-wasi enforces (`fd_read`,
/// `fd_write`) plus a count of the rest, which it ignores.
fn rights_names(bits: u64) -> Vec<Cow<'static, str>> {
    let mut out = Vec::new();
    let mut rest = bits;
    for (bit, name) in [(abi::RIGHT_FD_READ, "fd_read"), (abi::RIGHT_FD_WRITE, "fd_write")] {
        if bits & bit != 0 {
            out.push(Cow::Borrowed(name));
            rest &= !bit;
        }
    }
    if rest != 0 {
        out.push(Cow::Owned(format!("+{} more", rest.count_ones())));
    }
    out
}

impl std::fmt::Display for ArgValue<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ArgValue::Fd { fd, path: Some(path) } => write!(f, "{fd}<{path}>"),
            ArgValue::Fd { fd, path: None } => write!(f, "{fd}"),
            ArgValue::Num(v) | ArgValue::Nanos(v) => write!(f, "{v}"),
            ArgValue::Signed(v) => write!(f, "{v}"),
            ArgValue::Bytes { len, preview } => {
                write!(f, "{len}")?;
                if !preview.is_empty() {
                    write!(f, " {}", quote_bytes(preview))?;
                    if (preview.len() as u64) < *len {
                        f.write_str("…")?;
                    }
                }
                Ok(())
            }
            ArgValue::Str(s) => write!(f, "{s:?}"),
            ArgValue::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item:?}")?;
                }
                f.write_str("]")
            }
            ArgValue::Enum(name) => f.write_str(name),
            ArgValue::Flags(names) if names.is_empty() => f.write_str("0"),
            ArgValue::Flags(names) => f.write_str(&names.join("|")),
        }
    }
}

impl ArgValue<'_> {
    pub fn to_json(&self) -> Json {
        serde_json::to_value(self).expect("a value serialises")
    }
}

impl Serialize for ArgValue<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ArgValue::Fd { fd, .. } => serializer.serialize_u64(*fd),
            ArgValue::Num(v) | ArgValue::Nanos(v) => serializer.serialize_u64(*v),
            ArgValue::Signed(v) => serializer.serialize_i64(*v),
            ArgValue::Bytes { len, preview } => {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("len", len)?;
                map.serialize_entry("preview", &String::from_utf8_lossy(preview))?;
                map.end()
            }
            ArgValue::Str(s) => serializer.serialize_str(s),
            ArgValue::List(items) => serializer.collect_seq(items.iter().map(|s| &**s)),
            ArgValue::Enum(name) => serializer.serialize_str(name),
            ArgValue::Flags(names) => serializer.collect_seq(names.iter().map(|n| &**n)),
        }
    }
}

/// Bytes as a quoted string with escapes, like strace shows buffers.
pub fn quote_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => {
                    let _ = write!(out, "\\x{:02x}", c as u32);
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out.push('"');
    out
}

/// A duration for people: `850ns`, `12.3µs`, `4.56ms`, `1.20s`, `1h`.
pub fn format_nanos(nanos: u64) -> String {
    match nanos {
        n if n < 1_000 => format!("{n}ns"),
        n if n < 1_000_000 => format!("{:.1}µs", n as f64 / 1e3),
        n if n < 1_000_000_000 => format!("{:.2}ms", n as f64 / 1e6),
        n if n < 3_600_000_000_000 => format!("{:.2}s", n as f64 / 1e9),
        n => format!("{:.1}h", n as f64 / 3.6e12),
    }
}

impl crate::boundary::event::HostCall {
    /// One line, like a preview1 call's:
    /// `wasi:sockets/tcp#[method]tcp-socket.start-connect(self=#3, …) = Err(access-denied) <12 µs>`.
    ///
    /// In a composed component run part by part, the part that made the call
    /// comes first, and a call into another part names it:
    /// `[#1 command] wasmscope:article/database-connector#execute-query(sql="…") -> #0 database-connector = […]`.
    pub fn to_text(&self) -> String {
        let mut line = String::new();
        if let Some(part) = &self.part {
            let _ = write!(line, "[{part}] ");
        }
        let _ = write!(line, "{}#{}({})", self.interface, self.function, self.args_text());
        if let Some(callee) = &self.callee {
            let _ = write!(line, " -> {callee}");
        }
        match (&*self.result, &self.error) {
            // The run ended inside it (Stop, Ctrl+C, a timeout), as strace says.
            ("", _) => {
                line.push_str(" <unfinished ...>");
                return line;
            }
            (_, Some(error)) => {
                let _ = write!(line, " = Err({error})");
            }
            (result, None) => {
                let _ = write!(line, " = {result}");
            }
        }
        let _ = write!(line, " <{}>", format_nanos(self.dur_ns));
        if let Some(denial) = &self.denial {
            let _ = write!(line, "  [denied: {}: {}]", denial.capability, denial.reason);
        }
        line
    }

    /// One JSON object with the fields of a preview1 call's where they mean
    /// the same (`seq`, `t_ns`, `func`, `args`, `result`, `denied`, `reason`,
    /// `capability`, `dur_ns`), plus `interface`; `errno` holds the WASI 0.2
    /// error code. A call the run ended in has a null `result` and
    /// `"unfinished": true`, as a preview1 call's.
    pub fn to_json(&self) -> Json {
        let args: serde_json::Map<String, Json> =
            self.args.iter().map(|(name, value)| (name.to_string(), Json::from(value))).collect();
        let mut json = serde_json::json!({
            "seq": self.seq,
            "t_ns": self.start_ns,
            "interface": &*self.interface,
            "func": &*self.function,
            "args": args,
            "result": if self.result.is_empty() { Json::Null } else { Json::from(&*self.result) },
            "errno": self.error.as_deref(),
            "denied": self.denial.is_some(),
            "reason": self.denial.as_ref().map(|d| d.reason.as_str()),
            "capability": self.denial.as_ref().map(|d| d.capability.name()),
            "dur_ns": self.dur_ns,
            "part": self.part.as_deref(),
            "callee": self.callee.as_deref(),
        });
        if self.result.is_empty() {
            json["unfinished"] = Json::Bool(true);
        }
        json
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::boundary::denial::{Denial, DenialKind, Within};
    use crate::boundary::event::Preview;
    use crate::boundary::name::Name;
    use crate::wasi::abi::{Errno, OFLAG_CREAT, RIGHT_FD_READ, WasiFunc};

    fn call(func: WasiFunc, params: &[u64], strings: &[&str]) -> CallEvent {
        let mut p = [0; 6];
        p[..params.len()].copy_from_slice(params);
        CallEvent {
            seq: 0,
            func,
            start_ns: 10,
            dur_ns: 8_100,
            params: p,
            results: [0; 2],
            errno: None,
            abrupt: None,
            strings: strings.iter().map(|s| Box::from(*s)).collect(),
            preview: Preview::EMPTY,
            fd_labels: [None, None],
            denial: None,
            stack: None,
        }
    }

    #[test]
    fn a_denied_open_reads_like_strace() {
        let mut open = call(WasiFunc::PathOpen, &[3, 1, 0, RIGHT_FD_READ, 0], &["../secret.txt"]);
        open.fd_labels[0] = Some(Arc::from("/data"));
        open.errno = Some(Errno::PERM);
        let kind = DenialKind::EscapeByDotDot { path: "../secret.txt".into(), within: Within::Mount("/data".into()) };
        open.denial = Some(Box::new(Denial::new(kind)));
        assert_eq!(
            open.to_text(),
            "path_open(fd=3</data>, dirflags=symlink_follow, path=\"../secret.txt\", oflags=0, \
             rights=fd_read, fdflags=0) = perm (Operation not permitted) <8.1µs>  [denied: files: `../secret.txt` climbs out of the mount `/data` with `..`]"
        );
        let json = open.to_json();
        assert_eq!(json["args"]["path"], "../secret.txt");
        assert_eq!(json["args"]["fd_path"], "/data");
        assert_eq!(json["errno"], "perm");
        assert_eq!(json["denied"], true);
        assert_eq!(json["args"]["dirflags"], serde_json::json!(["symlink_follow"]));
    }

    #[test]
    fn writes_show_length_and_a_preview() {
        let mut write = call(WasiFunc::FdWrite, &[1, 13], &[]);
        write.preview = Preview::from_slice(b"Hello, WASI!\n");
        write.results = [13, 0];
        assert_eq!(write.to_text(), "fd_write(fd=1, data=13 \"Hello, WASI!\\n\") = ok nwritten=13 <8.1µs>");
        assert_eq!(write.to_json()["result"]["nwritten"], 13);
        assert_eq!(write.to_json()["errno"], Json::Null);
        // The line `--trace json` writes, field for field and in order.
        assert_eq!(
            serde_json::to_string(&write.json()).unwrap(),
            r#"{"seq":0,"t_ns":10,"func":"fd_write","args":{"fd":1,"data":{"len":13,"preview":"Hello, WASI!\n"}},"result":{"nwritten":13},"errno":null,"denied":false,"reason":null,"capability":null,"dur_ns":8100}"#
        );
        let mut exit = call(WasiFunc::ProcExit, &[3], &[]);
        exit.abrupt = Some(Abrupt::Exit(3));
        assert_eq!(exit.to_json()["result"], serde_json::json!({ "exit": 3 }));
    }

    #[test]
    fn a_component_call_the_run_ended_in_reads_as_unfinished() {
        use crate::boundary::event::HostCall;
        let mut call = HostCall {
            seq: 4,
            interface: Name::from_static("wasi:clocks/monotonic-clock"),
            function: Name::from_static("wait-for"),
            start_ns: 10,
            dur_ns: 8100,
            args: [("how_long", "3600000000000")].into_iter().collect(),
            result: "".into(),
            error: None,
            denial: None,
            part: None,
            callee: None,
        };
        assert_eq!(call.to_text(), "wasi:clocks/monotonic-clock#wait-for(how_long=3600000000000) <unfinished ...>");
        let json = call.to_json();
        assert_eq!(json["result"], Json::Null);
        assert_eq!(json["unfinished"], true);
        // One that returned says what it returned, and is not unfinished.
        call.result = "Ok(())".into();
        assert!(call.to_text().ends_with(" = Ok(()) <8.1µs>"), "{}", call.to_text());
        assert!(call.to_json().get("unfinished").is_none());
    }

    #[test]
    fn a_call_the_run_ended_in_reads_as_unfinished() {
        let mut sleep = call(WasiFunc::PollOneoff, &[], &["clock(monotonic, 3600s)"]);
        sleep.abrupt = Some(Abrupt::Unfinished);
        assert_eq!(sleep.to_text(), "poll_oneoff(subscriptions=[\"clock(monotonic, 3600s)\"]) <unfinished ...>");
        assert_eq!(sleep.outcome_text(), "unfinished");
        assert!(sleep.results().is_empty());
        assert_eq!(
            serde_json::to_string(&sleep.json()).unwrap(),
            r#"{"seq":0,"t_ns":10,"func":"poll_oneoff","args":{"subscriptions":["clock(monotonic, 3600s)"]},"result":null,"errno":null,"denied":false,"reason":null,"capability":null,"dur_ns":8100,"unfinished":true}"#
        );
    }

    #[test]
    fn results_follow_the_strings_of_the_parameters() {
        let mut readlink = call(WasiFunc::PathReadlink, &[3, 64], &["link", "../outside"]);
        readlink.results = [0, 0];
        let results = readlink.results();
        assert_eq!(results[0].value, ArgValue::Str("../outside"));
        assert_eq!(readlink.path(), Some("link"));
        let open = call(WasiFunc::PathOpen, &[3, 0, OFLAG_CREAT, 0, 0], &["x"]);
        assert_eq!(open.args()[3].value, ArgValue::Flags(vec![Cow::Borrowed("creat")]));
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_nanos(850), "850ns");
        assert_eq!(format_nanos(12_345), "12.3µs");
        assert_eq!(format_nanos(4_560_000), "4.56ms");
        assert_eq!(format_nanos(3_600_000_000_000), "1.0h");
    }
}
