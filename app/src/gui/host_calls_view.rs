//! The Calls tab for a component run: its WASI 0.2 host calls (interface,
//! function, arguments and result as text), denials highlighted with their
//! reason, the same search and follow as for a core module's calls.

use egui::{Align, RichText, Ui};
use egui_extras::{Column, TableBuilder};
use runtime_worker::describe::format_nanos;
use runtime_worker::{HostCall, RunId};

use super::calls_view::{self, cell};
use super::theme;
use crate::model::call_filter::CallFilter;
use crate::model::run_record::RunRecord;

#[derive(Default)]
pub struct HostCallsView {
    /// Indices into the run's host calls that pass the filter.
    rows: Vec<usize>,
    /// What `rows` was computed for: run, calls scanned, filter text, denied only.
    key: Option<(RunId, String, bool)>,
    scanned: usize,
    selected: Option<usize>,
    shown_before: usize,
    explained: Option<RunId>,
}

impl HostCallsView {
    pub fn ui(&mut self, ui: &mut Ui, run: &RunRecord, filter: &mut CallFilter, follow: &mut bool) {
        let t = theme::tokens(ui);
        ui.horizontal_wrapped(|ui| {
            ui.checkbox(&mut filter.denied_only, "denied only");
            ui.add(
                egui::TextEdit::singleline(&mut filter.text)
                    .hint_text("search interfaces, functions, arguments, results…")
                    .desired_width(260.0),
            )
            .on_hover_text("Case-insensitive; matches the interface, function, arguments, result and denial")
            .accessible_name("Search calls");
            if !filter.is_empty() && ui.button("Clear").clicked() {
                *filter = CallFilter::default();
            }
            ui.checkbox(follow, "follow").on_hover_text("Keep the newest call in view");
        });
        self.refresh(run, filter);
        let calls = &run.host_calls;
        ui.horizontal(|ui| {
            let total = calls.len();
            let shown = self.rows.len();
            ui.label(if shown == total {
                format!("{total} host calls (WASI 0.2)")
            } else {
                format!("{shown} of {total} host calls (WASI 0.2)")
            });
            let denied = calls.iter().filter(|c| c.denial.is_some()).count();
            if denied > 0 {
                ui.label(RichText::new(format!("· {denied} denied")).color(t.denied_text).strong());
            }
        });
        if run.is_finished() && self.explained != Some(run.id) {
            self.explained = Some(run.id);
            if self.selected.is_none() {
                self.selected = calls.iter().position(|c| c.denial.is_some());
            }
        }
        if let Some(index) = self.selected.filter(|i| *i < calls.len()) {
            egui::Panel::bottom("host-call-detail")
                .resizable(true)
                .default_size(200.0)
                .min_size(80.0)
                .show(ui, |ui| self.detail(ui, &calls[index]));
        }
        egui::CentralPanel::default_margins().show(ui, |ui| self.table(ui, calls, *follow));
    }

    fn refresh(&mut self, run: &RunRecord, filter: &CallFilter) {
        let key = (run.id, filter.text.to_lowercase(), filter.denied_only);
        if self.key.as_ref() != Some(&key) {
            if self.key.as_ref().is_none_or(|k| k.0 != run.id) {
                self.selected = None;
                self.shown_before = 0;
            }
            self.key = Some(key);
            self.rows.clear();
            self.scanned = 0;
        }
        let Some((_, needle, denied_only)) = &self.key else { return };
        for (i, call) in run.host_calls.iter().enumerate().skip(self.scanned) {
            if *denied_only && call.denial.is_none() {
                continue;
            }
            if !needle.is_empty() && !matches(call, needle) {
                continue;
            }
            self.rows.push(i);
        }
        self.scanned = run.host_calls.len();
    }

    fn table(&mut self, ui: &mut Ui, calls: &[HostCall], follow: bool) {
        let t = theme::tokens(ui);
        let height = theme::row_height(ui);
        let shown = self.rows.len();
        let mut builder = TableBuilder::new(ui)
            .id_salt("host-calls-table")
            .striped(true)
            .resizable(true)
            .sense(egui::Sense::click())
            .cell_layout(egui::Layout::left_to_right(Align::Center))
            .column(Column::initial(48.0).at_least(32.0))
            .column(Column::initial(80.0).at_least(60.0))
            .column(Column::initial(150.0).at_least(80.0).clip(true))
            .column(Column::initial(190.0).at_least(80.0).clip(true))
            .column(Column::remainder().at_least(100.0).clip(true))
            .column(Column::initial(120.0).at_least(60.0).clip(true))
            .column(Column::initial(72.0).at_least(50.0))
            .auto_shrink([false; 2]);
        if follow && shown > self.shown_before && shown > 0 {
            builder = builder.scroll_to_row(shown - 1, Some(Align::BOTTOM));
        }
        self.shown_before = shown;
        let mut clicked = None;
        builder
            .header(height + 2.0, |mut header| {
                for title in ["#", "Time", "Interface", "Function", "Arguments", "Result", "Duration"] {
                    header.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|body| {
                body.rows(height, shown, |mut row| {
                    let index = self.rows[row.index()];
                    let call = &calls[index];
                    row.set_selected(self.selected == Some(index));
                    let denied = call.denial.is_some();
                    let fill = denied.then_some(t.denied_fill);
                    cell(&mut row, fill, |ui| {
                        ui.monospace(call.seq.to_string());
                    });
                    cell(&mut row, fill, |ui| {
                        ui.monospace(format!("{:.3} ms", call.start_ns as f64 / 1e6));
                    });
                    cell(&mut row, fill, |ui| {
                        ui.add(egui::Label::new(RichText::new(&*call.interface).monospace()).truncate());
                    });
                    cell(&mut row, fill, |ui| {
                        let name = RichText::new(call.short_name()).monospace();
                        ui.add(
                            egui::Label::new(if denied { name.color(t.denied_text).strong() } else { name }).truncate(),
                        );
                    });
                    cell(&mut row, fill, |ui| {
                        ui.add(egui::Label::new(RichText::new(call.args_text()).monospace()).truncate());
                    });
                    cell(&mut row, fill, |ui| {
                        let (text, color) = result_text(call, &t);
                        let response =
                            ui.add(egui::Label::new(RichText::new(text).monospace().color(color)).truncate());
                        if let Some(denial) = &call.denial {
                            response.on_hover_text(&denial.reason);
                        }
                    });
                    cell(&mut row, fill, |ui| {
                        ui.monospace(format_nanos(call.dur_ns));
                    });
                    if row.response().clicked() {
                        clicked = Some(index);
                    }
                });
            });
        if let Some(index) = clicked {
            self.selected = if self.selected == Some(index) { None } else { Some(index) };
        }
    }

    fn detail(&mut self, ui: &mut Ui, call: &HostCall) {
        let t = theme::tokens(ui);
        let subtitle = format!("call #{} · {}", call.seq, call.interface);
        if calls_view::detail_header(ui, call.short_name(), &subtitle, || call.to_json().to_string()) {
            self.selected = None;
        }
        egui::ScrollArea::vertical().id_salt("host-call-detail-scroll").show(ui, |ui| {
            if let Some(denial) = &call.denial {
                calls_view::denial_box(ui, denial);
            }
            egui::Grid::new("host-call-detail-grid").num_columns(2).striped(true).show(ui, |ui| {
                for (name, value) in &call.args {
                    ui.label(RichText::new(&**name).strong());
                    ui.add(egui::Label::new(RichText::new(&**value).monospace()).wrap());
                    ui.end_row();
                }
                ui.label(RichText::new("result").strong());
                let (text, color) = result_text(call, &t);
                ui.add(egui::Label::new(RichText::new(text).monospace().color(color)).wrap());
                ui.end_row();
                ui.label(RichText::new("started").strong());
                ui.monospace(format!("{:.6} ms after the run began", call.start_ns as f64 / 1e6));
                ui.end_row();
                ui.label(RichText::new("took").strong());
                ui.monospace(format_nanos(call.dur_ns));
                ui.end_row();
            });
            ui.label(
                RichText::new("Data read, and written to files, is shown as \"...\"; writes to stdout and stderr show their first bytes.")
                    .small()
                    .color(t.muted_text),
            );
        });
    }
}

fn result_text(call: &HostCall, t: &theme::Tokens) -> (String, egui::Color32) {
    if call.result.is_empty() {
        return ("(did not return)".into(), t.muted_text);
    }
    match (&call.denial, &call.error) {
        (Some(_), Some(error)) => (format!("⛔ {error}"), t.denied_text),
        (Some(_), None) => (format!("⛔ {}", call.result), t.denied_text),
        (None, Some(error)) => (error.to_string(), t.error_text),
        (None, None) => (call.result.to_string(), t.ok_text),
    }
}

fn matches(call: &HostCall, needle: &str) -> bool {
    let has = |text: &str| text.to_lowercase().contains(needle);
    has(&call.interface)
        || has(&call.function)
        || has(&call.result)
        || call.args.iter().any(|(_, v)| has(v))
        || call.denial.as_ref().is_some_and(|d| has(&d.reason))
}
