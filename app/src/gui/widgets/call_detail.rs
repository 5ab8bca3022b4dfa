//! The selected call in full, in a pane under either calls table: its name,
//! copy as JSON, the denial and its reason, every argument and result, when
//! it started and how long it took.

use egui::{Align, RichText, Ui};
use runtime_worker::Denial;
use runtime_worker::trace::describe::format_nanos;

use crate::gui::theme;

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
    egui::Panel::bottom(pane.id).resizable(true).default_size(200.0).min_size(80.0).show(ui, |ui| {
        // Read and copied from, unlike the table above it.
        ui.style_mut().interaction.selectable_labels = true;
        closed = detail_header(ui, pane.title, &pane.subtitle, json);
        egui::ScrollArea::vertical().id_salt(format!("{}-scroll", pane.id)).show(ui, |ui| {
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
        ui.label(RichText::new(title).monospace().size(theme::font::TITLE).strong());
        ui.label(RichText::new(subtitle).color(t.muted_text));
        ui.with_layout(egui::Layout::right_to_left(Align::Center), |ui| {
            close = ui.button("✖").on_hover_text("Close the details").clicked();
            if ui.button("Copy as JSON").clicked() {
                ui.ctx().copy_text(json());
            }
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
