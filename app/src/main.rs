//! Wasmscope: look inside a WebAssembly sandbox while it runs.

mod cli;
mod sandbox_flags;

fn main() {
    match cli::dispatch() {
        cli::Invocation::Exit(code) => std::process::exit(code),
        cli::Invocation::Window { file } => {
            eprintln!("the window is not built yet; run `wasmscope run FILE` ({file:?})");
            std::process::exit(2);
        }
    }
}
