//! Design tokens: the colours and sizes every panel takes from here, so that
//! "denied" looks the same in the table, the chips and the detail pane.

use egui::{Color32, Ui};

pub struct Tokens {
    pub denied_fill: Color32,
    pub denied_text: Color32,
    pub error_text: Color32,
    pub ok_text: Color32,
    pub stderr_text: Color32,
    pub chip_on_fill: Color32,
    pub chip_off_fill: Color32,
    pub chip_text: Color32,
    pub warning_text: Color32,
    pub muted_text: Color32,
    pub accent: Color32,
}

pub fn tokens(ui: &Ui) -> Tokens {
    if ui.visuals().dark_mode {
        Tokens {
            denied_fill: Color32::from_rgb(96, 28, 32),
            denied_text: Color32::from_rgb(255, 140, 140),
            error_text: Color32::from_rgb(255, 190, 110),
            ok_text: Color32::from_rgb(140, 220, 150),
            stderr_text: Color32::from_rgb(255, 170, 120),
            chip_on_fill: Color32::from_rgb(30, 110, 60),
            chip_off_fill: Color32::from_rgb(70, 70, 76),
            chip_text: Color32::WHITE,
            warning_text: Color32::from_rgb(255, 210, 90),
            muted_text: Color32::from_gray(150),
            accent: Color32::from_rgb(110, 170, 255),
        }
    } else {
        Tokens {
            denied_fill: Color32::from_rgb(255, 215, 215),
            denied_text: Color32::from_rgb(170, 20, 30),
            error_text: Color32::from_rgb(170, 90, 0),
            ok_text: Color32::from_rgb(20, 120, 40),
            stderr_text: Color32::from_rgb(170, 70, 0),
            chip_on_fill: Color32::from_rgb(40, 140, 75),
            chip_off_fill: Color32::from_rgb(150, 150, 156),
            chip_text: Color32::WHITE,
            warning_text: Color32::from_rgb(150, 100, 0),
            muted_text: Color32::from_gray(110),
            accent: Color32::from_rgb(30, 90, 200),
        }
    }
}

/// A capability chip: a filled pill readable from the back of a room. One
/// allocation of exactly its size, so that chips wrap in `horizontal_wrapped`.
pub fn chip(ui: &mut Ui, label: &str, on: bool, tooltip: &str) -> egui::Response {
    let t = tokens(ui);
    let fill = if on { t.chip_on_fill } else { t.chip_off_fill };
    let mark = if on { "✔" } else { "✖" };
    let text = format!("{mark} {label}");
    let font = egui::FontId::proportional(ui.text_style_height(&egui::TextStyle::Body) + 1.0);
    let galley = ui.painter().layout_no_wrap(text.clone(), font, t.chip_text);
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

/// Height of one line of monospace text in a plain list (`show_rows`): the
/// height a label of it really takes, so that the rows laid out fill the view.
pub fn line_height(ui: &Ui) -> f32 {
    ui.text_style_height(&egui::TextStyle::Monospace)
}

/// Row height of monospace tables at the current text size.
pub fn row_height(ui: &Ui) -> f32 {
    ui.text_style_height(&egui::TextStyle::Monospace) + 4.0
}
