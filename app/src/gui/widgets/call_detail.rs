//! The selected call in full, in a pane under either calls table: its name,
//! copy as JSON, the denial and its reason, every argument and result, when
//! it started and how long it took.

use egui::{Align, RichText, Ui};
use runtime_worker::Denial;
use runtime_worker::trace::describe::format_nanos;

use super::call_table::table_height;
use crate::gui::theme;

/// Rows of the table the pane never hides: a room must be able to read
/// the calls around the one selected.
pub const TABLE_KEEPS_ROWS: usize = 8;
/// The least the pane shrinks to: its title line.
const AT_LEAST: f32 = 48.0;

/// What the pane shows of every kind of call.
pub struct DetailPane<'a> {
    /// The pane's id; its scroll area and grid are named after it.
    pub id: &'static str,
    /// The function.
    pub title: &'a str,
    /// What the call is: its number and capability, or interface.
    pub subtitle: String,
    pub denial: Option<&'a Denial>,
    pub start_ns: u64,
    pub dur_ns: u64,
}

/// The pane; `fields` adds the call's own rows (arguments and result) to its
/// two-column grid, `footer` anything under the grid. True when the person
/// closed the pane.
pub fn detail_pane(
    ui: &mut Ui,
    pane: DetailPane<'_>,
    json: impl FnOnce() -> String,
    fields: impl FnOnce(&mut Ui),
    footer: impl FnOnce(&mut Ui),
) -> bool {
    let mut closed = false;
    // However it was dragged, the pane leaves the table its rows.
    let at_most = (ui.available_height() - table_height(ui, TABLE_KEEPS_ROWS)).max(AT_LEAST);
    let panel = egui::Panel::bottom(pane.id).resizable(true).default_size(200.0f32.min(at_most));
    panel.size_range(80.0f32.min(at_most)..=at_most).show(ui, |ui| {
        // Read and copied from, unlike the table above it.
        ui.style_mut().interaction.selectable_labels = true;
        closed = detail_header(ui, pane.title, &pane.subtitle, json);
        // Scrolled in whatever height the pane has: a scroll area taller than
        // the pane would push the pane's title up over the table.
        let scroll = egui::ScrollArea::vertical().id_salt(format!("{}-scroll", pane.id)).min_scrolled_height(0.0);
        scroll.show(ui, |ui| {
            if let Some(denial) = pane.denial {
                denial_box(ui, denial);
            }
            egui::Grid::new(format!("{}-grid", pane.id)).num_columns(2).striped(true).show(ui, |ui| {
                fields(ui);
                ui.label(RichText::new("started").strong());
                ui.monospace(format!("{:.6} ms after the run began", pane.start_ns as f64 / 1e6));
                ui.end_row();
                ui.label(RichText::new("took").strong());
                ui.monospace(format_nanos(pane.dur_ns));
                ui.end_row();
            });
            footer(ui);
        });
    });
    closed
}

/// One row of the pane's grid: a name, and its value in monospace, wrapped.
pub fn field(ui: &mut Ui, name: &str, value: impl Into<String>) {
    ui.label(RichText::new(name).strong());
    ui.add(egui::Label::new(RichText::new(value).monospace()).wrap());
    ui.end_row();
}

/// The pane's title line: the function, what it is, and the buttons to copy
/// the call as JSON and to close the pane (true when clicked).
fn detail_header(ui: &mut Ui, title: &str, subtitle: &str, json: impl FnOnce() -> String) -> bool {
    let t = theme::tokens(ui);
    let mut close = false;
    ui.horizontal(|ui| {
        // The buttons first, from the right; the title and subtitle take
        // what they leave, cut short rather than running under them. The
        // line is the title's height from the start, so that the buttons
        // are centred on it.
        let title_font = egui::FontId::monospace(theme::font::TITLE);
        ui.set_min_height(ui.fonts_mut(|fonts| fonts.row_height(&title_font)));
        ui.with_layout(egui::Layout::right_to_left(Align::Center), |ui| {
            close = ui.button("✖").on_hover_text("Close the details").clicked();
            if ui.button("Copy as JSON").clicked() {
                ui.ctx().copy_text(json());
            }
            ui.with_layout(egui::Layout::left_to_right(Align::Center), |ui| {
                let title = RichText::new(title).monospace().size(theme::font::TITLE).strong();
                ui.add(egui::Label::new(title).truncate());
                ui.add(egui::Label::new(RichText::new(subtitle).color(t.muted_text)).truncate());
            });
        });
    });
    close
}

/// A denial: the capability, and the reason in words.
pub fn denial_box(ui: &mut Ui, denial: &Denial) {
    let t = theme::tokens(ui);
    egui::Frame::new().fill(t.denied_fill).corner_radius(4).inner_margin(8).show(ui, |ui| {
        let heading = format!("⛔ Denied ({})", denial.capability);
        ui.label(RichText::new(heading).color(t.denied_text).strong().size(theme::font::LEAD));
        let color = ui.visuals().text_color();
        ui.add(egui::Label::new(theme::prose(ui, &denial.reason, theme::font::READING, color)).wrap());
    });
}
