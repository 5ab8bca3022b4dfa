//! Where a composed command's run spent its time, part by part, from the
//! calls of a run made part by part (`HostCall::part` and `callee`), for
//! Compare: two runs of one client with different providers side by side.
//!
//! Only what the trace measured is counted. A part's time is the time of
//! the calls that crossed into it (from entering it until it returned: what
//! it computed, its WASI calls and whatever it called in turn), plus its own
//! WASI calls made outside such a crossing (while it started, or as the
//! command the host called). The command's computing between its WASI calls
//! is not a call of anything, so it is not in its time.

use runtime_worker::HostCall;

/// The time one run spent in one inner component.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartTime {
    /// The part as the run tagged it: `#0 database-connector (provider_rust.wasm)`.
    pub label: String,
    /// Calls from other parts into this one, and their time (a crossing
    /// within another crossing into the same part is counted once, in the
    /// outer one).
    pub crossings: usize,
    pub crossing_ns: u64,
    /// Its own WASI calls outside the crossings into it, and their time.
    pub host_calls: usize,
    pub host_ns: u64,
}

impl PartTime {
    pub fn total_ns(&self) -> u64 {
        self.crossing_ns + self.host_ns
    }

    /// The part's place in the composition, `#0`: what a swapped part
    /// keeps of the part it stands in for.
    pub fn place(&self) -> &str {
        place_of(&self.label)
    }
}

/// `#0` of `#0 database-connector (provider_rust.wasm)`.
pub fn place_of(label: &str) -> &str {
    label.split(' ').next().unwrap_or(label)
}

/// Each part's time in a run, in the order of the parts' places; empty for
/// a run that was not made part by part.
pub fn part_times(calls: &[HostCall]) -> Vec<PartTime> {
    let mut labels: Vec<&str> = Vec::new();
    for call in calls {
        for label in [call.part.as_deref(), call.callee.as_deref()].into_iter().flatten() {
            if !labels.contains(&label) {
                labels.push(label);
            }
        }
    }
    labels.sort_by_key(|label| (place_of(label).trim_start_matches('#').parse::<u64>().unwrap_or(u64::MAX), *label));
    labels.into_iter().map(|label| time_in(label, calls)).collect()
}

fn time_in(label: &str, calls: &[HostCall]) -> PartTime {
    let mut into: Vec<(u64, u64)> = calls
        .iter()
        .filter(|c| c.callee.as_deref() == Some(label))
        .map(|c| (c.start_ns, c.start_ns.saturating_add(c.dur_ns)))
        .collect();
    into.sort_unstable();
    // The outermost crossings: each starts after the one before it ended.
    let mut outer: Vec<(u64, u64)> = Vec::with_capacity(into.len());
    for (start, end) in into {
        match outer.last() {
            Some(&(_, last_end)) if start < last_end => {}
            _ => outer.push((start, end)),
        }
    }
    let inside = |at: u64| {
        let after = outer.partition_point(|&(start, _)| start <= at);
        after > 0 && at < outer[after - 1].1
    };
    let mut time = PartTime {
        label: label.to_string(),
        crossings: outer.len(),
        crossing_ns: outer.iter().map(|(start, end)| end - start).sum(),
        ..PartTime::default()
    };
    for call in calls.iter().filter(|c| c.callee.is_none() && c.part.as_deref() == Some(label)) {
        if !inside(call.start_ns) {
            time.host_calls += 1;
            time.host_ns += call.dur_ns;
        }
    }
    time
}

/// Two runs' part times side by side, matched by place (`#0`), so that a
/// swapped part faces the part it stood in for.
pub fn side_by_side(left: &[PartTime], right: &[PartTime]) -> Vec<(Option<PartTime>, Option<PartTime>)> {
    let mut rows: Vec<(Option<PartTime>, Option<PartTime>)> = left.iter().map(|l| (Some(l.clone()), None)).collect();
    for r in right {
        match rows.iter_mut().find(|(l, found)| found.is_none() && l.as_ref().is_some_and(|l| l.place() == r.place())) {
            Some(row) => row.1 = Some(r.clone()),
            None => rows.push((None, Some(r.clone()))),
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use runtime_worker::Name;

    use super::*;

    /// A call of `part` (into `callee`, for a crossing) from `start` for `dur` ns.
    fn call(part: &str, callee: Option<&str>, start_ns: u64, dur_ns: u64) -> HostCall {
        HostCall {
            seq: 0,
            interface: Name::from_static("wasi:io/streams"),
            function: Name::from_static("[method]output-stream.blocking-write-and-flush"),
            start_ns,
            dur_ns,
            args: Default::default(),
            result: Default::default(),
            error: None,
            denial: None,
            part: Some(Arc::from(part)),
            callee: callee.map(Arc::from),
        }
    }

    const CLIENT: &str = "#1 command";
    const PROVIDER: &str = "#0 database-connector (provider_rust.wasm)";

    #[test]
    fn a_part_has_its_crossings_and_the_calls_it_made_outside_them() {
        let calls = [
            // The provider starts: a call of its own, outside any crossing.
            call(PROVIDER, None, 0, 5),
            // A query: the provider reads inside it, and that is in the crossing.
            call(PROVIDER, None, 110, 20),
            call(CLIENT, Some(PROVIDER), 100, 100),
            call(CLIENT, None, 210, 7),
            call(CLIENT, Some(PROVIDER), 300, 50),
        ];
        let times = part_times(&calls);
        let expected = [
            PartTime { label: PROVIDER.into(), crossings: 2, crossing_ns: 150, host_calls: 1, host_ns: 5 },
            PartTime { label: CLIENT.into(), crossings: 0, crossing_ns: 0, host_calls: 1, host_ns: 7 },
        ];
        assert_eq!(times, expected);
        assert_eq!(times[0].total_ns(), 155);
    }

    #[test]
    fn a_crossing_within_a_crossing_into_the_same_part_is_counted_once() {
        let calls = [
            call("#1 b", Some("#0 a"), 20, 10),
            call("#0 a", Some("#1 b"), 10, 40),
            call(CLIENT, Some("#0 a"), 0, 100),
        ];
        let a = part_times(&calls).into_iter().find(|t| t.label == "#0 a").unwrap();
        assert_eq!((a.crossings, a.crossing_ns), (1, 100));
    }

    #[test]
    fn runs_are_matched_by_place() {
        let left = part_times(&[call(CLIENT, Some("#0 database-connector"), 0, 900)]);
        let right = part_times(&[call(CLIENT, Some(PROVIDER), 0, 90)]);
        let rows = side_by_side(&left, &right);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0.as_ref().unwrap().label, "#0 database-connector");
        assert_eq!(rows[0].1.as_ref().unwrap().label, PROVIDER);
        assert_eq!(rows[1].0.as_ref().map(PartTime::place), Some("#1"));
        let mut whole = call(CLIENT, None, 0, 1);
        whole.part = None;
        assert!(part_times(&[whole]).is_empty(), "a run made whole has no parts");
    }
}
