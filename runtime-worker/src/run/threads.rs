//! Worker threads, kept for the next run.
//!
//! A run's first instantiate and first call on a new thread also pay for the
//! thread: creating it, faulting in its stack, and wasmtime's per-thread state
//! (the signal stack its trap handler runs on, its thread-local context).
//! Measured here, that is most of what separates a traced instantiate from raw
//! wasmtime's on a warm thread. So a thread that has finished a run waits a
//! while for the next one, and ends when none comes. Nothing of a run is kept
//! on its thread: the run's async runtime, store and tracer end with the run.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

/// Threads kept waiting for a run at most.
const MAX_IDLE: usize = 4;

/// How long a thread waits for the next run before it ends.
const IDLE_FOR: Duration = Duration::from_secs(10);

pub(crate) type Job = Box<dyn FnOnce() + Send>;

pub(crate) struct WorkerThreads {
    jobs_tx: Sender<Job>,
    jobs_rx: Receiver<Job>,
    /// Waiting threads that no job has claimed yet. A job claims one before
    /// it is sent, so every job sent has a thread waiting for it.
    unclaimed: AtomicUsize,
}

impl WorkerThreads {
    pub(crate) fn new() -> Arc<WorkerThreads> {
        let (jobs_tx, jobs_rx) = crossbeam_channel::unbounded();
        Arc::new(WorkerThreads { jobs_tx, jobs_rx, unclaimed: AtomicUsize::new(0) })
    }

    /// Runs `job` on a waiting thread, or on a new one if none is waiting.
    pub(crate) fn spawn(self: &Arc<Self>, job: Job) -> std::io::Result<()> {
        if self.claim() {
            // Cannot fail: this struct holds the receiver.
            let _ = self.jobs_tx.send(job);
            return Ok(());
        }
        let threads = Arc::clone(self);
        std::thread::Builder::new().name("wasmscope-run".into()).spawn(move || {
            job();
            threads.wait_for_jobs();
        })?;
        Ok(())
    }

    /// Claims a waiting thread, if there is one.
    fn claim(&self) -> bool {
        self.unclaimed.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1)).is_ok()
    }

    /// The rest of a worker thread's life: runs jobs as they come, and ends
    /// when enough threads are waiting already or none came for a while.
    fn wait_for_jobs(&self) {
        loop {
            let offered =
                self.unclaimed.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| (n < MAX_IDLE).then_some(n + 1));
            if offered.is_err() {
                return;
            }
            loop {
                match self.jobs_rx.recv_timeout(IDLE_FOR) {
                    Ok(job) => {
                        job();
                        break;
                    }
                    // Ends only if it can take back its offer; otherwise a
                    // job has claimed it and is on its way.
                    Err(RecvTimeoutError::Timeout) if self.claim() => return,
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
        }
    }

    /// Threads waiting for a run now (for tests).
    #[cfg(test)]
    fn waiting(&self) -> usize {
        self.unclaimed.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thread_id_of(threads: &Arc<WorkerThreads>) -> std::thread::ThreadId {
        let (tx, rx) = crossbeam_channel::bounded(1);
        threads.spawn(Box::new(move || tx.send(std::thread::current().id()).unwrap())).unwrap();
        rx.recv().unwrap()
    }

    fn wait_until(what: impl Fn() -> bool) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !what() {
            assert!(std::time::Instant::now() < deadline, "timed out");
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    #[test]
    fn a_thread_that_finished_a_job_runs_the_next() {
        let threads = WorkerThreads::new();
        let first = thread_id_of(&threads);
        wait_until(|| threads.waiting() == 1);
        assert_eq!(thread_id_of(&threads), first);
        assert_ne!(first, std::thread::current().id());
    }

    #[test]
    fn jobs_at_once_get_threads_of_their_own_and_few_stay_waiting() {
        let threads = WorkerThreads::new();
        let jobs = MAX_IDLE + 3;
        let (started_tx, started_rx) = crossbeam_channel::unbounded();
        let (release_tx, release_rx) = crossbeam_channel::unbounded::<()>();
        for _ in 0..jobs {
            let (started, release) = (started_tx.clone(), release_rx.clone());
            threads
                .spawn(Box::new(move || {
                    started.send(std::thread::current().id()).unwrap();
                    let _ = release.recv();
                }))
                .unwrap();
        }
        // All run at once, each on its own thread.
        let ids: std::collections::HashSet<_> = (0..jobs).map(|_| started_rx.recv().unwrap()).collect();
        assert_eq!(ids.len(), jobs);
        drop(release_tx);
        wait_until(|| threads.waiting() == MAX_IDLE);
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(threads.waiting(), MAX_IDLE, "the others ended");
    }
}
