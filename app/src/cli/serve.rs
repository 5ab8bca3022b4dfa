//! `wasmscope serve`: a `wasi:http` handler on a socket, like `wasmtime
//! serve`: a fresh instance per request, under the same sandbox flags as
//! `wasmscope run`. One line per request on stderr (method, path, status,
//! instantiate time, handler time); with `--trace`, the host calls of each
//! request, tagged with its number.

use std::io::{self, IsTerminal, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::SystemTime;

use anyhow::Context as _;
use clap::Args;
use runtime_worker::inspect::load;
use runtime_worker::serve::{ServeOptions, Served};
use runtime_worker::trace::describe::format_nanos;
use runtime_worker::{Phase, Stream, WorkerEvent};

use super::interrupt;
use super::run::exit_code;
use super::trace::{CallFilter, Timestamps, TraceFormat, TraceOptions, Tracer};
use crate::sandbox_flags::SandboxFlags;

#[derive(Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub sandbox: SandboxFlags,

    /// The address to listen on (wasmtime serve's default)
    #[arg(long, value_name = "HOST:PORT", default_value = "0.0.0.0:8080")]
    pub addr: SocketAddr,

    /// Also print each request's host calls: `text` (strace-like, each line
    /// tagged `[N]` with the request's number) or `json` (one object per line,
    /// with `"request": N`)
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub trace: Option<TraceFormat>,

    /// The component: it must export `wasi:http/incoming-handler` (WASI 0.2)
    /// or `wasi:http/handler` (0.3)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

pub fn execute(args: &ServeArgs) -> i32 {
    match try_execute(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            exit_code::CANNOT_RUN
        }
    }
}

fn try_execute(args: &ServeArgs) -> anyhow::Result<i32> {
    let module = load::load_file(&args.file).with_context(|| format!("failed to load `{}`", args.file.display()))?;
    let inspection = runtime_worker::inspect::inspect(&module);
    if !inspection.component.as_ref().is_some_and(|c| c.is_http_handler()) {
        anyhow::bail!(
            "`{}` is not an HTTP handler: it exports neither `wasi:http/incoming-handler` (WASI 0.2) nor \
             `wasi:http/handler` (0.3); run a command with `wasmscope run`",
            args.file.display()
        );
    }
    let profile = args.sandbox.to_profile(&[], None)?;
    if !profile.parts.is_empty() {
        anyhow::bail!("--part is for a composed command's parts (wasmscope run); a handler is served whole");
    }
    let runtime = crate::persist::runtime()?;
    // Compiled before listening, so the first request does not wait for it.
    if io::stderr().is_terminal() {
        eprint!("compiling {}…", args.file.display());
    }
    let prepared = runtime.prepare_component(&module);
    if io::stderr().is_terminal() {
        eprint!("\r\x1b[2K");
    }
    prepared.map_err(|message| anyhow::anyhow!("`{}` does not compile: {message}", args.file.display()))?;
    let listener = TcpListener::bind(args.addr).with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    eprintln!("Serving HTTP on http://{addr}/");
    let options = ServeOptions { record_calls: args.trace.is_some(), ..ServeOptions::default() };
    let format = args.trace;
    let printer = Mutex::new(());
    interrupt::catch();
    runtime_worker::serve::serve(
        &runtime,
        module,
        profile,
        options,
        listener,
        || interrupt::received().is_some(),
        move |served| {
            // Requests are answered concurrently; their lines are not mixed.
            let _one_at_a_time = printer.lock().unwrap_or_else(|e| e.into_inner());
            if let Err(e) = report(&served, format) {
                eprintln!("wasmscope: cannot print request {}: {e}", served.id);
            }
        },
    )?;
    let signal = interrupt::received();
    Ok(signal.map_or(0, |s| s.exit_status()))
}

/// Prints a request's output, its host calls when traced, and its line.
fn report(served: &Served, format: Option<TraceFormat>) -> io::Result<()> {
    let mut tracer = format.map(|format| {
        let out: Box<dyn Write> = Box::new(Tagged { id: served.id, format, out: io::stderr(), at_line_start: true });
        Tracer::new(TraceOptions {
            lines: Some((format, out)),
            summary: false,
            filter: CallFilter::default(),
            string_limit: None,
            timestamps: Timestamps::None,
            run_started: SystemTime::now(),
        })
    });
    let (mut compile, mut instantiate, mut total) = (0, None, None);
    for event in &served.events {
        match event {
            WorkerEvent::Output { stream: Stream::Stdout, bytes } => {
                io::stdout().write_all(&prefixed(served.id, "stdout", bytes))?
            }
            WorkerEvent::Output { stream: Stream::Stderr, bytes } => {
                io::stderr().write_all(&prefixed(served.id, "stderr", bytes))?
            }
            WorkerEvent::HostCall(call) => {
                if let Some(tracer) = &mut tracer {
                    tracer.host_call(call)?;
                }
            }
            WorkerEvent::Phase(timing) if timing.phase == Phase::Compile => compile = timing.nanos,
            WorkerEvent::Phase(timing) if timing.phase == Phase::Instantiate => instantiate = Some(timing.nanos),
            WorkerEvent::Phase(timing) if timing.phase == Phase::Total => total = Some(timing.nanos),
            _ => {}
        }
    }
    if let Some(tracer) = &mut tracer {
        tracer.flush()?;
    }
    let time = |nanos: Option<u64>| nanos.map_or("-".to_string(), format_nanos);
    let handler = match (instantiate, total) {
        (Some(i), Some(t)) => Some(t.saturating_sub(i).saturating_sub(compile)),
        _ => None,
    };
    let mut line = format!(
        "[{}] {} {} -> {} (instantiate {}, handler {}, total {})",
        served.id,
        served.request.method,
        served.request.path,
        served.status(),
        time(instantiate),
        time(handler),
        format_nanos(served.total.as_nanos() as u64),
    );
    if !matches!(served.outcome, runtime_worker::RunOutcome::Responded(_)) {
        line.push_str(&format!(": {}", runtime_worker::serve::describe(&served.outcome)));
    }
    eprintln!("{line}");
    Ok(())
}

/// Each line of a request's output, prefixed like `wasmtime serve` does.
fn prefixed(id: u64, stream: &str, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 16);
    for line in bytes.split_inclusive(|b| *b == b'\n') {
        out.extend_from_slice(format!("{stream} [{id}] :: ").as_bytes());
        out.extend_from_slice(line);
    }
    out
}

/// Writes trace lines tagged with the request's number: text lines start
/// with `[N] `, JSON objects get `"request":N` first.
struct Tagged<W: Write> {
    id: u64,
    format: TraceFormat,
    out: W,
    at_line_start: bool,
}

impl<W: Write> Write for Tagged<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for piece in buf.split_inclusive(|b| *b == b'\n') {
            if self.at_line_start {
                match self.format {
                    TraceFormat::Text => write!(self.out, "[{}] ", self.id)?,
                    TraceFormat::Json if piece.first() == Some(&b'{') => {
                        write!(self.out, "{{\"request\":{},", self.id)?;
                        self.out.write_all(&piece[1..])?;
                        self.at_line_start = piece.ends_with(b"\n");
                        continue;
                    }
                    TraceFormat::Json => {}
                }
            }
            self.out.write_all(piece)?;
            self.at_line_start = piece.ends_with(b"\n");
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
