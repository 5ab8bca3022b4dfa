//! The "Why?" tab: after a run, every denial and guest-side failure in a
//! plain sentence, with the fix and a button that applies it and runs again.

use egui::{RichText, Ui};
use runtime_worker::RunOutcome;

use super::intent::Intent;
use super::theme::{self, font};
use super::widgets;
use crate::export;
use crate::model::run_record::outcome_text;
use crate::model::session::Session;
use crate::sandbox_flags::fix_flags;

/// `session` is mutable for the run's diagnosis, worked out once and kept.
pub fn ui(ui: &mut Ui, session: &mut Session) -> Option<Intent> {
    let module_sha = session.module.as_ref().map(|m| m.module.sha256);
    let Some(run) = session.runs.last_mut() else {
        ui.label(
            RichText::new("Run the module: if something is refused, this tab says why and how to grant it.")
                .size(font::LEAD),
        );
        return None;
    };
    if !run.is_finished() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("The diagnosis comes when the run ends.");
        });
        return None;
    }
    // A fix applies to the profile and runs the loaded module: only offer
    // it while the module that ran is the one loaded.
    let same_module = module_sha == Some(run.module_sha256);
    let outcome = run.outcome.clone();
    let number = run.number;
    let module_name = run.module_name.clone();
    let profile = run.profile.clone();
    let findings = run.diagnosis().to_vec();
    let t = theme::tokens(ui);
    let mut intent = None;

    ui.horizontal(|ui| {
        ui.label(RichText::new(format!("Run #{number} of {module_name}")).strong().size(font::LEAD));
        if let Some(outcome) = &outcome {
            let good = matches!(outcome, RunOutcome::Exited { code: 0 } | RunOutcome::Returned { .. });
            ui.label(RichText::new(outcome_text(outcome)).color(if good { t.ok_text } else { t.error_text }));
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button("Copy as Markdown").on_hover_text("For a bug report").clicked() {
                ui.ctx().copy_text(export::diagnosis_markdown(&module_name, &profile, outcome.as_ref(), &findings));
            }
        });
    });
    ui.separator();
    if findings.is_empty() {
        let text = match &outcome {
            Some(RunOutcome::Exited { code: 0 } | RunOutcome::Returned { .. }) => {
                "Nothing was refused: the program got everything it asked for.".to_string()
            }
            Some(outcome) => format!(
                "The run {}, and no denial or missing capability explains it: the cause is in the program itself. \
                 The Console shows its output.",
                outcome_text(outcome)
            ),
            None => String::new(),
        };
        ui.label(RichText::new(text).size(font::LEAD));
        return None;
    }

    egui::ScrollArea::vertical().id_salt("diagnosis-scroll").auto_shrink([false; 2]).show(ui, |ui| {
        for (i, finding) in findings.iter().enumerate() {
            egui::Frame::group(ui.style()).inner_margin(10).show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.horizontal(|ui| {
                    if let Some(capability) = finding.capability {
                        widgets::chip(ui, capability.name(), false, "The capability that was missing");
                    }
                    let strong = ui.visuals().strong_text_color();
                    ui.add(egui::Label::new(theme::prose(ui, &finding.headline, font::TITLE, strong)).wrap());
                });
                let color = ui.visuals().text_color();
                ui.add(egui::Label::new(theme::prose(ui, &finding.detail, font::READING, color)).wrap());
                ui.add_space(4.0);
                match &finding.fix {
                    Some(fix) => {
                        ui.horizontal_wrapped(|ui| {
                            let label = format!("{} and run again", fix.describe().replace('`', ""));
                            let button = egui::Button::new(RichText::new(label).strong().size(font::READING));
                            let response = ui
                                .add_enabled(same_module, button)
                                .on_hover_text(format!("As flags: {}", fix_flags(fix)))
                                .on_disabled_hover_text(format!(
                                    "Another module is open now: open {module_name} again to apply this fix"
                                ));
                            if response.clicked() {
                                intent = Some(Intent::ApplyFix(fix.clone()));
                            }
                        });
                    }
                    None => {
                        ui.label(
                            RichText::new("No grant fixes this: the sandbox refused it by design.").color(t.ok_text),
                        );
                    }
                }
            });
            if i + 1 < findings.len() {
                ui.add_space(6.0);
            }
        }
    });
    intent
}
