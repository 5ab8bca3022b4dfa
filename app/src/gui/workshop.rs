//! Workshop mode: large type and high contrast for a projector, the
//! capabilities beside the calls, and guided scenarios that step through
//! "deny → run → see why → grant → run".

use egui::{Color32, RichText, Ui};
use runtime_worker::RunOutcome;

use super::intent::Intent;
use super::theme::font;
use crate::model::session::{ModuleOrigin, Session};
use crate::samples::{self, Sample};

/// Samples whose profile starts by refusing something, in teaching order.
pub const SCENARIOS: &[&str] = &[
    "hello_file_rust.wasm",
    "hello_file_go.wasm",
    "readonly_write.wat",
    "env_secret.wasm",
    "what_time.wasm",
    "alloc_until_cap.wasm",
    "escape.wat",
];

/// Zoom while presenting.
pub const ZOOM: f32 = 1.6;

/// Progress through the current scenario.
#[derive(Default)]
pub struct Workshop {
    pub scenario: Option<&'static str>,
    /// Runs started before the scenario began do not count.
    first_run: usize,
    saw_why: bool,
    fix_applied_before_run: Option<usize>,
    /// The zoom before presenting, restored afterwards.
    pub zoom_before: Option<f32>,
}

impl Workshop {
    pub fn start(&mut self, sample: &'static Sample, session: &Session) {
        self.scenario = Some(sample.file);
        self.first_run = session.runs.last().map_or(0, |r| r.number);
        self.saw_why = false;
        self.fix_applied_before_run = None;
    }

    pub fn saw_why(&mut self, session: &Session) {
        if self.step_done(session, 0) {
            self.saw_why = true;
        }
    }

    pub fn fix_applied(&mut self, session: &Session) {
        self.fix_applied_before_run = Some(session.runs.last().map_or(0, |r| r.number));
    }

    /// Whether step `n` (0-3) is done.
    fn step_done(&self, session: &Session, n: usize) -> bool {
        let Some(file) = self.scenario else { return false };
        let ours = |r: &&crate::model::run_record::RunRecord| {
            r.number > self.first_run && r.is_finished() && r.module_name == file
        };
        match n {
            0 => session.runs.iter().any(|r| ours(&r)),
            1 => self.saw_why,
            2 => self.fix_applied_before_run.is_some(),
            _ => self.fix_applied_before_run.is_some_and(|after| {
                session.runs.iter().filter(ours).any(|r| {
                    r.number > after
                        && matches!(r.outcome, Some(RunOutcome::Exited { code: 0 } | RunOutcome::Returned { .. }))
                })
            }),
        }
    }

    /// The scenario list and the current scenario's steps; the presenter
    /// may pick another scenario.
    pub fn ui(&self, ui: &mut Ui, session: &Session) -> Option<Intent> {
        let mut picked = None;
        ui.heading("Scenarios");
        let current = session.module.as_ref().map(|m| m.origin.clone());
        for file in SCENARIOS {
            let Some(sample) = samples::by_file(file) else { continue };
            let selected = current == Some(ModuleOrigin::Sample(sample.file)) && self.scenario == Some(sample.file);
            if ui.selectable_label(selected, RichText::new(sample.title).size(font::READING)).clicked() {
                picked = Some(Intent::StartScenario(sample));
            }
        }
        ui.separator();
        let Some(file) = self.scenario else {
            ui.label(RichText::new("Pick a scenario to begin.").size(font::LEAD));
            return picked;
        };
        if let Some(sample) = samples::by_file(file) {
            ui.add(egui::Label::new(RichText::new(sample.story).size(font::STORY)).wrap());
        }
        ui.add_space(8.0);
        let no_fix = file == "escape.wat";
        let steps = [
            "Run it as it is (F5)",
            "See what was refused: open Why?",
            if no_fix { "There is no fix: the sandbox refused an escape" } else { "Apply the fix it offers" },
            "Run again and see it succeed",
        ];
        for (n, step) in steps.iter().enumerate() {
            if no_fix && n == 3 {
                break;
            }
            let done = self.step_done(session, n) || (no_fix && n == 2 && self.saw_why);
            let mark = if done { "✔" } else { "○" };
            let color = if done { Color32::from_rgb(110, 230, 130) } else { ui.visuals().text_color() };
            ui.label(RichText::new(format!("{mark}  {}. {step}", n + 1)).size(font::STEP).color(color));
        }
        picked
    }
}

/// Visuals for a projector: brighter text, stronger strokes.
pub fn high_contrast(dark: bool) -> egui::Visuals {
    let mut visuals = if dark { egui::Visuals::dark() } else { egui::Visuals::light() };
    visuals.override_text_color = Some(if dark { Color32::WHITE } else { Color32::BLACK });
    visuals.widgets.noninteractive.fg_stroke.width = 1.5;
    visuals.widgets.inactive.fg_stroke.width = 1.5;
    visuals.selection.stroke.width = 2.0;
    if dark {
        visuals.panel_fill = Color32::from_gray(12);
        visuals.window_fill = Color32::from_gray(16);
        visuals.extreme_bg_color = Color32::BLACK;
    }
    visuals
}
