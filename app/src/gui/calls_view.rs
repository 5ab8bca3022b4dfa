//! The Calls tab: every WASI call of the current run in a virtualised table,
//! with filters, follow mode, and a detail pane for the selected call.

use std::time::Duration;

use egui::{Align, RichText, Ui};
use egui_extras::{Column, TableBuilder};
use runtime_worker::describe::format_nanos;
use runtime_worker::{CallEvent, Errno, RunId};

use super::theme;
use crate::model::call_filter::{CallFilter, FilteredRows, ResultFilter};
use crate::model::call_store::CallStore;
use crate::model::run_record::RunRecord;
use crate::model::session::Session;

/// Time a frame may spend filtering; a long filter continues next frame.
const FILTER_BUDGET: Duration = Duration::from_millis(4);

#[derive(Default)]
pub struct CallsView {
    rows: FilteredRows,
    /// Store index of the selected call.
    selected: Option<usize>,
    /// The run the rows were computed for.
    run: Option<RunId>,
    /// Rows shown last frame, to follow new ones.
    shown_before: usize,
    /// The run whose first denial was selected when it ended.
    explained: Option<RunId>,
    /// A component run's host calls.
    host: super::host_calls_view::HostCallsView,
}

impl CallsView {
    pub fn new_run(&mut self) {
        self.selected = None;
        self.run = None;
        self.rows.reset();
        self.shown_before = 0;
    }

    /// How far the current filter has scanned the current run (1.0 = done).
    pub fn filter_progress(&self, session: &Session) -> f32 {
        session
            .current_run()
            .map_or(1.0, |run| if self.run == Some(run.id) { self.rows.progress(&run.calls) } else { 0.0 })
    }

    /// Store index of the selected call, whose details are shown.
    pub fn selected(&self) -> Option<usize> {
        self.selected
    }

    pub fn ui(&mut self, ui: &mut Ui, session: &Session, filter: &mut CallFilter, follow: &mut bool) {
        let Some(run) = session.current_run() else {
            ui.label(RichText::new("Run the module (F5) to see its WASI calls here.").size(16.0));
            return;
        };
        if run.component {
            if run.calls_discarded {
                ui.label("The calls of this older run were let go to save memory; run it again to see them.");
                return;
            }
            return self.host.ui(ui, run, filter, follow);
        }
        if self.run != Some(run.id) {
            self.new_run();
            self.run = Some(run.id);
        }
        filter_bar(ui, &run.calls, filter, follow);
        self.rows.set_filter(filter);
        self.rows.advance(&run.calls, FILTER_BUDGET);
        counts_line(ui, run, &self.rows);
        if run.calls_discarded {
            ui.label("The calls of this older run were let go to save memory; run it again to see them.");
            return;
        }

        // When a run ends with denials, open the first one: it is what the
        // person is looking for.
        if run.is_finished() && self.explained != Some(run.id) {
            self.explained = Some(run.id);
            if self.selected.is_none() {
                self.selected = run.calls.denied_indices().next();
            }
        }
        let detail_open = self.selected.is_some_and(|i| i < run.calls.len());
        if detail_open {
            egui::Panel::bottom("call-detail")
                .resizable(true)
                .default_size(200.0)
                .min_size(80.0)
                .show(ui, |ui| self.detail(ui, run));
        }
        egui::CentralPanel::default_margins().show(ui, |ui| self.table(ui, &run.calls, *follow));
    }

    fn table(&mut self, ui: &mut Ui, store: &CallStore, follow: bool) {
        let t = theme::tokens(ui);
        let shown = self.rows.len(store);
        let height = theme::row_height(ui);
        let mut builder = TableBuilder::new(ui)
            .id_salt("calls-table")
            .striped(true)
            .resizable(true)
            .sense(egui::Sense::click())
            .cell_layout(egui::Layout::left_to_right(Align::Center))
            .column(Column::initial(48.0).at_least(32.0))
            .column(Column::initial(80.0).at_least(60.0))
            .column(Column::initial(136.0).at_least(80.0))
            .column(Column::remainder().at_least(100.0).clip(true))
            .column(Column::initial(100.0).at_least(60.0))
            .column(Column::initial(72.0).at_least(50.0))
            .auto_shrink([false; 2]);
        if follow && shown > self.shown_before && shown > 0 {
            builder = builder.scroll_to_row(shown - 1, Some(Align::BOTTOM));
        }
        self.shown_before = shown;
        let mut clicked = None;
        builder
            .header(height + 2.0, |mut header| {
                for title in ["#", "Time", "Function", "Arguments", "Result", "Duration"] {
                    header.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|body| {
                body.rows(height, shown, |mut row| {
                    let index = self.rows.row(row.index());
                    let call = store.get(index);
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
                        let name = RichText::new(call.func.name()).monospace();
                        ui.label(if denied { name.color(t.denied_text).strong() } else { name });
                    });
                    cell(&mut row, fill, |ui| {
                        ui.add(egui::Label::new(RichText::new(args_text(&call)).monospace()).truncate());
                    });
                    cell(&mut row, fill, |ui| {
                        result_label(ui, &call, &t);
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

    fn detail(&mut self, ui: &mut Ui, run: &RunRecord) {
        let Some(index) = self.selected else { return };
        let call = run.calls.get(index);
        let t = theme::tokens(ui);
        let subtitle = format!("call #{} · {}", call.seq, call.func.capability());
        if detail_header(ui, call.func.name(), &subtitle, || call.to_json().to_string()) {
            self.selected = None;
        }
        egui::ScrollArea::vertical().id_salt("call-detail-scroll").show(ui, |ui| {
            if let Some(denial) = &call.denial {
                denial_box(ui, denial);
            }
            egui::Grid::new("call-detail-grid").num_columns(2).striped(true).show(ui, |ui| {
                for arg in call.args() {
                    ui.label(RichText::new(arg.name).strong());
                    ui.add(egui::Label::new(RichText::new(arg.value.to_string()).monospace()).wrap());
                    ui.end_row();
                }
                ui.label(RichText::new("result").strong());
                match call.errno {
                    Some(errno) => ui.label(
                        RichText::new(format!("{} ({}) — {}", errno.name(), errno.0, errno.description()))
                            .color(t.error_text)
                            .monospace(),
                    ),
                    None => ui.label(RichText::new(call.outcome_text()).color(t.ok_text).monospace()),
                };
                ui.end_row();
                for result in call.results() {
                    ui.label(RichText::new(result.name).strong());
                    ui.add(egui::Label::new(RichText::new(result.value.to_string()).monospace()).wrap());
                    ui.end_row();
                }
                ui.label(RichText::new("started").strong());
                ui.monospace(format!("{:.6} ms after the run began", call.start_ns as f64 / 1e6));
                ui.end_row();
                ui.label(RichText::new("took").strong());
                ui.monospace(format_nanos(call.dur_ns));
                ui.end_row();
            });
        });
    }
}

/// The detail pane's title line: the function, what it is, and the
/// buttons to copy the call as JSON and to close the pane (true when clicked).
pub fn detail_header(ui: &mut Ui, title: &str, subtitle: &str, json: impl FnOnce() -> String) -> bool {
    let t = theme::tokens(ui);
    let mut close = false;
    ui.horizontal(|ui| {
        ui.label(RichText::new(title).monospace().size(18.0).strong());
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

/// A denial in the detail pane: the capability, and the reason in words.
pub fn denial_box(ui: &mut Ui, denial: &runtime_worker::Denial) {
    let t = theme::tokens(ui);
    egui::Frame::new().fill(t.denied_fill).corner_radius(4).inner_margin(8).show(ui, |ui| {
        ui.label(RichText::new(format!("⛔ Denied ({})", denial.capability)).color(t.denied_text).strong().size(16.0));
        let color = ui.visuals().text_color();
        ui.add(egui::Label::new(theme::prose(ui, &denial.reason, 15.0, color)).wrap());
    });
}

/// One cell of a calls table, on the denial colour when `fill` is given.
pub fn cell(row: &mut egui_extras::TableRow<'_, '_>, fill: Option<egui::Color32>, add: impl FnOnce(&mut Ui)) {
    row.col(|ui| {
        if let Some(fill) = fill {
            ui.painter().rect_filled(ui.max_rect().expand(2.0), 0.0, fill);
        }
        add(ui);
    });
}

/// The arguments as one line, for the table.
pub fn args_text(call: &CallEvent) -> String {
    call.args().iter().map(|a| format!("{}={}", a.name, a.value)).collect::<Vec<_>>().join(", ")
}

fn result_label(ui: &mut Ui, call: &CallEvent, t: &theme::Tokens) {
    let text = call.outcome_text();
    let color = if call.denial.is_some() {
        t.denied_text
    } else if call.errno.is_some() || call.abrupt.is_some() {
        t.error_text
    } else {
        t.ok_text
    };
    let label = if call.denial.is_some() { format!("⛔ {text}") } else { text.into_owned() };
    let response = ui.label(RichText::new(label).monospace().color(color));
    if let Some(denial) = &call.denial {
        response.on_hover_text(&denial.reason);
    } else if let Some(errno) = call.errno {
        response.on_hover_text(errno.description());
    }
}

fn filter_bar(ui: &mut Ui, store: &CallStore, filter: &mut CallFilter, follow: &mut bool) {
    ui.horizontal_wrapped(|ui| {
        let func_text = filter.func.map_or("all functions".to_string(), |f| f.name().to_string());
        let combo =
            egui::ComboBox::from_id_salt("filter-func").selected_text(func_text).width(180.0).show_ui(ui, |ui| {
                ui.selectable_value(&mut filter.func, None, "all functions");
                for (func, stats) in store.called_functions() {
                    ui.selectable_value(&mut filter.func, Some(func), format!("{} ({})", func.name(), stats.calls));
                }
                if let Some(func) = filter.func
                    && store.stats(func).calls == 0
                {
                    ui.selectable_value(&mut filter.func, Some(func), func.name());
                }
            });
        combo.response.accessible_name("Function filter");
        let result_text = match filter.result {
            ResultFilter::Any => "any result".to_string(),
            ResultFilter::Success => "success".to_string(),
            ResultFilter::AnyError => "any error".to_string(),
            ResultFilter::Errno(n) => Errno(n).name().into_owned(),
        };
        let combo =
            egui::ComboBox::from_id_salt("filter-result").selected_text(result_text).width(120.0).show_ui(ui, |ui| {
                ui.selectable_value(&mut filter.result, ResultFilter::Any, "any result");
                ui.selectable_value(&mut filter.result, ResultFilter::Success, "success");
                ui.selectable_value(&mut filter.result, ResultFilter::AnyError, "any error");
                for (errno, count) in store.errno_counts() {
                    ui.selectable_value(
                        &mut filter.result,
                        ResultFilter::Errno(errno.0),
                        format!("{} ({count})", errno.name()),
                    );
                }
            });
        combo.response.accessible_name("Result filter");
        ui.checkbox(&mut filter.denied_only, "denied only");
        ui.add(
            egui::TextEdit::singleline(&mut filter.text)
                .hint_text("search paths, names, errnos, data…")
                .desired_width(220.0),
        )
        .on_hover_text("Case-insensitive; matches function and errno names, paths, strings, descriptors and data")
        .accessible_name("Search calls");
        if !filter.is_empty() && ui.button("Clear").clicked() {
            *filter = CallFilter::default();
        }
        ui.checkbox(follow, "follow").on_hover_text("Keep the newest call in view");
    });
}

fn counts_line(ui: &mut Ui, run: &RunRecord, rows: &FilteredRows) {
    let t = theme::tokens(ui);
    let store = &run.calls;
    ui.horizontal(|ui| {
        let shown = rows.len(store);
        let total = store.len();
        let text = if shown == total { format!("{total} calls") } else { format!("{shown} of {total} calls") };
        ui.label(text);
        let denied = store.denied_indices().count();
        if denied > 0 {
            ui.label(RichText::new(format!("· {denied} denied")).color(t.denied_text).strong());
        }
        if !rows.is_complete(store) {
            ui.add(egui::ProgressBar::new(rows.progress(store)).desired_width(120.0).text("filtering…"));
            ui.ctx().request_repaint();
        }
    });
}
