//! The Density tab: start N instances of the loaded module or component (a
//! provider, or a composed unit) at once, each in its own locked-down
//! sandbox, and watch them start; then the start time and host memory per
//! instance — "thousands of tenants per host, kilobytes each", measured here.

use egui::{RichText, Ui};
use egui_plot::{Legend, Line, Plot};
use runtime_worker::ModuleKind;
use runtime_worker::density::{DensityEvent, DensityHandle, DensityReport, MAX_INSTANCES};
use runtime_worker::trace::describe::format_nanos;

use super::intent::Intent;
use super::theme::{self, font};
use super::widgets::format_bytes;
use crate::model::session::Session;

pub struct DensityView {
    pub instances: u32,
    running: Option<Running>,
    last: Option<Finished>,
}

struct Running {
    handle: DensityHandle,
    module_name: String,
    requested: usize,
    preparing: bool,
    timeline: Vec<[f64; 2]>,
}

struct Finished {
    module_name: String,
    result: Result<DensityReport, String>,
}

impl Default for DensityView {
    fn default() -> Self {
        DensityView { instances: 1000, running: None, last: None }
    }
}

impl DensityView {
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// Takes in the run's events; call every frame.
    pub fn pump(&mut self) {
        let Some(running) = &mut self.running else { return };
        let mut finished = None;
        for event in running.handle.events().try_iter() {
            match event {
                DensityEvent::Preparing => running.preparing = true,
                DensityEvent::Progress { started, elapsed_ns } => {
                    running.preparing = false;
                    running.timeline.push([elapsed_ns as f64 / 1e6, started as f64]);
                }
                DensityEvent::Finished(result) => finished = Some(result),
            }
        }
        if let Some(result) = finished {
            let running = self.running.take().expect("running");
            self.last = Some(Finished { module_name: running.module_name, result });
        }
    }

    /// Follows a density run the session started: `requested` instances of
    /// `module_name`.
    pub fn started(&mut self, handle: DensityHandle, module_name: String, requested: usize) {
        self.running = Some(Running { handle, module_name, requested, preparing: true, timeline: vec![[0.0, 0.0]] });
    }

    /// Asks the density run to stop; its report still arrives.
    pub fn stop(&self) {
        if let Some(running) = &self.running {
            running.handle.stop();
        }
    }

    /// The tab; the person may ask to start or stop a density run.
    pub fn ui(&mut self, ui: &mut Ui, session: &Session) -> Option<Intent> {
        self.pump();
        let t = theme::tokens(ui);
        let mut intent = None;
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Instances").size(font::LEAD));
            let running = self.running.is_some();
            ui.add_enabled(
                !running,
                egui::DragValue::new(&mut self.instances).range(1..=MAX_INSTANCES as u32).speed(10.0),
            );
            ui.label(RichText::new("or").color(theme::tokens(ui).muted_text));
            for preset in [100, 1000, 10_000] {
                if ui.add_enabled(!running, egui::Button::new(format!("{preset}")).small()).clicked() {
                    self.instances = preset;
                }
            }
            if running {
                if ui.button(RichText::new("Stop").size(font::LEAD)).clicked() {
                    intent = Some(Intent::StopDensity);
                }
            } else {
                let can = session.module.is_some() && !session.is_running();
                let button = egui::Button::new(RichText::new(format!("Start {}", self.instances)).size(font::LEAD));
                if ui
                    .add_enabled(can, button)
                    .on_disabled_hover_text("Open a module or component first (and let any run finish)")
                    .clicked()
                {
                    let instances = self.instances.clamp(1, MAX_INSTANCES as u32) as usize;
                    intent = Some(Intent::StartDensity { instances });
                }
            }
        });
        ui.label(
            RichText::new(
                "Each instance gets its own store and a locked-down WASI context (no files, no environment; WASI \
                 0.2 for a component, every core instance inside it included), from wasmtime's pooling \
                 allocator, started from one thread per core. They are instantiated, not run, and all kept alive \
                 until the last has started.",
            )
            .small()
            .color(t.muted_text),
        );
        ui.separator();

        if let Some(running) = &self.running {
            let started = running.timeline.last().map_or(0.0, |p| p[1]) as usize;
            ui.horizontal(|ui| {
                ui.spinner();
                if running.preparing {
                    ui.label(format!("Compiling {} and reserving {} slots…", running.module_name, running.requested));
                } else {
                    ui.add(
                        egui::ProgressBar::new(started as f32 / running.requested as f32)
                            .desired_width(320.0)
                            .text(format!("{started} of {} started", running.requested)),
                    );
                }
            });
            plot(ui, &running.timeline);
            ui.ctx().request_repaint_after(std::time::Duration::from_millis(30));
            return intent;
        }
        match &self.last {
            None => {
                ui.label(
                    RichText::new(
                        "Start many instances of the module or component at once to see what one sandbox costs.",
                    )
                    .size(font::LEAD),
                );
            }
            Some(Finished { module_name, result: Err(message) }) => {
                ui.label(
                    RichText::new(format!("{module_name}: {message}")).color(t.error_text).strong().size(font::LEAD),
                );
            }
            Some(Finished { module_name, result: Ok(report) }) => {
                summary(ui, module_name, report);
                let timeline: Vec<[f64; 2]> =
                    report.timeline.iter().map(|&(ns, started)| [ns as f64 / 1e6, started as f64]).collect();
                plot(ui, &timeline);
            }
        }
        intent
    }
}

fn summary(ui: &mut Ui, module_name: &str, report: &DensityReport) {
    let stopped = if report.started < report.requested { " (stopped)" } else { "" };
    ui.label(
        RichText::new(format!(
            "{} instances of {module_name} alive at once, started in {} {}{stopped}",
            report.started,
            format_nanos(report.total_ns),
            report.threads_text()
        ))
        .size(font::TITLE)
        .strong(),
    );
    egui::Grid::new("density-figures").num_columns(2).spacing([24.0, 6.0]).show(ui, |ui| {
        let big = |text: String| RichText::new(text).size(font::TITLE).monospace();
        if report.kind == ModuleKind::Component {
            ui.label("each instance").on_hover_text("A component instance holds every core instance inside it.");
            ui.label(big(format!("a component of {} core instances", report.core_instances_per_instance)));
            ui.end_row();
        }
        ui.label("start per instance").on_hover_text("Timed on the thread that started it; one thread per core.");
        ui.label(big(format!(
            "median {} · p99 {} · max {}",
            format_nanos(report.median_ns),
            format_nanos(report.p99_ns),
            format_nanos(report.max_ns)
        )));
        ui.end_row();
        ui.label("host memory per instance");
        ui.label(big(match report.host_bytes_per_instance {
            Some(bytes) => format!("{:.1} KiB", bytes / 1024.0),
            None if report.started == 0 => "no instance was started".to_string(),
            None => "not measured on this platform".to_string(),
        }));
        ui.end_row();
        ui.label("linear memory per instance");
        ui.label(big(format!("{} declared", format_bytes(report.linear_bytes_per_instance))))
            .on_hover_text("Copy-on-write: pages the guest has not touched cost nothing.");
        ui.end_row();
        if let (Some(before), Some(alive)) = (report.rss_before, report.rss_alive) {
            ui.label("process memory");
            ui.label(big(format!("{} before, {} with all alive", format_bytes(before), format_bytes(alive))));
            ui.end_row();
        }
        ui.label("compile (once)");
        ui.label(big(format_nanos(report.compile_ns)));
        ui.end_row();
        ui.label("teardown of all");
        ui.label(big(format_nanos(report.teardown_ns)));
        ui.end_row();
    });
}

fn plot(ui: &mut Ui, timeline: &[[f64; 2]]) {
    Plot::new("density-plot")
        .legend(Legend::default())
        .x_axis_label("milliseconds since the first instance")
        .y_axis_label("instances alive")
        .include_x(0.0)
        .include_y(0.0)
        .allow_scroll(false)
        .show(ui, |plot| {
            plot.line(Line::new("instances alive", timeline.to_vec()).width(2.0));
        });
}
