//! `wasmscope density`: start N instances of a module or a component at once
//! and say what each costs.

use std::path::PathBuf;

use clap::Args;
use runtime_worker::ModuleKind;
use runtime_worker::density::{self, DensityReport, MAX_INSTANCES, MAX_THREADS};
use runtime_worker::inspect::load;
use runtime_worker::trace::describe::format_nanos;

#[derive(Args, Debug)]
#[command(after_help = "Each instance gets its own store and a locked-down WASI context (no files, no environment, \
                        no arguments; WASI 0.2 for a component), from wasmtime's pooling allocator, started from \
                        one thread per core unless --threads says otherwise; instances are instantiated, not run. A \
                        component instance (a provider, or a composed unit) holds every core instance inside it. \
                        Host memory is the process's resident set with all of them alive, less before, divided by N \
                        (Linux).")]
pub struct DensityArgs {
    /// How many instances to start and keep alive (1 to 10000)
    #[arg(short = 'n', long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=MAX_INSTANCES as i64))]
    pub instances: u32,

    /// How many threads start instances at once [default: one per core]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_THREADS as i64))]
    pub threads: Option<u32>,

    /// Print the figures as JSON
    #[arg(long)]
    pub json: bool,

    /// The module or component: .wasm or .wat
    pub file: PathBuf,
}

pub fn execute(args: &DensityArgs) -> i32 {
    let module = match load::load_file(&args.file) {
        Ok(module) => module,
        Err(e) => {
            eprintln!("error: failed to load `{}`: {e}", args.file.display());
            return super::run::exit_code::CANNOT_RUN;
        }
    };
    let threads = args.threads.map_or_else(density::default_threads, |n| n as usize);
    match density::start_on(module, args.instances as usize, threads).wait() {
        Ok(report) if args.json => {
            println!("{}", serde_json::to_string_pretty(&report).expect("a report serialises"));
            0
        }
        Ok(report) => {
            print!("{}", text(&report));
            0
        }
        Err(message) => {
            eprintln!("error: {message}");
            super::run::exit_code::CANNOT_RUN
        }
    }
}

fn text(report: &DensityReport) -> String {
    let mut out = format!(
        "{} instances alive, started in {} {}\n",
        report.started,
        format_nanos(report.total_ns),
        report.threads_text()
    );
    if report.kind == ModuleKind::Component {
        out.push_str(&format!(
            "each instance: a component of {} core instances, with its own WASI 0.2 context\n",
            report.core_instances_per_instance
        ));
    }
    out.push_str(&format!(
        "per instance (its own thread's time): median {}, p99 {}, max {}\n",
        format_nanos(report.median_ns),
        format_nanos(report.p99_ns),
        format_nanos(report.max_ns)
    ));
    match report.host_bytes_per_instance {
        Some(bytes) => out.push_str(&format!("host memory per instance: {:.1} KiB\n", bytes / 1024.0)),
        None if report.started == 0 => out.push_str("host memory per instance: no instance was started\n"),
        None => out.push_str("host memory per instance: not measured on this platform\n"),
    }
    out.push_str(&format!(
        "linear memory per instance: {} KiB declared (copy-on-write: untouched pages cost nothing)\n",
        report.linear_bytes_per_instance / 1024
    ));
    out.push_str(&format!(
        "compile (once): {}; teardown of all: {}\n",
        format_nanos(report.compile_ns),
        format_nanos(report.teardown_ns)
    ));
    out
}
