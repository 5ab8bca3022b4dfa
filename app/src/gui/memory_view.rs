//! The Memory tab: linear memory over time, each growth marked, the cap drawn.

use egui::{Color32, RichText, Ui};
use egui_plot::{HLine, Legend, Line, MarkerShape, Plot, Points, VLine};
use runtime_worker::MemoryChange;

use super::theme;
use super::widgets::format_bytes;
use crate::model::run_record::RunRecord;

const MIB: f64 = (1u64 << 20) as f64;

pub fn ui(ui: &mut Ui, run: Option<&RunRecord>) {
    let Some(run) = run else {
        ui.label(RichText::new("Run the module to watch its linear memory.").size(theme::font::LEAD));
        return;
    };
    let t = theme::tokens(ui);
    let grows = run.memory.iter().filter(|m| matches!(m.change, MemoryChange::Grew { .. })).count();
    let refused: Vec<_> = run.memory.iter().filter(|m| matches!(m.change, MemoryChange::Refused { .. })).collect();
    let cap = run.profile.limits.max_memory_bytes;
    ui.horizontal_wrapped(|ui| {
        let initial = run.memory.iter().find_map(|m| match m.change {
            MemoryChange::Initial { bytes, .. } => Some(bytes),
            _ => None,
        });
        match initial {
            Some(bytes) => ui.label(format!("initial {}", format_bytes(bytes))),
            None => ui.label("no linear memory reported yet"),
        };
        if let Some(peak) = run.peak_memory() {
            ui.label(format!("· peak {}", format_bytes(peak)));
        }
        ui.label(format!("· {grows} growths"));
        if let Some(cap) = cap {
            ui.label(format!("· cap {}", format_bytes(cap)));
        }
        if let Some(max) = run.memory_maximum() {
            ui.label(format!("· module maximum {}", format_bytes(max)));
        }
        if !refused.is_empty() {
            ui.label(RichText::new(format!("· {} growth(s) refused", refused.len())).color(t.denied_text).strong());
        }
    });

    let series: Vec<[f64; 2]> = run.memory_series().into_iter().map(|[x, y]| [x, y / MIB]).collect();
    let growth_points: Vec<[f64; 2]> = run
        .memory
        .iter()
        .filter_map(|m| match m.change {
            MemoryChange::Grew { to, .. } => Some([m.at_ns as f64 / 1e9, to as f64 / MIB]),
            _ => None,
        })
        .collect();
    Plot::new("memory-plot")
        .legend(Legend::default())
        .x_axis_label("seconds since the run started")
        .y_axis_label("linear memory (MiB)")
        .include_x(0.0)
        .include_y(0.0)
        .include_y(cap.map_or(0.0, |c| c as f64 / MIB * 1.05))
        .allow_scroll(false)
        .show(ui, |plot| {
            // A step line: many points share an x, which band aggregation would
            // turn into a filled shape.
            plot.line(Line::new("linear memory", series).color(t.accent).width(2.0).allow_band(false));
            plot.points(
                Points::new("memory.grow", growth_points).shape(MarkerShape::Circle).radius(3.0).color(t.accent),
            );
            if let Some(cap) = cap {
                plot.hline(HLine::new("cap", cap as f64 / MIB).color(t.warning_text).width(2.0));
            }
            for event in &refused {
                plot.vline(
                    VLine::new("refused growth", event.at_ns as f64 / 1e9).color(Color32::from_rgb(220, 50, 50)),
                );
            }
        });
}
