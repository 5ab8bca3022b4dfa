//! The Request form: what the window sends to a `wasi:http` handler when
//! Run is pressed (method, path, headers, body), and the response it got.
//! Each request is one run: its host calls land in Calls like any run's.

use egui::{RichText, Ui};
use runtime_worker::trace::describe::format_nanos;
use runtime_worker::{HttpRequest, RunOutcome};

use super::intent::Intent;
use super::state::Tab;
use super::theme::{self, font};
use crate::model::run_record::{percentile, request_startups};
use crate::model::session::Session;

/// How many requests Send ×N sends.
pub const SERIES: u32 = 100;

const METHODS: [&str; 7] = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

/// The request's fields; Run sends it, Send ×100 sends it a hundred times
/// (`requests_left` of a series are still to go).
pub fn request_form(ui: &mut Ui, request: &mut HttpRequest, requests_left: u32) -> Option<Intent> {
    ui.horizontal(|ui| {
        let label = ui.label("Method");
        egui::ComboBox::from_id_salt("http-method")
            .selected_text(&request.method)
            .width(90.0)
            .show_ui(ui, |ui| {
                for method in METHODS {
                    ui.selectable_value(&mut request.method, method.to_string(), method);
                }
            })
            .response
            .labelled_by(label.id);
    });
    let label = ui.label("Path and query");
    ui.add(egui::TextEdit::singleline(&mut request.path).hint_text("/echo?x=1").desired_width(f32::INFINITY))
        .labelled_by(label.id);

    // Headers are edited as `Name: value` lines, kept as text between
    // frames so a half-typed line is not lost.
    let id = ui.make_persistent_id("http-headers-text");
    let mut text: String = ui.data_mut(|d| d.get_temp::<String>(id)).unwrap_or_else(|| headers_text(request));
    let label = ui.label("Headers (one `Name: value` per line)");
    let edited = ui
        .add(egui::TextEdit::multiline(&mut text).desired_rows(2).desired_width(f32::INFINITY).code_editor())
        .labelled_by(label.id);
    if edited.changed() {
        request.headers = parse_headers(&text);
    }
    ui.data_mut(|d| d.insert_temp(id, text));

    let label = ui.label("Body");
    let mut body = String::from_utf8_lossy(&request.body).into_owned();
    let edited = ui
        .add(egui::TextEdit::multiline(&mut body).desired_rows(3).desired_width(f32::INFINITY).code_editor())
        .labelled_by(label.id);
    if edited.changed() {
        request.body = body.into_bytes();
    }
    ui.label(RichText::new("Run (F5) sends it to a fresh instance, as `wasmtime serve` would.").weak());
    let mut intent = None;
    ui.horizontal(|ui| {
        let send = ui.add_enabled(requests_left == 0, egui::Button::new(format!("Send ×{SERIES}")));
        if send
            .on_hover_text(format!(
                "Sends this request {SERIES} times, one after the other, each to a fresh instance; Timings \
                 plots the start-up of every one. Stop ends the series."
            ))
            .clicked()
        {
            intent = Some(Intent::SendRequests { count: SERIES });
        }
        if requests_left > 0 {
            ui.spinner();
            ui.label(format!("{requests_left} more to send"));
        }
    });
    intent
}

/// The start-up of the requests sent to this handler so far, with a way to
/// their plot.
pub fn startup_summary(ui: &mut Ui, session: &Session) -> Option<Intent> {
    let startups = request_startups(&session.runs);
    if startups.len() < 2 {
        return None;
    }
    let instantiate: Vec<u64> = startups.iter().map(|s| s.instantiate_ns).collect();
    let total: Vec<u64> = startups.iter().map(|s| s.total_ns).collect();
    let (Some(median), Some(p99), Some(whole)) =
        (percentile(&instantiate, 0.5), percentile(&instantiate, 0.99), percentile(&total, 0.5))
    else {
        return None;
    };
    ui.label(format!(
        "{} requests: a fresh instance in {} (median; p99 {}), the whole request {} (median)",
        startups.len(),
        format_nanos(median),
        format_nanos(p99),
        format_nanos(whole)
    ));
    ui.link("Plot each request's start-up (Timings)").clicked().then_some(Intent::ShowTab(Tab::Timings))
}

/// The response to the last request sent, with its status, headers and
/// body; or why there was none (the handler trapped, the run was stopped).
pub fn last_response(ui: &mut Ui, session: &Session) {
    let t = theme::tokens(ui);
    let Some(run) = session.runs.last() else { return };
    ui.separator();
    match &run.outcome {
        None => {
            ui.label(format!("Run #{}: waiting for the response…", run.number));
        }
        Some(RunOutcome::Responded(response)) => {
            let color = if response.status < 400 { t.ok_text } else { t.error_text };
            ui.label(
                RichText::new(format!(
                    "Run #{} · {}",
                    run.number,
                    crate::model::run_record::status_line(response.status)
                ))
                .strong()
                .color(color),
            );
            for (name, value) in &response.headers {
                ui.add(egui::Label::new(RichText::new(format!("{name}: {value}")).monospace().size(font::TICK)));
            }
            let body = String::from_utf8_lossy(&response.body);
            let shown: String = body.chars().take(64 * 1024).collect();
            egui::ScrollArea::vertical().id_salt("http-response-body").max_height(200.0).show(ui, |ui| {
                ui.add(egui::Label::new(RichText::new(shown).monospace()).selectable(true).wrap());
            });
            if body.chars().nth(64 * 1024).is_some() {
                ui.label(RichText::new(format!("(first 64 Ki characters of {} bytes)", response.body.len())).weak());
            }
        }
        Some(other) => {
            let text = format!("Run #{}: no response: {}", run.number, crate::model::run_record::outcome_text(other));
            ui.add(egui::Label::new(RichText::new(text).color(t.error_text)).wrap());
        }
    }
}

fn headers_text(request: &HttpRequest) -> String {
    request.headers.iter().map(|(k, v)| format!("{k}: {v}\n")).collect()
}

/// `Name: value` lines; lines without a colon are left out.
pub fn parse_headers(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let (name, value) = line.split_once(':')?;
            let name = name.trim();
            (!name.is_empty()).then(|| (name.to_string(), value.trim().to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lines_become_pairs() {
        assert_eq!(
            parse_headers("Accept: text/plain\nbroken line\nX-Empty:\n: no name\n"),
            vec![("Accept".to_string(), "text/plain".to_string()), ("X-Empty".to_string(), String::new())]
        );
    }
}
