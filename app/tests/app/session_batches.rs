//! "Every event batch carries its run id; the window ignores events of runs
//! it no longer shows" (ARCHITECTURE.md, Invariants), checked on the window's
//! model without a window. The runs are real (a guest that prints a line and
//! sleeps for an hour), but the batches are written here and handed to
//! `Session::apply_batch`, the step `Session::pump` takes for each batch it
//! drains: the engine never sends a stale batch or anything after `Finished`,
//! so only a made-up batch can show that the model would not take it in.

use std::time::{Duration, Instant};

use runtime_worker::{EventBatch, RunOutcome, Runtime, SandboxProfile, Stream, WorkerEvent};
use wasmscope::model::run_record::RunRecord;
use wasmscope::model::session::{ModuleOrigin, Session};

const SLEEPER: &str = "sleep.wat";
const HELLO: &str = "hello.wat";

/// A session with `sample` loaded.
fn session_with(sample: &str) -> Session {
    let mut session = Session::new(Runtime::new().expect("engine"));
    load(&mut session, sample);
    session
}

fn load(session: &mut Session, sample: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples").join(sample);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(session.load_bytes(sample, &bytes, ModuleOrigin::File(path)), "{:?}", session.notice);
}

/// Starts a run of the loaded module and returns its id.
fn start(session: &mut Session) -> u64 {
    session.start_run(&SandboxProfile::default(), &runtime_worker::Entry::Start);
    session.current_run().expect("a run record").id
}

fn stdout(text: &str) -> WorkerEvent {
    WorkerEvent::Output { stream: Stream::Stdout, bytes: text.as_bytes().to_vec() }
}

fn finished(outcome: RunOutcome) -> WorkerEvent {
    WorkerEvent::Finished(outcome)
}

fn record(session: &Session, run: u64) -> &RunRecord {
    let mut records = session.runs.iter().filter(|r| r.id == run);
    let record = records.next().unwrap_or_else(|| panic!("no record of run {run}"));
    assert!(records.next().is_none(), "two records of run {run}");
    record
}

fn printed(session: &Session, run: u64) -> String {
    record(session, run).console.text(Stream::Stdout)
}

#[test]
fn a_run_ends_once_and_nothing_after_its_finished_is_taken_in() {
    let mut session = session_with(SLEEPER);
    let run = start(&mut session);

    let ended = session.apply_batch(EventBatch::new(
        run,
        vec![stdout("before\n"), finished(RunOutcome::Exited { code: 0 }), stdout("after\n")],
    ));
    assert!(ended);
    assert_eq!(printed(&session, run), "before\n");
    assert_eq!(record(&session, run).outcome, Some(RunOutcome::Exited { code: 0 }));

    // A second batch, with a second end: neither is taken in.
    let ended = session.apply_batch(EventBatch::new(run, vec![stdout("later\n"), finished(RunOutcome::Stopped)]));
    assert!(ended, "the run stays ended");
    assert_eq!(printed(&session, run), "before\n");
    assert_eq!(record(&session, run).outcome, Some(RunOutcome::Exited { code: 0 }));
    assert_eq!(session.runs.iter().filter(|r| r.is_finished()).count(), 1, "one finished record");
}

#[test]
fn a_batch_of_a_run_replaced_by_a_newer_one_is_ignored() {
    let mut session = session_with(SLEEPER);
    let old = start(&mut session);
    let new = start(&mut session);
    assert_ne!(old, new);
    // Starting the new run ended the old one's record: the window shows it stopped.
    assert_eq!(record(&session, old).outcome, Some(RunOutcome::Stopped));

    let late = EventBatch::new(old, vec![stdout("late\n"), finished(RunOutcome::Exited { code: 0 })]);
    assert!(!session.apply_batch(late), "the active run did not end");
    assert_eq!(printed(&session, old), "");
    assert_eq!(record(&session, old).outcome, Some(RunOutcome::Stopped));
    assert_eq!(printed(&session, new), "");
    assert!(!record(&session, new).is_finished());

    // A batch of a run the session never had touches nothing either.
    let stranger = EventBatch::new(new + 1000, vec![stdout("stranger\n"), finished(RunOutcome::Stopped)]);
    assert!(!session.apply_batch(stranger));
    assert!(session.runs.iter().all(|r| r.console.text(Stream::Stdout).is_empty()));
    assert!(!record(&session, new).is_finished());

    // The active run's own batch is taken in.
    assert!(session.apply_batch(EventBatch::new(new, vec![stdout("mine\n"), finished(RunOutcome::Stopped)])));
    assert_eq!(printed(&session, new), "mine\n");
}

/// The same story with the engine's own batches, drained by `pump` as each
/// frame does: the old run's last words arrive on a channel nobody reads.
#[test]
fn a_real_run_replaced_mid_sleep_keeps_what_it_had_printed() {
    let mut session = session_with(SLEEPER);
    let sleeper = start(&mut session);
    let started = Instant::now();
    while printed(&session, sleeper).is_empty() {
        assert!(started.elapsed() < Duration::from_secs(60), "the sleeper never printed");
        session.pump(Duration::from_millis(8));
        std::thread::sleep(Duration::from_millis(5));
    }

    load(&mut session, HELLO);
    let hello = start(&mut session);
    while session.is_running() {
        assert!(started.elapsed() < Duration::from_secs(60), "hello never finished");
        session.pump(Duration::from_millis(8));
        std::thread::sleep(Duration::from_millis(5));
    }

    assert_eq!(printed(&session, sleeper), "sleeping for an hour\n");
    assert_eq!(record(&session, sleeper).outcome, Some(RunOutcome::Stopped));
    assert_eq!(record(&session, hello).outcome, Some(RunOutcome::Exited { code: 0 }));
    assert!(!printed(&session, hello).contains("sleeping"), "{}", printed(&session, hello));
}
