//! The Calls tab for a component run: its WASI 0.2 host calls (interface,
//! function, arguments and result as text), denials highlighted with their
//! reason, the same search and follow as for a core module's calls.

use egui::{Color32, RichText, Ui};
use egui_extras::TableRow;
use runtime_worker::{HostCall, RunId};

use super::intent::Intent;
use super::theme::{self, Tokens};
use super::widgets::{self, ARGUMENTS, CallBasics, CallColumn, CallRow, CallTable, DetailPane, SearchBox, cell};
use crate::model::call_filter::CallFilter;
use crate::model::run_record::RunRecord;

#[derive(Default)]
pub struct HostCallsView {
    /// Indices into the run's host calls that pass the filter.
    rows: Vec<usize>,
    /// What `rows` was computed for: the run and the filter.
    key: Option<(RunId, CallFilter)>,
    scanned: usize,
    table: CallTable,
}

impl HostCallsView {
    pub fn ui(&mut self, ui: &mut Ui, run: &RunRecord, filter: &mut CallFilter, follow: &mut bool) -> Option<Intent> {
        ui.horizontal_wrapped(|ui| {
            let search = SearchBox {
                hint: "search interfaces, functions, arguments, results…",
                width: 260.0,
                tooltip: "Case-insensitive; matches the interface, function, arguments, result and denial",
            };
            widgets::search_and_follow(ui, filter, follow, search);
        });
        self.refresh(run, filter);
        let calls = &run.host_calls;
        ui.horizontal(|ui| {
            let denied = calls.iter().filter(|c| c.denial.is_some()).count();
            widgets::call_counts(ui, self.rows.len(), calls.len(), "component host calls", denied);
        });
        self.table.select_first_denial(run.id, run.is_finished(), || calls.iter().position(|c| c.denial.is_some()));
        if let Some(call) = self.table.selected.and_then(|i| calls.get(i)) {
            let pane = DetailPane {
                id: "host-call-detail",
                title: call.short_name(),
                subtitle: format!("call #{} · {}", call.seq, call.interface),
                denial: call.denial.as_deref(),
                start_ns: call.start_ns,
                dur_ns: call.dur_ns,
            };
            let fields = |ui: &mut Ui| detail_fields(ui, call);
            if widgets::detail_pane(ui, pane, || call.to_json().to_string(), fields, detail_footer) {
                self.table.selected = None;
            }
        }
        let shown = egui::CentralPanel::default_margins().show(ui, |ui| {
            let rows = &self.rows;
            self.table.show(ui, "host-calls-table", rows.len(), *follow, |i| (rows[i], &calls[rows[i]]), filter)
        });
        shown.inner
    }

    fn refresh(&mut self, run: &RunRecord, filter: &CallFilter) {
        let key = (run.id, filter.clone());
        if self.key.as_ref() != Some(&key) {
            if self.key.as_ref().is_none_or(|k| k.0 != run.id) {
                self.table.reset();
            }
            self.key = Some(key);
            self.rows.clear();
            self.scanned = 0;
        }
        let Some((_, filter)) = &self.key else { return };
        let needle = filter.text.to_lowercase();
        for (i, call) in run.host_calls.iter().enumerate().skip(self.scanned) {
            if filter.denied_only && call.denial.is_none() {
                continue;
            }
            if filter.host_function.as_ref().is_some_and(|f| *f != call.qualified_name()) {
                continue;
            }
            if filter.host_error.as_ref().is_some_and(|e| call.error.as_deref() != Some(e.as_str())) {
                continue;
            }
            if !needle.is_empty() && !matches(call, &needle) {
                continue;
            }
            self.rows.push(i);
        }
        self.scanned = run.host_calls.len();
    }
}

impl CallRow for &HostCall {
    /// Interface and function names run long: the table cuts them, the
    /// detail pane shows them whole.
    const COLUMNS: &'static [CallColumn] = &[
        CallColumn::initial("Interface", 150.0, 80.0).clipped(),
        CallColumn::initial("Function", 190.0, 80.0).clipped(),
        ARGUMENTS,
        CallColumn::initial("Result", 120.0, 60.0).clipped(),
    ];

    fn basics(&self) -> CallBasics {
        CallBasics { seq: self.seq, start_ns: self.start_ns, dur_ns: self.dur_ns, denied: self.denial.is_some() }
    }

    fn add_cells(&self, row: &mut TableRow<'_, '_>, fill: Option<Color32>, t: &Tokens) {
        cell(row, fill, |ui| {
            // In a composed component run part by part: which part called.
            let interface = match &self.part {
                Some(part) => format!("{part}: {}", self.interface),
                None => self.interface.to_string(),
            };
            ui.add(egui::Label::new(RichText::new(interface).monospace()).truncate());
        });
        cell(row, fill, |ui| {
            // A call into another part names the part it went to.
            let name = match &self.callee {
                Some(callee) => format!("{} -> {callee}", self.short_name()),
                None => self.short_name().to_string(),
            };
            let name = RichText::new(name).monospace();
            let name = if self.denial.is_some() { name.color(t.denied_text).strong() } else { name };
            ui.add(egui::Label::new(name).truncate());
        });
        cell(row, fill, |ui| {
            ui.add(egui::Label::new(RichText::new(self.args_text()).monospace()).truncate());
        });
        cell(row, fill, |ui| {
            let (text, color) = result_text(self, t);
            let response = ui.add(egui::Label::new(RichText::new(text).monospace().color(color)).truncate());
            if let Some(denial) = &self.denial {
                response.on_hover_text(&denial.reason);
            }
        });
    }

    fn text_line(&self) -> String {
        self.to_text()
    }

    fn json_line(&self) -> String {
        self.to_json().to_string()
    }

    /// The `path` argument, as the bindings quoted it, unquoted.
    fn path(&self) -> Option<String> {
        let value = self.args.get("path")?;
        let unquoted = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
        Some(unquoted.replace("\\\"", "\"").replace("\\\\", "\\"))
    }

    fn only_this_function(&self, filter: &CallFilter) -> CallFilter {
        CallFilter { host_function: Some(self.qualified_name()), ..filter.clone() }
    }

    fn only_this_error(&self, filter: &CallFilter) -> Option<CallFilter> {
        let error = self.error.as_deref()?;
        Some(CallFilter { host_error: Some(error.to_string()), ..filter.clone() })
    }
}

/// The detail pane's rows for a host call: its arguments and result as the
/// bindings wrote them.
fn detail_fields(ui: &mut Ui, call: &HostCall) {
    let t = theme::tokens(ui);
    for (name, value) in &call.args {
        widgets::field(ui, name, value);
    }
    ui.label(RichText::new("result").strong());
    let (text, color) = result_text(call, &t);
    ui.add(egui::Label::new(RichText::new(text).monospace().color(color)).wrap());
    ui.end_row();
}

fn detail_footer(ui: &mut Ui) {
    let t = theme::tokens(ui);
    ui.label(
        RichText::new(
            "In WASI 0.2 calls, data read is shown as \"...\"; a write shows its length and first bytes. A WASI \
             0.3 stream's bytes show when it ends (stdout, stderr, file reads).",
        )
        .small()
        .color(t.muted_text),
    );
}

fn result_text(call: &HostCall, t: &Tokens) -> (String, Color32) {
    if call.result.is_empty() {
        // The run ended inside it, as a preview1 call the run ended in shows.
        return ("unfinished".into(), t.warning_text);
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
        || call.part.as_deref().is_some_and(has)
        || call.callee.as_deref().is_some_and(has)
}
