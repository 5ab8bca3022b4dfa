//! The app's integration tests, linked into one test binary (each links
//! eframe, wgpu and wasmtime): the command line as a user calls it, settings
//! that survive a crash, the model taking in event batches, and the window
//! driven through egui_kittest.

mod async_calls;
mod call_inner;
mod call_rows;
mod cli_call_inner;
mod cli_density_components;
mod cli_parts;
mod cli_pod;
mod cli_record;
mod cli_run;
mod cli_serve;
mod cli_source_lines;
mod cli_strace;
mod cli_wasmtime_run;
mod compare_diff;
mod component_stories;
mod component_toolbar;
mod composition;
mod conformance;
mod pod_window;
mod recording_stories;
mod session_batches;
mod settings_crash;
mod trace_export;
mod trap_source_lines;
mod ui_stories;
mod workshop_screens;
