//! The window's model: the loaded module, the runs and their events. Panels
//! read it and ask it to do things; it alone talks to the engine.
//!
//! Each frame, `pump` drains the active run's channel within a time budget,
//! so a guest producing a million calls a second never stalls the window.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crossbeam_channel::{Receiver, TryRecvError};
use runtime_worker::inspect::load;
use runtime_worker::inspect::{Inspection, inspect};
use runtime_worker::{Entry, LoadedModule, RunHandle, RunOutcome, RunRequest, Runtime, SandboxProfile, WorkerCommand};

use super::disassembly_job::DisassemblyJob;
use super::export_job::{ExportEnd, ExportJob};
use super::part_swap::{Swap, SwapLoading};
use super::recorded_run::{RecordingLoading, RecordingSource};
use super::run_record::RunRecord;
use crate::export::{ExportFormat, TraceCalls};

/// Where the loaded module came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModuleOrigin {
    File(PathBuf),
    Sample(&'static str),
}

pub struct ModuleEntry {
    pub module: LoadedModule,
    pub inspection: Arc<Inspection>,
    pub origin: ModuleOrigin,
    /// The file as it was when its bytes were read; `None` when there is no
    /// file to look at again (a sample, dropped bytes).
    stamp: Option<FileStamp>,
    /// The file as it was when reading it again failed, and why: that
    /// version is not loaded, and the old bytes are not run in its place.
    rejected: Option<(FileStamp, String)>,
}

/// What tells one version of a file from another without reading it: a
/// write changes its size or its modification time (or both). A file
/// touched but not changed is read again, and its content hash
/// (`LoadedModule::sha256`) tells that nothing changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileStamp {
    len: u64,
    modified: Option<SystemTime>,
}

impl FileStamp {
    pub fn of(path: &Path) -> std::io::Result<FileStamp> {
        let metadata = std::fs::metadata(path)?;
        Ok(FileStamp { len: metadata.len(), modified: metadata.modified().ok() })
    }
}

/// The loaded module's file, looked at again before a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileCheck {
    /// What was read is what is on disk (or there is no file): run it.
    Current,
    /// The file changed since it was read: load it again, then run.
    Changed,
    /// The file is gone, unreadable or no longer loads: not run; the text
    /// says why.
    Refused(String),
}

/// Something to tell the user, shown until dismissed or replaced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub error: bool,
    pub text: String,
}

/// Runs whose calls are kept; older runs keep their outcome and timings only.
const RUNS_WITH_CALLS: usize = 5;
/// Runs kept in the history at all.
const RUNS_KEPT: usize = 100;
/// Runs read from recordings take ids from here up, so that no live run's
/// id (the engine counts from 1) is ever one of theirs.
const RECORDED_RUN_IDS: runtime_worker::RunId = 1 << 63;

pub struct Session {
    runtime: Runtime,
    /// Runs started from now on keep the guest's stack with each preview1
    /// call (`RunRequest::call_stacks`).
    pub call_stacks: bool,
    pub module: Option<ModuleEntry>,
    /// Oldest first; the last one is the current run.
    pub runs: Vec<RunRecord>,
    active: Option<RunHandle>,
    loading: Option<Loading>,
    pub notice: Option<Notice>,
    runs_started: usize,
    disassembly: Option<DisassemblyJob>,
    /// A trace being written to a file (Export).
    export: Option<ExportJob>,
    /// Said when the next run starts: the module was read again for it.
    reloaded: Option<String>,
    /// An inner part of the loaded composed command swapped for the runs
    /// that follow, until undone or another module is opened; and a
    /// replacement being read.
    pub swap: Option<Swap>,
    swap_loading: Option<SwapLoading>,
    /// A recording being read (`open_recording`).
    recording_loading: Option<RecordingLoading>,
    recordings_opened: u64,
    /// The profile of the recording just opened, for the window's
    /// Capabilities to take (`take_recorded_profile`).
    recorded_profile: Option<SandboxProfile>,
}

/// What the loading thread sends back: the module, what it holds, and the
/// file's stamp from before it was read.
/// The module read, or why not; either way with the file's stamp as it was
/// before the read.
type LoadResult = Result<(LoadedModule, Inspection, Option<FileStamp>), (String, Option<FileStamp>)>;

struct Loading {
    origin: ModuleOrigin,
    result: Receiver<LoadResult>,
    /// This reads the current module's file again (`reload`).
    reload: bool,
}

impl Session {
    pub fn new(runtime: Runtime) -> Session {
        Session {
            runtime,
            module: None,
            runs: Vec::new(),
            active: None,
            loading: None,
            notice: None,
            runs_started: 0,
            call_stacks: false,
            disassembly: None,
            export: None,
            reloaded: None,
            swap: None,
            swap_loading: None,
            recording_loading: None,
            recordings_opened: 0,
            recorded_profile: None,
        }
    }

    /// Reads a recording (`wasmscope run --record`) on a thread; once read
    /// (`pump`) it is the current run, and its module, when found beside
    /// it, the loaded module.
    pub fn open_recording(&mut self, source: RecordingSource) {
        // The status bar says a recording is loading, not an older notice.
        self.notice = None;
        match RecordingLoading::start(source) {
            Ok(loading) => self.recording_loading = Some(loading),
            Err(e) => self.error(e),
        }
    }

    fn poll_recording(&mut self) -> bool {
        let Some(result) = self.recording_loading.as_ref().and_then(RecordingLoading::poll) else { return false };
        self.recording_loading = None;
        let opened = match result {
            Ok(opened) => opened,
            Err(e) => {
                self.error(e);
                return true;
            }
        };
        let mut record = opened.record;
        self.recordings_opened += 1;
        self.runs_started += 1;
        record.id = RECORDED_RUN_IDS + self.recordings_opened;
        record.number = self.runs_started;
        let loaded = self.module.as_ref().map(|entry| entry.module.sha256);
        self.recorded_profile = Some(record.profile.clone());
        let mut text =
            format!("Run #{} is the recording {}; Capabilities show what it was granted", record.number, opened.name);
        if record.profile.env.vars.iter().any(|(_, value)| value.is_empty()) {
            // `--record` keeps variables by name only.
            text.push_str(" (environment variables by name: their values are not recorded)");
        }
        if let Some((module, inspection, path)) = opened.module
            && loaded != Some(module.sha256)
        {
            text.push_str(&format!("; {} was beside it and is loaded, to run it again here", module.name));
            let stamp = FileStamp::of(&path).ok();
            self.set_inspected(module, inspection, ModuleOrigin::File(path));
            if let Some(entry) = &mut self.module {
                entry.stamp = stamp;
            }
        }
        let cut = record.recorded.as_ref().and_then(|recorded| recorded.cut.clone());
        self.runs.push(record);
        match cut {
            Some(why) => self.error(format!("{text}, up to where it stops: {why}")),
            None => self.notice(text),
        }
        self.trim_history();
        true
    }

    /// Loads a file on a background thread (large modules take a while to
    /// validate); the current module stays until the new one is ready, and
    /// stays for good if it fails.
    pub fn load_path(&mut self, path: &Path) {
        self.start_loading(path, false);
    }

    fn start_loading(&mut self, path: &Path, reload: bool) {
        let (tx, rx) = crossbeam_channel::bounded(1);
        let owned = path.to_path_buf();
        let spawned = std::thread::Builder::new().name("load-module".into()).spawn(move || {
            // Taken before reading: a write during the read shows as a
            // change next time, rather than going unnoticed.
            let stamp = FileStamp::of(&owned).ok();
            let result = load::load_file(&owned).map_err(|e| (e.to_string(), stamp)).map(|m| {
                let inspection = inspect(&m);
                (m, inspection, stamp)
            });
            let _ = tx.send(result);
        });
        match spawned {
            Ok(_) => {
                self.loading = Some(Loading { origin: ModuleOrigin::File(path.to_path_buf()), result: rx, reload })
            }
            Err(e) => self.error(format!("cannot start loading: {e}")),
        }
    }

    /// Looks at the loaded module's file again, before a run: has it
    /// changed, gone, or been seen to no longer load?
    pub fn check_file(&self) -> FileCheck {
        let Some(entry) = &self.module else { return FileCheck::Current };
        let (ModuleOrigin::File(path), Some(stamp)) = (&entry.origin, entry.stamp) else {
            return FileCheck::Current;
        };
        let name = &entry.module.name;
        match FileStamp::of(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => FileCheck::Refused(format!(
                "not run: {name} is no longer at {} (moved or deleted); open it from where it is now to run it",
                path.display()
            )),
            Err(e) => FileCheck::Refused(format!("not run: cannot look at {}: {e}", path.display())),
            Ok(now) if now == stamp => FileCheck::Current,
            Ok(now) => match &entry.rejected {
                Some((rejected, why)) if *rejected == now => FileCheck::Refused(why.clone()),
                _ => FileCheck::Changed,
            },
        }
    }

    /// Reads the loaded module's file again (it changed on disk); the
    /// module stays as it was if the new version does not load.
    pub fn reload(&mut self) {
        let Some(entry) = &self.module else { return };
        let (ModuleOrigin::File(path), Some(_)) = (&entry.origin, entry.stamp) else { return };
        let path = path.clone();
        self.start_loading(&path, true);
    }

    /// Loads in-memory bytes at once (samples and small drops).
    pub fn load_bytes(&mut self, name: &str, bytes: &[u8], origin: ModuleOrigin) -> bool {
        match load::load(name, bytes) {
            Ok(module) => {
                self.set_module(module, origin);
                true
            }
            Err(e) => {
                self.error(format!("cannot open {name}: {e}"));
                false
            }
        }
    }

    fn set_module(&mut self, module: LoadedModule, origin: ModuleOrigin) {
        let inspection = Arc::new(inspect(&module));
        self.set_inspected(module, inspection, origin);
    }

    fn set_inspected(&mut self, module: LoadedModule, inspection: Arc<Inspection>, origin: ModuleOrigin) {
        self.notice = None;
        // A listing of the previous module is cancelled with it.
        self.disassembly = None;
        self.swap = None;
        self.swap_loading = None;
        self.module = Some(ModuleEntry { module, inspection, origin, stamp: None, rejected: None });
    }

    /// The loaded module's listing, started on first request; `wake` is
    /// called when it is ready.
    pub fn disassembly(&mut self, wake: impl Fn() + Send + 'static) -> Option<&mut DisassemblyJob> {
        let module = &self.module.as_ref()?.module;
        if self.disassembly.as_ref().is_none_or(|job| job.sha256 != module.sha256) {
            self.disassembly = Some(DisassemblyJob::start(module, wake));
        }
        self.disassembly.as_mut()
    }

    pub fn is_disassembling(&self) -> bool {
        self.disassembly.as_ref().is_some_and(DisassemblyJob::is_running)
    }

    pub fn is_loading(&self) -> bool {
        self.loading.is_some() || self.recording_loading.is_some()
    }

    /// The name of the recording being read, if one is.
    pub fn loading_recording(&self) -> Option<&str> {
        self.recording_loading.as_ref().map(RecordingLoading::name)
    }

    /// The sandbox profile of the recording opened since the last call:
    /// what the recorded run was granted, for the window to show (and to
    /// run under, when the run is run again here).
    pub fn take_recorded_profile(&mut self) -> Option<SandboxProfile> {
        self.recorded_profile.take()
    }

    /// Writes the current run's calls to `path` on the export thread; an
    /// export still going is cancelled.
    pub fn start_export(&mut self, path: &Path, format: ExportFormat) {
        let Some(run) = self.current_run() else { return };
        let calls = TraceCalls::of(run);
        self.export = None;
        match ExportJob::start(calls, format, path) {
            Ok(job) => self.export = Some(job),
            Err(e) => self.error(e),
        }
    }

    /// The export going on, if any.
    pub fn export(&self) -> Option<&ExportJob> {
        self.export.as_ref()
    }

    pub fn cancel_export(&mut self) {
        if let Some(job) = &self.export {
            job.cancel();
        }
    }

    /// The export that has just ended, and how: once.
    pub fn export_ended(&mut self) -> Option<(PathBuf, ExportEnd)> {
        let end = self.export.as_ref()?.poll()?;
        let job = self.export.take()?;
        Some((job.path.clone(), end))
    }

    pub fn error(&mut self, text: String) {
        self.notice = Some(Notice { error: true, text });
    }

    pub fn notice(&mut self, text: String) {
        self.notice = Some(Notice { error: false, text });
    }

    /// Starts a run of the loaded module; a run still going is stopped first.
    pub fn start_run(&mut self, profile: &SandboxProfile, entry: &Entry) {
        self.start_run_in(profile, entry, None);
    }

    /// Starts a run whose `Entry::Invoke` calls an export of the inner
    /// component `part` of the loaded composed component (`None`: of the
    /// component itself).
    pub fn start_run_in(&mut self, profile: &SandboxProfile, entry: &Entry, part: Option<&str>) {
        let Some(entry_module) = &self.module else {
            return self.error("open a module first".to_string());
        };
        let module = entry_module.module.clone();
        let kind = module.kind;
        let reloaded = self.reloaded.take();
        let language = entry_module.inspection.language();
        self.abandon_active();
        let name = self.swap.as_ref().map_or_else(|| module.name.clone(), |swap| swap.run_title(&module.name));
        let sha256 = module.sha256;
        let mut request = RunRequest::new(module, profile.clone(), entry.clone());
        request.swaps = self.swap.iter().map(Swap::request).collect();
        request.part = part.map(str::to_string);
        request.call_stacks = self.call_stacks;
        let handle = self.runtime.start(request);
        self.runs_started += 1;
        let mut record =
            RunRecord::new(handle.id, self.runs_started, &name, sha256, profile.clone()).with_language(language);
        match entry {
            Entry::Invoke { name, .. } => record.invoked = Some(name.clone()),
            Entry::Http(request) => record.request = Some(format!("{} {}", request.method, request.path)),
            Entry::Start => {}
        }
        record.invoked_part = part.map(str::to_string);
        record.component = kind == runtime_worker::ModuleKind::Component;
        self.runs.push(record);
        self.active = Some(handle);
        self.notice = reloaded.map(|text| Notice { error: false, text });
        self.trim_history();
    }

    /// Swaps the loaded composed command's part at `place` (labelled
    /// `replaced`) for the component `read` gives, read on a thread; the
    /// swap holds once it is read (`pump`), or the notice says why not.
    pub fn swap_part(
        &mut self,
        place: usize,
        replaced: String,
        name: String,
        read: impl FnOnce() -> Result<Vec<u8>, String> + Send + 'static,
        wake: impl Fn() + Send + 'static,
    ) {
        match SwapLoading::start(place, replaced, name, read, wake) {
            Ok(loading) => self.swap_loading = Some(loading),
            Err(e) => self.error(e),
        }
    }

    /// Puts the part swapped back: the runs that follow run the file as it is.
    pub fn undo_swap(&mut self) {
        self.swap = None;
        self.swap_loading = None;
    }

    pub fn is_swapping(&self) -> bool {
        self.swap_loading.is_some()
    }

    fn poll_swap(&mut self) -> bool {
        let Some(result) = self.swap_loading.as_ref().and_then(SwapLoading::poll) else { return false };
        self.swap_loading = None;
        match result {
            Ok(swap) => {
                self.notice(format!("{} stands in for {} in the next runs", swap.with.name, swap.replaced));
                self.swap = Some(swap);
            }
            Err(e) => self.error(e),
        }
        true
    }

    fn trim_history(&mut self) {
        let n = self.runs.len();
        for run in self.runs.iter_mut().take(n.saturating_sub(RUNS_WITH_CALLS)) {
            if !run.calls_discarded {
                run.discard_calls();
            }
        }
        if n > RUNS_KEPT {
            self.runs.drain(..n - RUNS_KEPT);
        }
    }

    /// Drops the active run (which stops it); its record says so, since its
    /// own last word will not be read any more.
    fn abandon_active(&mut self) {
        if let Some(handle) = self.active.take()
            && let Some(record) = self.runs.iter_mut().rev().find(|r| r.id == handle.id)
            && !record.is_finished()
        {
            record.ingest(runtime_worker::WorkerEvent::Finished(RunOutcome::Stopped));
        }
    }

    /// Starts `instances` instances of the loaded module at once, each in a
    /// locked-down sandbox of its own (the Density tab); `None` with no
    /// module loaded.
    pub fn start_density(&self, instances: usize) -> Option<runtime_worker::density::DensityHandle> {
        let loaded = self.module.as_ref()?;
        Some(runtime_worker::density::start(loaded.module.clone(), instances))
    }

    /// Asks the active run to stop; its last events still arrive.
    pub fn stop(&mut self) {
        if let Some(handle) = &self.active {
            handle.stop();
        }
    }

    pub fn is_running(&self) -> bool {
        self.active.is_some()
    }

    pub fn send_stdin(&self, bytes: Vec<u8>) {
        if let Some(handle) = &self.active {
            handle.send(WorkerCommand::Stdin(bytes));
        }
    }

    pub fn close_stdin(&self) {
        if let Some(handle) = &self.active {
            handle.send(WorkerCommand::CloseStdin);
        }
    }

    pub fn current_run(&self) -> Option<&RunRecord> {
        self.runs.last()
    }

    /// Takes in what happened since the last frame, for at most `budget`.
    /// Returns true when something changed.
    pub fn pump(&mut self, budget: Duration) -> bool {
        let mut changed = self.poll_loading() | self.poll_swap() | self.poll_recording();
        let Some(handle) = &self.active else { return changed };
        let deadline = Instant::now() + budget;
        let run_id = handle.id;
        let events = handle.events().clone();
        let mut finished = false;
        let mut disconnected = false;
        while Instant::now() < deadline && !finished {
            match events.try_recv() {
                Ok(batch) => {
                    changed = true;
                    finished = self.apply_batch(batch);
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    disconnected = true;
                    break;
                }
            }
        }
        if disconnected && !finished {
            // The worker is gone without a word: say so rather than spin.
            if let Some(record) = self.runs.iter_mut().rev().find(|r| r.id == run_id) {
                record.ingest(runtime_worker::WorkerEvent::Finished(RunOutcome::Failed {
                    stage: runtime_worker::Phase::Total,
                    message: "the worker ended without reporting how the run ended".into(),
                }));
            }
            finished = true;
        }
        if finished {
            self.active = None;
            changed = true;
        }
        changed
    }

    /// Takes in one batch of the active run's events, up to and including
    /// its `Finished`. A batch of any other run (one abandoned for a newer
    /// one, which `abandon_active` ended here), and whatever follows a
    /// `Finished`, is ignored. True once the active run has ended.
    pub fn apply_batch(&mut self, batch: runtime_worker::EventBatch) -> bool {
        if self.active.as_ref().is_none_or(|handle| handle.id != batch.run) {
            return false;
        }
        let Some(record) = self.runs.iter_mut().rev().find(|r| r.id == batch.run) else { return false };
        for event in batch.events {
            if record.is_finished() {
                break;
            }
            record.ingest(event);
        }
        record.is_finished()
    }

    fn poll_loading(&mut self) -> bool {
        let Some(loading) = &self.loading else { return false };
        let result = match loading.result.try_recv() {
            Ok(result) => result,
            Err(TryRecvError::Empty) => return false,
            Err(TryRecvError::Disconnected) => Err(("loading stopped unexpectedly".to_string(), None)),
        };
        let origin = loading.origin.clone();
        let reload = loading.reload;
        self.loading = None;
        match (result, reload) {
            (Ok((module, inspection, stamp)), true) => {
                let same = self.module.as_ref().is_some_and(|m| m.module.sha256 == module.sha256);
                // Touched but not changed: nothing to say.
                self.reloaded = (!same).then(|| format!("reloaded {}: it changed on disk", module.name));
                // The same file, read again: a swapped part stays swapped.
                let swap = self.swap.take();
                self.set_inspected(module, Arc::new(inspection), origin);
                self.swap = swap;
                if let Some(entry) = &mut self.module {
                    entry.stamp = stamp;
                }
            }
            (Ok((module, inspection, stamp)), false) => {
                self.set_inspected(module, Arc::new(inspection), origin);
                if let Some(entry) = &mut self.module {
                    entry.stamp = stamp;
                }
            }
            (Err((e, stamp)), true) => {
                let name = self.module.as_ref().map_or(String::new(), |m| m.module.name.clone());
                let why = format!("not run: {name} changed on disk and no longer loads: {e}");
                // The stamp of what was read: a write that finished after
                // the read (a compiler still at work) is a change, and
                // the next Run reads the file again.
                if let (Some(entry), Some(stamp)) = (&mut self.module, stamp) {
                    entry.rejected = Some((stamp, why.clone()));
                }
                self.error(why);
            }
            (Err((e, _)), false) => {
                let name = match &origin {
                    ModuleOrigin::File(path) => path.display().to_string(),
                    ModuleOrigin::Sample(name) => name.to_string(),
                };
                self.error(format!("cannot open {name}: {e}"));
            }
        }
        true
    }
}
