//! A run's trace written to a file on its own thread, a call at a time, so
//! that exporting a million calls never stalls the window: the window shows
//! how far it got and can cancel it. The file appears whole or not at all
//! (written beside it, then renamed: `persist::atomic_write_with`).

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crossbeam_channel::{Receiver, TryRecvError};

use crate::export::{ExportError, ExportFormat, TraceCalls, write_trace};
use crate::persist;

/// How an export ended.
#[derive(Debug)]
pub enum ExportEnd {
    /// Every call is in the file, which has this many bytes.
    Written {
        calls: usize,
        bytes: u64,
    },
    Cancelled,
    /// Nothing was written: why (the path cannot be written, the disk is full...).
    Failed(String),
}

/// An export in progress, or just ended (see `poll`).
pub struct ExportJob {
    pub path: PathBuf,
    pub format: ExportFormat,
    /// How many calls the file gets.
    pub total: usize,
    written: Arc<AtomicUsize>,
    cancel: Arc<AtomicBool>,
    result: Receiver<ExportEnd>,
}

impl ExportJob {
    /// Starts writing `calls` to `path`; `Err` when no thread could be made.
    pub fn start(calls: TraceCalls, format: ExportFormat, path: &Path) -> Result<ExportJob, String> {
        let (tx, rx) = crossbeam_channel::bounded(1);
        let written = Arc::new(AtomicUsize::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let total = calls.len();
        let (job_written, job_cancel, job_path) = (Arc::clone(&written), Arc::clone(&cancel), path.to_path_buf());
        std::thread::Builder::new()
            .name("wasmscope-export".into())
            .spawn(move || {
                let _ = tx.send(export(&calls, format, &job_path, &job_written, &job_cancel));
            })
            .map_err(|e| format!("cannot start exporting: {e}"))?;
        Ok(ExportJob { path: path.to_path_buf(), format, total, written, cancel, result: rx })
    }

    /// How many calls are written so far.
    pub fn written(&self) -> usize {
        self.written.load(Ordering::Relaxed)
    }

    /// The fraction written, 0 to 1.
    pub fn progress(&self) -> f32 {
        if self.total == 0 { 1.0 } else { self.written() as f32 / self.total as f32 }
    }

    /// Asks the thread to stop; `poll` then says `Cancelled` (or how it
    /// ended, if it was done already). The file is left as it was.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// How the export ended, once it has; `None` while it goes on.
    pub fn poll(&self) -> Option<ExportEnd> {
        match self.result.try_recv() {
            Ok(end) => Some(end),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(ExportEnd::Failed("the export stopped unexpectedly".into())),
        }
    }
}

impl Drop for ExportJob {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// The thread's work: the calls through a buffer into a file beside `path`,
/// renamed to `path` once whole.
fn export(
    calls: &TraceCalls,
    format: ExportFormat,
    path: &Path,
    written: &AtomicUsize,
    cancel: &AtomicBool,
) -> ExportEnd {
    let mut stopped = false;
    let outcome = persist::atomic_write_with(path, |file| {
        let mut out = BufWriter::with_capacity(1 << 16, file);
        let keep_going = |done: usize| {
            written.store(done, Ordering::Relaxed);
            !cancel.load(Ordering::Relaxed)
        };
        match write_trace(calls, format, &mut out, keep_going) {
            Ok(()) => out.flush(),
            Err(ExportError::Io(e)) => Err(e),
            Err(ExportError::Cancelled) => {
                stopped = true;
                Err(std::io::Error::other("cancelled"))
            }
        }
    });
    match outcome {
        _ if stopped => ExportEnd::Cancelled,
        Ok(()) => {
            let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            ExportEnd::Written { calls: calls.len(), bytes }
        }
        Err(e) => ExportEnd::Failed(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::call_store::CallStore;

    fn wait(job: &ExportJob) -> ExportEnd {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            if let Some(end) = job.poll() {
                return end;
            }
            assert!(std::time::Instant::now() < deadline, "the export did not end");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    #[test]
    fn a_path_that_cannot_be_written_fails_and_says_why() {
        let dir = tempfile::tempdir().unwrap();
        // A file where the path needs a folder.
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, b"").unwrap();
        let calls = TraceCalls::Core(Arc::new(CallStore::new()));
        let job = ExportJob::start(calls, ExportFormat::Csv, &blocker.join("trace.csv")).unwrap();
        match wait(&job) {
            ExportEnd::Failed(why) => assert!(!why.is_empty()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_empty_trace_is_still_a_file_with_its_header() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trace.csv");
        let job = ExportJob::start(TraceCalls::Host(Arc::new(Vec::new())), ExportFormat::Csv, &path).unwrap();
        match wait(&job) {
            ExportEnd::Written { calls: 0, bytes } => assert_eq!(bytes, std::fs::metadata(&path).unwrap().len()),
            other => panic!("{other:?}"),
        }
        assert!(std::fs::read_to_string(&path).unwrap().starts_with("seq,start_ns,interface,"));
    }
}
