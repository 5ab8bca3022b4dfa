//! The eframe application: the persisted state, the session, the panels, and
//! what happens each frame (drain the worker, handle keys and drops, draw).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use egui::{Key, KeyboardShortcut, Modifiers};
use runtime_worker::diagnosis::Fix;
use runtime_worker::{Entry, SandboxProfile};
use serde::{Deserialize, Serialize};

use super::calls_view::CallsView;
use super::capabilities_panel;
use super::compare_view::CompareView;
use super::console_view::ConsoleView;
use super::density_view::DensityView;
use super::diagnosis_view;
use super::disassembly_view::DisassemblyView;
use super::file_dialog::{DialogPurpose, FileDialogs};
use super::profile_menu::ProfileWindows;
use super::workshop::{self, Workshop};
use super::{inspector_view, memory_view, module_panel, summary_view, timings_view, toolbar};
use crate::model::call_filter::CallFilter;
use crate::model::session::{ModuleOrigin, Session};
use crate::samples;
use crate::{export, persist};

pub const RUN: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::F5);
pub const STOP: KeyboardShortcut = KeyboardShortcut::new(Modifiers::SHIFT, Key::F5);
pub const OPEN: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
pub const OVERLAY: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::F12);
pub const WORKSHOP: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::F11);
pub const NEXT_TAB: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::PageDown);
pub const PREVIOUS_TAB: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::PageUp);

/// Time the window spends taking in worker events per frame.
const INGEST_BUDGET: Duration = Duration::from_millis(8);
/// While a run is going, the window redraws at this pace to show progress.
const LIVE_REPAINT: Duration = Duration::from_millis(16);

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
pub enum Tab {
    Inspector,
    Disassembly,
    #[default]
    Calls,
    Why,
    Summary,
    Memory,
    Timings,
    Console,
    Compare,
    Density,
    Call,
}

impl Tab {
    pub const ALL: [Tab; 11] = [
        Tab::Inspector,
        Tab::Disassembly,
        Tab::Calls,
        Tab::Why,
        Tab::Summary,
        Tab::Memory,
        Tab::Timings,
        Tab::Console,
        Tab::Compare,
        Tab::Density,
        Tab::Call,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Inspector => "Inspector",
            Tab::Disassembly => "Disassembly",
            Tab::Calls => "Calls",
            Tab::Why => "Why?",
            Tab::Summary => "Summary",
            Tab::Memory => "Memory",
            Tab::Timings => "Timings",
            Tab::Console => "Console",
            Tab::Compare => "Compare",
            Tab::Density => "Density",
            Tab::Call => "Call",
        }
    }

    /// The tab `by` places further along the tab row, wrapping around.
    pub fn step(self, by: isize) -> Tab {
        let here = Tab::ALL.iter().position(|t| *t == self).unwrap_or(0) as isize;
        Tab::ALL[(here + by).rem_euclid(Tab::ALL.len() as isize) as usize]
    }
}

/// The module to reopen at start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LastModule {
    File(PathBuf),
    Sample(String),
}

/// What the Call tab's form holds: the function, and each parameter's field
/// as typed (plain text for strings, WAVE for compound values).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CallForm {
    pub function: Option<String>,
    pub inputs: Vec<String>,
}

/// The state that we persist between runs of the app.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct State {
    pub profile: SandboxProfile,
    pub entry: Entry,
    /// Arguments for an invoked export, as typed.
    pub invoke_args: String,
    /// The Call tab's form for a component's function.
    pub call: CallForm,
    pub recent: Vec<PathBuf>,
    pub last_module: Option<LastModule>,
    pub tab: Tab,
    pub filter: CallFilter,
    pub follow: bool,
    pub zoom: f32,
    pub show_overlay: bool,
    /// Presenting: large type, high contrast, guided scenarios.
    pub workshop: bool,
}

impl Default for State {
    fn default() -> Self {
        State {
            profile: SandboxProfile::default(),
            entry: Entry::Start,
            invoke_args: String::new(),
            call: CallForm::default(),
            recent: Vec::new(),
            last_module: None,
            tab: Tab::Calls,
            filter: CallFilter::default(),
            follow: true,
            zoom: 1.0,
            show_overlay: false,
            workshop: false,
        }
    }
}

const MAX_RECENT: usize = 10;

pub struct WasmscopeApp {
    pub state: State,
    pub session: Session,
    pub calls: CallsView,
    pub console: ConsoleView,
    pub disassembly: DisassemblyView,
    pub compare: CompareView,
    pub density: DensityView,
    pub profile_windows: ProfileWindows,
    pub workshop: Workshop,
    pub dialogs: FileDialogs,
    frame_stats: FrameStats,
    styled: bool,
    /// Run as soon as the module being loaded is ready.
    run_when_loaded: bool,
    startup_probe: Option<StartupProbe>,
}

/// `--measure-startup`: the first frame's time, then idle memory.
#[derive(Default)]
struct StartupProbe {
    first_frame: Option<(Duration, Instant)>,
    reported: bool,
}

impl StartupProbe {
    const IDLE: Duration = Duration::from_secs(2);

    fn frame(&mut self, ctx: &egui::Context) {
        let (first, at) = *self.first_frame.get_or_insert_with(|| (super::since_process_start(), Instant::now()));
        if self.reported {
            return;
        }
        if at.elapsed() < Self::IDLE {
            ctx.request_repaint_after(Self::IDLE.saturating_sub(at.elapsed()));
            return;
        }
        self.reported = true;
        let resident = runtime_worker::density::resident_bytes()
            .map_or("not measured on this platform".to_string(), |b| format!("{:.1} MiB", b as f64 / 1048576.0));
        // Anonymous memory is the program's own; file-backed pages are
        // mostly shared libraries (the GL driver's above all).
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let field = |name: &str| {
            status.lines().find(|l| l.starts_with(name)).map(|l| l[name.len()..].trim().to_string()).unwrap_or_default()
        };
        eprintln!(
            "first frame laid out {:.1} ms after main() began; resident memory after {} s idle: {resident} \
             (anonymous {}, file-backed {})",
            first.as_secs_f64() * 1e3,
            Self::IDLE.as_secs(),
            field("RssAnon:"),
            field("RssFile:")
        );
        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
    }
}

impl WasmscopeApp {
    pub fn new(cc: &eframe::CreationContext<'_>, options: super::WindowOptions) -> Self {
        let (state, problem) = match persist::settings_path().map(|p| persist::load_toml::<State>(&p)) {
            Some(persist::Loaded::Value(state)) => (state, None),
            Some(persist::Loaded::Unreadable { error, kept_as }) => {
                let kept = kept_as.map(|p| format!(" (kept as {})", p.display())).unwrap_or_default();
                (State::default(), Some(format!("the saved settings could not be read{kept}: {error}")))
            }
            Some(persist::Loaded::Missing) | None => (State::default(), None),
        };
        let mut app = Self::with_state(state, options.file);
        if let Some(problem) = problem {
            app.session.error(problem);
        }
        if let Some(sample) = options.sample.as_deref().and_then(samples::by_file) {
            app.open_sample(sample, true);
        }
        if let Some(tab) = options.tab {
            app.state.tab = tab;
        }
        app.run_when_loaded = options.run;
        app.startup_probe = options.measure_startup.then(StartupProbe::default);
        cc.egui_ctx.set_zoom_factor(app.state.zoom.clamp(0.5, 3.0));
        app
    }

    /// The app with a given state, without a window (tests use this).
    pub fn with_state(state: State, file: Option<PathBuf>) -> Self {
        let session = match crate::persist::runtime() {
            Ok(runtime) => Session::new(runtime),
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(1);
            }
        };
        let mut app = WasmscopeApp {
            state,
            session,
            calls: CallsView::default(),
            console: ConsoleView::default(),
            disassembly: DisassemblyView::default(),
            density: DensityView::default(),
            compare: CompareView::default(),
            profile_windows: ProfileWindows::default(),
            workshop: Workshop::default(),
            dialogs: FileDialogs::default(),
            frame_stats: FrameStats::default(),
            styled: false,
            run_when_loaded: false,
            startup_probe: None,
        };
        match file {
            Some(path) => app.open_path(path),
            None => app.reopen_last(),
        }
        app
    }

    /// Style choices, applied on the first frame (tests build the app without
    /// a creation context).
    fn apply_style(&mut self, ctx: &egui::Context) {
        if self.styled {
            return;
        }
        self.styled = true;
        let dark = ctx.global_style().visuals.dark_mode;
        let visuals = if self.state.workshop {
            workshop::high_contrast(dark)
        } else if dark {
            egui::Visuals::dark()
        } else {
            egui::Visuals::light()
        };
        ctx.set_visuals(visuals);
        ctx.all_styles_mut(|style| {
            // Labels in tables must let clicks through to their row.
            style.interaction.selectable_labels = false;
        });
    }

    fn reopen_last(&mut self) {
        match self.state.last_module.clone() {
            Some(LastModule::File(path)) if path.exists() => self.open_path(path),
            Some(LastModule::Sample(file)) if samples::by_file(&file).is_some() => {
                self.open_sample(samples::by_file(&file).expect("checked"), false)
            }
            _ => {
                let first_start = self.state.last_module.is_none();
                self.open_sample(samples::default_sample(), first_start);
            }
        }
    }

    pub fn open_path(&mut self, path: PathBuf) {
        self.session.load_path(&path);
        self.state.recent.retain(|p| p != &path);
        self.state.recent.insert(0, path.clone());
        self.state.recent.truncate(MAX_RECENT);
        self.state.last_module = Some(LastModule::File(path));
    }

    /// Opens a bundled sample; with `take_profile`, also sets up the
    /// profile and entry point that tell its story.
    pub fn open_sample(&mut self, sample: &'static samples::Sample, take_profile: bool) {
        if !self.session.load_bytes(sample.file, sample.source, ModuleOrigin::Sample(sample.file)) {
            return;
        }
        self.state.last_module = Some(LastModule::Sample(sample.file.to_string()));
        if take_profile {
            self.state.profile = (sample.profile)(samples::sample_data());
            self.state.entry = (sample.entry)();
            if let Entry::Invoke { name, args } = &self.state.entry {
                if self.session.module.as_ref().is_some_and(|m| m.inspection.component.is_some()) {
                    // A component's sample gives the Call form's fields, as typed.
                    self.state.call = CallForm { function: Some(name.clone()), inputs: args.clone() };
                    self.state.tab = Tab::Call;
                } else {
                    self.state.invoke_args = args.join(" ");
                }
            }
        }
    }

    pub fn run(&mut self) {
        let component = self.session.module.as_ref().and_then(|m| m.inspection.component.clone());
        let entry = match (&self.state.entry, component) {
            (Entry::Start, _) => Entry::Start,
            // A component's function takes the Call tab's fields, as WAVE.
            (Entry::Invoke { name, .. }, Some(component)) => match component.callable().find(|f| f.path() == *name) {
                Some(function) => {
                    let form = &self.state.call;
                    let filled = form.function.as_deref() == Some(name.as_str());
                    let args = function.params.iter().enumerate().map(|(i, (_, ty))| match form.inputs.get(i) {
                        Some(input) if filled => super::call_view::to_wave(ty, input),
                        _ => ty.default_wave(),
                    });
                    Entry::Invoke { name: name.clone(), args: args.collect() }
                }
                None => Entry::Start,
            },
            (Entry::Invoke { name, .. }, None) => Entry::Invoke {
                name: name.clone(),
                args: self.state.invoke_args.split_whitespace().map(str::to_string).collect(),
            },
        };
        self.session.start_run(&self.state.profile, &entry);
        self.calls.new_run();
        self.console.new_run();
    }

    pub fn stop(&mut self) {
        self.session.stop();
    }

    /// Applies a diagnosis fix to the profile and runs again. A fix that
    /// mounts a folder the diagnosis cannot know asks for it — except for a
    /// bundled sample, whose folder is the sample data.
    pub fn apply_fix(&mut self, fix: &Fix, ctx: &egui::Context) {
        let mut fix = fix.clone();
        if let Fix::Mount { host: host @ None, .. } = &mut fix
            && matches!(self.session.module.as_ref().map(|m| &m.origin), Some(ModuleOrigin::Sample(_)))
        {
            *host = Some(samples::sample_data().data.clone());
        }
        match fix.apply(&mut self.state.profile) {
            Ok(()) => {
                self.workshop.fix_applied(&self.session);
                self.run();
            }
            Err(needs) => {
                let read_only = matches!(fix, Fix::Mount { read_only: true, .. });
                let purpose = DialogPurpose::FixMount { guest: needs.guest, read_only };
                self.dialogs.open(purpose, ctx);
            }
        }
    }

    pub fn toggle_workshop(&mut self, ctx: &egui::Context) {
        self.state.workshop = !self.state.workshop;
        if self.state.workshop {
            self.workshop.zoom_before = Some(ctx.zoom_factor());
            ctx.set_zoom_factor(workshop::ZOOM);
        } else {
            ctx.set_zoom_factor(self.workshop.zoom_before.take().unwrap_or(1.0));
        }
        self.styled = false;
    }

    fn handle_input(&mut self, ctx: &egui::Context) {
        if ctx.input_mut(|i| i.consume_shortcut(&STOP)) {
            self.stop();
        } else if ctx.input_mut(|i| i.consume_shortcut(&RUN)) && self.session.module.is_some() {
            self.run();
        }
        if ctx.input_mut(|i| i.consume_shortcut(&OPEN)) {
            self.dialogs.open(DialogPurpose::OpenModule, ctx);
        }
        if ctx.input_mut(|i| i.consume_shortcut(&OVERLAY)) {
            self.state.show_overlay = !self.state.show_overlay;
        }
        if ctx.input_mut(|i| i.consume_shortcut(&WORKSHOP)) {
            self.toggle_workshop(ctx);
        }
        if ctx.input_mut(|i| i.consume_shortcut(&NEXT_TAB)) {
            self.state.tab = self.state.tab.step(1);
        }
        if ctx.input_mut(|i| i.consume_shortcut(&PREVIOUS_TAB)) {
            self.state.tab = self.state.tab.step(-1);
        }
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        if let Some(file) = dropped.first() {
            let path = file.path().to_path_buf();
            if path.as_os_str().is_empty() {
                match file.bytes() {
                    Ok(bytes) => {
                        self.session.load_bytes("dropped module", &bytes, ModuleOrigin::File(path));
                    }
                    Err(e) => self.session.error(format!("cannot read the dropped file: {e}")),
                }
            } else {
                self.open_path(path);
            }
        }
        for (purpose, path) in self.dialogs.poll() {
            match purpose {
                DialogPurpose::OpenModule => self.open_path(path),
                DialogPurpose::AddMount => capabilities_panel::add_mount(&mut self.state.profile, path),
                DialogPurpose::FixMount { guest, read_only } => {
                    Fix::Mount { host: None, guest, read_only }.apply_with_folder(&mut self.state.profile, path);
                    self.workshop.fix_applied(&self.session);
                    self.run();
                }
                DialogPurpose::SaveProfile => match persist::save_toml(&path, &self.state.profile) {
                    Ok(()) => self.session.notice(format!("Saved the profile to {}", path.display())),
                    Err(e) => self.session.error(e),
                },
                DialogPurpose::OpenProfile => match persist::load_toml::<SandboxProfile>(&path) {
                    persist::Loaded::Value(profile) => {
                        self.state.profile = profile;
                        self.session.notice(format!("Opened the profile {}", path.display()));
                    }
                    persist::Loaded::Missing => self.session.error(format!("{} does not exist", path.display())),
                    persist::Loaded::Unreadable { error, .. } => {
                        self.session.error(format!("{} is not a profile: {error}", path.display()))
                    }
                },
                DialogPurpose::ExportTrace { csv } => self.export_trace(&path, csv),
            }
        }
    }

    fn export_trace(&mut self, path: &std::path::Path, csv: bool) {
        let Some(run) = self.session.current_run() else { return };
        let text = match (run.component, csv) {
            (true, true) => export::host_calls_csv(&run.host_calls),
            (true, false) => export::host_calls_jsonl(&run.host_calls),
            (false, true) => export::trace_csv(&run.calls),
            (false, false) => export::trace_jsonl(&run.calls),
        };
        match persist::atomic_write(path, text.as_bytes()) {
            Ok(()) => {
                let calls = if run.component { run.host_calls.len() } else { run.calls.len() };
                self.session.notice(format!("Exported {calls} calls to {}", path.display()))
            }
            Err(e) => self.session.error(format!("cannot write {}: {e}", path.display())),
        }
    }

    fn drop_overlay(&self, ctx: &egui::Context) {
        let hovering = ctx.input(|i| !i.raw.hovered_files.is_empty());
        if !hovering {
            return;
        }
        let screen = ctx.content_rect();
        let painter = ctx.layer_painter(egui::LayerId::new(egui::Order::Foreground, egui::Id::unique("drop-overlay")));
        painter.rect_filled(screen, 0.0, egui::Color32::from_black_alpha(180));
        painter.text(
            screen.center(),
            egui::Align2::CENTER_CENTER,
            "Drop a .wasm or .wat file to open it",
            egui::FontId::proportional(28.0),
            egui::Color32::WHITE,
        );
    }
}

impl eframe::App for WasmscopeApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let frame_started = Instant::now();
        let ctx = ui.ctx().clone();
        self.apply_style(&ctx);
        let ingest_started = Instant::now();
        let calls_before = self.session.current_run().map_or(0, |r| r.calls.len());
        self.session.pump(INGEST_BUDGET);
        let calls_after = self.session.current_run().map_or(0, |r| r.calls.len());
        self.frame_stats.ingested(calls_after.saturating_sub(calls_before), ingest_started.elapsed());
        self.handle_input(&ctx);
        if self.run_when_loaded && !self.session.is_loading() {
            self.run_when_loaded = false;
            if self.session.module.is_some() {
                self.run();
            }
        }
        self.state.zoom = ctx.zoom_factor();

        egui::Panel::top("toolbar").show(ui, |ui| toolbar::ui(ui, self));
        egui::Panel::bottom("status").show(ui, |ui| self.status_bar(ui));
        if self.state.workshop {
            egui::Panel::left("scenarios").resizable(true).default_size(300.0).show(ui, |ui| {
                if let Some(sample) = self.workshop.ui(ui, &self.session) {
                    self.open_sample(sample, true);
                    self.workshop.start(sample, &self.session);
                    self.state.tab = Tab::Calls;
                }
            });
        } else {
            egui::Panel::left("module")
                .resizable(true)
                .default_size(260.0)
                .size_range(200.0..=480.0)
                .show(ui, |ui| module_panel::ui(ui, self));
        }
        egui::Panel::right("capabilities").resizable(true).default_size(330.0).size_range(260.0..=560.0).show(
            ui,
            |ui| {
                ui.horizontal(|ui| {
                    ui.heading("Capabilities");
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        self.profile_windows.menu(ui, &mut self.state.profile, &mut self.dialogs);
                    });
                });
                let component = self
                    .session
                    .module
                    .as_ref()
                    .is_some_and(|m| m.module.kind == runtime_worker::ModuleKind::Component);
                capabilities_panel::ui(
                    ui,
                    &mut self.state.profile,
                    &mut self.dialogs,
                    self.session.is_running(),
                    component,
                )
            },
        );
        egui::CentralPanel::default().show(ui, |ui| self.central(ui));
        let module_name = self.session.module.as_ref().map_or("module.wasm".to_string(), |m| m.module.name.clone());
        self.profile_windows.windows(&ctx, &mut self.state.profile, &module_name);

        self.drop_overlay(&ctx);
        self.density.pump();
        if self.session.is_running()
            || self.density.is_running()
            || self.session.is_loading()
            || self.session.is_disassembling()
            || self.dialogs.is_open()
        {
            ctx.request_repaint_after(LIVE_REPAINT);
        }
        self.frame_stats.frame(frame_started.elapsed());
        // At the end: the first frame has been laid out.
        if let Some(probe) = &mut self.startup_probe {
            probe.frame(&ctx);
        }
    }

    /// Our settings go to their own file, written atomically (eframe's
    /// storage keeps egui's memory: panel sizes, window geometry).
    fn save(&mut self, _storage: &mut dyn eframe::Storage) {
        if let Some(path) = persist::settings_path()
            && let Err(e) = persist::save_toml(&path, &self.state)
        {
            eprintln!("warning: {e}");
        }
    }
}

impl WasmscopeApp {
    fn central(&mut self, ui: &mut egui::Ui) {
        // Wrapped: with counts in the titles, the tabs outgrow a narrow window.
        ui.horizontal_wrapped(|ui| {
            ui.spacing_mut().item_spacing.x = 2.0;
            for tab in Tab::ALL {
                let title = match tab {
                    Tab::Console => {
                        let lines = self.session.current_run().map_or(0, |r| r.console.lines().len());
                        if lines > 0 { format!("Console ({lines})") } else { "Console".to_string() }
                    }
                    Tab::Calls => {
                        let calls = self.session.current_run().map_or(0, |r| r.calls.len() + r.host_calls.len());
                        if calls > 0 { format!("Calls ({calls})") } else { "Calls".to_string() }
                    }
                    Tab::Why => {
                        let findings = self.session.runs.last_mut().map_or(0, |r| r.diagnosis().len());
                        if findings > 0 { format!("Why? ({findings})") } else { "Why?".to_string() }
                    }
                    other => other.title().to_string(),
                };
                ui.selectable_value(&mut self.state.tab, tab, egui::RichText::new(title).size(15.0));
            }
        });
        ui.separator();
        match self.state.tab {
            Tab::Inspector => inspector_view::ui(ui, &self.session),
            Tab::Disassembly => self.disassembly.ui(ui, &mut self.session),
            Tab::Calls => self.calls.ui(ui, &self.session, &mut self.state.filter, &mut self.state.follow),
            Tab::Why => {
                self.workshop.saw_why(&self.session);
                if let Some(diagnosis_view::Intent::ApplyFix(fix)) = diagnosis_view::ui(ui, &mut self.session) {
                    let ctx = ui.ctx().clone();
                    self.apply_fix(&fix, &ctx);
                }
            }
            Tab::Compare => self.compare.ui(ui, &self.session),
            Tab::Density => self.density.ui(ui, &self.session),
            Tab::Call => super::call_view::ui(ui, self),
            Tab::Summary => summary_view::ui(ui, self.session.current_run()),
            Tab::Memory => memory_view::ui(ui, self.session.current_run()),
            Tab::Timings => timings_view::ui(ui, &self.session.runs),
            Tab::Console => {
                let interactive = self.state.profile.stdin == runtime_worker::StdinSource::Interactive;
                self.console.ui(ui, &self.session, interactive)
            }
        }
    }

    fn status_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            let t = super::theme::tokens(ui);
            if let Some(notice) = self.session.notice.clone() {
                let color = if notice.error { t.denied_text } else { t.ok_text };
                ui.label(egui::RichText::new(&notice.text).color(color).strong());
                if ui.small_button("✖").on_hover_text("Dismiss").clicked() {
                    self.session.notice = None;
                }
            } else if self.session.is_loading() {
                ui.spinner();
                ui.label("Loading module…");
            } else {
                ui.label(egui::RichText::new("Drop a .wasm or .wat file anywhere · F5 run · Shift+F5 stop · Ctrl+O open · Ctrl+PgUp/PgDn tabs · Ctrl +/- zoom · F12 stats").color(t.muted_text));
            }
            if self.state.show_overlay {
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.monospace(self.frame_stats.summary(self.session.current_run()));
                });
            }
        });
    }
}

/// Frame-time and ingest figures for the debug overlay (F12).
#[derive(Default)]
struct FrameStats {
    recent_frames: std::collections::VecDeque<Duration>,
    ingested_calls: u64,
    ingest_time: Duration,
}

impl FrameStats {
    fn frame(&mut self, took: Duration) {
        self.recent_frames.push_back(took);
        if self.recent_frames.len() > 120 {
            self.recent_frames.pop_front();
        }
    }

    fn ingested(&mut self, calls: usize, took: Duration) {
        if calls > 0 {
            self.ingested_calls += calls as u64;
            self.ingest_time += took;
        }
    }

    fn summary(&self, run: Option<&crate::model::run_record::RunRecord>) -> String {
        let mut frames: Vec<Duration> = self.recent_frames.iter().copied().collect();
        frames.sort();
        let median = frames.get(frames.len() / 2).copied().unwrap_or_default();
        let worst = frames.last().copied().unwrap_or_default();
        let rate =
            if self.ingest_time.is_zero() { 0.0 } else { self.ingested_calls as f64 / self.ingest_time.as_secs_f64() };
        let (calls, bytes) = run.map_or((0, 0.0), |r| (r.calls.len(), r.calls.bytes_per_call()));
        format!(
            "frame {:.2} ms (worst {:.2}) · ingest {:.1}M calls/s · {calls} calls · {bytes:.0} B/call",
            median.as_secs_f64() * 1e3,
            worst.as_secs_f64() * 1e3,
            rate / 1e6
        )
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use runtime_worker::{ClockPolicy, Limits, Mount, NetworkPolicy, RandomPolicy, StdinSource};

    use super::*;

    #[test]
    fn every_setting_survives_a_restart() {
        let state = State {
            profile: SandboxProfile {
                mounts: vec![Mount::read_only("/srv/data", "/data"), Mount::read_write("/tmp/out", "/out")],
                env: runtime_worker::Environment { inherit_host: true, vars: vec![("GREETING".into(), "hi".into())] },
                args: vec!["--verbose".into(), "two words".into()],
                stdin: StdinSource::Fixed(b"line\n".to_vec()),
                clocks: ClockPolicy::Frozen { unix_nanos: 1_700_000_000_000_000_000 },
                network: NetworkPolicy::AllowList(vec!["127.0.0.1:8080".into()]),
                dns: true,
                random: RandomPolicy::Seeded(7),
                limits: Limits {
                    max_memory_bytes: Some(16 << 20),
                    fuel: Some(1_000_000),
                    timeout: Some(Duration::from_millis(2500)),
                    max_output_bytes: None,
                },
            },
            entry: Entry::Invoke { name: "add".into(), args: vec![] },
            invoke_args: "2 3".into(),
            call: CallForm {
                function: Some("wasmscope:db/database-connector#execute-query".into()),
                inputs: vec!["select * from users".into()],
            },
            recent: vec![PathBuf::from("/home/me/a.wasm")],
            last_module: Some(LastModule::Sample("escape.wat".into())),
            tab: Tab::Memory,
            filter: CallFilter { text: "secret".into(), denied_only: true, ..CallFilter::default() },
            follow: false,
            zoom: 1.5,
            show_overlay: true,
            workshop: true,
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        persist::save_toml(&path, &state).unwrap();
        let persist::Loaded::Value(back) = persist::load_toml::<State>(&path) else { panic!("settings did not load") };
        assert_eq!(format!("{back:?}"), format!("{state:?}"));
    }
}
