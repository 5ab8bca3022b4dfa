//! The window. Panels read the model (`crate::model`) and the persisted
//! `State`, and return what the person asked for as `Intent`s, which
//! `app.rs` carries out; none of them touches the engine.

pub mod app;
pub mod call_view;
pub mod calls_view;
pub mod capabilities_panel;
pub mod compare_view;
mod composition_view;
pub mod console_view;
pub mod density_view;
pub mod diagnosis_view;
pub mod disassembly_view;
mod drop_overlay;
pub mod file_dialog;
pub mod host_calls_view;
mod icon;
pub mod inspector_view;
pub mod intent;
mod measurements;
pub mod memory_view;
pub mod module_panel;
pub mod profile_menu;
mod request_view;
pub mod shortcuts;
mod startup;
pub mod state;
pub mod status_bar;
pub mod summary_view;
pub mod theme;
pub mod timings_view;
pub mod toolbar;
pub mod widgets;
pub mod workshop;

pub use app::WasmscopeApp;
pub use startup::{WindowOptions, mark_process_start};

/// Opens the window; returns when it is closed.
pub fn run(options: WindowOptions) -> eframe::Result {
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Wasmscope")
            .with_icon(icon::window_icon())
            .with_app_id("wasmscope")
            .with_inner_size([1400.0, 860.0])
            .with_min_inner_size([900.0, 560.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native("wasmscope", native, Box::new(move |cc| Ok(Box::new(WasmscopeApp::new(cc, options)))))
}
