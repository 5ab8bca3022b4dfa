//! What the window knows: the loaded module, the runs and their events.
//! No egui here: the model is driven and tested without a window.

pub mod call_filter;
pub mod call_store;
pub mod console;
pub mod disassembly_job;
pub mod export_job;
pub mod part_swap;
pub mod part_times;
pub mod recorded_run;
pub mod run_diff;
pub mod run_record;
pub mod session;
