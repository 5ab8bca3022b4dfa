//! The app's integration tests, linked into one test binary (each links
//! eframe, wgpu and wasmtime): the command line as a user calls it, settings
//! that survive a crash, and the window driven through egui_kittest.

mod cli_run;
mod settings_crash;
mod ui_stories;
