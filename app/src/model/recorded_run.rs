//! A recording (`wasmscope run --record`) opened in the window: read on its
//! own thread (`load-recording`; a recording of a million calls takes a
//! while), its events taken in by `RunRecord::ingest` as a live run's are,
//! so every tab shows it as it would have shown the run.
//!
//! The recording names its module by name and hash; a module of that name
//! beside the recording, with the same hash, is loaded with it, so the run
//! can be run again here and compared with the recorded one.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crossbeam_channel::{Receiver, TryRecvError};
use runtime_worker::inspect::{Inspection, inspect, load};
use runtime_worker::{Entry, LoadedModule, ModuleKind, WorkerEvent};

use super::run_record::{Recorded, RunRecord};
use crate::recording::{self, Ending};

/// Where a recording comes from.
pub enum RecordingSource {
    File(PathBuf),
    /// Dropped bytes without a path, and their name.
    Bytes(String, Vec<u8>),
}

/// A recording read, and the module it names when it was found beside it.
pub struct OpenedRecording {
    /// Its `id` and `number` are the session's to give.
    pub record: RunRecord,
    pub module: Option<(LoadedModule, Arc<Inspection>, PathBuf)>,
    pub name: String,
}

pub struct RecordingLoading {
    result: Receiver<Result<OpenedRecording, String>>,
    /// The file's name (or the name it was dropped with), for the status bar.
    name: String,
}

impl RecordingLoading {
    /// The window redraws while it loads (`Session::is_loading`), so it
    /// sees the result without being woken.
    pub fn start(source: RecordingSource) -> Result<RecordingLoading, String> {
        let name = match &source {
            RecordingSource::File(path) => path.file_name().unwrap_or(path.as_os_str()).to_string_lossy().into_owned(),
            RecordingSource::Bytes(name, _) => name.clone(),
        };
        let (tx, rx) = crossbeam_channel::bounded(1);
        std::thread::Builder::new()
            .name("load-recording".into())
            .spawn(move || {
                let _ = tx.send(open(source));
            })
            .map_err(|e| format!("cannot start reading the recording: {e}"))?;
        Ok(RecordingLoading { result: rx, name })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The recording, once read (or why it could not be).
    pub fn poll(&self) -> Option<Result<OpenedRecording, String>> {
        match self.result.try_recv() {
            Ok(result) => Some(result),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Err("reading the recording stopped unexpectedly".to_string())),
        }
    }
}

fn open(source: RecordingSource) -> Result<OpenedRecording, String> {
    let (name, path, bytes) = match source {
        RecordingSource::File(path) => {
            let bytes = std::fs::read(&path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
            (path.display().to_string(), Some(path), bytes)
        }
        RecordingSource::Bytes(name, bytes) => (name, None, bytes),
    };
    let (header, mut events) = recording::open(&bytes).map_err(|e| format!("cannot open {name}: {e}"))?;
    let mut record = RunRecord::new(0, 0, &header.module_name, header.module_sha256, header.profile.clone())
        .with_language(header.language.clone());
    match &header.entry {
        Entry::Invoke { name, .. } => record.invoked = Some(name.clone()),
        Entry::Http(request) => record.request = Some(format!("{} {}", request.method, request.path)),
        Entry::Start => {}
    }
    record.invoked_part = header.part.clone();
    record.component = header.kind == ModuleKind::Component;
    let mut last_event_ns = 0;
    for event in events.by_ref() {
        last_event_ns = last_event_ns.max(event_end_ns(&event));
        record.ingest(event);
    }
    let cut = match events.ending() {
        Some(Ending::Incomplete { why, .. }) => Some(why.clone()),
        Some(Ending::Complete) | None => None,
    };
    record.recorded = Some(Recorded {
        file: name.clone(),
        writer: header.writer.clone(),
        started_unix_ms: header.started_unix_ms,
        last_event_ns,
        cut,
    });
    let module = path.as_deref().and_then(|path| module_beside(path, &header.module_name, header.module_sha256));
    Ok(OpenedRecording { record, module, name })
}

/// When an event happened (a call: when it returned), in nanoseconds since
/// the run started; 0 for events without a time.
fn event_end_ns(event: &WorkerEvent) -> u64 {
    match event {
        WorkerEvent::Call(call) => call.start_ns.saturating_add(call.dur_ns),
        WorkerEvent::HostCall(call) => call.start_ns.saturating_add(call.dur_ns),
        WorkerEvent::Memory(memory) => memory.at_ns,
        _ => 0,
    }
}

/// The module `name` in the recording's folder, if it is there and is the
/// module that was recorded (same SHA-256).
fn module_beside(recording: &Path, name: &str, sha256: [u8; 32]) -> Option<(LoadedModule, Arc<Inspection>, PathBuf)> {
    // A name with a folder in it is not looked for: only the file itself.
    let file_name = Path::new(name).file_name()?;
    let path = recording.parent()?.join(file_name);
    let module = load::load_file(&path).ok().filter(|module| module.sha256 == sha256)?;
    let inspection = Arc::new(inspect(&module));
    Some((module, inspection, path))
}
