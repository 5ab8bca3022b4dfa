//! The Calls tab: every WASI call of the current run in a virtualised table,
//! with filters, follow mode, and a detail pane for the selected call. A
//! component's run shows its host calls instead (`host_calls_view`).

use std::time::Duration;

use egui::{Color32, RichText, Ui};
use egui_extras::TableRow;
use runtime_worker::{Abrupt, CallEvent, Errno, RunId};

use super::host_calls_view::HostCallsView;
use super::intent::Intent;
use super::theme::{self, Tokens};
use super::widgets::{self, ARGUMENTS, CallBasics, CallColumn, CallRow, CallTable, DetailPane, SearchBox, cell};
use crate::export::args_text;
use crate::model::call_filter::{CallFilter, FilteredRows, ResultFilter};
use crate::model::call_store::CallStore;
use crate::model::run_record::RunRecord;
use crate::model::session::Session;

/// Time a frame may spend filtering; a long filter continues next frame.
const FILTER_BUDGET: Duration = Duration::from_millis(4);

#[derive(Default)]
pub struct CallsView {
    rows: FilteredRows,
    table: CallTable,
    /// The run the rows were computed for.
    run: Option<RunId>,
    /// A component run's host calls.
    host: HostCallsView,
}

impl CallsView {
    pub fn new_run(&mut self) {
        self.table.reset();
        self.run = None;
        self.rows.reset();
    }

    /// How far the current filter has scanned the current run (1.0 = done).
    pub fn filter_progress(&self, session: &Session) -> f32 {
        session
            .current_run()
            .map_or(1.0, |run| if self.run == Some(run.id) { self.rows.progress(&run.calls) } else { 0.0 })
    }

    /// Store index of the selected call, whose details are shown.
    pub fn selected(&self) -> Option<usize> {
        self.table.selected
    }

    pub fn ui(
        &mut self,
        ui: &mut Ui,
        session: &Session,
        filter: &mut CallFilter,
        follow: &mut bool,
        stacks: &mut bool,
    ) -> Option<Intent> {
        let Some(run) = session.current_run() else {
            ui.label(RichText::new("Run the module (F5) to see its WASI calls here.").size(theme::font::LEAD));
            stacks_checkbox(ui, stacks);
            return None;
        };
        if run.component {
            if run.calls_discarded {
                ui.label("The calls of this older run were let go to save memory; run it again to see them.");
                return None;
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
        counts_line(ui, run, &self.rows, stacks);
        if run.calls.dropped() > 0 {
            ui.label(
                RichText::new(format!(
                    "{} later calls were not kept: this run's trace filled the 4 GiB the window keeps per run.",
                    run.calls.dropped()
                ))
                .color(theme::tokens(ui).denied_text),
            );
        }
        if run.calls_discarded {
            ui.label("The calls of this older run were let go to save memory; run it again to see them.");
            return None;
        }

        self.table.select_first_denial(run.id, run.is_finished(), || run.calls.denied_indices().next());
        if let Some(index) = self.table.selected.filter(|i| *i < run.calls.len()) {
            let call = run.calls.get(index);
            let pane = DetailPane {
                id: "call-detail",
                title: call.func.name(),
                subtitle: format!("call #{} · {}", call.seq, call.func.capability()),
                denial: call.denial.as_deref(),
                start_ns: call.start_ns,
                dur_ns: call.dur_ns,
            };
            let fields = |ui: &mut Ui| detail_fields(ui, &call);
            if widgets::detail_pane(ui, pane, || call.to_json().to_string(), fields, |_| {}) {
                self.table.selected = None;
            }
        }
        let shown = egui::CentralPanel::default_margins().show(ui, |ui| {
            let store = &run.calls;
            let rows = &self.rows;
            let row_at = |i| {
                let index = rows.row(i);
                (index, store.get(index))
            };
            self.table.show(ui, "calls-table", rows.len(store), *follow, row_at, filter)
        });
        shown.inner
    }
}

impl CallRow for CallEvent {
    const COLUMNS: &'static [CallColumn] =
        &[CallColumn::initial("Function", 136.0, 80.0), ARGUMENTS, CallColumn::initial("Result", 100.0, 60.0)];

    fn basics(&self) -> CallBasics {
        CallBasics { seq: self.seq, start_ns: self.start_ns, dur_ns: self.dur_ns, denied: self.denial.is_some() }
    }

    fn add_cells(&self, row: &mut TableRow<'_, '_>, fill: Option<Color32>, t: &Tokens) {
        cell(row, fill, |ui| {
            let name = RichText::new(self.func.name()).monospace();
            ui.label(if self.denial.is_some() { name.color(t.denied_text).strong() } else { name });
        });
        cell(row, fill, |ui| {
            ui.add(egui::Label::new(RichText::new(args_text(self)).monospace()).truncate());
        });
        cell(row, fill, |ui| {
            result_label(ui, self, t);
        });
    }

    fn text_line(&self) -> String {
        self.to_text()
    }

    fn json_line(&self) -> String {
        self.to_json().to_string()
    }

    fn path(&self) -> Option<String> {
        CallEvent::path(self).map(str::to_string)
    }

    fn only_this_function(&self, filter: &CallFilter) -> CallFilter {
        CallFilter { func: Some(self.func), ..filter.clone() }
    }

    fn only_this_error(&self, filter: &CallFilter) -> Option<CallFilter> {
        let errno = self.errno?;
        Some(CallFilter { result: ResultFilter::Errno(errno.0), ..filter.clone() })
    }
}

/// The detail pane's rows for a preview1 call: decoded arguments, the
/// result with its errno explained, and the values written back.
fn detail_fields(ui: &mut Ui, call: &CallEvent) {
    let t = theme::tokens(ui);
    for arg in call.args() {
        widgets::field(ui, arg.name, arg.value.to_string());
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
        widgets::field(ui, result.name, result.value.to_string());
    }
    // The guest's stack (Call stacks on): who asked, innermost first.
    let frames = call.stack.iter().flat_map(|stack| stack.iter()).flat_map(|frame| frame.lines());
    for (i, line) in frames.enumerate() {
        widgets::field(ui, if i == 0 { "stack" } else { "" }, line);
    }
}

fn result_label(ui: &mut Ui, call: &CallEvent, t: &Tokens) {
    let text = call.outcome_text();
    let unfinished = call.abrupt == Some(Abrupt::Unfinished);
    let color = if call.denial.is_some() {
        t.denied_text
    } else if unfinished {
        t.warning_text
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
    } else if unfinished {
        response.on_hover_text("The run ended while the guest was still waiting in this call");
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
        let search = SearchBox {
            hint: "search paths, names, errnos, data…",
            width: 220.0,
            tooltip: "Case-insensitive; matches function and errno names, paths, strings, descriptors and data",
        };
        widgets::search_and_follow(ui, filter, follow, search);
    });
}

fn counts_line(ui: &mut Ui, run: &RunRecord, rows: &FilteredRows, stacks: &mut bool) {
    let store = &run.calls;
    ui.horizontal(|ui| {
        widgets::call_counts(ui, rows.len(store), store.len(), "calls", store.denied_indices().count());
        if !rows.is_complete(store) {
            ui.add(egui::ProgressBar::new(rows.progress(store)).desired_width(120.0).text("filtering…"));
            ui.ctx().request_repaint();
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| stacks_checkbox(ui, stacks));
    });
    if store.stacks_dropped() > 0 {
        ui.label(format!(
            "The stacks of {} later calls were not kept: the run's stacks reached their memory budget.",
            store.stacks_dropped()
        ));
    }
}

/// Call stacks (strace's `-k`) for the runs to come.
fn stacks_checkbox(ui: &mut Ui, stacks: &mut bool) {
    ui.checkbox(stacks, "Call stacks").on_hover_text(
        "From the next run (F5): each preview1 call keeps the guest's stack when it made it, with file:line where \
         the module has debug info (strace -k). A stack walk per call: slower.",
    );
}
