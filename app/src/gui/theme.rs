//! Design tokens: the colours, font sizes and row heights every panel takes
//! from here, so that "denied" looks the same in the table, the chips and the
//! detail pane, and a hint reads the same in every tab.

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

/// Font sizes, in points, by what the text is. The zoom factor multiplies
/// them all: workshop mode enlarges type by raising the zoom
/// (`workshop::ZOOM`), so that every size keeps its place among the others.
pub mod font {
    /// Decade labels painted inside a timing bar.
    pub const TICK: f32 = 10.0;
    /// A scenario's story in workshop mode's side panel.
    pub const STORY: f32 = 14.0;
    /// Text to read: tab titles, the Profile menu, the Call form, the
    /// detail of a finding or a denial.
    pub const READING: f32 = 15.0;
    /// What a panel says first: a tab's hint before there is anything to
    /// show, section titles, the toolbar's buttons and run state.
    pub const LEAD: f32 = 16.0;
    /// A workshop scenario's steps.
    pub const STEP: f32 = 17.0;
    /// Names and headline figures: the module, the selected call, a
    /// finding's headline, the Run button, Density's results.
    pub const TITLE: f32 = 18.0;
    /// The message across the window while a file is dragged over it.
    pub const BANNER: f32 = 28.0;
}

/// The capability chips' text: a point larger than body text, to be read
/// from the back of a room.
pub fn chip_font(ui: &Ui) -> egui::FontId {
    egui::FontId::proportional(ui.text_style_height(&egui::TextStyle::Body) + 1.0)
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
