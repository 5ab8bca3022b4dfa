//! Wasmscope: look inside a WebAssembly sandbox while it runs.

use wasmscope::{cli, gui};

fn main() {
    match cli::dispatch() {
        cli::Invocation::Exit(code) => std::process::exit(code),
        cli::Invocation::Window { file } => {
            if let Err(e) = gui::run(file) {
                eprintln!("error: cannot open the window: {e}");
                std::process::exit(1);
            }
        }
    }
}
