//! The Compare tab: two runs side by side — their profiles, and the calls
//! whose function, path or result changed, aligned by sequence.

use egui::{RichText, Ui};
use runtime_worker::{CallEvent, RunId};

use super::theme;
use crate::export::args_text;
use crate::model::run_record::{RunRecord, outcome_text};
use crate::model::session::Session;
use crate::sandbox_flags::profile_summary;

#[derive(Default)]
pub struct CompareView {
    left: Option<RunId>,
    right: Option<RunId>,
    show_all: bool,
    /// The calls that differ, for the pair last compared.
    changed: Option<Changed>,
}

struct Changed {
    key: (RunId, RunId, usize, usize, bool),
    rows: Vec<usize>,
    /// The next call to compare: a million-call pair is compared a slice
    /// per frame, so the window stays responsive.
    next: usize,
    total: usize,
}

/// Calls compared per frame.
const COMPARED_PER_FRAME: usize = 50_000;

impl CompareView {
    pub fn ui(&mut self, ui: &mut Ui, session: &Session) {
        let runs: Vec<&RunRecord> =
            session.runs.iter().rev().filter(|r| r.is_finished() && !r.calls_discarded).collect();
        if runs.len() < 2 {
            ui.label(
                RichText::new("Run the module twice — say, with and without a mount — to compare the runs.")
                    .size(theme::font::LEAD),
            );
            return;
        }
        // Defaults: the latest run and the one before it of the same module.
        if self.right.is_none_or(|id| !runs.iter().any(|r| r.id == id)) {
            self.right = Some(runs[0].id);
        }
        let right_run = runs.iter().find(|r| Some(r.id) == self.right).copied().unwrap_or(runs[0]);
        if self.left.is_none_or(|id| id == right_run.id || !runs.iter().any(|r| r.id == id)) {
            self.left = runs
                .iter()
                .find(|r| r.id != right_run.id && r.module_sha256 == right_run.module_sha256)
                .or_else(|| runs.iter().find(|r| r.id != right_run.id))
                .map(|r| r.id);
        }
        let left_run = runs.iter().find(|r| Some(r.id) == self.left).copied().unwrap_or(runs[1]);

        ui.horizontal(|ui| {
            pick(ui, "compare-left", "Before", &runs, &mut self.left);
            ui.label("vs");
            pick(ui, "compare-right", "After", &runs, &mut self.right);
            ui.checkbox(&mut self.show_all, "show every call");
        });
        if left_run.module_sha256 != right_run.module_sha256 {
            ui.label(RichText::new("These runs are of different modules.").color(theme::tokens(ui).warning_text));
        }
        profiles(ui, left_run, right_run);
        ui.separator();
        if left_run.component || right_run.component {
            host_calls(ui, left_run, right_run, self.show_all);
        } else {
            self.calls(ui, left_run, right_run);
        }
    }

    fn calls(&mut self, ui: &mut Ui, left: &RunRecord, right: &RunRecord) {
        let key = (left.id, right.id, left.calls.len(), right.calls.len(), self.show_all);
        if self.changed.as_ref().is_none_or(|c| c.key != key) {
            let total = left.calls.len().max(right.calls.len());
            self.changed = Some(Changed { key, rows: Vec::new(), next: 0, total });
        }
        let show_all = self.show_all;
        let changed = self.changed.as_mut().expect("just set");
        if changed.next < changed.total {
            let end = (changed.next + COMPARED_PER_FRAME).min(changed.total);
            let (l, r) = (left.calls.len(), right.calls.len());
            changed.rows.extend((changed.next..end).filter(|&i| show_all || differs(l, r, i, left, right)));
            changed.next = end;
            ui.ctx().request_repaint();
        }
        let (rows, comparing) =
            (&changed.rows, (changed.next < changed.total).then_some((changed.next, changed.total)));
        let t = theme::tokens(ui);
        if let Some((done, total)) = comparing {
            ui.add(
                egui::ProgressBar::new(done as f32 / total as f32)
                    .desired_width(320.0)
                    .text(format!("comparing… {done} of {total} calls")),
            );
        }
        let summary = if self.show_all {
            format!("{} calls before, {} after", left.calls.len(), right.calls.len())
        } else if rows.is_empty() && comparing.is_some() {
            "No difference so far.".to_string()
        } else if rows.is_empty() {
            "Every call made the same request and got the same result.".to_string()
        } else if comparing.is_some() {
            format!("{} calls changed so far (first at #{})", rows.len(), rows[0])
        } else {
            format!("{} calls changed (first at #{})", rows.len(), rows[0])
        };
        ui.label(RichText::new(summary).strong());
        let height = theme::line_height(ui) * 2.0 + 6.0;
        egui::ScrollArea::vertical().id_salt("compare-calls").auto_shrink([false; 2]).show_rows(
            ui,
            height,
            rows.len(),
            |ui, range| {
                for &i in &rows[range] {
                    egui::Frame::new().inner_margin(2).show(ui, |ui| {
                        ui.columns(2, |columns| {
                            columns[0].vertical(|ui| side(ui, left, i, &t));
                            columns[1].vertical(|ui| side(ui, right, i, &t));
                        });
                    });
                }
            },
        );
    }
}

fn pick(ui: &mut Ui, id: &str, label: &str, runs: &[&RunRecord], choice: &mut Option<RunId>) {
    let current = runs.iter().find(|r| Some(r.id) == *choice).map(|r| title(r)).unwrap_or_default();
    let heading = ui.label(label);
    let combo = egui::ComboBox::from_id_salt(id).selected_text(current).width(260.0).show_ui(ui, |ui| {
        for run in runs {
            ui.selectable_value(choice, Some(run.id), title(run));
        }
    });
    combo.response.labelled_by(heading.id);
}

fn title(run: &RunRecord) -> String {
    format!("#{} {} · {}", run.number, run.module_name, run.outcome.as_ref().map(outcome_text).unwrap_or_default())
}

/// The two profiles, item by item, differing items highlighted.
fn profiles(ui: &mut Ui, left: &RunRecord, right: &RunRecord) {
    let t = theme::tokens(ui);
    let parts =
        |run: &RunRecord| -> Vec<String> { profile_summary(&run.profile).split(" · ").map(str::to_string).collect() };
    let (before, after) = (parts(left), parts(right));
    ui.columns(2, |columns| {
        for (column, (mine, theirs, run)) in columns.iter_mut().zip([(&before, &after, left), (&after, &before, right)])
        {
            // Not justified: a wrapped path keeps its spacing.
            column.vertical(|ui| {
                ui.label(RichText::new(format!("Run #{}", run.number)).strong());
                for part in mine {
                    let text = RichText::new(part);
                    ui.label(if theirs.contains(part) { text } else { text.color(t.accent).strong() });
                }
            });
        }
    });
}

fn key(call: &CallEvent) -> (runtime_worker::WasiFunc, Option<String>, String) {
    (call.func, call.path().map(str::to_string), call.outcome_text().into_owned())
}

fn differs(left_len: usize, right_len: usize, i: usize, left: &RunRecord, right: &RunRecord) -> bool {
    if i >= left_len || i >= right_len {
        return true;
    }
    key(&left.calls.get(i)) != key(&right.calls.get(i))
}

fn side(ui: &mut Ui, run: &RunRecord, i: usize, t: &theme::Tokens) {
    if i >= run.calls.len() {
        ui.label(RichText::new(format!("#{i} — no such call in run #{}", run.number)).color(t.muted_text));
        return;
    }
    let call = run.calls.get(i);
    let outcome = call.outcome_text();
    let color = if call.denial.is_some() {
        t.denied_text
    } else if call.errno.is_some() {
        t.error_text
    } else {
        t.ok_text
    };
    ui.horizontal(|ui| {
        ui.monospace(format!("#{i}"));
        ui.label(RichText::new(call.func.name()).monospace().strong());
        ui.label(RichText::new(outcome).monospace().color(color));
    });
    let args = args_text(&call);
    ui.add(egui::Label::new(RichText::new(args).monospace().small()).truncate());
}

/// Two component runs' host calls, aligned by sequence: those whose request
/// or result differ (components make few calls, so no budget is needed).
fn host_calls(ui: &mut Ui, left: &RunRecord, right: &RunRecord, show_all: bool) {
    let t = theme::tokens(ui);
    let line = |call: Option<&runtime_worker::HostCall>| match call {
        None => "—".to_string(),
        Some(c) => {
            let result = match (&c.denial, &c.error) {
                (Some(_), Some(e)) => format!("⛔ {e}"),
                (None, Some(e)) => e.to_string(),
                _ => c.result.to_string(),
            };
            format!("{}({}) = {result}", c.short_name(), c.args_text())
        }
    };
    let key = |c: Option<&runtime_worker::HostCall>| {
        c.map(|c| (c.qualified_name(), c.args_text(), c.error.clone(), c.denial.is_some()))
    };
    let total = left.host_calls.len().max(right.host_calls.len());
    let rows: Vec<usize> =
        (0..total).filter(|&i| show_all || key(left.host_calls.get(i)) != key(right.host_calls.get(i))).collect();
    ui.label(match rows.first() {
        _ if show_all => format!("{} host calls before, {} after", left.host_calls.len(), right.host_calls.len()),
        None => "The runs made the same host calls with the same results.".to_string(),
        Some(first) => format!("{} host calls changed (first at #{first})", rows.len()),
    });
    egui::ScrollArea::vertical().id_salt("compare-host-calls").auto_shrink([false; 2]).show(ui, |ui| {
        egui::Grid::new("compare-host-grid").num_columns(3).striped(true).show(ui, |ui| {
            for i in rows {
                let (l, r) = (left.host_calls.get(i), right.host_calls.get(i));
                let changed = key(l) != key(r);
                ui.monospace(format!("#{i}"));
                let paint = |text: String, denied: bool| {
                    let text = RichText::new(text).monospace();
                    if denied { text.color(t.denied_text) } else { text }
                };
                ui.label(paint(line(l), l.is_some_and(|c| c.denial.is_some())));
                let right_text = paint(line(r), r.is_some_and(|c| c.denial.is_some()));
                ui.label(if changed { right_text.strong() } else { right_text });
                ui.end_row();
            }
        });
    });
}
