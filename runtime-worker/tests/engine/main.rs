//! The engine's integration tests, one module per subject, linked into one
//! test binary: each binary links wasmtime and Cranelift, so one instead of
//! eleven saves CI about 0.7 GB of disk and ten links.

mod support;

mod all_functions;
mod async_exports;
mod bad_input;
mod component_clocks;
mod components;
mod composition;
mod corpus;
mod crossings;
mod density;
mod diagnosis;
mod escape_battery;
mod inspect;
mod module_cache;
mod one_finished;
mod part_calls;
mod pool;
mod runaway;
mod samples;
mod source_lines;
mod stop;
