//! The eframe application: the persisted state, the session, the panels, and
//! what happens each frame (drain the worker, handle keys and drops, draw the
//! panels, carry out what they asked for).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use runtime_worker::doctor::Fix;
use runtime_worker::{Entry, RunOutcome, SandboxProfile};

use super::calls_view::CallsView;
use super::compare_view::CompareView;
use super::console_view::ConsoleView;
use super::density_view::DensityView;
use super::disassembly_view::DisassemblyView;
use super::file_dialog::{DialogPurpose, FileDialogs};
use super::intent::{Intent, SwapWith};
use super::measurements::{FrameStats, StartupProbe};
use super::module_panel::EntryFields;
use super::profile_menu::ProfileWindows;
use super::shortcuts::{NEXT_TAB, OPEN, OVERLAY, PREVIOUS_TAB, RUN, STOP, WORKSHOP};
use super::startup::WindowOptions;
pub use super::state::{CallForm, LastModule, State, Tab};
use super::workshop::{self, Side, Workshop};
use super::{
    call_view, capabilities_panel, diagnosis_view, drop_overlay, inspector_view, memory_view, module_panel, status_bar,
    summary_view, theme, timings_view, toolbar, widgets,
};
use crate::export::ExportFormat;
use crate::model::export_job::ExportEnd;
use crate::model::recorded_run::RecordingSource;
use crate::model::session::{FileCheck, ModuleOrigin, Session};
use crate::oci_image::{self, ImageName};
use crate::persist;
use crate::recording;
use crate::samples;

/// Time the window spends taking in worker events per frame.
const INGEST_BUDGET: Duration = Duration::from_millis(8);
/// While a run is going, the window redraws at this pace to show progress.
const LIVE_REPAINT: Duration = Duration::from_millis(16);

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
    /// Requests still to send in a series (Send ×N): each starts when the
    /// one before it has its response.
    requests_left: u32,
    startup_probe: Option<StartupProbe>,
}

impl WasmscopeApp {
    pub fn new(cc: &eframe::CreationContext<'_>, options: WindowOptions) -> Self {
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
            requests_left: 0,
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
            // Labels in tables must let clicks through to their row; the
            // panels people read from turn selection back on (`central`).
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
        let is_recording = recording::is_recording(&path);
        if is_recording {
            self.session.open_recording(RecordingSource::File(path.clone()));
        } else {
            self.session.load_path(&path);
        }
        self.state.recent.retain(|p| p != &path);
        self.state.recent.insert(0, path.clone());
        self.state.recent.truncate(MAX_RECENT);
        // A recording is no module to open again at the next start.
        if !is_recording {
            self.state.last_module = Some(LastModule::File(path));
        }
    }

    /// Opens a bundled sample; with `take_profile`, also sets up the
    /// profile and entry point that tell its story.
    pub fn open_sample(&mut self, sample: &'static samples::Sample, take_profile: bool) {
        let bytes = match sample.bytes() {
            Ok(bytes) => bytes,
            Err(why) => return self.session.error(why),
        };
        if !self.session.load_bytes(sample.file, &bytes, ModuleOrigin::Sample(sample.file)) {
            return;
        }
        self.state.last_module = Some(LastModule::Sample(sample.file.to_string()));
        if take_profile {
            self.state.profile = (sample.profile)(samples::sample_data());
            self.state.entry = (sample.entry)();
            if let Entry::Invoke { name, args } = &self.state.entry {
                if self.session.module.as_ref().is_some_and(|m| m.inspection.component.is_some()) {
                    // A component's sample gives the Call form's fields, as typed.
                    self.state.call = CallForm { function: Some(name.clone()), inputs: args.clone(), part: None };
                    self.state.tab = Tab::Call;
                } else {
                    self.state.invoke_args = args.join(" ");
                }
            }
        }
    }

    /// Runs the loaded module as its file is now: a file changed on disk is
    /// read again first (the run starts once it is loaded), and a file gone
    /// or no longer loading is not run from the bytes read before.
    pub fn run(&mut self) {
        match self.session.check_file() {
            FileCheck::Current => {}
            FileCheck::Changed => {
                self.session.reload();
                self.run_when_loaded = true;
                return;
            }
            FileCheck::Refused(why) => return self.session.error(why),
        }
        let component = self.session.module.as_ref().and_then(|m| m.inspection.component.clone());
        // An inner component's function, as the Call tab gave it.
        let part = match &self.state.entry {
            Entry::Invoke { .. } if component.is_some() => self.state.call.part.clone(),
            _ => None,
        };
        let entry = match (&self.state.entry, component) {
            (Entry::Invoke { name, args }, Some(_)) if part.is_some() => {
                Entry::Invoke { name: name.clone(), args: args.clone() }
            }
            (Entry::Start, _) => Entry::Start,
            (Entry::Http(request), _) => Entry::Http(request.clone()),
            // A component's function takes the Call tab's fields, as WAVE.
            (Entry::Invoke { name, .. }, Some(component)) => match component.callable().find(|f| f.path() == *name) {
                Some(function) => {
                    let form = &self.state.call;
                    let filled = form.function.as_deref() == Some(name.as_str());
                    let args = function.params.iter().enumerate().map(|(i, (_, ty))| match form.inputs.get(i) {
                        Some(input) if filled => call_view::to_wave(ty, input),
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
        self.session.call_stacks = self.state.call_stacks;
        self.session.start_run_in(&self.state.profile, &entry, part.as_deref());
        self.calls.new_run();
        self.console.new_run();
    }

    /// The next request of a series, once the last one has ended; a
    /// series ends early when a request was stopped or the entry point is no
    /// longer a request.
    fn send_next_request(&mut self) {
        if self.requests_left == 0 || self.session.is_running() || self.session.is_loading() {
            return;
        }
        let loaded = self.session.module.as_ref().map(|m| m.module.sha256);
        let go_on =
            self.session.runs.last().is_some_and(|run| {
                !matches!(run.outcome, Some(RunOutcome::Stopped)) && Some(run.module_sha256) == loaded
            });
        if !go_on || !matches!(self.state.entry, Entry::Http(_)) {
            self.requests_left = 0;
            return;
        }
        self.requests_left -= 1;
        self.run();
    }

    pub fn stop(&mut self) {
        self.requests_left = 0;
        self.session.stop();
    }

    /// Carries out what the panels asked for: the one place where a click
    /// becomes an action.
    pub fn apply(&mut self, intents: impl IntoIterator<Item = Intent>, ctx: &egui::Context) {
        for intent in intents {
            match intent {
                Intent::OpenDialog(purpose) => self.dialogs.open(purpose, ctx),
                Intent::OpenSample(sample) => self.open_sample(sample, true),
                Intent::OpenPath(path) => self.open_path(path),
                Intent::Run => self.run(),
                Intent::SendRequests { count } => {
                    self.requests_left = count.saturating_sub(1);
                    self.run();
                }
                Intent::Stop => self.stop(),
                Intent::Call { function, args, part } => {
                    self.state.call.part = part;
                    self.state.entry = Entry::Invoke { name: function, args };
                    self.run();
                }
                Intent::ShowTab(tab) => self.state.tab = tab,
                Intent::ToggleWorkshop => self.toggle_workshop(ctx),
                Intent::StartScenario(sample) => {
                    self.open_sample(sample, true);
                    self.workshop.start(sample, &self.session);
                    self.state.tab = Tab::Calls;
                }
                Intent::ApplyFix(fix) => self.apply_fix(&fix, ctx),
                Intent::SendStdin(bytes) => self.session.send_stdin(bytes),
                Intent::CloseStdin => self.session.close_stdin(),
                Intent::StartDensity { instances } => {
                    let name = self.session.module.as_ref().map(|m| m.module.name.clone());
                    if let (Some(handle), Some(name)) = (self.session.start_density(instances), name) {
                        self.density.started(handle, name, instances);
                    }
                }
                Intent::StopDensity => self.density.stop(),
                Intent::FilterCalls(filter) => self.state.filter = filter,
                Intent::SwapPart { place, replaced, with: SwapWith::Offered(sample) } => {
                    let wake = ctx.clone();
                    let read = move || sample.bytes().map(|bytes| bytes.into_owned());
                    let name = sample.file.to_string();
                    self.session.swap_part(place, replaced, name, read, move || wake.request_repaint());
                }
                Intent::SwapPart { place, replaced, with: SwapWith::File } => {
                    self.dialogs.open(DialogPurpose::SwapPart { place, replaced }, ctx)
                }
                Intent::UndoSwap => self.session.undo_swap(),
                Intent::DismissNotice => self.session.notice = None,
                Intent::CancelExport => self.session.cancel_export(),
            }
        }
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
        if self.state.workshop && ctx.input_mut(|i| i.consume_shortcut(&workshop::SCENARIOS_KEY)) {
            self.workshop.scenarios_open = !self.workshop.scenarios_open;
        }
        if self.state.workshop && ctx.input_mut(|i| i.consume_shortcut(&workshop::CAPABILITIES_KEY)) {
            self.workshop.capabilities_open = !self.workshop.capabilities_open;
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
                    Ok(bytes) if bytes.starts_with(&recording::MAGIC) => {
                        let source = RecordingSource::Bytes("the dropped recording".into(), bytes);
                        self.session.open_recording(source);
                    }
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
                DialogPurpose::ExportTrace { format } => self.export_trace(&path, format),
                DialogPurpose::SavePod { image } => self.save_pod(&path, &image),
                DialogPurpose::SwapPart { place, replaced } => {
                    let (wake, name) =
                        (ctx.clone(), path.file_name().unwrap_or_default().to_string_lossy().into_owned());
                    let read = move || std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()));
                    self.session.swap_part(place, replaced, name, read, move || wake.request_repaint());
                }
            }
        }
    }

    /// Writes the Pod manifest for the profile and the loaded module as the
    /// OCI image it names into the folder `dir`: what "Save Pod + OCI
    /// image…" does once its dialog is answered.
    pub fn save_pod(&mut self, dir: &std::path::Path, image: &ImageName) {
        let Some(entry) = &self.session.module else { return };
        match oci_image::write_pod_and_image(dir, &self.state.profile, &entry.module, &entry.inspection, image) {
            Ok(written) => self.session.notice(format!(
                "Saved {} and the image {} ({}) in {}",
                written.pod.display(),
                image.as_str(),
                written.layout.manifest_digest,
                written.layout.dir.display()
            )),
            Err(e) => self.session.error(e.to_string()),
        }
    }

    /// Starts writing the current run's trace (a component's host calls or a
    /// core module's calls) to `path` on the export thread: what Export does
    /// once its dialog is answered. The toolbar shows its progress, and the
    /// notice how it ended (`notice_export_end`).
    pub fn export_trace(&mut self, path: &std::path::Path, format: ExportFormat) {
        self.session.start_export(path, format);
    }

    /// Says how the export that has just ended went: where the file is and
    /// how big, or why there is none.
    fn notice_export_end(&mut self) {
        let Some((path, end)) = self.session.export_ended() else { return };
        let path = path.display();
        match end {
            ExportEnd::Written { calls, bytes } => {
                self.session.notice(format!("Exported {calls} calls to {path} ({})", widgets::format_bytes(bytes)))
            }
            ExportEnd::Cancelled => self.session.notice(format!("Export cancelled: {path} was not written")),
            ExportEnd::Failed(why) => self.session.error(format!("cannot export to {path}: {why}")),
        }
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
        // A recording opened: Capabilities show what its run was granted.
        if let Some(profile) = self.session.take_recorded_profile() {
            self.state.profile = profile;
        }
        let calls_after = self.session.current_run().map_or(0, |r| r.calls.len());
        self.frame_stats.ingested(calls_after.saturating_sub(calls_before), ingest_started.elapsed());
        self.notice_export_end();
        self.handle_input(&ctx);
        self.send_next_request();
        if self.run_when_loaded && !self.session.is_loading() {
            self.run_when_loaded = false;
            if self.session.module.is_some() {
                self.run();
            }
        }
        self.state.zoom = ctx.zoom_factor();

        // Each panel's intents are carried out as soon as it is drawn, so
        // that the panels after it see what they changed.
        let asked = egui::Panel::top("toolbar").show(ui, |ui| toolbar::ui(ui, &self.session, self.state.workshop));
        self.apply(asked.inner, &ctx);
        let figures = self.state.show_overlay.then(|| self.frame_stats.summary(self.session.current_run()));
        let asked = egui::Panel::bottom("status").show(ui, |ui| status_bar::ui(ui, &self.session, figures));
        self.apply(asked.inner, &ctx);
        if self.state.workshop {
            self.workshop_side_panels(ui, &ctx);
        } else {
            let asked = egui::Panel::left("module").resizable(true).default_size(260.0).size_range(200.0..=480.0).show(
                ui,
                |ui| {
                    let fields = EntryFields {
                        entry: &mut self.state.entry,
                        invoke_args: &mut self.state.invoke_args,
                        call: &mut self.state.call,
                        requests_left: self.requests_left,
                    };
                    module_panel::ui(ui, &self.session, &self.state.recent, fields)
                },
            );
            self.apply(asked.inner, &ctx);
            let asked = egui::Panel::right("capabilities")
                .resizable(true)
                .default_size(330.0)
                .size_range(260.0..=560.0)
                .show(ui, |ui| self.capabilities(ui));
            self.apply(asked.inner, &ctx);
        }
        let mut centre = egui::CentralPanel::default();
        if self.state.workshop {
            // Every point of height goes to the calls and the denial.
            centre = centre.frame(egui::Frame::central_panel(&ctx.global_style()).inner_margin(WORKSHOP_MARGIN));
        }
        let asked = centre.show(ui, |ui| self.central(ui));
        self.apply(asked.inner, &ctx);
        let module_name = self.session.module.as_ref().map(|m| m.module.name.clone());
        let asked = self.profile_windows.windows(&ctx, &mut self.state.profile, module_name.as_deref());
        self.apply(asked, &ctx);

        drop_overlay::show(&ctx);
        self.density.pump();
        if self.session.is_running()
            || self.density.is_running()
            || self.session.is_loading()
            || self.session.is_disassembling()
            || self.session.export().is_some()
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

/// The central panel's margin while presenting.
const WORKSHOP_MARGIN: egui::Margin = egui::Margin { left: 8, right: 8, top: 2, bottom: 2 };

/// Space between two tabs' buttons.
const TAB_SPACING: f32 = 2.0;

/// The tabs on one line when they fit, else one selector: while presenting
/// a wrapped tab row would take the rows the calls need.
fn tab_line_or_selector(ui: &mut egui::Ui, current: &mut Tab, titles: &[(Tab, String)]) {
    let text = |title: &str| egui::RichText::new(title).size(theme::font::READING);
    let padding = ui.spacing().button_padding.x * 2.0 + TAB_SPACING;
    let line: f32 = titles
        .iter()
        .map(|(_, title)| {
            let galley = egui::WidgetText::from(text(title)).into_galley(
                ui,
                Some(egui::TextWrapMode::Extend),
                f32::INFINITY,
                egui::TextStyle::Button,
            );
            galley.size().x + padding
        })
        .sum();
    if line <= ui.available_width() {
        ui.horizontal(|ui| {
            ui.spacing_mut().item_spacing.x = TAB_SPACING;
            for (tab, title) in titles {
                ui.selectable_value(current, *tab, text(title));
            }
        });
        return;
    }
    let shown = titles.iter().find(|(tab, _)| tab == current).map_or(String::new(), |(_, title)| title.clone());
    ui.horizontal(|ui| {
        ui.label(text("Tab").strong());
        let combo = egui::ComboBox::from_id_salt("tab-selector").selected_text(text(&shown)).show_ui(ui, |ui| {
            for (tab, title) in titles {
                ui.selectable_value(current, *tab, text(title));
            }
        });
        combo.response.on_hover_text("Ctrl+PageDown and Ctrl+PageUp step through the tabs").accessible_name("Tab");
    });
}

impl WasmscopeApp {
    /// The side panels while presenting give the calls the room: the
    /// capabilities fold into a strip at the right, the scenarios stay docked
    /// at the left only in a window wide enough to keep the calls readable
    /// (`workshop::docks_scenarios`), else they fold too. A strip's button
    /// (or F9, F10) opens its panel over the calls.
    fn workshop_side_panels(&mut self, ui: &mut egui::Ui, ctx: &egui::Context) {
        if workshop::docks_scenarios(ui.available_width()) {
            self.workshop.scenarios_open = false;
            let asked = egui::Panel::left("scenarios")
                .resizable(true)
                .default_size(workshop::SCENARIOS_WIDTH)
                .size_range(220.0..=400.0)
                .show(ui, |ui| self.workshop.ui(ui, &self.session));
            self.apply(asked.inner, ctx);
        } else {
            let open = &mut self.workshop.scenarios_open;
            let strip = egui::Panel::left("scenarios-strip")
                .resizable(false)
                .exact_size(workshop::STRIP_WIDTH)
                .show(ui, |ui| workshop::strip(ui, open, "Scenarios", Side::Left, &workshop::SCENARIOS_KEY));
            if self.workshop.scenarios_open {
                let (workshop, session) = (&self.workshop, &self.session);
                let rect = strip.response.rect;
                let asked = workshop::over_the_calls(
                    ctx,
                    "scenarios-over",
                    rect,
                    Side::Left,
                    workshop::SCENARIOS_WIDTH,
                    |ui| workshop.ui(ui, session),
                );
                if asked.is_some() {
                    // A scenario was picked: the room looks at its calls.
                    self.workshop.scenarios_open = false;
                }
                self.apply(asked, ctx);
            }
        }
        let open = &mut self.workshop.capabilities_open;
        let strip = egui::Panel::right("capabilities-strip")
            .resizable(false)
            .exact_size(workshop::STRIP_WIDTH)
            .show(ui, |ui| workshop::strip(ui, open, "Capabilities", Side::Right, &workshop::CAPABILITIES_KEY));
        if self.workshop.capabilities_open {
            let rect = strip.response.rect;
            let asked = workshop::over_the_calls(
                ctx,
                "capabilities-over",
                rect,
                Side::Right,
                workshop::CAPABILITIES_WIDTH,
                |ui| self.capabilities(ui),
            );
            self.apply(asked, ctx);
        }
    }

    /// The Capabilities panel: the Profile menu in its header, then every
    /// field of the profile.
    fn capabilities(&mut self, ui: &mut egui::Ui) -> Vec<Intent> {
        let mut asked = Vec::new();
        ui.horizontal(|ui| {
            ui.heading("Capabilities");
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                asked.extend(self.profile_windows.menu(ui, &mut self.state.profile));
            });
        });
        let component =
            self.session.module.as_ref().is_some_and(|m| m.module.kind == runtime_worker::ModuleKind::Component);
        let parts: Vec<String> = self
            .session
            .module
            .as_ref()
            .and_then(|m| m.inspection.component.as_ref()?.composition.as_ref())
            .map(|c| {
                c.parts.iter().map(|p| runtime_worker::inspect::composition::part_label(&c.parts, p.index)).collect()
            })
            .unwrap_or_default();
        asked.extend(capabilities_panel::ui(ui, &mut self.state.profile, self.session.is_running(), component, &parts));
        asked
    }

    /// A tab's title, with a count once there is something to count.
    fn tab_title(&mut self, tab: Tab) -> String {
        match tab {
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
        }
    }

    /// The tab row and the current tab.
    fn central(&mut self, ui: &mut egui::Ui) -> Option<Intent> {
        let titles = Tab::ALL.map(|tab| (tab, self.tab_title(tab)));
        if self.state.workshop {
            tab_line_or_selector(ui, &mut self.state.tab, &titles);
        } else {
            // Wrapped: with counts in the titles, the tabs outgrow a narrow window.
            ui.horizontal_wrapped(|ui| {
                ui.spacing_mut().item_spacing.x = TAB_SPACING;
                for (tab, title) in titles {
                    ui.selectable_value(
                        &mut self.state.tab,
                        tab,
                        egui::RichText::new(title).size(theme::font::READING),
                    );
                }
            });
        }
        ui.separator();
        // Where people read (and copy from), text can be selected; tables
        // keep it off so that a click selects the row (the calls detail pane
        // turns it on for itself).
        if matches!(self.state.tab, Tab::Inspector | Tab::Disassembly | Tab::Console | Tab::Why | Tab::Summary) {
            ui.style_mut().interaction.selectable_labels = true;
        }
        match self.state.tab {
            Tab::Inspector => return inspector_view::ui(ui, &self.session),
            Tab::Disassembly => self.disassembly.ui(ui, &mut self.session),
            Tab::Calls => {
                let (filter, follow, stacks) =
                    (&mut self.state.filter, &mut self.state.follow, &mut self.state.call_stacks);
                return self.calls.ui(ui, &self.session, filter, follow, stacks);
            }
            Tab::Why => {
                self.workshop.saw_why(&self.session);
                return diagnosis_view::ui(ui, &mut self.session);
            }
            Tab::Compare => self.compare.ui(ui, &self.session),
            Tab::Density => return self.density.ui(ui, &self.session),
            Tab::Call => return call_view::ui(ui, &self.session, &mut self.state.call),
            Tab::Summary => summary_view::ui(ui, self.session.current_run()),
            Tab::Memory => memory_view::ui(ui, self.session.current_run()),
            Tab::Timings => timings_view::ui(ui, &self.session.runs),
            Tab::Console => {
                let interactive = self.state.profile.stdin == runtime_worker::StdinSource::Interactive;
                return self.console.ui(ui, &self.session, interactive);
            }
        }
        None
    }
}
