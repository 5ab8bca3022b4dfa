//! `wasmscope run`: one run, its output passed through, its trace printed.

use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::{ArgMatches, Args, ValueEnum};
use runtime_worker::doctor::Evidence;
use runtime_worker::inspect::load;
use runtime_worker::trace::describe::format_nanos;
use runtime_worker::{
    Commander, Entry, Phase, PhaseTiming, RunOutcome, RunRequest, Stream, TrapInfo, TrapKind, WorkerCommand,
    WorkerEvent,
};

use crate::sandbox_flags::{MountOrder, SandboxFlags};

/// Exit statuses beyond the guest's own (a guest exits with 0..=125).
pub mod exit_code {
    /// The module could not be loaded, compiled or linked, or the sandbox as
    /// asked for cannot be granted.
    pub const CANNOT_RUN: i32 = 126;
    /// The guest trapped (128 + SIGABRT, as `wasmtime run` does).
    pub const TRAP: i32 = 134;
    /// The guest used up its `--fuel`.
    pub const OUT_OF_FUEL: i32 = 135;
    /// The run passed its `--timeout` (128 + SIGALRM).
    pub const TIMED_OUT: i32 = 142;
    /// The run was stopped.
    pub const STOPPED: i32 = 143;
}

const EXIT_CODES_HELP: &str = "\
Exit status:
  0-125  the guest's own exit code (a command returning from _start exits 0;
         an invoked export that returns exits 0 and prints its results)
  126    the module could not be loaded, compiled or linked, or the sandbox
         could not be set up (a missing --dir, say)
  134    the guest trapped (the trap and its backtrace go to stderr)
  135    the guest ran out of --fuel
  142    the run passed its --timeout
  143    the run was stopped";

#[derive(Args, Debug)]
#[command(after_help = EXIT_CODES_HELP)]
pub struct RunArgs {
    #[command(flatten)]
    pub sandbox: SandboxFlags,

    /// Call this export of a reactor module (after `_initialize`), with ARGS
    /// as its arguments, instead of running `_start`
    #[arg(long, value_name = "NAME")]
    pub invoke: Option<String>,

    #[command(flatten)]
    pub report: ReportFlags,

    /// After the run, explain every denial and failure for want of a
    /// capability, with the flag that fixes it (on stderr)
    #[arg(long)]
    pub explain: bool,

    /// The program name the guest sees as argv[0] (default: the file name)
    #[arg(long, value_name = "NAME")]
    pub argv0: Option<String>,

    /// The module (.wasm or .wat), then the guest's arguments: every word
    /// after FILE belongs to the guest, even one starting with `-`
    #[arg(value_name = "FILE [ARGS]...", required = true, num_args = 1.., trailing_var_arg = true, allow_hyphen_values = true)]
    pub module_and_args: Vec<String>,
}

impl RunArgs {
    pub fn file(&self) -> PathBuf {
        PathBuf::from(self.module_and_args.first().map(String::as_str).unwrap_or_default())
    }

    pub fn args(&self) -> &[String] {
        self.module_and_args.get(1..).unwrap_or_default()
    }
}

/// What is printed about a run besides its output (`run` and `call` share them).
#[derive(Args, Debug, Clone, Default)]
pub struct ReportFlags {
    /// Print every WASI call: `text` (strace-like) or `json` (one object per line)
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub trace: Option<TraceFormat>,

    /// Write the trace to PATH instead of stderr
    #[arg(long, value_name = "PATH", requires = "trace")]
    pub trace_file: Option<PathBuf>,

    /// Print the phase timings (compile, instantiate, first call, total) at the end
    #[arg(long)]
    pub timings: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceFormat {
    Text,
    Json,
}

/// Runs and returns the process's exit status.
pub fn execute(args: &RunArgs, matches: Option<&ArgMatches>) -> i32 {
    match try_execute(args, matches) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            exit_code::CANNOT_RUN
        }
    }
}

fn try_execute(args: &RunArgs, matches: Option<&ArgMatches>) -> anyhow::Result<i32> {
    let module =
        load::load_file(&args.file()).with_context(|| format!("failed to load `{}`", args.file().display()))?;
    let dirs: Vec<usize> = matches.and_then(|m| m.indices_of("dirs")).map(Iterator::collect).unwrap_or_default();
    let dirs_readonly: Vec<usize> =
        matches.and_then(|m| m.indices_of("dirs_readonly")).map(Iterator::collect).unwrap_or_default();
    let order = MountOrder { dirs: &dirs, dirs_readonly: &dirs_readonly };
    let entry = match &args.invoke {
        Some(name) => Entry::Invoke { name: name.clone(), args: args.args().to_vec() },
        None => Entry::Start,
    };
    // An invoked export takes ARGS as its parameters, not as argv.
    let guest_args = if args.invoke.is_some() { &[][..] } else { args.args() };
    let profile = args.sandbox.to_profile(guest_args, Some(order))?;
    let mut trace = match (&args.report.trace, &args.report.trace_file) {
        (None, _) => None,
        (Some(format), Some(path)) => {
            let file = std::fs::File::create(path).with_context(|| format!("cannot create `{}`", path.display()))?;
            Some(TraceWriter::new(*format, Box::new(BufWriter::new(file))))
        }
        (Some(format), None) => Some(TraceWriter::new(*format, Box::new(io::stderr()))),
    };

    // What `--explain` needs once the module and profile are the worker's.
    let explain = args.explain.then(|| (profile.clone(), runtime_worker::inspect::inspect(&module).language()));
    let runtime = crate::persist::runtime()?;
    let mut request = RunRequest::new(module, profile, entry);
    request.program_name = args.argv0.clone();
    // Calls are recorded only when something here will read them.
    request.record_calls = trace.is_some() || args.explain;
    let interactive = request.profile.stdin == runtime_worker::StdinSource::Interactive;
    let handle = runtime.start(request);
    if interactive {
        feed_stdin(handle.commander());
    }

    let stdout = io::stdout();
    let mut stdout = stdout.lock();
    let stderr_is_terminal = io::stderr().is_terminal();
    let mut timings: Vec<PhaseTiming> = Vec::new();
    let mut progress_shown = false;
    let mut evidence = args.explain.then(Evidence::default);
    let outcome = loop {
        let Ok(batch) = handle.events().recv() else {
            anyhow::bail!("the worker ended without reporting how the run ended");
        };
        let mut finished = None;
        for event in batch.events {
            if let Some(evidence) = &mut evidence {
                evidence.observe(&event);
            }
            match event {
                WorkerEvent::Output { stream: Stream::Stdout, bytes } => stdout.write_all(&bytes)?,
                WorkerEvent::Output { stream: Stream::Stderr, bytes } => {
                    stdout.flush()?;
                    io::stderr().write_all(&bytes)?;
                }
                WorkerEvent::OutputDropped { .. } => {}
                WorkerEvent::Call(call) => {
                    if let Some(trace) = &mut trace {
                        trace.write(&call)?;
                    }
                }
                WorkerEvent::HostCall(call) => {
                    if let Some(trace) = &mut trace {
                        trace.write_host_call(&call)?;
                    }
                }
                WorkerEvent::CompileProgress { done, total } => {
                    if stderr_is_terminal && total > 0 {
                        eprint!(
                            "\rcompiling: {done}/{total} functions ({}%)",
                            u64::from(done) * 100 / u64::from(total)
                        );
                        progress_shown = true;
                    }
                }
                WorkerEvent::Phase(timing) => {
                    if progress_shown && timing.phase == Phase::Compile {
                        eprint!("\r\x1b[2K");
                        progress_shown = false;
                    }
                    timings.push(timing);
                }
                WorkerEvent::Memory(_) => {}
                WorkerEvent::Finished(outcome) => finished = Some(outcome),
            }
        }
        stdout.flush()?;
        if let Some(outcome) = finished {
            break outcome;
        }
    };
    if let Some(trace) = &mut trace {
        trace.out.flush()?;
    }
    if args.report.timings {
        print_timings(&timings);
    }
    let status = report_outcome(&outcome);
    if let (Some(evidence), Some((profile, language))) = (evidence, explain) {
        let findings = runtime_worker::doctor::diagnose(&evidence, &profile, language.as_deref());
        eprint!("{}", explain_text(&findings));
    }
    Ok(status)
}

/// The findings for a terminal: one block each, the fix as flags to add.
fn explain_text(findings: &[runtime_worker::doctor::Finding]) -> String {
    if findings.is_empty() {
        return "explain: nothing was refused for want of a capability\n".to_string();
    }
    let mut text = String::new();
    for finding in findings {
        let capability = finding.capability.map(|c| format!(" [{}]", c.name())).unwrap_or_default();
        text.push_str(&format!("\nwhy{capability}: {}\n", finding.headline));
        text.push_str(&format!("  {}\n", finding.detail));
        match &finding.fix {
            Some(fix) => {
                text.push_str(&format!("  fix: {} (add `{}`)\n", fix.describe(), crate::sandbox_flags::fix_flags(fix)))
            }
            None => text.push_str("  fix: none; the sandbox refused this by design\n"),
        }
    }
    text
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

    fn write_host_call(&mut self, call: &runtime_worker::HostCall) -> io::Result<()> {
        match self.format {
            TraceFormat::Text => self.emit(|line| line.write_all(call.to_text().as_bytes())),
            TraceFormat::Json => self.emit(|line| Ok(serde_json::to_writer(line, &call.to_json())?)),
        }
    }

    fn write(&mut self, call: &runtime_worker::CallEvent) -> io::Result<()> {
        match self.format {
            TraceFormat::Text => self.emit(|line| line.write_all(call.to_text().as_bytes())),
            TraceFormat::Json => self.emit(|line| Ok(serde_json::to_writer(line, &call.json())?)),
        }
    }

    /// Writes the line `fill` puts together, with its newline, in one piece.
    fn emit(&mut self, fill: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> io::Result<()> {
        self.line.clear();
        fill(&mut self.line)?;
        self.line.push(b'\n');
        self.out.write_all(&self.line)
    }
}

/// Passes this process's stdin to the guest as it arrives; end-of-file
/// closes the guest's stdin.
fn feed_stdin(commander: Commander) {
    let spawned = std::thread::Builder::new().name("stdin-feed".into()).spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        let mut stdin = io::stdin().lock();
        loop {
            match stdin.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => commander.send(WorkerCommand::Stdin(buf[..n].to_vec())),
            }
        }
        commander.send(WorkerCommand::CloseStdin);
    });
    if let Err(e) = spawned {
        eprintln!("warning: cannot read stdin for the guest: {e}");
    }
}

fn print_timings(timings: &[PhaseTiming]) {
    let mut line = String::from("timings:");
    for timing in timings {
        line.push_str(&format!(" {} {}", timing.phase.name(), format_nanos(timing.nanos)));
        match timing.phase {
            Phase::Compile if timing.cached => line.push_str(" (cached)"),
            Phase::Instantiate if timing.cached => line.push_str(" (pooled)"),
            _ => {}
        }
        line.push(';');
    }
    eprintln!("{}", line.trim_end_matches(';'));
}

/// Prints what the user needs to know about the end, and picks the status.
fn report_outcome(outcome: &RunOutcome) -> i32 {
    match outcome {
        RunOutcome::Exited { code } => *code,
        RunOutcome::Returned { values } => {
            for value in values {
                println!("{value}");
            }
            0
        }
        RunOutcome::Trapped(trap) => {
            eprint!("{}", describe_trap(trap));
            if trap.kind == TrapKind::OutOfFuel { exit_code::OUT_OF_FUEL } else { exit_code::TRAP }
        }
        RunOutcome::TimedOut => {
            eprintln!("error: the run passed its --timeout and was ended");
            exit_code::TIMED_OUT
        }
        RunOutcome::Stopped => {
            eprintln!("error: the run was stopped");
            exit_code::STOPPED
        }
        RunOutcome::Failed { message, .. } => {
            eprintln!("error: {message}");
            exit_code::CANNOT_RUN
        }
    }
}

pub fn describe_trap(trap: &TrapInfo) -> String {
    let mut text = format!("error: {}\n", trap.message);
    if !trap.backtrace.is_empty() {
        text.push_str("wasm backtrace:\n");
        for (i, frame) in trap.backtrace.iter().enumerate() {
            let name = frame.func_name.clone().unwrap_or_else(|| format!("<func {}>", frame.func_index));
            match frame.module_offset {
                Some(offset) => text.push_str(&format!("  {i:>2}: {offset:#8x} - {name}\n")),
                None => text.push_str(&format!("  {i:>2}: {name}\n")),
            }
        }
    }
    text
}
