//! The capability chip: a filled pill, green when granted, readable from the
//! back of a room (the Capabilities panel, the findings of Why?).

use egui::Ui;

use crate::gui::theme;

/// A capability chip. One allocation of exactly its size, so that chips
/// wrap in `horizontal_wrapped`.
pub fn chip(ui: &mut Ui, label: &str, on: bool, tooltip: &str) -> egui::Response {
    let t = theme::tokens(ui);
    let fill = if on { t.chip_on_fill } else { t.chip_off_fill };
    let mark = if on { "✔" } else { "✖" };
    let text = format!("{mark} {label}");
    let galley = ui.painter().layout_no_wrap(text, theme::chip_font(ui), t.chip_text);
    let padding = egui::vec2(9.0, 4.0);
    let (rect, response) = ui.allocate_exact_size(galley.size() + 2.0 * padding, egui::Sense::hover());
    if ui.is_rect_visible(rect) {
        ui.painter().rect_filled(rect, rect.height() / 2.0, fill);
        ui.painter().galley(rect.min + padding, galley, t.chip_text);
    }
    let state = if on { "granted" } else { "not granted" };
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, format!("{label}: {state}")));
    response.on_hover_text(tooltip)
}
