//! A module's WAT listing, produced on its own thread so that a 20 MB module
//! never stalls the window; cancelled when its module is replaced.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use crossbeam_channel::{Receiver, TryRecvError};
use runtime_worker::LoadedModule;
use runtime_worker::inspect::disassembly::{Disassembly, DisassemblyError, disassemble};

pub enum DisassemblyState {
    Running { progress: f32 },
    Ready(Arc<Disassembly>),
    Failed(String),
}

pub struct DisassemblyJob {
    /// The module the listing is of.
    pub sha256: [u8; 32],
    cancel: Arc<AtomicBool>,
    progress: Arc<AtomicU32>,
    result: Option<Receiver<Result<Disassembly, DisassemblyError>>>,
    state: DisassemblyState,
}

impl DisassemblyJob {
    /// Starts the listing; `wake` is called when it is done (to redraw).
    pub fn start(module: &LoadedModule, wake: impl Fn() + Send + 'static) -> DisassemblyJob {
        let cancel = Arc::new(AtomicBool::new(false));
        let progress = Arc::new(AtomicU32::new(0));
        let (tx, rx) = crossbeam_channel::bounded(1);
        let bytes = Arc::clone(&module.bytes);
        let (job_cancel, job_progress) = (Arc::clone(&cancel), Arc::clone(&progress));
        let spawned = std::thread::Builder::new().name("wasmscope-disassemble".into()).spawn(move || {
            let result = disassemble(&bytes, &job_cancel, &mut |fraction| {
                job_progress.store(fraction.to_bits(), Ordering::Relaxed);
            });
            let _ = tx.send(result);
            wake();
        });
        let (result, state) = match spawned {
            Ok(_) => (Some(rx), DisassemblyState::Running { progress: 0.0 }),
            Err(e) => (None, DisassemblyState::Failed(format!("cannot start disassembling: {e}"))),
        };
        DisassemblyJob { sha256: module.sha256, cancel, progress, result, state }
    }

    /// Where the job is; takes in its result once it is there.
    pub fn state(&mut self) -> &DisassemblyState {
        if let Some(rx) = &self.result {
            match rx.try_recv() {
                Ok(Ok(listing)) => self.state = DisassemblyState::Ready(Arc::new(listing)),
                Ok(Err(e)) => self.state = DisassemblyState::Failed(e.to_string()),
                Err(TryRecvError::Empty) => {
                    let progress = f32::from_bits(self.progress.load(Ordering::Relaxed));
                    self.state = DisassemblyState::Running { progress };
                    return &self.state;
                }
                Err(TryRecvError::Disconnected) => {
                    self.state = DisassemblyState::Failed("the disassembler stopped unexpectedly".into())
                }
            }
            self.result = None;
        }
        &self.state
    }

    pub fn is_running(&self) -> bool {
        self.result.is_some()
    }
}

impl Drop for DisassemblyJob {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}
