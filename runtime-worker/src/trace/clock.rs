//! The trace's clock: nanoseconds since a run began, read twice for every
//! WASI call (its start and its end).
//!
//! `Instant::now()` is a `clock_gettime` through the vDSO: about 26 ns per
//! read on the build machine, so the two reads were most of what tracing
//! added to a 100 ns call. Where the kernel itself keeps time with the processor's timestamp
//! counter (its clock source is `tsc`, which it only picks once it has found
//! the counter constant-rate and in step across cores), reading the counter
//! directly costs about 10 ns. Its rate is measured against `Instant` once
//! per process, on a background thread, over 0.25 ms first and then over
//! longer spans up to 0.3 s. A run reads `Instant` until the first rate is
//! known (or always, on a machine without a usable counter) and takes up
//! each better rate when it hands over its events, going on from the reading
//! it has reached, so that its clock never jumps or goes back.

use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Nanoseconds per tick as a 32.32 fixed-point number; 0 until measured.
static NS_PER_TICK: AtomicU64 = AtomicU64::new(0);

/// How long the rate is measured over, in turn: each measurement replaces
/// the last, so the rate is usable soon and exact later.
const MEASUREMENTS: [Duration; 4] =
    [Duration::from_micros(250), Duration::from_millis(3), Duration::from_millis(30), Duration::from_millis(300)];

/// A run's clock.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RunClock {
    origin: Instant,
    counter: Option<Counter>,
}

/// Counter readings since `ticks` are added to `ns` at `ns_per_tick`.
#[derive(Clone, Copy, Debug)]
struct Counter {
    ticks: u64,
    ns: u64,
    ns_per_tick: u64,
}

impl Counter {
    #[inline]
    fn ns_at(&self, ticks: u64) -> u64 {
        let elapsed = ticks.saturating_sub(self.ticks);
        self.ns + ((u128::from(elapsed) * u128::from(self.ns_per_tick)) >> 32) as u64
    }
}

impl RunClock {
    /// A clock that reads 0 now.
    pub(crate) fn start() -> RunClock {
        let ns_per_tick = NS_PER_TICK.load(Ordering::Relaxed);
        let counter = (ns_per_tick != 0).then(|| Counter { ticks: ticks(), ns: 0, ns_per_tick });
        RunClock { origin: Instant::now(), counter }
    }

    /// A clock that reads `Instant` whatever the machine has (for tests).
    #[cfg(test)]
    fn start_without_counter() -> RunClock {
        RunClock { origin: Instant::now(), counter: None }
    }

    /// When the run began.
    pub(crate) fn origin(&self) -> Instant {
        self.origin
    }

    /// Whether this clock reads the timestamp counter.
    #[cfg(test)]
    fn uses_counter(&self) -> bool {
        self.counter.is_some()
    }

    /// Nanoseconds since the run began.
    #[inline]
    pub(crate) fn now_ns(&self) -> u64 {
        match &self.counter {
            Some(counter) => counter.ns_at(ticks()),
            None => self.origin.elapsed().as_nanos() as u64,
        }
    }

    /// Takes up a newer measurement of the counter's rate (or the first),
    /// continuing from the current reading so that the clock never jumps.
    /// The tracer calls this at each hand-over of events.
    pub(crate) fn refresh(&mut self) {
        let latest = NS_PER_TICK.load(Ordering::Relaxed);
        if latest == 0 || self.counter.is_some_and(|c| c.ns_per_tick == latest) {
            return;
        }
        let now = ticks();
        let ns = match &self.counter {
            Some(counter) => counter.ns_at(now),
            None => self.origin.elapsed().as_nanos() as u64,
        };
        self.counter = Some(Counter { ticks: now, ns, ns_per_tick: latest });
    }
}

/// Whether a run started now would time its calls with the timestamp
/// counter (else with `clock_gettime`).
pub fn runs_read_the_counter() -> bool {
    NS_PER_TICK.load(Ordering::Relaxed) != 0
}

/// Starts measuring the counter's rate, once per process, where the
/// counter can be used at all.
pub(crate) fn calibrate_in_background() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if !counter_usable() {
            return;
        }
        let _ = std::thread::Builder::new().name("wasmscope-clock".into()).spawn(|| {
            let first = pair();
            for over in MEASUREMENTS {
                std::thread::sleep(over.saturating_sub(first.0.elapsed()));
                match rate(first, pair()) {
                    Some(rate) => NS_PER_TICK.store(rate, Ordering::Relaxed),
                    None => {
                        NS_PER_TICK.store(0, Ordering::Relaxed);
                        return;
                    }
                }
            }
        });
    });
}

/// An `Instant` and the counter at the same moment: the counter read
/// between two `Instant`s, taken where the two are closest (a thread
/// preempted between the reads would skew the rate).
fn pair() -> (Instant, u64) {
    let mut best: Option<(Duration, Instant, u64)> = None;
    for _ in 0..20 {
        let before = Instant::now();
        let counter = ticks();
        let after = Instant::now();
        let width = after - before;
        if best.is_none_or(|(narrowest, _, _)| width < narrowest) {
            best = Some((width, before + width / 2, counter));
        }
        if width < Duration::from_micros(1) {
            break;
        }
    }
    let (_, at, counter) = best.expect("at least one reading");
    (at, counter)
}

/// Nanoseconds per tick between two readings, as 32.32 fixed point; `None`
/// when the counter went backwards or runs at an implausible rate (below
/// 100 MHz or above 20 GHz).
fn rate(from: (Instant, u64), to: (Instant, u64)) -> Option<u64> {
    let nanos = to.0.checked_duration_since(from.0)?.as_nanos();
    let ticks = u128::from(to.1.checked_sub(from.1)?);
    if ticks == 0 {
        return None;
    }
    let fixed = (nanos << 32) / ticks;
    let plausible = (1u128 << 32) / 20..=(10u128 << 32);
    plausible.contains(&fixed).then_some(fixed as u64)
}

#[cfg(target_arch = "x86_64")]
#[inline]
fn ticks() -> u64 {
    // SAFETY: `rdtsc` is available on every x86_64 processor.
    unsafe { core::arch::x86_64::_rdtsc() }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn ticks() -> u64 {
    0
}

/// Only where the kernel keeps its own time with the counter.
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
fn counter_usable() -> bool {
    std::fs::read_to_string("/sys/devices/system/clocksource/clocksource0/current_clocksource")
        .is_ok_and(|source| source.trim() == "tsc")
}

#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
fn counter_usable() -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whatever the clock reads, it follows `Instant`: a reading taken
    /// between two `Instant` readings lies between them (within the rate's
    /// measurement error), and readings never go backwards.
    /// Starts the measurement and waits for its first rate, where there is
    /// a counter to measure.
    fn first_rate() {
        calibrate_in_background();
        let asked = Instant::now();
        while counter_usable() && !runs_read_the_counter() && asked.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(RunClock::start().uses_counter(), counter_usable());
    }

    #[test]
    fn the_clock_follows_instant_and_never_goes_back() {
        first_rate();
        // Past the 30 ms measurement: the slack below is for a rate good to
        // well within 1 %, and clocks that start this late get one.
        std::thread::sleep(Duration::from_millis(40));
        for clock in [RunClock::start(), RunClock::start_without_counter()] {
            let origin = clock.origin();
            let mut last = 0;
            for _ in 0..50 {
                let before = origin.elapsed().as_nanos() as i128;
                let reading = clock.now_ns();
                let after = origin.elapsed().as_nanos() as i128;
                assert!(reading >= last, "went back: {reading} after {last}");
                last = reading;
                // The origins differ by the time between two reads.
                let slack = after / 100 + 20_000;
                let reading = i128::from(reading);
                assert!(
                    reading >= before - slack && reading <= after + slack,
                    "{reading} ns is not within {before}..{after} ns (counter: {})",
                    clock.uses_counter()
                );
                std::thread::sleep(Duration::from_micros(300));
            }
        }
    }

    /// A run that started before the rate was known takes it up at its next
    /// hand-over, and a run takes up a newer rate, each time going on from
    /// where its clock was.
    #[test]
    fn taking_up_a_rate_never_jumps() {
        first_rate();
        let mut clock = RunClock::start_without_counter();
        std::thread::sleep(Duration::from_millis(2));
        for _ in 0..2 {
            let before = clock.now_ns();
            clock.refresh();
            let after = clock.now_ns();
            assert_eq!(clock.uses_counter(), counter_usable());
            assert!(after >= before && after - before < 1_000_000, "{before} ns, then {after} ns");
            // As if a newer measurement had come in since.
            if let Some(counter) = &mut clock.counter {
                counter.ns_per_tick += 1 << 20;
            }
        }
    }

    #[test]
    fn implausible_rates_are_refused() {
        let t0 = Instant::now();
        let t1 = t0 + Duration::from_millis(1);
        // 1 ms over 2.5 million ticks: 2.5 GHz, 0.4 ns per tick.
        let fixed = rate((t0, 1_000), (t1, 2_501_000)).unwrap();
        assert_eq!((fixed * 1000) >> 32, 399, "0.4 ns per tick, in 32.32 fixed point");
        assert_eq!(rate((t0, 5), (t1, 5)), None, "a counter that stood still");
        assert_eq!(rate((t0, 5), (t1, 4)), None, "a counter that went back");
        assert_eq!(rate((t0, 0), (t1, 10)), None, "10 kHz");
        assert_eq!(rate((t1, 0), (t0, 10_000)), None, "time went back");
    }
}
