//! What `wasmscope run` prints about the guest's WASI calls, with strace's
//! habits: which calls (`-e trace=`, `-Z`), how much of each string (`-s`),
//! the time of day (`-t`, `-tt`), a count per function at the end (`-c`), and
//! how the run ended as the trace's last line (`+++ exited with 0 +++`).

use std::collections::HashMap;
use std::io::{self, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::ValueEnum;
use runtime_worker::{CallEvent, Frame, HostCall, Preview, WasiFunc};

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceFormat {
    Text,
    Json,
}

/// Which calls are traced and counted: `-e trace=NAME,...` and `-Z`.
#[derive(Clone, Debug, Default)]
pub struct CallFilter {
    /// Empty: every function. A preview1 name (`fd_write`), or a component's
    /// `interface#function`, its function (`[method]descriptor.open-at`) or
    /// its short name (`descriptor.open-at`).
    pub names: Vec<String>,
    /// Only calls that failed (an errno, or a WASI 0.2 error code).
    pub failed_only: bool,
}

impl CallFilter {
    /// The preview1 functions named (none: every function). For a core
    /// module every name must be one: a typo would otherwise trace nothing
    /// and say nothing.
    pub fn preview1_functions(&self) -> Result<Vec<WasiFunc>, String> {
        self.names
            .iter()
            .map(|name| {
                WasiFunc::from_name(name).ok_or_else(|| {
                    format!("-e trace={name}: `{name}` is not a WASI preview1 function (fd_write, path_open, ...)")
                })
            })
            .collect()
    }
}

/// Reads `-e`'s value: `trace=NAME[,NAME...]` (or the names alone, as
/// strace takes them).
pub fn parse_trace_expression(text: &str) -> Result<Vec<String>, String> {
    let names = match text.split_once('=') {
        Some(("trace", names)) => names,
        Some((qualifier, _)) => {
            return Err(format!("`-e {qualifier}=` is not supported; only `-e trace=NAME,...` is"));
        }
        None => text,
    };
    let names: Vec<String> = names.split(',').filter(|n| !n.is_empty()).map(str::to_string).collect();
    if names.is_empty() {
        return Err("-e trace= needs at least one function name".into());
    }
    Ok(names)
}

/// How the time of day is shown before each text line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timestamps {
    None,
    /// `-t`: `HH:MM:SS`
    Seconds,
    /// `-tt`: `HH:MM:SS.uuuuuu`
    Micros,
}

impl Timestamps {
    pub fn from_count(count: u8) -> Timestamps {
        match count {
            0 => Timestamps::None,
            1 => Timestamps::Seconds,
            _ => Timestamps::Micros,
        }
    }
}

/// What the caller asked for; see `Tracer::new`.
pub struct TraceOptions {
    /// Where the lines go and in what format; `None`: no lines (`-c` alone).
    pub lines: Option<(TraceFormat, Box<dyn Write>)>,
    pub summary: bool,
    pub filter: CallFilter,
    /// `-s N`: at most N bytes of each buffer and characters of each string.
    pub string_limit: Option<usize>,
    pub timestamps: Timestamps,
    /// When the run was asked for: calls' `start_ns` count from about then
    /// (the worker starts its clock as it takes the request).
    pub run_started: SystemTime,
}

/// Writes the trace as events arrive, and counts calls for `-c`.
pub struct Tracer {
    lines: Option<TraceWriter>,
    summary: Option<Summary>,
    filter: CallFilter,
    string_limit: Option<usize>,
    timestamps: Timestamps,
    run_started: SystemTime,
}

impl Tracer {
    pub fn new(options: TraceOptions) -> Tracer {
        Tracer {
            lines: options.lines.map(|(format, out)| TraceWriter::new(format, out)),
            summary: options.summary.then(Summary::default),
            filter: options.filter,
            string_limit: options.string_limit,
            timestamps: options.timestamps,
            run_started: options.run_started,
        }
    }

    pub fn call(&mut self, call: &CallEvent) -> io::Result<()> {
        self.write(call)
    }

    pub fn host_call(&mut self, call: &HostCall) -> io::Result<()> {
        self.write(call)
    }

    /// A call of either kind: filtered, counted, cut to the string limit,
    /// stamped, and written as a line.
    fn write<C: TracedCall>(&mut self, call: &C) -> io::Result<()> {
        if !call.kept_by(&self.filter) {
            return Ok(());
        }
        if let Some(summary) = &mut self.summary {
            summary.count(&call.summary_name(), call.dur_ns(), call.failed());
        }
        let Some(lines) = &mut self.lines else { return Ok(()) };
        let limited;
        let call = match self.string_limit {
            Some(limit) => {
                limited = call.limited(limit);
                &limited
            }
            None => call,
        };
        let stamp = time_of_day(self.timestamps, self.run_started, call.start_ns());
        match lines.format {
            TraceFormat::Text => {
                lines.emit(|line| {
                    line.extend_from_slice(stamp.as_bytes());
                    line.write_all(call.text().as_bytes())
                })?;
                // strace's -k: the stack under its call, innermost first.
                for text in call.stack().iter().flat_map(Frame::lines) {
                    lines.emit(|line| line.write_all(format!(" > {text}").as_bytes()))?;
                }
                Ok(())
            }
            TraceFormat::Json => lines.emit(|line| Ok(call.write_json(line)?)),
        }
    }

    /// After each batch, so a trace file can be followed (`tail -f`).
    pub fn flush(&mut self) -> io::Result<()> {
        match &mut self.lines {
            Some(lines) => lines.out.flush(),
            None => Ok(()),
        }
    }

    /// The end: a text trace's last line says how the run ended (`ending`,
    /// e.g. `exited with 0`); the `-c` table goes to stderr.
    pub fn finish(&mut self, ending: &str) -> io::Result<()> {
        if let Some(lines) = &mut self.lines
            && lines.format == TraceFormat::Text
        {
            lines.emit(|line| line.write_all(format!("+++ {ending} +++").as_bytes()))?;
        }
        self.flush()?;
        if let Some(summary) = &self.summary {
            eprint!("{}", summary.table());
        }
        Ok(())
    }
}

struct TraceWriter {
    format: TraceFormat,
    out: Box<dyn Write>,
    /// Each line is put together here and written whole: serde_json writes
    /// a line in some thirty small pieces, and through `dyn Write` (or to an
    /// unbuffered stderr) each piece costs more than the call it describes.
    line: Vec<u8>,
}

impl TraceWriter {
    fn new(format: TraceFormat, out: Box<dyn Write>) -> TraceWriter {
        TraceWriter { format, out, line: Vec::with_capacity(512) }
    }

    /// Writes the line `fill` puts together, with its newline, in one piece.
    fn emit(&mut self, fill: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> io::Result<()> {
        self.line.clear();
        fill(&mut self.line)?;
        self.line.push(b'\n');
        self.out.write_all(&self.line)
    }
}

/// What the trace does with a call, the same for a core module's preview1
/// calls and a component's host calls.
trait TracedCall: Sized {
    fn kept_by(&self, filter: &CallFilter) -> bool;
    /// The name `-c` counts it under.
    fn summary_name(&self) -> std::borrow::Cow<'_, str>;
    fn dur_ns(&self) -> u64;
    fn start_ns(&self) -> u64;
    fn failed(&self) -> bool;
    /// The call with its previews and strings cut to `limit` characters; a
    /// cut string ends in `…` (a cut buffer already shows `…` after its
    /// preview).
    fn limited(&self, limit: usize) -> Self;
    fn text(&self) -> String;
    fn write_json(&self, line: &mut Vec<u8>) -> serde_json::Result<()>;
    /// The guest's frames when it made the call (`-k`), innermost first.
    fn stack(&self) -> &[Frame] {
        &[]
    }
}

impl TracedCall for CallEvent {
    fn kept_by(&self, filter: &CallFilter) -> bool {
        (!filter.failed_only || self.errno.is_some())
            && (filter.names.is_empty() || filter.names.iter().any(|n| n == self.func.name()))
    }

    fn summary_name(&self) -> std::borrow::Cow<'_, str> {
        self.func.name().into()
    }

    fn dur_ns(&self) -> u64 {
        self.dur_ns
    }

    fn start_ns(&self) -> u64 {
        self.start_ns
    }

    fn failed(&self) -> bool {
        self.errno.is_some()
    }

    fn limited(&self, limit: usize) -> CallEvent {
        let mut call = self.clone();
        let preview = call.preview.as_bytes();
        call.preview = Preview::from_slice(&preview[..preview.len().min(limit)]);
        for string in &mut call.strings {
            if let Some(cut) = cut_chars(string, limit) {
                *string = cut.into();
            }
        }
        call
    }

    fn text(&self) -> String {
        self.to_text()
    }

    fn write_json(&self, line: &mut Vec<u8>) -> serde_json::Result<()> {
        serde_json::to_writer(line, &self.json())
    }

    fn stack(&self) -> &[Frame] {
        self.stack.as_deref().map_or(&[], Vec::as_slice)
    }
}

impl TracedCall for HostCall {
    fn kept_by(&self, filter: &CallFilter) -> bool {
        (!filter.failed_only || self.error.is_some())
            && (filter.names.is_empty()
                || filter.names.iter().any(|n| {
                    *n == *self.function
                        || n == self.short_name()
                        || n.split_once('#').is_some_and(|(i, f)| *i == *self.interface && *f == *self.function)
                }))
    }

    fn summary_name(&self) -> std::borrow::Cow<'_, str> {
        self.qualified_name().into()
    }

    fn dur_ns(&self) -> u64 {
        self.dur_ns
    }

    fn start_ns(&self) -> u64 {
        self.start_ns
    }

    fn failed(&self) -> bool {
        self.error.is_some()
    }

    fn limited(&self, limit: usize) -> HostCall {
        let mut call = self.clone();
        call.args.map_values(|_, value| cut_chars(value, limit));
        if let Some(cut) = cut_chars(&call.result, limit) {
            call.result = cut.into();
        }
        call
    }

    fn text(&self) -> String {
        self.to_text()
    }

    fn write_json(&self, line: &mut Vec<u8>) -> serde_json::Result<()> {
        serde_json::to_writer(line, &self.to_json())
    }
}

/// The first `limit` characters and `…`, or `None` if `text` fits.
fn cut_chars(text: &str, limit: usize) -> Option<String> {
    let (at, _) = text.char_indices().nth(limit)?;
    Some(format!("{}…", &text[..at]))
}

/// `HH:MM:SS ` (or with microseconds) in local time, for a call that started
/// `start_ns` into the run; empty without `-t`.
fn time_of_day(timestamps: Timestamps, run_started: SystemTime, start_ns: u64) -> String {
    if timestamps == Timestamps::None {
        return String::new();
    }
    let at = run_started + Duration::from_nanos(start_ns);
    let since_epoch = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let (hours, minutes, seconds) = local_hms(since_epoch.as_secs());
    match timestamps {
        Timestamps::Micros => {
            format!("{hours:02}:{minutes:02}:{seconds:02}.{:06} ", since_epoch.subsec_micros())
        }
        _ => format!("{hours:02}:{minutes:02}:{seconds:02} "),
    }
}

#[cfg(unix)]
fn local_hms(unix_seconds: u64) -> (u32, u32, u32) {
    let seconds = unix_seconds as libc::time_t;
    // SAFETY: `tm` is plain data that localtime_r fills in; both pointers
    // are valid for the call, and localtime_r (unlike localtime) keeps no
    // shared state.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let filled = unsafe { !libc::localtime_r(&seconds, &mut tm).is_null() };
    if filled { (tm.tm_hour as u32, tm.tm_min as u32, tm.tm_sec as u32) } else { utc_hms(unix_seconds) }
}

#[cfg(not(unix))]
fn local_hms(unix_seconds: u64) -> (u32, u32, u32) {
    utc_hms(unix_seconds)
}

fn utc_hms(unix_seconds: u64) -> (u32, u32, u32) {
    let of_day = (unix_seconds % 86_400) as u32;
    (of_day / 3600, of_day / 60 % 60, of_day % 60)
}

/// `-c`: calls, errors and time per function, in the order of first call.
#[derive(Default)]
struct Summary {
    rows: Vec<SummaryRow>,
    by_name: HashMap<String, usize>,
}

struct SummaryRow {
    name: String,
    calls: u64,
    errors: u64,
    nanos: u64,
}

impl Summary {
    fn count(&mut self, name: &str, nanos: u64, failed: bool) {
        let at = match self.by_name.get(name) {
            Some(&at) => at,
            None => {
                self.rows.push(SummaryRow { name: name.to_string(), calls: 0, errors: 0, nanos: 0 });
                self.by_name.insert(name.to_string(), self.rows.len() - 1);
                self.rows.len() - 1
            }
        };
        let row = &mut self.rows[at];
        row.calls += 1;
        row.errors += u64::from(failed);
        row.nanos += nanos;
    }

    /// strace -c's table: most time first, a total line last.
    fn table(&self) -> String {
        let mut rows: Vec<&SummaryRow> = self.rows.iter().collect();
        rows.sort_by(|a, b| b.nanos.cmp(&a.nanos).then(b.calls.cmp(&a.calls)).then(a.name.cmp(&b.name)));
        let total_nanos: u64 = rows.iter().map(|r| r.nanos).sum();
        let total_calls: u64 = rows.iter().map(|r| r.calls).sum();
        let total_errors: u64 = rows.iter().map(|r| r.errors).sum();
        let rule = "------ ----------- ----------- --------- --------- ----------------\n";
        let mut text = String::from("% time     seconds  usecs/call     calls    errors syscall\n");
        text.push_str(rule);
        let percent = |nanos: u64| if total_nanos == 0 { 0.0 } else { nanos as f64 * 100.0 / total_nanos as f64 };
        let errors = |n: u64| if n == 0 { String::new() } else { n.to_string() };
        for row in rows {
            text.push_str(&format!(
                "{:6.2} {:11.6} {:11} {:9} {:>9} {}\n",
                percent(row.nanos),
                row.nanos as f64 / 1e9,
                row.nanos / 1000 / row.calls.max(1),
                row.calls,
                errors(row.errors),
                row.name
            ));
        }
        text.push_str(rule);
        text.push_str(&format!(
            "{:6.2} {:11.6} {:11} {:9} {:>9} total\n",
            if total_calls == 0 { 0.0 } else { 100.0 },
            total_nanos as f64 / 1e9,
            "",
            total_calls,
            errors(total_errors)
        ));
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_puts_the_most_time_first_and_totals_last() {
        let mut summary = Summary::default();
        summary.count("fd_write", 1_000, false);
        summary.count("path_open", 3_000, true);
        summary.count("fd_write", 1_000, false);
        let table = summary.table();
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[0], "% time     seconds  usecs/call     calls    errors syscall");
        assert_eq!(lines[2], " 60.00    0.000003           3         1         1 path_open");
        assert_eq!(lines[3], " 40.00    0.000002           1         2           fd_write");
        assert_eq!(lines[5], "100.00    0.000005                     3         1 total");
    }

    #[test]
    fn trace_expressions_read_like_straces() {
        assert_eq!(parse_trace_expression("trace=fd_write,path_open").unwrap(), ["fd_write", "path_open"]);
        assert_eq!(parse_trace_expression("fd_read").unwrap(), ["fd_read"]);
        assert!(parse_trace_expression("signal=SIGINT").unwrap_err().contains("-e signal="));
        assert!(parse_trace_expression("trace=").is_err());
        let filter = CallFilter { names: vec!["fd_write".into(), "fd_wirte".into()], failed_only: false };
        assert!(filter.preview1_functions().unwrap_err().contains("`fd_wirte`"));
        let filter = CallFilter { names: vec!["fd_write".into(), "path_open".into()], failed_only: false };
        assert_eq!(filter.preview1_functions().unwrap(), [WasiFunc::FdWrite, WasiFunc::PathOpen]);
    }

    #[test]
    fn strings_are_cut_at_the_limit_with_a_mark() {
        assert_eq!(cut_chars("héllo", 2).as_deref(), Some("hé…"));
        assert_eq!(cut_chars("hello", 5), None);
        assert_eq!(utc_hms(86_400 + 3_661), (1, 1, 1));
    }
}
