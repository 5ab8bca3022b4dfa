//! The Compare tab: two runs side by side — their profiles, and their calls
//! aligned as a diff (`model::run_diff`): a call one run made and the other
//! did not is one insertion or removal, a call whose outcome changed is one
//! change, and the calls around them still line up. Two runs of composed
//! commands made part by part also show the time spent in each inner
//! component, side by side (`model::part_times`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};
use runtime_worker::RunId;

use super::theme;
use crate::export::args_text;
use crate::model::part_times::{PartTime, part_times, side_by_side};
use crate::model::run_diff::{ALIGN_TIME_LIMIT, CallKey, Row, RunDiff, RunDiffJob, RunDiffState};
use crate::model::run_record::{RunRecord, outcome_text};
use crate::model::session::Session;
use crate::sandbox_flags::profile_summary;

#[derive(Default)]
pub struct CompareView {
    left: Option<RunId>,
    right: Option<RunId>,
    show_all: bool,
    /// The comparison of the pair last shown.
    comparison: Option<Comparison>,
}

struct Comparison {
    /// The pair compared, and how many calls each had.
    pair: (RunId, RunId, usize, usize),
    stage: Stage,
}

enum Stage {
    /// Each call's key is read on the UI thread, a slice per frame (a
    /// run's call store stays with the window): `left` first, then `right`.
    Reading { left: Vec<CallKey>, right: Vec<CallKey> },
    /// The keys are aligned, on a thread when there are many.
    Aligning(RunDiffJob),
}

/// Time spent reading calls' keys per frame.
const READ_BUDGET_PER_FRAME: Duration = Duration::from_millis(4);

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

        // Wrapped, each choice cut short: a long run title (a swapped part
        // names its file) must not widen the tab past the window.
        ui.horizontal_wrapped(|ui| {
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
        time_per_part(ui, left_run, right_run);
        let Some(aligned) = self.aligned(ui, left_run, right_run) else { return };
        if host_calls_of(left_run, right_run) {
            host_calls(ui, left_run, right_run, &aligned, self.show_all);
        } else {
            calls(ui, left_run, right_run, &aligned, self.show_all);
        }
    }

    /// The pair's alignment once it is there; until then, shows how far it
    /// got. A new pair starts a new comparison and drops (cancels) the old.
    fn aligned(&mut self, ui: &mut Ui, left: &RunRecord, right: &RunRecord) -> Option<Arc<RunDiff>> {
        let (left_len, right_len) = (calls_len(left, right, left), calls_len(left, right, right));
        let pair = (left.id, right.id, left_len, right_len);
        if self.comparison.as_ref().is_none_or(|c| c.pair != pair) {
            let stage = Stage::Reading { left: Vec::with_capacity(left_len), right: Vec::with_capacity(right_len) };
            self.comparison = Some(Comparison { pair, stage });
        }
        let comparison = self.comparison.as_mut().expect("just set");
        if let Stage::Reading { left: left_keys, right: right_keys } = &mut comparison.stage {
            let (started, total) = (Instant::now(), left_len + right_len);
            while left_keys.len() + right_keys.len() < total && started.elapsed() < READ_BUDGET_PER_FRAME {
                let (run, keys, len) = if left_keys.len() < left_len {
                    (left, &mut *left_keys, left_len)
                } else {
                    (right, &mut *right_keys, right_len)
                };
                let end = (keys.len() + 1_000).min(len);
                keys.extend((keys.len()..end).map(|i| key_of(left, right, run, i)));
            }
            let done = left_keys.len() + right_keys.len();
            if done < total {
                ui.add(
                    egui::ProgressBar::new(done as f32 / total as f32)
                        .desired_width(320.0)
                        .text(format!("reading calls… {done} of {total}")),
                );
                ui.ctx().request_repaint();
                return None;
            }
            let ctx = ui.ctx().clone();
            let job =
                RunDiffJob::start(std::mem::take(left_keys), std::mem::take(right_keys), move || ctx.request_repaint());
            comparison.stage = Stage::Aligning(job);
        }
        let Stage::Aligning(job) = &mut comparison.stage else { unreachable!("read above") };
        match job.state() {
            RunDiffState::Ready(aligned) => Some(Arc::clone(aligned)),
            RunDiffState::Aligning => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(format!("aligning {left_len} calls with {right_len}…"));
                });
                None
            }
            RunDiffState::Failed(e) => {
                ui.label(RichText::new(e.as_str()).color(theme::tokens(ui).error_text));
                None
            }
        }
    }
}

/// Whether the pair is compared by host calls: either run is a component's.
fn host_calls_of(left: &RunRecord, right: &RunRecord) -> bool {
    left.component || right.component
}

/// How many calls of `run` the comparison of `left` with `right` reads.
fn calls_len(left: &RunRecord, right: &RunRecord, run: &RunRecord) -> usize {
    if host_calls_of(left, right) { run.host_calls.len() } else { run.calls.len() }
}

fn key_of(left: &RunRecord, right: &RunRecord, run: &RunRecord, i: usize) -> CallKey {
    if host_calls_of(left, right) {
        CallKey::of_host_call(&run.host_calls[i])
    } else {
        CallKey::of_call(&run.calls.get(i))
    }
}

/// The summary line: how many calls differ, and how.
fn summary(aligned: &RunDiff, noun: &str, same: &str, left: &RunRecord, right: &RunRecord) -> String {
    let Some(&first) = aligned.differing.first() else { return same.to_string() };
    let first = match aligned.rows[first] {
        Row::Removed { left: l } => format!("#{l} of run #{}", left.number),
        row => format!("#{} of run #{}", row.right().unwrap_or_default(), right.number),
    };
    let rough = if aligned.rough {
        format!(" — aligned roughly: the runs differ too much to align within {} s", ALIGN_TIME_LIMIT.as_secs())
    } else {
        String::new()
    };
    let differing = aligned.differing.len();
    let (noun, verb) = if differing == 1 { (noun.trim_end_matches('s'), "differs") } else { (noun, "differ") };
    format!(
        "{differing} {noun} {verb}: {} inserted, {} removed, {} changed (first at {first}){rough}",
        aligned.inserted, aligned.removed, aligned.changed
    )
}

/// The rows to show: every call, or those that differ.
fn shown(aligned: &RunDiff, show_all: bool, i: usize) -> Row {
    if show_all { aligned.rows[i] } else { aligned.rows[aligned.differing[i]] }
}

fn calls(ui: &mut Ui, left: &RunRecord, right: &RunRecord, aligned: &RunDiff, show_all: bool) {
    let t = theme::tokens(ui);
    let summary_text = if show_all {
        format!("{} calls before, {} after", left.calls.len(), right.calls.len())
    } else {
        summary(aligned, "calls", "Every call made the same request and got the same result.", left, right)
    };
    ui.label(RichText::new(summary_text).strong());
    let count = if show_all { aligned.rows.len() } else { aligned.differing.len() };
    let height = theme::line_height(ui) * 2.0 + 6.0;
    egui::ScrollArea::vertical().id_salt("compare-calls").auto_shrink([false; 2]).show_rows(
        ui,
        height,
        count,
        |ui, range| {
            for i in range {
                let row = shown(aligned, show_all, i);
                let changed = matches!(row, Row::Changed { .. });
                egui::Frame::new().inner_margin(2).show(ui, |ui| {
                    ui.columns(2, |columns| {
                        columns[0].vertical(|ui| match row.left() {
                            Some(l) => side(ui, left, l, changed, &t),
                            None => missing(ui, "+ inserted", &t),
                        });
                        columns[1].vertical(|ui| match row.right() {
                            Some(r) => side(ui, right, r, changed, &t),
                            None => missing(ui, "− removed", &t),
                        });
                    });
                });
            }
        },
    );
}
fn pick(ui: &mut Ui, id: &str, label: &str, runs: &[&RunRecord], choice: &mut Option<RunId>) {
    let current = runs.iter().find(|r| Some(r.id) == *choice).map(|r| title(r)).unwrap_or_default();
    let heading = ui.label(label);
    let combo = egui::ComboBox::from_id_salt(id).selected_text(current).width(260.0).truncate().show_ui(ui, |ui| {
        for run in runs {
            ui.selectable_value(choice, Some(run.id), title(run));
        }
    });
    combo.response.labelled_by(heading.id);
}

fn title(run: &RunRecord) -> String {
    let recorded = if run.recorded.is_some() { " (recorded)" } else { "" };
    let outcome = run.outcome.as_ref().map(outcome_text).unwrap_or_default();
    format!("#{} {}{recorded} · {outcome}", run.number, run.module_name)
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

/// What the hover text says a part's time is (see `model::part_times`).
const PART_TIME_MEANING: &str = "A part's time is the time of the calls that crossed into it from other parts (from \
     entering it until it returned: what it computed, its WASI calls, and whatever it called in turn), plus its own \
     WASI calls made outside those crossings (while it started, or as the command the host called). The command's \
     computing between its WASI calls is not a call of anything, so it is not counted. Rows are matched by the \
     part's place (#0, #1): a swapped part faces the part it stood in for.";

/// Both runs' time in each inner component, when both were composed
/// commands run part by part: a row per place, the two runs' columns
/// sharing the width, what does not fit cut short (whole on hover).
fn time_per_part(ui: &mut Ui, left: &RunRecord, right: &RunRecord) {
    let (before, after) = (part_times(&left.host_calls), part_times(&right.host_calls));
    if before.is_empty() || after.is_empty() {
        return;
    }
    let t = theme::tokens(ui);
    ui.label(RichText::new("Time in each inner component").strong()).on_hover_text(PART_TIME_MEANING);
    let rows = side_by_side(&before, &after);
    let line = theme::line_height(ui);
    let runs = [format!("Run #{}", left.number), format!("Run #{}", right.number)];
    ui.push_id("compare-part-times", |ui| {
        TableBuilder::new(ui)
            .id_salt("compare-part-times")
            .striped(true)
            .vscroll(false)
            .column(Column::auto().at_least(32.0))
            .columns(Column::remainder().at_least(120.0).clip(true), 2)
            .column(Column::auto().at_least(96.0))
            .header(line + 6.0, |mut header| {
                for heading in ["Place", &runs[0], &runs[1], "After / before"] {
                    header.col(|ui| {
                        ui.label(RichText::new(heading).strong()).on_hover_text(PART_TIME_MEANING);
                    });
                }
            })
            .body(|body| {
                body.rows(line * 2.0 + 8.0, rows.len(), |mut row| {
                    let (l, r) = &rows[row.index()];
                    let place = l.as_ref().or(r.as_ref()).map(|p| p.place().to_string()).unwrap_or_default();
                    row.col(|ui| {
                        ui.monospace(place);
                    });
                    for side in [l, r] {
                        row.col(|ui| match side {
                            Some(time) => part_cell(ui, time),
                            None => {
                                ui.label(RichText::new("—").color(t.muted_text));
                            }
                        });
                    }
                    row.col(|ui| {
                        if let (Some(l), Some(r)) = (l, r)
                            && l.total_ns() > 0
                            && r.total_ns() > 0
                        {
                            ui.monospace(format!("{:.2}×", r.total_ns() as f64 / l.total_ns() as f64));
                        }
                    });
                });
            });
    });
    ui.separator();
}

/// `#0 database-connector (provider_rust.wasm)`, its time, and what it is
/// made of; each line cut at the column's edge, whole on hover.
fn part_cell(ui: &mut Ui, time: &PartTime) {
    ui.vertical(|ui| {
        ui.add(egui::Label::new(RichText::new(&time.label).monospace().strong()).truncate());
        let detail = format!(
            "{} · {} in, {} · {} of its own, {}",
            millis(time.total_ns()),
            counted(time.crossings, "call"),
            millis(time.crossing_ns),
            counted(time.host_calls, "WASI call"),
            millis(time.host_ns)
        );
        ui.add(egui::Label::new(RichText::new(detail).small()).truncate()).on_hover_text(PART_TIME_MEANING);
    });
}

fn millis(ns: u64) -> String {
    format!("{:.3} ms", ns as f64 / 1e6)
}

/// `1 call`, `3 calls`.
fn counted(n: usize, what: &str) -> String {
    if n == 1 { format!("1 {what}") } else { format!("{n} {what}s") }
}

/// The side of a row where a call is not: the other run made it alone.
fn missing(ui: &mut Ui, what: &str, t: &theme::Tokens) {
    ui.label(RichText::new(what).monospace().color(t.muted_text));
}

/// One run's call in a row; `changed`: its outcome differs from the other's.
fn side(ui: &mut Ui, run: &RunRecord, i: usize, changed: bool, t: &theme::Tokens) {
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
        let outcome = RichText::new(outcome).monospace().color(color);
        ui.label(if changed { outcome.strong() } else { outcome });
    });
    let args = args_text(&call);
    ui.add(egui::Label::new(RichText::new(args).monospace().small()).truncate());
}

/// Two component runs' host calls, aligned: a marker (`+` inserted, `−`
/// removed, `≠` changed), then each run's call, the two sharing the width;
/// a call too long for its column is cut short and shows whole on hover.
fn host_calls(ui: &mut Ui, left: &RunRecord, right: &RunRecord, aligned: &RunDiff, show_all: bool) {
    let t = theme::tokens(ui);
    let line = |calls: &[runtime_worker::HostCall], i: Option<usize>| match i.and_then(|i| calls.get(i).map(|c| (i, c)))
    {
        None => ("—".to_string(), false),
        Some((i, c)) => {
            let result = match (&c.denial, &c.error) {
                (Some(_), Some(e)) => format!("⛔ {e}"),
                (None, Some(e)) => e.to_string(),
                _ => c.result.to_string(),
            };
            (format!("#{i} {}({}) = {result}", c.short_name(), c.args_text()), c.denial.is_some())
        }
    };
    ui.label(if show_all {
        format!("{} host calls before, {} after", left.host_calls.len(), right.host_calls.len())
    } else {
        summary(aligned, "host calls", "The runs made the same host calls with the same results.", left, right)
    });
    let count = if show_all { aligned.rows.len() } else { aligned.differing.len() };
    let height = theme::row_height(ui);
    let runs = [format!("Run #{}", left.number), format!("Run #{}", right.number)];
    ui.push_id("compare-host-calls", |ui| {
        TableBuilder::new(ui)
            .id_salt("compare-host-calls")
            .striped(true)
            .auto_shrink([false; 2])
            .min_scrolled_height(0.0)
            .column(Column::exact(18.0))
            .columns(Column::remainder().at_least(120.0).clip(true), 2)
            .header(height + 2.0, |mut header| {
                header.col(|_| {});
                for run in &runs {
                    header.col(|ui| {
                        ui.label(RichText::new(run).strong());
                    });
                }
            })
            .body(|body| {
                body.rows(height, count, |mut table_row| {
                    let row = shown(aligned, show_all, table_row.index());
                    let marker = match row {
                        Row::Same { .. } => "",
                        Row::Changed { .. } => "≠",
                        Row::Removed { .. } => "−",
                        Row::Inserted { .. } => "+",
                    };
                    table_row.col(|ui| {
                        ui.monospace(marker);
                    });
                    let paint = |(text, denied): (String, bool)| {
                        let text = RichText::new(text).monospace();
                        if denied { text.color(t.denied_text) } else { text }
                    };
                    let left_text = paint(line(&left.host_calls, row.left()));
                    let right_text = paint(line(&right.host_calls, row.right()));
                    let right_text = if matches!(row, Row::Same { .. }) { right_text } else { right_text.strong() };
                    for text in [left_text, right_text] {
                        table_row.col(|ui| {
                            ui.add(egui::Label::new(text).truncate());
                        });
                    }
                });
            });
    });
}
