//! A run's events as they are handed over: `EventBatch`.

use crate::boundary::event::{RunId, WorkerEvent};
use crate::trace::compact_calls::{CompactBatch, CompactCall};
use crate::trace::direct_calls::{DirectBatch, Render};

/// Events of one run, handed over together to keep the per-event cost low.
#[derive(Debug)]
pub struct EventBatch {
    pub run: RunId,
    pub events: Vec<WorkerEvent>,
    /// Calls the worker recorded as plain values, not yet among `events`:
    /// they are put there, as `HostCall`s with their text and `CallEvent`s,
    /// on the thread that receives the batch (`RunHandle::events`).
    direct: DirectBatch,
    compact: CompactBatch,
}

impl EventBatch {
    pub fn new(run: RunId, events: Vec<WorkerEvent>) -> EventBatch {
        EventBatch { run, events, direct: DirectBatch::default(), compact: CompactBatch::default() }
    }

    /// `events`, with a component's hottest calls (`direct`) and preview1
    /// calls of plain numbers (`compact`) recorded beside them.
    pub(crate) fn recorded(
        run: RunId,
        events: Vec<WorkerEvent>,
        direct: DirectBatch,
        compact: CompactBatch,
    ) -> EventBatch {
        EventBatch { run, events, direct, compact }
    }

    /// The batch with every event in `events`, in order.
    pub(crate) fn rendered(mut self) -> EventBatch {
        if self.direct.is_empty() && self.compact.is_empty() {
            return self;
        }
        let events = std::mem::take(&mut self.events);
        let mut merged = Vec::with_capacity(events.len() + self.direct.len() + self.compact.len());
        let (direct, compact) = (&self.direct[..], &self.compact[..]);
        let (mut d, mut c) = (0, 0);
        let mut render = Render::default();
        let mut events = events.into_iter();
        // Events taken so far: a side call comes once as many have been.
        let mut taken = 0;
        loop {
            // The side calls due now, the one made first first (a run's
            // calls are numbered). Each is written once, where it stays.
            let due_direct = direct.get(d).filter(|(before, _)| *before as usize <= taken).map(|(_, call)| call.seq);
            let due_compact = compact.get(c).filter(|call| call.before() as usize <= taken).map(CompactCall::seq);
            match (due_direct, due_compact) {
                (Some(x), Some(y)) if y < x => {
                    merged.push(WorkerEvent::Call(compact[c].expand()));
                    c += 1;
                }
                (Some(_), _) => {
                    merged.push(WorkerEvent::HostCall(direct[d].1.render(&mut render)));
                    d += 1;
                }
                (None, Some(_)) => {
                    merged.push(WorkerEvent::Call(compact[c].expand()));
                    c += 1;
                }
                (None, None) => match events.next() {
                    Some(event) => {
                        merged.push(event);
                        taken += 1;
                    }
                    None if d == direct.len() && c == compact.len() => break,
                    // Calls after the last event.
                    None => taken = usize::MAX,
                },
            }
        }
        // The buffers go back to the recorder as the batch is dropped.
        self.direct.clear();
        self.compact.clear();
        self.events = merged;
        self
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Instant;

    use super::*;
    use crate::boundary::event::Stream;
    use crate::boundary::profile::SandboxProfile;
    use crate::sandbox::network::NetworkGuard;
    use crate::trace::compact_calls::Numbers;
    use crate::trace::direct_calls::{DirectCalls, Hot, Recorded, Returned};
    use crate::trace::host_calls::Judge;
    use crate::trace::recycled::Pool;
    use crate::wasi::abi::WasiFunc;

    fn output(text: &str) -> WorkerEvent {
        WorkerEvent::Output { stream: Stream::Stdout, bytes: text.as_bytes().to_vec() }
    }

    /// What a reader sees of `batch`, one line an event.
    fn lines(batch: EventBatch) -> Vec<String> {
        let batch = batch.rendered();
        assert!(batch.direct.is_empty() && batch.compact.is_empty(), "every call is among the events");
        batch
            .events
            .into_iter()
            .map(|event| match event {
                WorkerEvent::HostCall(call) => format!("#{} {}", call.seq, call.result),
                WorkerEvent::Call(call) => format!("#{} {:?} {:?}", call.seq, call.func, call.results),
                WorkerEvent::Output { bytes, .. } => String::from_utf8(bytes).unwrap(),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    /// Other events before each call, and calls in between events, in
    /// order: the place a recorder gave each (`before`, the number of
    /// events already in the batch).
    #[test]
    fn a_batch_puts_its_direct_calls_among_its_events_in_order() {
        let profile = SandboxProfile::default();
        let network = Arc::new(NetworkGuard::new(&profile.network, profile.dns).unwrap());
        let mut calls = DirectCalls::new(Instant::now(), Judge::new(&profile, network));
        let mut direct = Pool::new(8).take();
        let mut events = Vec::new();
        for (seq, before) in [(0, 0), (1, 1), (2, 1), (3, 2)] {
            while events.len() < before {
                events.push(output(&format!("out {}", events.len())));
            }
            let begun = calls.begin(Hot::MonotonicNow, None, None);
            let Recorded::Direct(mut call) = calls.returned(begun, Returned::Number(seq)) else { panic!() };
            call.seq = seq;
            direct.push((events.len() as u32, call));
        }
        events.push(output("last"));
        let batch = EventBatch::recorded(1, events, direct, CompactBatch::default());
        assert_eq!(lines(batch), ["#0 Ok(0)", "out 0", "#1 Ok(1)", "#2 Ok(2)", "out 1", "#3 Ok(3)", "last"]);
    }

    /// Preview1 calls that crossed compact come back whole, in their
    /// places among the calls that crossed whole and the output.
    #[test]
    fn compact_calls_take_their_places_among_whole_ones() {
        let params = [1, 1, 0, 0, 0, 0];
        let call = |seq: u64, func, before: usize| {
            let numbers = Numbers { seq, func, start_ns: seq, dur_ns: 1, params: &params, results: [seq * 10, 0] };
            CompactCall::of(numbers, before).unwrap()
        };
        let whole = |seq| WorkerEvent::Call(call(seq, WasiFunc::RandomGet, 0).expand());
        let events = vec![output("out 0"), whole(1), output("out 2"), whole(4), output("last")];
        let mut compact = Pool::new(8).take();
        for (seq, before) in [(0, 0), (2, 2), (3, 2), (5, 4)] {
            compact.push(call(seq, WasiFunc::ClockTimeGet, before));
        }
        let batch = EventBatch::recorded(1, events, DirectBatch::default(), compact);
        assert_eq!(
            lines(batch),
            [
                "#0 ClockTimeGet [0, 0]",
                "out 0",
                "#1 RandomGet [10, 0]",
                "#2 ClockTimeGet [20, 0]",
                "#3 ClockTimeGet [30, 0]",
                "out 2",
                "#4 RandomGet [40, 0]",
                "#5 ClockTimeGet [50, 0]",
                "last"
            ]
        );
    }
}
