//! A run's events as they are handed over: `EventBatch`.

use crate::boundary::event::{RunId, WorkerEvent};
use crate::trace::direct_calls::DirectBatch;

/// Events of one run, handed over together to keep the per-event cost low.
#[derive(Debug)]
pub struct EventBatch {
    pub run: RunId,
    pub events: Vec<WorkerEvent>,
    /// Component host calls the worker recorded as plain values, not yet
    /// among `events`: they are put there, as `HostCall`s with their text,
    /// on the thread that receives the batch (`RunHandle::events`).
    direct: DirectBatch,
}

impl EventBatch {
    pub fn new(run: RunId, events: Vec<WorkerEvent>) -> EventBatch {
        EventBatch { run, events, direct: DirectBatch::default() }
    }

    pub(crate) fn with_direct(run: RunId, events: Vec<WorkerEvent>, direct: DirectBatch) -> EventBatch {
        EventBatch { run, events, direct }
    }

    /// The batch with every event in `events`, in order.
    pub(crate) fn rendered(mut self) -> EventBatch {
        if !self.direct.is_empty() {
            self.events = std::mem::take(&mut self.direct).merged_into(std::mem::take(&mut self.events));
        }
        self
    }
}
