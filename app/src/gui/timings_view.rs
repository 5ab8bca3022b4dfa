//! The Timings tab: this run's phases on a logarithmic scale (compilation
//! takes milliseconds, instantiation microseconds: both must be readable),
//! and every run's phases over the session, cold and cached compiles marked.
//! For a `wasi:http` handler, each request is a run with a fresh instance:
//! the start-up of every request sent to it is plotted on its own.

use egui::{Color32, RichText, Sense, Ui, vec2};
use egui_plot::{HLine, HoverPosition, Legend, Line, MarkerShape, Plot, Points};
use runtime_worker::Phase;
use runtime_worker::trace::describe::format_nanos;

use super::theme;
use crate::model::run_record::{RunRecord, percentile, request_startups};

const PHASES: [Phase; 4] = [Phase::Compile, Phase::Instantiate, Phase::FirstCall, Phase::Total];

/// The bar scale: 100 ns to 100 s.
const LOG_MIN: f64 = 2.0;
const LOG_MAX: f64 = 11.0;

pub fn ui(ui: &mut Ui, runs: &[RunRecord]) {
    let Some(run) = runs.last() else {
        ui.label(RichText::new("Run the module to time its start-up.").size(theme::font::LEAD));
        return;
    };
    ui.label(RichText::new(format!("Run #{} — {}", run.number, run.module_name)).strong().size(theme::font::LEAD));
    phase_bars(ui, run);
    ui.add_space(10.0);
    if run.request.is_some() {
        requests(ui, runs);
        ui.add_space(10.0);
    }
    ui.label(RichText::new("Every run this session").strong().size(theme::font::LEAD));
    history(ui, runs);
}

fn phase_bars(ui: &mut Ui, run: &RunRecord) {
    let t = theme::tokens(ui);
    egui::Grid::new("phase-bars").num_columns(3).spacing(vec2(12.0, 6.0)).show(ui, |ui| {
        for phase in PHASES {
            let timing = run.timing(phase);
            let mut name = phase.name().to_string();
            match (phase, timing) {
                (Phase::Compile, Some(timing)) => name.push_str(if timing.cached { " (cached)" } else { " (cold)" }),
                (Phase::Instantiate, Some(timing)) if timing.cached => name.push_str(" (pooled)"),
                _ => {}
            }
            ui.label(RichText::new(name).size(theme::font::LEAD));
            match timing {
                Some(timing) => {
                    ui.label(RichText::new(format_nanos(timing.nanos)).monospace().size(theme::font::LEAD).strong());
                    log_bar(ui, timing.nanos, t.accent);
                }
                None => {
                    ui.label(RichText::new("—").color(t.muted_text));
                    ui.label("");
                }
            }
            ui.end_row();
        }
    });
    ui.horizontal(|ui| {
        ui.add_space(ui.spacing().item_spacing.x);
        ui.label(RichText::new("bars: logarithmic, 100 ns … 100 s").small().color(t.muted_text));
    });
}

/// A bar whose length is the logarithm of `nanos`, with decade ticks.
fn log_bar(ui: &mut Ui, nanos: u64, color: Color32) {
    let width = (ui.available_width() - 10.0).clamp(160.0, 520.0);
    let (rect, _) = ui.allocate_exact_size(vec2(width, 18.0), Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 3.0, ui.visuals().extreme_bg_color);
    let fraction = (((nanos.max(1) as f64).log10() - LOG_MIN) / (LOG_MAX - LOG_MIN)).clamp(0.0, 1.0);
    let mut bar = rect;
    bar.set_width(rect.width() * fraction as f32);
    painter.rect_filled(bar, 3.0, color);
    for (decade, label) in [(3.0, "1µs"), (6.0, "1ms"), (9.0, "1s")] {
        let x = rect.left() + rect.width() * ((decade - LOG_MIN) / (LOG_MAX - LOG_MIN)) as f32;
        // Dark on the bar, grey beside it: the tick stays legible either way.
        let ink = if x + 2.0 < bar.right() { Color32::from_gray(25) } else { Color32::GRAY };
        painter.line_segment([egui::pos2(x, rect.top()), egui::pos2(x, rect.bottom())], (1.0, ink));
        painter.text(
            egui::pos2(x + 2.0, rect.center().y),
            egui::Align2::LEFT_CENTER,
            label,
            egui::FontId::proportional(theme::font::TICK),
            ink,
        );
    }
}

fn history(ui: &mut Ui, runs: &[RunRecord]) {
    let series = |phase: Phase| -> Vec<[f64; 2]> {
        runs.iter()
            .filter_map(|r| r.timing(phase).map(|t| [r.number as f64, (t.nanos.max(1) as f64).log10()]))
            .collect()
    };
    let compiles = |cached: bool| -> Vec<[f64; 2]> {
        runs.iter()
            .filter_map(|r| {
                let t = r.timing(Phase::Compile).filter(|t| t.cached == cached)?;
                Some([r.number as f64, (t.nanos.max(1) as f64).log10()])
            })
            .collect()
    };
    Plot::new("timings-history")
        .legend(Legend::default())
        .x_axis_label("run")
        .y_axis_label("time (log scale)")
        .y_axis_formatter(|mark, _| format_nanos(10f64.powf(mark.value) as u64))
        .label_formatter(|hover| match hover {
            HoverPosition::NearDataPoint { plot_name, position, .. } => {
                Some(format!("{plot_name}\nrun {} · {}", position.x, format_nanos(10f64.powf(position.y) as u64)))
            }
            HoverPosition::Elsewhere { .. } => None,
        })
        .include_y(LOG_MIN)
        .include_y(7.0)
        .include_x(0.5)
        .include_x(runs.last().map_or(1, |r| r.number) as f64 + 0.5)
        .allow_scroll(false)
        .show(ui, |plot| {
            plot.line(Line::new("total", series(Phase::Total)).width(2.0));
            plot.line(Line::new("instantiate", series(Phase::Instantiate)).width(2.0));
            plot.line(Line::new("first call", series(Phase::FirstCall)).width(2.0));
            plot.points(
                Points::new("compile (cold)", compiles(false))
                    .shape(MarkerShape::Circle)
                    .radius(5.0)
                    .color(Color32::from_rgb(230, 120, 60)),
            );
            plot.points(
                Points::new("compile (cached)", compiles(true))
                    .shape(MarkerShape::Diamond)
                    .radius(5.0)
                    .color(Color32::from_rgb(80, 190, 120)),
            );
        });
}

/// Every request sent to the handler: the time to a fresh instance and the
/// whole request, in microseconds (linear: they are of one magnitude), with
/// the medians.
fn requests(ui: &mut Ui, runs: &[RunRecord]) {
    let startups = request_startups(runs);
    let instantiate: Vec<u64> = startups.iter().map(|s| s.instantiate_ns).collect();
    let total: Vec<u64> = startups.iter().map(|s| s.total_ns).collect();
    let (Some(median), Some(p99), Some(whole)) =
        (percentile(&instantiate, 0.5), percentile(&instantiate, 0.99), percentile(&total, 0.5))
    else {
        return;
    };
    ui.label(RichText::new("Each request to this handler").strong().size(theme::font::LEAD));
    ui.label(format!(
        "{} requests, each to a fresh instance: instantiate {} median, {} p99; the whole request {} median",
        startups.len(),
        format_nanos(median),
        format_nanos(p99),
        format_nanos(whole)
    ));
    let micros = |ns: u64| ns as f64 / 1e3;
    let series = |pick: fn(&crate::model::run_record::RequestStartup) -> u64| -> Vec<[f64; 2]> {
        startups.iter().map(|s| [s.number as f64, micros(pick(s))]).collect()
    };
    Plot::new("request-startups")
        .legend(Legend::default())
        .height(220.0)
        .x_axis_label("run")
        .y_axis_label("time, compiling left out")
        .y_axis_formatter(|mark, _| format_nanos((mark.value * 1e3).max(0.0) as u64))
        .label_formatter(|hover| match hover {
            HoverPosition::NearDataPoint { plot_name, position, .. } => {
                Some(format!("{plot_name}\nrun {} · {}", position.x, format_nanos((position.y * 1e3) as u64)))
            }
            HoverPosition::Elsewhere { .. } => None,
        })
        .include_y(0.0)
        .allow_scroll(false)
        .show(ui, |plot| {
            plot.points(Points::new("instantiate", series(|s| s.instantiate_ns)).radius(3.0));
            plot.points(Points::new("whole request", series(|s| s.total_ns)).radius(3.0));
            plot.hline(HLine::new("instantiate median", micros(median)).width(1.5));
            plot.hline(HLine::new("whole request median", micros(whole)).width(1.5));
        });
}
