//! What the window shows while a file is dragged over it: a dimmed screen
//! that says a drop opens it.

use super::theme;

/// Draws the overlay while files hover over the window.
pub fn show(ctx: &egui::Context) {
    let hovering = ctx.input(|i| !i.raw.hovered_files.is_empty());
    if !hovering {
        return;
    }
    let screen = ctx.content_rect();
    let painter = ctx.layer_painter(egui::LayerId::new(egui::Order::Foreground, egui::Id::unique("drop-overlay")));
    painter.rect_filled(screen, 0.0, egui::Color32::from_black_alpha(180));
    painter.text(
        screen.center(),
        egui::Align2::CENTER_CENTER,
        "Drop a .wasm or .wat file to open it",
        egui::FontId::proportional(theme::font::BANNER),
        egui::Color32::WHITE,
    );
}
