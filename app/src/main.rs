//! Wasmscope: look inside a WebAssembly sandbox while it runs.

use wasmscope::{cli, gui};

fn main() {
    gui::mark_process_start();
    wasmscope::logs::init_from_env();
    match cli::dispatch() {
        cli::Invocation::Exit(code) => std::process::exit(code),
        cli::Invocation::Window(options) => {
            if let Err(e) = gui::run(options) {
                eprintln!("error: cannot open the window: {e}");
                std::process::exit(1);
            }
        }
    }
}
