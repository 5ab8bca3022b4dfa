//! Running guests: the `Runtime` and its handles (`runtime`), the worker
//! thread's body (`worker`), core modules with every preview1 import traced
//! (`core_module`, `interpose`, `module_host`), components (`component`, and `glass_box` for a composed one run part by part;
//! `part_call` for one of its parts' exports called on its own; `file_reads` follows a WASI 0.3 file read past its call; `hot_calls` records the hottest host functions without `tracing`),
//! what both kinds share (`guest`), and the machinery under them: engines
//! and compiling (`engine`), the pooling allocator (`pool`), kept threads
//! (`threads`).

mod component;
mod core_module;
mod engine;
mod file_reads;
mod glass_box;
mod guest;
mod hot_calls;
mod interpose;
mod link_error;
mod module_host;
mod part_call;
mod pool;
mod runtime;
mod threads;
mod wit_text;
mod worker;

pub use runtime::{Commander, EngineError, EventReceiver, POOLED_RUNS, RunHandle, Runtime};
