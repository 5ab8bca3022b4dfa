//! The command line: `wasmscope [FILE]` opens the window; `wasmscope run …`
//! runs headless with the same engine, `wasmscope inspect` analyses a module
//! and `wasmscope density` starts many instances of one; `wasmscope pod`
//! writes a Pod for runwasi and the module as the OCI image it names.

mod call;
mod density;
mod inspect;
mod interrupt;
mod pod;
mod run;
mod serve;
mod trace;

use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

pub use call::CallArgs;
pub use density::DensityArgs;
pub use inspect::InspectArgs;
pub use pod::PodArgs;
pub use run::RunArgs;
pub use serve::ServeArgs;

#[derive(Parser, Debug)]
#[command(
    name = "wasmscope",
    version,
    about = "Look inside a WebAssembly sandbox while it runs",
    long_about = "Look inside a WebAssembly sandbox while it runs.\n\n\
                  With no command, opens the window (with FILE loaded, if given).",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// A .wasm or .wat module, or a recording (`wasmscope run --record`), to
    /// open in the window
    pub file: Option<PathBuf>,

    /// Open a bundled sample (by file name, e.g. escape.wat) with the profile
    /// that tells its story
    #[arg(long, value_name = "NAME", conflicts_with = "file")]
    pub sample: Option<String>,

    /// Run the module as soon as it is open
    #[arg(long)]
    pub run: bool,

    /// The tab to show first
    #[arg(long, value_enum)]
    pub tab: Option<crate::gui::app::Tab>,

    /// For the benchmarks: print when the first frame was laid out and the
    /// resident memory after two idle seconds, then close
    #[arg(long, hide = true)]
    pub measure_startup: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a WASI module headless, printing its output (and, on request, its
    /// WASI calls) like `wasmtime run`
    #[command(long_about = run::RUN_LONG_ABOUT)]
    Run(Box<RunArgs>),
    /// Call one exported function of a component (or core module) with typed
    /// arguments written as WAVE values, and print its typed result; with no
    /// FUNCTION, list the functions and their WIT signatures
    Call(Box<CallArgs>),
    /// Show what a module is before it runs: sections, imports with the
    /// capabilities they belong to, exports, memories, custom sections, WIT
    Inspect(InspectArgs),
    /// Serve a `wasi:http` handler component on a socket, like `wasmtime
    /// serve`: a fresh instance per request, under the sandbox flags of `run`
    Serve(Box<ServeArgs>),
    /// Start N instances of a module at once, each in its own sandbox, and
    /// measure the start time and host memory each costs
    Density(DensityArgs),
    /// Write a Kubernetes Pod for runwasi's wasmtime shim that runs the module
    /// under the sandbox flags of `run`, and the module as the OCI image the
    /// Pod names
    Pod(Box<PodArgs>),
}

/// What `main` should do.
pub enum Invocation {
    Window(crate::gui::WindowOptions),
    /// Exit with this status after a headless command.
    Exit(i32),
}

/// Parses the process arguments and runs a headless command if one was asked
/// for.
pub fn dispatch() -> Invocation {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    match cli.command {
        None => {
            if let Some(name) = &cli.sample
                && crate::samples::by_file(name).is_none()
            {
                let names: Vec<&str> = crate::samples::SAMPLES.iter().map(|s| s.file).collect();
                eprintln!("error: no bundled sample `{name}`; the samples are: {}", names.join(", "));
                return Invocation::Exit(2);
            }
            Invocation::Window(crate::gui::WindowOptions {
                file: cli.file,
                sample: cli.sample,
                run: cli.run,
                tab: cli.tab,
                measure_startup: cli.measure_startup,
            })
        }
        Some(Command::Run(args)) => {
            let run_matches = matches.subcommand_matches("run");
            Invocation::Exit(run::execute(&args, run_matches))
        }
        Some(Command::Call(args)) => Invocation::Exit(call::execute(&args)),
        Some(Command::Inspect(args)) => Invocation::Exit(inspect::execute(&args)),
        Some(Command::Density(args)) => Invocation::Exit(density::execute(&args)),
        Some(Command::Serve(args)) => Invocation::Exit(serve::execute(&args)),
        Some(Command::Pod(args)) => Invocation::Exit(pod::execute(&args)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    #[test]
    fn words_after_the_file_belong_to_the_guest() {
        let cli = Cli::try_parse_from(["wasmscope", "run", "--dir", "a::/a", "x.wasm", "--dir", "-v", "b"]).unwrap();
        let Some(Command::Run(run)) = cli.command else { panic!("not run") };
        assert_eq!(run.sandbox.dirs, ["a::/a"]);
        assert_eq!(run.file(), PathBuf::from("x.wasm"));
        assert_eq!(run.args(), ["--dir", "-v", "b"]);
    }

    #[test]
    fn a_bare_file_opens_the_window() {
        let cli = Cli::try_parse_from(["wasmscope", "samples/hello.wat"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.file, Some(PathBuf::from("samples/hello.wat")));
    }
}
