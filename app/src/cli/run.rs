//! `wasmscope run`: one run, its output passed through, its trace printed.

use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use anyhow::Context;
use clap::{ArgMatches, Args};
use crossbeam_channel::RecvTimeoutError;
use runtime_worker::doctor::Evidence;
use runtime_worker::inspect::load;
use runtime_worker::trace::describe::format_nanos;
use runtime_worker::{
    Commander, Entry, ModuleKind, Phase, PhaseTiming, RunOutcome, RunRequest, SandboxProfile, Stream, TrapInfo,
    TrapKind, WorkerCommand, WorkerEvent,
};

use super::interrupt;
use super::trace::{CallFilter, Timestamps, TraceFormat, TraceOptions, Tracer};
use crate::recording::{self, RecordingWriter};
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

/// `wasmscope run --help`: what it is, and each way it differs from
/// `wasmtime run` (version 48), so a command line can be moved across.
pub const RUN_LONG_ABOUT: &str = "\
Run a WASI module headless, printing its output (and, on request, its WASI
calls) like `wasmtime run`.

A `wasmtime run` command line works here with `wasmtime` replaced by
`wasmscope`, but for these differences:
  - -S takes inherit-env, inherit-network, allow-ip-name-lookup, and cli, tcp,
    udp (always on here; `=n` is refused); -W takes max-memory-size, fuel and
    timeout. Any other -S or -W option is refused, naming the option.
  - wasmtime run's other flags (-O, -C, -D, --preload, --profile,
    --allow-precompiled, ...) are unknown here; precompiled .cwasm files are
    not run.
  - --invoke on a component takes the function's name, and its arguments as
    WAVE values in the words after FILE (wasmtime run takes one call
    expression, `--invoke 'f(1, \"a\")'`). On a core module it works as in
    wasmtime run: the words after FILE are argv, and the export takes the
    first ones as its arguments.
  - Exit statuses beyond the guest's own differ (see below): 126 when the
    module cannot run, 135 out of fuel, 142 past --timeout, 130/143 on
    Ctrl+C/SIGTERM (after the trace and -c table are written out).
  - More sandbox than wasmtime run has: --dir-readonly, --allow-net
    allow-lists, --clock frozen|deny, --random-seed, --stdin FILE.
  - The trace flags follow strace, not wasmtime: --trace, -o, -c, -e trace=,
    -Z, -s, -t/-tt. The call the run is stopped in (a sleep, a read of
    stdin, a component's wait-for) ends the trace as strace shows it,
    `poll_oneoff(...) <unfinished ...>` (`\"unfinished\": true` in JSON).";

const EXIT_CODES_HELP: &str = "\
Exit status:
  0-125  the guest's own exit code (a command returning from _start exits 0;
         an invoked export that returns exits 0 and prints its results)
  126    the module could not be loaded, compiled or linked, or the sandbox
         could not be set up (a missing --dir, say)
  130    Ctrl+C (SIGINT) stopped the run
  134    the guest trapped (the trap and its backtrace go to stderr)
  135    the guest ran out of --fuel
  142    the run passed its --timeout
  143    SIGTERM stopped the run";

#[derive(Args, Debug)]
#[command(after_help = EXIT_CODES_HELP)]
pub struct RunArgs {
    #[command(flatten)]
    pub sandbox: SandboxFlags,

    /// Call this export instead of running `_start`: for a core module (after
    /// `_initialize`), the words after FILE are argv and the first ones, as
    /// many as the export takes, its arguments; for a component, they are its
    /// WAVE arguments
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

    /// Run a composed command with its inner part PART (by name, as
    /// `wasmscope inspect` names it, e.g. `database-connector`, or by number,
    /// `#0`) replaced by the component in FILE: the parts that import from
    /// PART are linked to FILE at run time, once it is checked to export what
    /// they import with the same types. The run goes part by part. Repeat for
    /// more parts
    #[arg(long = "swap", value_name = "PART=FILE")]
    pub swaps: Vec<String>,

    /// The module (.wasm or .wat), then the guest's arguments: every word
    /// after FILE belongs to the guest, even one starting with `-`
    #[arg(value_name = "FILE [ARGS]...", required = true, num_args = 1.., trailing_var_arg = true, allow_hyphen_values = true)]
    pub module_and_args: Vec<String>,

    /// Set by `wasmscope call`: ARGS are the export's typed arguments, every
    /// one of them (a wrong count is an error), and none is argv.
    #[arg(skip)]
    pub typed_call: bool,

    /// Set by `wasmscope call --inner`: the inner component of a composed
    /// component whose export is called.
    #[arg(skip)]
    pub part: Option<String>,
}

impl RunArgs {
    pub fn file(&self) -> PathBuf {
        PathBuf::from(self.module_and_args.first().map(String::as_str).unwrap_or_default())
    }

    pub fn args(&self) -> &[String] {
        self.module_and_args.get(1..).unwrap_or_default()
    }
}

/// What is printed about a run besides its output (`run` and `call` share
/// them). The trace flags follow strace where it has one.
#[derive(Args, Debug, Clone, Default)]
pub struct ReportFlags {
    /// Print every WASI call: `text` (strace-like) or `json` (one object per line)
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub trace: Option<TraceFormat>,

    /// Write the trace to PATH instead of stderr, as the run goes (strace's
    /// `-o`); without --trace, the trace is text
    #[arg(short = 'o', long, value_name = "PATH")]
    pub trace_file: Option<PathBuf>,

    /// Count calls, errors and time per function and print the table on
    /// stderr at the end (strace's `-c`); alone, no trace is printed
    #[arg(short = 'c', long)]
    pub summary: bool,

    /// Trace and count only these functions (strace's `-e trace=`): preview1
    /// names (`fd_write`), or a component's `interface#function` or function
    /// name (`descriptor.open-at`); repeatable
    #[arg(short = 'e', value_name = "trace=NAME,...", value_parser = super::trace::parse_trace_expression)]
    pub trace_expression: Vec<Vec<String>>,

    /// Trace and count only the calls that failed (strace's `-Z`)
    #[arg(short = 'Z', long)]
    pub failed_only: bool,

    /// Show at most N bytes of each buffer and N characters of each string
    /// (strace's `-s`; buffers are recorded up to 32 bytes)
    #[arg(short = 's', long = "string-limit", value_name = "N")]
    pub string_limit: Option<usize>,

    /// Start each text trace line with the time of day: `-t` HH:MM:SS,
    /// `-tt` with microseconds (strace's `-t`)
    #[arg(short = 't', action = clap::ArgAction::Count)]
    pub timestamps: u8,

    /// Show the guest's stack under each preview1 call (strace's `-k`): the
    /// functions, with file:line:column where the module has DWARF. A stack
    /// walk per call (with -e trace=NAME, only for those functions' calls;
    /// -Z spares none, as a call fails only after its walk); not kept by
    /// --record; without --trace, the trace is text; with -c, give --trace
    /// or -o too
    #[arg(short = 'k', long = "stack-trace")]
    pub stacks: bool,

    /// Print the phase timings (compile, instantiate, first call, total) at the end
    #[arg(long)]
    pub timings: bool,

    /// Record the whole run to FILE (calls, memory, timings, output, the
    /// outcome, the profile with environment variables by name only, the
    /// module's name and hash), written as the run goes; open it in the
    /// window with `wasmscope FILE`
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
}

impl ReportFlags {
    /// The trace lines' format, if lines are asked for (`--trace`, or `-o` or `-k`
    /// alone as text).
    fn line_format(&self) -> Option<TraceFormat> {
        self.trace.or((self.trace_file.is_some() || self.stacks).then_some(TraceFormat::Text))
    }

    fn filter(&self) -> CallFilter {
        CallFilter { names: self.trace_expression.concat(), failed_only: self.failed_only }
    }

    /// Something will read the recorded calls.
    fn wants_calls(&self) -> bool {
        self.line_format().is_some() || self.summary || self.record.is_some()
    }
}

/// `--swap database-connector=provider_rust.wasm`: the part, and the
/// component read from the file.
fn part_swap(spec: &str) -> anyhow::Result<runtime_worker::PartSwap> {
    let Some((part, file)) = spec.split_once('=').filter(|(part, file)| !part.is_empty() && !file.is_empty()) else {
        anyhow::bail!("`--swap {spec}`: write PART=FILE, e.g. `--swap database-connector=provider_rust.wasm`");
    };
    let with =
        load::load_file(std::path::Path::new(file)).with_context(|| format!("failed to load `{file}` for --swap"))?;
    Ok(runtime_worker::PartSwap { part: part.to_string(), with })
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
    let (entry, guest_args) = match &args.invoke {
        // As `wasmtime run --invoke`: every word after the module is argv,
        // and the export takes as many of them as it has parameters.
        Some(name) if module.kind == ModuleKind::Core && !args.typed_call => {
            let words = args.args();
            let takes = core_export_param_count(&module, name).unwrap_or(words.len()).min(words.len());
            (Entry::Invoke { name: name.clone(), args: words[..takes].to_vec() }, words)
        }
        // `wasmtime run --invoke 'f("x", 1)'`: a component's export called
        // with WAVE values written as a call; the words after FILE are argv.
        Some(call) if module.kind == ModuleKind::Component && !args.typed_call && call.ends_with(')') => {
            let (name, values) = split_call(call)
                .ok_or_else(|| anyhow::anyhow!("`--invoke {call}` is not a call: write `name(value, ...)`"))?;
            (Entry::Invoke { name, args: values }, args.args())
        }
        // A component's export (or any export `wasmscope call` calls) takes
        // ARGS as its values, not as argv.
        Some(name) => (Entry::Invoke { name: name.clone(), args: args.args().to_vec() }, &[][..]),
        None => (Entry::Start, args.args()),
    };
    let profile = args.sandbox.to_profile(guest_args, Some(order))?;
    let report = &args.report;
    if report.stacks && report.summary && report.trace.is_none() && report.trace_file.is_none() {
        anyhow::bail!(
            "`-k` shows stacks under the trace's lines, and `-c` alone prints no trace: add `--trace text` (or `-o \
             FILE`) to have both"
        );
    }
    let filter = args.report.filter();
    // `-k -e trace=NAME`: only those calls' stacks are walked.
    let mut stacks_only_for = Vec::new();
    if module.kind == ModuleKind::Core {
        stacks_only_for = filter.preview1_functions().map_err(anyhow::Error::msg)?;
    } else if report.stacks {
        eprintln!("wasmscope: -k: a component's host calls carry no stack; only a core module's preview1 calls do");
    }
    let lines: Option<(TraceFormat, Box<dyn Write>)> = match (args.report.line_format(), &args.report.trace_file) {
        (None, _) => None,
        (Some(format), Some(path)) => {
            let file = std::fs::File::create(path).with_context(|| format!("cannot create `{}`", path.display()))?;
            Some((format, Box::new(BufWriter::new(file))))
        }
        (Some(format), None) => Some((format, Box::new(io::stderr()))),
    };

    // What `--explain` needs once the module and profile are the worker's.
    let explain = args.explain.then(|| (profile.clone(), runtime_worker::inspect::language_of(&module.bytes)));
    let runtime = crate::persist::runtime()?;
    let kind = module.kind;
    let mut request = RunRequest::new(module, profile, entry);
    request.program_name = args.argv0.clone();
    request.swaps = args.swaps.iter().map(|spec| part_swap(spec)).collect::<anyhow::Result<_>>()?;
    request.part = args.part.clone();
    let mut recording = match &args.report.record {
        Some(path) => Some(start_recording(path, &request)?),
        None => None,
    };
    // Calls are recorded only when something here will read them.
    request.record_calls = args.report.wants_calls() || args.explain;
    request.call_stacks = args.report.stacks;
    request.stacks_only_for = stacks_only_for;
    let interactive = request.profile.stdin == runtime_worker::StdinSource::Interactive;
    interrupt::catch();
    let run_started = SystemTime::now();
    let handle = runtime.start(request);
    if interactive {
        feed_stdin(handle.commander());
    }
    let mut tracer = Tracer::new(TraceOptions {
        lines,
        summary: args.report.summary,
        filter,
        string_limit: args.report.string_limit,
        timestamps: Timestamps::from_count(args.report.timestamps),
        run_started,
    });

    let stdout = io::stdout();
    let mut stdout = stdout.lock();
    let stderr_is_terminal = io::stderr().is_terminal();
    let mut timings: Vec<PhaseTiming> = Vec::new();
    let mut progress_shown = false;
    let mut evidence = args.explain.then(Evidence::default);
    let mut interrupted = None;
    let outcome = loop {
        // Ctrl+C or SIGTERM: stop the guest, then go on taking in what it
        // did until the run reports how it ended.
        if interrupted.is_none()
            && let Some(signal) = interrupt::received()
        {
            interrupted = Some(signal);
            handle.stop();
        }
        let batch = match handle.events().recv_timeout(SIGNAL_POLL) {
            Ok(batch) => batch,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => {
                anyhow::bail!("the worker ended without reporting how the run ended")
            }
        };
        if let Some((writer, path)) = &mut recording {
            writer.write_batch(&batch.events).with_context(|| format!("cannot write `{}`", path.display()))?;
        }
        let mut finished = None;
        // By reference: an event moved out of the batch is 208 bytes
        // copied, for every call of a run that makes millions.
        for event in &batch.events {
            if let Some(evidence) = &mut evidence {
                evidence.observe(event);
            }
            match event {
                WorkerEvent::Output { stream: Stream::Stdout, bytes } => stdout.write_all(bytes)?,
                WorkerEvent::Output { stream: Stream::Stderr, bytes } => {
                    stdout.flush()?;
                    io::stderr().write_all(bytes)?;
                }
                WorkerEvent::OutputDropped { .. } => {}
                WorkerEvent::Call(call) => tracer.call(call)?,
                WorkerEvent::HostCall(call) => tracer.host_call(call)?,
                &WorkerEvent::CompileProgress { done, total } => {
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
                    timings.push(*timing);
                }
                WorkerEvent::Memory(_) => {}
                WorkerEvent::Finished(outcome) => finished = Some(outcome.clone()),
            }
        }
        stdout.flush()?;
        tracer.flush()?;
        if let Some(outcome) = finished {
            break outcome;
        }
    };
    if let Some((writer, path)) = recording {
        writer.finish().with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    if args.report.timings {
        print_timings(&timings);
    }
    let (status, ending) = match interrupted {
        Some(signal) if outcome == RunOutcome::Stopped => {
            eprintln!("wasmscope: {}: the guest was stopped", signal.name());
            (signal.exit_status(), format!("killed by {}", signal.name()))
        }
        _ => (report_outcome(&outcome, kind), ending_text(&outcome)),
    };
    tracer.finish(&ending)?;
    if let (Some(evidence), Some((profile, language))) = (evidence, explain) {
        let findings = runtime_worker::doctor::diagnose(&evidence, &profile, language.as_deref());
        eprint!("{}", explain_text(&findings));
    }
    Ok(status)
}

/// Creates the `--record` file and writes its header: what is run, how, and
/// under which profile.
fn start_recording(
    path: &std::path::Path,
    request: &RunRequest,
) -> anyhow::Result<(RecordingWriter<std::fs::File>, PathBuf)> {
    let module = &request.module;
    let header = recording::Header {
        writer: env!("CARGO_PKG_VERSION").to_string(),
        module_name: module.name.clone(),
        module_sha256: module.sha256,
        kind: module.kind,
        // Only the producers section: a whole inspection of a 20 MB component
        // took 100 ms before the run could start.
        language: runtime_worker::inspect::language_of(&module.bytes),
        started_unix_ms: SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64),
        entry: request.entry.clone(),
        profile: recorded_profile(&request.profile),
        program_name: request.program_name.clone(),
        part: request.part.clone(),
        swaps: request.swaps.iter().map(|swap| (swap.part.clone(), swap.with.name.clone())).collect(),
    };
    let file = std::fs::File::create(path).with_context(|| format!("cannot create `{}`", path.display()))?;
    let writer = RecordingWriter::new(file, &header).with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok((writer, path.to_path_buf()))
}

/// The profile as a recording keeps it:
/// - each mount's host folder absolute, so that the recording names the
///   folder the run was granted wherever it is opened (a relative one would
///   be read against the folder the window was started in there);
/// - environment variables by name, their values left out, as the trace
///   leaves them out of `environ_get` and `get-environment`: a recording is
///   made to be shared, and `--env NAME` copies the host's value (a token,
///   a password) into the profile.
fn recorded_profile(profile: &SandboxProfile) -> SandboxProfile {
    fn keep(profile: &mut SandboxProfile) {
        for mount in &mut profile.mounts {
            if let Ok(absolute) = std::path::absolute(&mount.host) {
                mount.host = absolute;
            }
        }
        for (_, value) in &mut profile.env.vars {
            value.clear();
        }
        profile.parts.iter_mut().for_each(|part| keep(&mut part.profile));
    }
    let mut profile = profile.clone();
    keep(&mut profile);
    profile
}

/// `execute-query("select *", 2)` → (`execute-query`, [`"select *"`, `2`]):
/// the arguments split at the commas that are outside strings, characters,
/// brackets and braces.
pub(super) fn split_call(call: &str) -> Option<(String, Vec<String>)> {
    let open = call.find('(')?;
    let name = call[..open].trim();
    let inner = call[open + 1..].strip_suffix(')')?;
    if name.is_empty() {
        return None;
    }
    let mut values = Vec::new();
    let (mut depth, mut start, mut quote, mut escaped) = (0i32, 0, None::<char>, false);
    for (i, c) in inner.char_indices() {
        match (quote, c) {
            (Some(_), _) if escaped => escaped = false,
            (Some(_), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                values.push(inner[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    if quote.is_some() || depth != 0 {
        return None;
    }
    let last = inner[start..].trim();
    if !last.is_empty() || !values.is_empty() {
        values.push(last.to_string());
    }
    Some((name.to_string(), values))
}

/// How many parameters the core module's export `name` takes, if it exports
/// a function by that name (read from its signature, `(i32, i64) -> i32`).
fn core_export_param_count(module: &runtime_worker::LoadedModule, name: &str) -> Option<usize> {
    let inspection = runtime_worker::inspect::inspect(module);
    let export = inspection.exports.iter().find(|e| e.name == name && e.kind == "func")?;
    let params = export.signature.as_deref()?.strip_prefix('(')?.split(')').next()?;
    Some(if params.trim().is_empty() { 0 } else { params.split(',').count() })
}

/// How often the run loop looks for Ctrl+C while no event arrives.
const SIGNAL_POLL: Duration = Duration::from_millis(50);

/// A text trace's last line, between `+++`, as strace ends its traces.
fn ending_text(outcome: &RunOutcome) -> String {
    match outcome {
        RunOutcome::Exited { code } => format!("exited with {code}"),
        RunOutcome::Returned { .. } => "exited with 0".to_string(),
        RunOutcome::Responded(response) => format!("answered {}", response.status),
        RunOutcome::Trapped(trap) => match trap.kind {
            TrapKind::OutOfFuel => "killed by running out of fuel".to_string(),
            TrapKind::Unreachable => "killed by trap (unreachable)".to_string(),
            TrapKind::StackOverflow => "killed by trap (stack overflow)".to_string(),
            TrapKind::MemoryOutOfBounds => "killed by trap (out-of-bounds memory access)".to_string(),
            TrapKind::Host => "killed by trap (in a host function)".to_string(),
            TrapKind::Other => "killed by trap".to_string(),
        },
        RunOutcome::TimedOut => "killed by --timeout".to_string(),
        RunOutcome::Stopped => "stopped".to_string(),
        RunOutcome::Failed { stage, .. } => format!("could not run ({} failed)", stage.name()),
    }
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
fn report_outcome(outcome: &RunOutcome, kind: ModuleKind) -> i32 {
    match outcome {
        RunOutcome::Exited { code } => *code,
        // As wasmtime prints them: a component's function that returns
        // nothing prints `()` (WAVE's empty tuple), a core export nothing.
        RunOutcome::Returned { values } if values.is_empty() && kind == ModuleKind::Component => {
            println!("()");
            0
        }
        RunOutcome::Returned { values } => {
            for value in values {
                println!("{value}");
            }
            0
        }
        RunOutcome::Responded(response) => {
            println!("{}", response.status);
            io::stdout().write_all(&response.body).ok();
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

/// The trap and its backtrace as `wasmtime run` prints them: each frame's
/// offset and function, then, where the module has DWARF, `at FILE:LINE:COL`
/// under it (and the functions inlined there, each with its own line).
pub fn describe_trap(trap: &TrapInfo) -> String {
    let mut text = format!("error: {}\n", trap.message);
    if !trap.backtrace.is_empty() {
        text.push_str("wasm backtrace:\n");
        for (i, frame) in trap.backtrace.iter().enumerate() {
            let name = frame.func_name.clone().unwrap_or_else(|| format!("<func {}>", frame.func_index));
            text.push_str(&format!("  {i:>3}: "));
            if let Some(offset) = frame.module_offset {
                text.push_str(&format!("{offset:#8x} - "));
            }
            if frame.source.is_empty() {
                text.push_str(&format!("{name}\n"));
            }
            for (j, place) in frame.source.iter().enumerate() {
                let function = match (&place.function, j) {
                    (Some(function), _) => function.clone(),
                    (None, 0) => name.clone(),
                    (None, _) => "<inlined function>".to_string(),
                };
                if j > 0 {
                    text.push_str("                - ");
                }
                text.push_str(&format!("{function}\n"));
                if let Some(at) = place.place() {
                    text.push_str(&format!("                    at {at}\n"));
                }
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::split_call;

    #[test]
    fn a_call_splits_at_its_own_commas_only() {
        let split = |c: &str| split_call(c).map(|(n, v)| (n, v.join(" | ")));
        assert_eq!(split("f()"), Some(("f".into(), String::new())));
        assert_eq!(split(r#"execute-query("select a, b")"#), Some(("execute-query".into(), r#""select a, b""#.into())));
        assert_eq!(
            split(r#"g([1, 2], {x: 1, y: "),"}, ',', "\"")"#),
            Some(("g".into(), r#"[1, 2] | {x: 1, y: "),"} | ',' | "\"""#.into()))
        );
        assert_eq!(split(r#"f("open"#), None);
        assert_eq!(split("(1)"), None);
    }
}
