//! The window. Panels read the model (`crate::model`) and ask it to act;
//! none of them touches the engine.

pub mod app;
pub mod call_view;
pub mod calls_view;
pub mod capabilities_panel;
pub mod compare_view;
pub mod console_view;
pub mod density_view;
pub mod diagnosis_view;
pub mod disassembly_view;
pub mod file_dialog;
pub mod host_calls_view;
pub mod inspector_view;
pub mod memory_view;
pub mod module_panel;
pub mod profile_menu;
pub mod summary_view;
pub mod theme;
pub mod timings_view;
pub mod toolbar;
pub mod workshop;

use std::path::PathBuf;

pub use app::WasmscopeApp;

/// How the window starts (from the command line).
#[derive(Clone, Debug, Default)]
pub struct WindowOptions {
    /// Open this file instead of the last module.
    pub file: Option<PathBuf>,
    /// Open this bundled sample, with its profile.
    pub sample: Option<String>,
    /// Run as soon as the module is open.
    pub run: bool,
    pub tab: Option<app::Tab>,
    /// Report start-up time and idle memory, then close (`--measure-startup`).
    pub measure_startup: bool,
}

/// When `main` began: the origin of the start-up measurement.
static PROCESS_START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Call first thing in `main`.
pub fn mark_process_start() {
    PROCESS_START.get_or_init(std::time::Instant::now);
}

pub(crate) fn since_process_start() -> std::time::Duration {
    PROCESS_START.get_or_init(std::time::Instant::now).elapsed()
}

/// Opens the window; returns when it is closed.
pub fn run(options: WindowOptions) -> eframe::Result {
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Wasmscope")
            .with_app_id("wasmscope")
            .with_inner_size([1400.0, 860.0])
            .with_min_inner_size([900.0, 560.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native("wasmscope", native, Box::new(move |cc| Ok(Box::new(WasmscopeApp::new(cc, options)))))
}
