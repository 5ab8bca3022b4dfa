//! The Disassembly tab: the module as WebAssembly text, produced in the
//! background, shown virtually (only visible lines are laid out), with
//! search and a function list that jumps.

use std::sync::Arc;

use egui::{RichText, Ui};
use runtime_worker::inspect::disassembly::Disassembly;

use super::theme;
use crate::model::disassembly_job::DisassemblyState;
use crate::model::session::Session;

#[derive(Default)]
pub struct DisassemblyView {
    search: String,
    /// The line of the current search match.
    found: Option<usize>,
    /// The search found nothing.
    not_found: bool,
    /// A line to bring into view on the next frame.
    jump_to: Option<usize>,
    function_filter: String,
}

impl DisassemblyView {
    pub fn ui(&mut self, ui: &mut Ui, session: &mut Session) {
        let ctx = ui.ctx().clone();
        let Some(job) = session.disassembly(move || ctx.request_repaint()) else {
            ui.label(RichText::new("Open a module to see its WebAssembly text.").size(theme::font::LEAD));
            return;
        };
        let listing = match job.state() {
            DisassemblyState::Running { progress } => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.add(
                        egui::ProgressBar::new(*progress).desired_width(300.0).show_percentage().text("disassembling…"),
                    );
                });
                return;
            }
            DisassemblyState::Failed(message) => {
                ui.label(RichText::new(message).color(theme::tokens(ui).error_text));
                return;
            }
            DisassemblyState::Ready(listing) => Arc::clone(listing),
        };
        self.search_bar(ui, &listing);
        egui::Panel::left("function-list").resizable(true).default_size(220.0).show(ui, |ui| {
            self.function_list(ui, &listing);
        });
        egui::CentralPanel::default_margins().show(ui, |ui| self.listing(ui, &listing));
    }

    fn search_bar(&mut self, ui: &mut Ui, listing: &Disassembly) {
        ui.horizontal(|ui| {
            let response = ui
                .add(egui::TextEdit::singleline(&mut self.search).hint_text("search the text…").desired_width(260.0))
                .accessible_name("Search the disassembly");
            let entered = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            let shift = ui.input(|i| i.modifiers.shift);
            let from = self.found.unwrap_or(0);
            let search = |forward: bool, this: &mut Self| {
                let hit = listing.find(&this.search, if forward { from } else { from.max(1) }, forward);
                this.not_found = hit.is_none();
                if let Some(line) = hit {
                    this.found = Some(line);
                    this.jump_to = Some(line);
                }
            };
            if ui.button("Previous").clicked() || (entered && shift) {
                search(false, self);
                response.request_focus();
            } else if ui.button("Next").clicked() || entered {
                search(true, self);
                response.request_focus();
            }
            if self.not_found && !self.search.is_empty() {
                ui.label(RichText::new("not found").color(theme::tokens(ui).error_text));
            } else if let Some(line) = self.found {
                ui.label(format!("line {} of {}", line + 1, listing.line_count()));
            } else {
                ui.label(format!("{} lines, {} functions", listing.line_count(), listing.functions.len()));
            }
        });
    }

    fn function_list(&mut self, ui: &mut Ui, listing: &Disassembly) {
        ui.add(egui::TextEdit::singleline(&mut self.function_filter).hint_text("filter functions"))
            .on_hover_text("Show functions whose name contains this");
        let needle = self.function_filter.to_lowercase();
        let shown: Vec<usize> = (0..listing.functions.len())
            .filter(|i| needle.is_empty() || listing.functions[*i].label.to_lowercase().contains(&needle))
            .collect();
        let height = ui.spacing().interact_size.y;
        egui::ScrollArea::vertical().id_salt("function-list-scroll").auto_shrink([false; 2]).show_rows(
            ui,
            height,
            shown.len(),
            |ui, range| {
                for &i in &shown[range] {
                    let function = &listing.functions[i];
                    let selected = self.found == Some(function.line);
                    if ui.selectable_label(selected, RichText::new(&function.label).monospace()).clicked() {
                        self.found = Some(function.line);
                        self.jump_to = Some(function.line);
                    }
                }
            },
        );
    }

    fn listing(&mut self, ui: &mut Ui, listing: &Disassembly) {
        let t = theme::tokens(ui);
        let height = theme::line_height(ui);
        let spacing = ui.spacing().item_spacing.y;
        let mut area = egui::ScrollArea::both().id_salt("disassembly-scroll").auto_shrink([false; 2]);
        if let Some(line) = self.jump_to.take() {
            // A few lines of context above the target.
            area = area.vertical_scroll_offset(line.saturating_sub(3) as f32 * (height + spacing));
        }
        area.show_rows(ui, height, listing.line_count(), |ui, range| {
            for line in range {
                let text = RichText::new(format!("{:>7}  {}", line + 1, listing.line(line))).monospace();
                if self.found == Some(line) {
                    ui.label(text.background_color(t.chip_on_fill).color(t.chip_text));
                } else {
                    ui.add(egui::Label::new(text).extend());
                }
            }
        });
    }
}
