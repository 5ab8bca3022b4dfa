//! The status bar: the latest notice (dismissable), loading, or the keys to
//! remember; and, with F12, the window's own frame and ingest figures.

use egui::{RichText, Ui};

use super::intent::Intent;
use super::theme;
use crate::model::session::Session;

/// `figures`: the F12 overlay's line, when it is on.
pub fn ui(ui: &mut Ui, session: &Session, figures: Option<String>) -> Option<Intent> {
    let mut intent = None;
    ui.horizontal(|ui| {
        let t = theme::tokens(ui);
        if let Some(notice) = &session.notice {
            let color = if notice.error { t.denied_text } else { t.ok_text };
            ui.label(RichText::new(&notice.text).color(color).strong());
            if ui.small_button("✖").on_hover_text("Dismiss").clicked() {
                intent = Some(Intent::DismissNotice);
            }
        } else if let Some(name) = session.loading_recording() {
            ui.spinner();
            ui.label(format!("Loading the recording {name}…"));
        } else if session.is_loading() {
            ui.spinner();
            ui.label("Loading module…");
        } else {
            ui.label(RichText::new("Drop a .wasm or .wat file anywhere · F5 run · Shift+F5 stop · Ctrl+O open · Ctrl+PgUp/PgDn tabs · Ctrl +/- zoom · F12 stats").color(t.muted_text));
        }
        if let Some(figures) = figures {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.monospace(figures);
            });
        }
    });
    intent
}
