//! Workshop mode: large type and high contrast for a projector, the calls
//! and the denial in words filling the screen (the side panels fold into
//! strips that open over the calls), and guided scenarios that step through
//! "deny → run → see why → grant → run".

use egui::{Color32, Key, KeyboardShortcut, Modifiers, Rect, RichText, Ui};
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

/// Opens and closes the scenarios over the calls when they are a strip.
pub const SCENARIOS_KEY: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::F9);
/// Opens and closes the capabilities over the calls (a strip while presenting).
pub const CAPABILITIES_KEY: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::F10);

/// Width of a side panel folded into a strip, in points.
pub const STRIP_WIDTH: f32 = 34.0;
/// Width of the scenarios, docked or opened over the calls.
pub const SCENARIOS_WIDTH: f32 = 280.0;
/// Width of the capabilities opened over the calls.
pub const CAPABILITIES_WIDTH: f32 = 340.0;
/// The centre column the room must keep: the calls table with its columns
/// readable and the denial's sentence on two or three lines. A side panel
/// that would leave less folds into a strip.
pub const CENTRE_AT_LEAST: f32 = 820.0;

/// Whether the scenarios stay docked beside the calls in a window `width`
/// points wide (the capabilities are always a strip while presenting: the
/// room reads the calls, the presenter opens the profile when it is the
/// subject).
pub fn docks_scenarios(width: f32) -> bool {
    width - SCENARIOS_WIDTH - STRIP_WIDTH >= CENTRE_AT_LEAST
}

/// Which edge of the window a strip folds to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Left,
    Right,
}

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
    /// The scenarios are open over the calls (when folded into a strip).
    pub scenarios_open: bool,
    /// The capabilities are open over the calls.
    pub capabilities_open: bool,
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

/// A side panel folded into a strip: one button that opens it over the
/// calls, or closes it. `name` is what the button is called (and read as).
pub fn strip(ui: &mut Ui, open: &mut bool, name: &str, side: Side, key: &KeyboardShortcut) {
    let (opens, closes) = match side {
        Side::Left => ("»", "«"),
        Side::Right => ("«", "»"),
    };
    let text = RichText::new(if *open { closes } else { opens }).size(font::TITLE).strong();
    let hint = format!(
        "{} the {} ({})",
        if *open { "Hide" } else { "Show" },
        name.to_lowercase(),
        ui.ctx().format_shortcut(key)
    );
    ui.vertical_centered(|ui| {
        let button = ui.add(egui::Button::selectable(*open, text).min_size(egui::vec2(STRIP_WIDTH - 8.0, 48.0)));
        if button.on_hover_text(hint).accessible_name(name).clicked() {
            *open = !*open;
        }
    });
}

/// A side panel opened over the calls from its strip (`strip` is the strip's
/// rect): as tall as the strip, scrolled when taller.
pub fn over_the_calls<R>(
    ctx: &egui::Context,
    id: &str,
    strip: Rect,
    side: Side,
    width: f32,
    add_contents: impl FnOnce(&mut Ui) -> R,
) -> R {
    let (pivot, at) = match side {
        Side::Left => (egui::Align2::LEFT_TOP, strip.right_top()),
        Side::Right => (egui::Align2::RIGHT_TOP, strip.left_top()),
    };
    egui::Area::new(egui::Id::unique(id))
        .order(egui::Order::Middle)
        .pivot(pivot)
        .fixed_pos(at)
        .show(ctx, |ui| {
            let frame = egui::Frame::popup(ui.style());
            let margin = frame.total_margin().sum().y;
            frame
                .show(ui, |ui| {
                    ui.set_width(width);
                    egui::ScrollArea::vertical()
                        .id_salt(format!("{id}-scroll"))
                        .max_height(strip.height() - margin)
                        .show(ui, add_contents)
                        .inner
                })
                .inner
        })
        .inner
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
