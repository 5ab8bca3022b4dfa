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
    tokens_for(ui.visuals().dark_mode)
}

pub fn tokens_for(dark: bool) -> Tokens {
    if dark {
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

/// Prose in which `backticked` words (paths, names, flags) are set in the
/// monospace font, without the backticks: diagnoses and denials read as
/// sentences in the window and as Markdown when copied.
pub fn prose(ui: &Ui, text: &str, size: f32, color: Color32) -> egui::text::LayoutJob {
    let mut job = egui::text::LayoutJob::default();
    for (i, piece) in text.split('`').enumerate() {
        if piece.is_empty() {
            continue;
        }
        let font_id = if i % 2 == 1 { egui::FontId::monospace(size * 0.92) } else { egui::FontId::proportional(size) };
        job.append(piece, 0.0, egui::TextFormat { font_id, color, ..Default::default() });
    }
    job.wrap.max_width = ui.available_width();
    job
}
