//! The Console tab: stdout and stderr as they arrive, the end of the run
//! (exit code, or the trap and its backtrace), and a line box that feeds an
//! interactive stdin.

use egui::{RichText, Ui};
use runtime_worker::{RunOutcome, Stream};

use super::intent::Intent;
use super::theme::{self, font};
use crate::model::run_record::outcome_text;
use crate::model::session::Session;

#[derive(Default)]
pub struct ConsoleView {
    input: String,
}

impl ConsoleView {
    pub fn new_run(&mut self) {
        self.input.clear();
    }

    /// `interactive`: the profile feeds stdin from this tab.
    pub fn ui(&mut self, ui: &mut Ui, session: &Session, interactive: bool) -> Option<Intent> {
        let t = theme::tokens(ui);
        let Some(run) = session.current_run() else {
            ui.label(RichText::new("The guest's output will appear here.").size(font::LEAD));
            return None;
        };
        let mut intent = None;
        if interactive && session.is_running() {
            ui.horizontal(|ui| {
                let label = ui.label("stdin:");
                let response = ui.add(
                    egui::TextEdit::singleline(&mut self.input)
                        .hint_text("type a line, Enter sends it")
                        .desired_width(ui.available_width() - 200.0)
                        .font(egui::TextStyle::Monospace),
                );
                let response = response.labelled_by(label.id);
                let entered = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if entered || ui.button("Send").clicked() {
                    let mut line = std::mem::take(&mut self.input);
                    line.push('\n');
                    intent = Some(Intent::SendStdin(line.into_bytes()));
                    response.request_focus();
                }
                if ui.button("Close stdin").on_hover_text("Send end-of-file").clicked() {
                    intent = Some(Intent::CloseStdin);
                }
            });
        }
        for stream in [Stream::Stdout, Stream::Stderr] {
            let dropped = run.console.dropped(stream);
            if dropped > 0 {
                let name = if stream == Stream::Stdout { "stdout" } else { "stderr" };
                ui.label(
                    RichText::new(format!("⚠ {dropped} bytes of {name} beyond the output limit were not kept"))
                        .color(t.warning_text),
                );
            }
        }
        if let Some(outcome) = &run.outcome {
            outcome_banner(ui, outcome, &t);
        }
        let lines = run.console.lines();
        let height = theme::line_height(ui);
        egui::ScrollArea::both().id_salt("console-scroll").auto_shrink([false; 2]).stick_to_bottom(true).show_rows(
            ui,
            height,
            lines.len(),
            |ui, range| {
                for line in &lines[range] {
                    let text = RichText::new(&line.text).monospace();
                    let text = if line.stream == Stream::Stderr { text.color(t.stderr_text) } else { text };
                    ui.add(egui::Label::new(text).extend());
                }
            },
        );
        if lines.is_empty() && run.outcome.is_some() {
            ui.label(RichText::new("(no output)").color(t.muted_text));
        }
        intent
    }
}

fn outcome_banner(ui: &mut Ui, outcome: &RunOutcome, t: &theme::Tokens) {
    let good = matches!(outcome, RunOutcome::Exited { code: 0 } | RunOutcome::Returned { .. });
    let color = if good { t.ok_text } else { t.error_text };
    ui.label(RichText::new(outcome_text(outcome)).color(color).strong().size(font::LEAD));
    if let RunOutcome::Trapped(trap) = outcome
        && !trap.backtrace.is_empty()
    {
        ui.label(RichText::new("wasm backtrace:").strong());
        for (i, frame) in trap.backtrace.iter().enumerate() {
            let name = frame.func_name.clone().unwrap_or_else(|| format!("<func {}>", frame.func_index));
            let offset = frame.module_offset.map(|o| format!(" @ {o:#x}")).unwrap_or_default();
            if frame.source.is_empty() {
                ui.monospace(format!("  {i:>2}: {name}{offset}"));
            }
            // With DWARF: the function at each source line, the innermost
            // first, then those it was inlined into, as `wasmtime run` lists them.
            for (j, place) in frame.source.iter().enumerate() {
                let function = place.function.clone().unwrap_or_else(|| name.clone());
                match j {
                    0 => ui.monospace(format!("  {i:>2}: {function}{offset}")),
                    _ => ui.monospace(format!("      - {function}")),
                };
                if let Some(at) = place.place() {
                    ui.monospace(RichText::new(format!("        at {at}")).color(t.muted_text));
                }
            }
        }
    }
    ui.separator();
}
