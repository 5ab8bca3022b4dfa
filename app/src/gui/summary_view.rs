//! The Summary tab: calls and time per function, like `strace -c`.

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};
use runtime_worker::trace::describe::format_nanos;

use super::theme;
use crate::model::call_store::FuncStats;
use crate::model::run_record::RunRecord;

pub fn ui(ui: &mut Ui, run: Option<&RunRecord>) {
    let Some(run) = run else {
        ui.label(RichText::new("Run the module to see where its WASI time goes.").size(theme::font::LEAD));
        return;
    };
    let t = theme::tokens(ui);
    // Rows of (function name, totals): a core module's WASI functions, or a
    // component's host functions by interface.
    let mut rows: Vec<(String, FuncStats)> = if run.component {
        let mut by_name: std::collections::BTreeMap<String, FuncStats> = Default::default();
        for call in run.host_calls.iter() {
            let stats = by_name.entry(call.qualified_name()).or_default();
            stats.calls += 1;
            stats.total_ns += call.dur_ns;
            stats.errors += u64::from(call.error.is_some());
            stats.denied += u64::from(call.denial.is_some());
        }
        by_name.into_iter().collect()
    } else {
        run.calls.called_functions().into_iter().map(|(f, s)| (f.name().to_string(), s)).collect()
    };
    rows.sort_by(|a, b| b.1.total_ns.cmp(&a.1.total_ns).then(b.1.calls.cmp(&a.1.calls)));
    let total_ns: u64 = rows.iter().map(|(_, s)| s.total_ns).sum();
    let total_calls: u64 = rows.iter().map(|(_, s)| s.calls).sum();
    ui.label(format!("{total_calls} calls to {} functions, {} inside WASI in all", rows.len(), format_nanos(total_ns)));
    let height = theme::row_height(ui);
    TableBuilder::new(ui)
        .id_salt("summary-table")
        .striped(true)
        .column(Column::initial(70.0))
        .column(Column::initial(110.0))
        .column(Column::initial(90.0))
        .column(Column::initial(90.0))
        .column(Column::initial(70.0))
        .column(Column::initial(70.0))
        .column(Column::remainder())
        .auto_shrink([false; 2])
        .header(height + 2.0, |mut header| {
            for title in ["% time", "total", "per call", "calls", "errors", "denied", "function"] {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|mut body| {
            for (func, stats) in &rows {
                body.row(height, |mut row| {
                    let share = if total_ns == 0 { 0.0 } else { stats.total_ns as f64 * 100.0 / total_ns as f64 };
                    row.col(|ui| {
                        ui.monospace(format!("{share:5.1}"));
                    });
                    row.col(|ui| {
                        ui.monospace(format_nanos(stats.total_ns));
                    });
                    row.col(|ui| {
                        ui.monospace(format_nanos(stats.total_ns / stats.calls.max(1)));
                    });
                    row.col(|ui| {
                        ui.monospace(stats.calls.to_string());
                    });
                    row.col(|ui| {
                        let text = RichText::new(stats.errors.to_string()).monospace();
                        ui.label(if stats.errors > 0 { text.color(t.error_text) } else { text });
                    });
                    row.col(|ui| {
                        let text = RichText::new(stats.denied.to_string()).monospace();
                        ui.label(if stats.denied > 0 { text.color(t.denied_text).strong() } else { text });
                    });
                    row.col(|ui| {
                        ui.monospace(func);
                    });
                });
            }
        });
}
