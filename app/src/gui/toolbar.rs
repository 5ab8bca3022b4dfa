//! The toolbar: open, samples, run and stop, and the run's state at a glance.

use egui::{KeyboardShortcut, RichText, Ui};

use super::file_dialog::DialogPurpose;
use super::intent::Intent;
use super::shortcuts::{OPEN, RUN, STOP, WORKSHOP};
use super::theme::{self, font};
use crate::export::ExportFormat;
use crate::model::export_job::ExportJob;
use crate::model::run_record::RunRecord;
use crate::model::session::Session;
use crate::samples::SAMPLES;

/// `workshop_on`: workshop mode is on.
pub fn ui(ui: &mut Ui, session: &Session, workshop_on: bool) -> Option<Intent> {
    let mut intent = None;
    ui.horizontal(|ui| {
        ui.spacing_mut().button_padding = egui::vec2(10.0, 5.0);
        // Where the row is short (a projector at 1280×720, the large type of
        // workshop mode) the shortcuts give way to the run's state; they
        // stay in each button's hover text.
        let compact = ui.available_width() < 1280.0 || workshop_on;
        let ctx = ui.ctx().clone();
        let keys = |shortcut: &KeyboardShortcut| ctx.format_shortcut(shortcut);
        let shortcut = |button: egui::Button<'static>, shortcut: &KeyboardShortcut| {
            if compact { button } else { button.shortcut_text(keys(shortcut)) }
        };
        let open = shortcut(egui::Button::new(RichText::new("Open…").size(font::LEAD)), &OPEN);
        if ui
            .add(open)
            .on_hover_text(format!("Open a .wasm or .wat file, or drop one on the window ({})", keys(&OPEN)))
            .clicked()
        {
            intent = Some(Intent::OpenDialog(DialogPurpose::OpenModule));
        }
        ui.menu_button(RichText::new("Samples").size(font::LEAD), |ui| {
            for sample in SAMPLES {
                if ui.button(sample.title).on_hover_text(sample.story).clicked() {
                    intent = Some(Intent::OpenSample(sample));
                    ui.close();
                }
            }
        });
        ui.separator();

        let running = session.is_running();
        let can_run = session.module.is_some();
        let run_label = if running { "⟳ Restart" } else { "▶ Run" };
        let run = shortcut(egui::Button::new(RichText::new(run_label).size(font::TITLE).strong()), &RUN);
        let run =
            ui.add_enabled(can_run, run).on_hover_text(format!("Run the module under this profile ({})", keys(&RUN)));
        if run.accessible_name(if running { "Restart" } else { "Run" }).clicked() {
            intent = Some(Intent::Run);
        }
        let stop = shortcut(egui::Button::new(RichText::new("■ Stop").size(font::TITLE)), &STOP);
        let stop =
            ui.add_enabled(running, stop).on_hover_text(format!("End the guest now, wherever it is ({})", keys(&STOP)));
        if stop.accessible_name("Stop").clicked() {
            intent = Some(Intent::Stop);
        }
        // A core module's calls or a component's host calls: `export::write_trace` writes either.
        let has_calls = session.current_run().is_some_and(|r| !r.calls.is_empty() || !r.host_calls.is_empty());
        match session.export() {
            Some(job) => {
                if let Some(asked) = export_progress(ui, job) {
                    intent = Some(asked);
                }
            }
            None => {
                ui.add_enabled_ui(has_calls, |ui| {
                    ui.menu_button(RichText::new("Export").size(font::LEAD), |ui| {
                        for (label, format) in EXPORTS {
                            if ui.button(label).clicked() {
                                intent = Some(Intent::OpenDialog(DialogPurpose::ExportTrace { format }));
                                ui.close();
                            }
                        }
                    });
                });
            }
        }
        let workshop =
            shortcut(egui::Button::selectable(workshop_on, RichText::new("Workshop").size(font::LEAD)), &WORKSHOP);
        if ui
            .add(workshop)
            .on_hover_text(format!(
                "Large type, high contrast and guided scenarios, for a projector ({})",
                keys(&WORKSHOP)
            ))
            .clicked()
        {
            intent = Some(Intent::ToggleWorkshop);
        }
        ui.separator();
        if let Some(run) = session.current_run() {
            run_state(ui, run);
        } else {
            ui.label(RichText::new("not run yet").size(font::LEAD).color(theme::tokens(ui).muted_text));
        }
    });
    intent
}

/// The Export menu's items.
const EXPORTS: [(&str, ExportFormat); 3] = [
    ("Trace as JSON lines…", ExportFormat::JsonLines),
    ("Trace as CSV…", ExportFormat::Csv),
    ("Trace as strace text…", ExportFormat::Text),
];

/// In the Export menu's place while a trace is written: how far it got,
/// and Cancel.
fn export_progress(ui: &mut Ui, job: &ExportJob) -> Option<Intent> {
    let percent = (job.progress() * 100.0).floor();
    let file = job.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    ui.add(egui::ProgressBar::new(job.progress()).desired_width(180.0).text(format!("Exporting… {percent:.0} %")))
        .on_hover_text(format!("{} of {} calls written to {}", job.written(), job.total, job.path.display()));
    let cancel = ui.button("Cancel").on_hover_text(format!("Stop exporting; {file} is not written"));
    cancel.clicked().then_some(Intent::CancelExport)
}

fn run_state(ui: &mut Ui, run: &RunRecord) {
    let t = theme::tokens(ui);
    let elapsed = run.elapsed();
    let color = match &run.outcome {
        None => t.accent,
        Some(runtime_worker::RunOutcome::Exited { code: 0 } | runtime_worker::RunOutcome::Returned { .. }) => t.ok_text,
        Some(_) => t.error_text,
    };
    let (dot, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
    ui.painter().circle_filled(dot.center(), 6.0, color);
    // Before the run's text, which is cut short first where the row ends.
    let denied = run.calls.denied_indices().count() + run.host_calls.iter().filter(|c| c.denial.is_some()).count();
    if denied > 0 {
        ui.label(RichText::new(format!("⛔ {denied} denied")).color(t.denied_text).strong().size(font::LEAD));
    }
    let mut text = format!("{} · {} · {:.2}s", run.title(), run.status_text(), elapsed.as_secs_f64());
    if let Some((done, total)) = run.compile_progress
        && total > 0
    {
        text = format!("Run #{} · compiling {done}/{total} functions", run.number);
    }
    ui.add(egui::Label::new(RichText::new(text).size(font::LEAD)).truncate());
    if let Some((done, total)) = run.compile_progress
        && total > 0
    {
        ui.add(egui::ProgressBar::new(done as f32 / total as f32).desired_width(160.0).show_percentage());
    }
}
