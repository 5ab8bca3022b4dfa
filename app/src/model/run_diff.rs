//! Two runs' calls aligned as a diff, for the Compare tab: one extra call
//! early in a run (a granted mount adds start-up calls) is one insertion, not
//! a shift that marks every later call as changed.
//!
//! Each call becomes a `CallKey`: what was asked (the function and its
//! arguments as text) and what came back (the outcome and whether it was a
//! denial). The runs are diffed on what was asked (Myers, from `similar`);
//! aligned calls whose outcomes differ are *changed*, not a removal and an
//! insertion. A million-call pair is aligned on its own thread
//! (`RunDiffJob`), bounded in time and cancelled when another pair is chosen.

use std::fmt::Write as _;
use std::hash::{DefaultHasher, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, TryRecvError};
use runtime_worker::trace::describe::ArgValue;
use runtime_worker::{CallEvent, HostCall};
use similar::DiffOp;
use similar::algorithms::{Capture, myers};

/// One call as the comparison sees it: hashes of its request and of its
/// outcome. 64-bit hashes keep a million calls in 16 MB; two different
/// requests taken as one is a chance of about one in 10^7 for a pair of
/// million-call runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallKey {
    /// The function and its arguments as text.
    pub request: u64,
    /// The outcome (`ok`, the errno, exit or trap) and whether it was denied.
    pub outcome: u64,
}

impl CallKey {
    /// A core module's preview1 call. A descriptor that names a path is
    /// compared by that path, not its number: a granted mount is one more
    /// preopen, which shifts the number of every descriptor opened after it.
    /// Results written back (an opened descriptor, bytes read, the time) are
    /// not compared: they differ from run to run without the request doing so.
    pub fn of_call(call: &CallEvent) -> CallKey {
        let mut request = HashText::default();
        request.0.write(call.func.name().as_bytes());
        for arg in call.args() {
            let _ = match arg.value {
                ArgValue::Fd { path: Some(path), .. } => write!(request, "({}=<{path}>)", arg.name),
                value => write!(request, "({}={value})", arg.name),
            };
        }
        let mut outcome = HashText::default();
        let _ = write!(outcome, "{}/{}", call.outcome_text(), call.denial.is_some());
        CallKey { request: request.0.finish(), outcome: outcome.0.finish() }
    }

    /// A component's WASI 0.2 host call. Its result text is not compared
    /// (it holds resource handles, which differ from run to run); its error
    /// and whether it was denied are. In its arguments a handle counts as
    /// `#`, whatever its number: one more mount shifts every later handle.
    pub fn of_host_call(call: &HostCall) -> CallKey {
        let mut request = HashText::default();
        let _ = write!(request, "{}(", call.qualified_name());
        let mut after_hash = false;
        for c in call.args_text().chars() {
            if !(after_hash && c.is_ascii_digit()) {
                let _ = request.write_char(c);
                after_hash = c == '#';
            }
        }
        let _ = request.write_char(')');
        let mut outcome = HashText::default();
        let _ = write!(outcome, "{:?}/{}", call.error, call.denial.is_some());
        CallKey { request: request.0.finish(), outcome: outcome.0.finish() }
    }
}

/// Text hashed as it is formatted, without building a `String` per call.
/// `DefaultHasher::new()` has fixed keys: the same text gives the same hash
/// on every thread.
#[derive(Default)]
struct HashText(DefaultHasher);

impl std::fmt::Write for HashText {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        self.0.write(text.as_bytes());
        Ok(())
    }
}

/// One line of the aligned runs; indices are call numbers in each run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Row {
    /// The same request with the same outcome.
    Same { left: usize, right: usize },
    /// The same request, another outcome.
    Changed { left: usize, right: usize },
    /// A call of the left run that the right run did not make.
    Removed { left: usize },
    /// A call of the right run that the left run did not make.
    Inserted { right: usize },
}

impl Row {
    pub fn left(self) -> Option<usize> {
        match self {
            Row::Same { left, .. } | Row::Changed { left, .. } | Row::Removed { left } => Some(left),
            Row::Inserted { .. } => None,
        }
    }

    pub fn right(self) -> Option<usize> {
        match self {
            Row::Same { right, .. } | Row::Changed { right, .. } | Row::Inserted { right } => Some(right),
            Row::Removed { .. } => None,
        }
    }
}

#[derive(Debug, Default)]
pub struct RunDiff {
    /// Every call of both runs, in order.
    pub rows: Vec<Row>,
    /// Indices into `rows` of the rows that are not `Same`.
    pub differing: Vec<usize>,
    pub inserted: usize,
    pub removed: usize,
    pub changed: usize,
    /// The alignment ran out of time (`ALIGN_TIME_LIMIT`): past some point,
    /// calls that may match are shown as removed and inserted.
    pub rough: bool,
}

/// How long an alignment may take before it settles for a rough one. Myers
/// takes time in proportion to the calls times the differences: two
/// million-call runs that differ everywhere would otherwise take hours.
pub const ALIGN_TIME_LIMIT: Duration = Duration::from_secs(10);

/// Pairs with at most this many calls in all are aligned at once, on the
/// thread that asks (well under a millisecond); larger ones on a thread.
pub const ALIGNED_AT_ONCE: usize = 2_000;

/// Aligns `left` and `right` by request, then compares the outcomes of the
/// calls aligned. Once `cancel` is set, the rest is aligned trivially, so a
/// cancelled alignment ends at once (its result is thrown away).
pub fn diff(left: &[CallKey], right: &[CallKey], deadline: Option<Instant>, cancel: &AtomicBool) -> RunDiff {
    let requests =
        |keys: &[CallKey]| -> Vec<Request<'_>> { keys.iter().map(|k| Request { hash: k.request, cancel }).collect() };
    let (old, new) = (requests(left), requests(right));
    let mut capture = Capture::new();
    // The `Capture` hook never fails.
    let _ = myers::diff_deadline(&mut capture, &old, 0..old.len(), &new, 0..new.len(), deadline);
    let mut out = RunDiff { rough: deadline.is_some_and(|d| Instant::now() > d), ..RunDiff::default() };
    // Between two aligned stretches, the left run's calls come first, then
    // the right's, as a diff reads (Myers may report them in either order).
    let (mut removed, mut inserted) = (Vec::new(), Vec::new());
    for op in capture.into_ops() {
        match op {
            DiffOp::Equal { old_index, new_index, len } => {
                out.flush(&mut removed, &mut inserted);
                for (l, r) in (old_index..old_index + len).zip(new_index..new_index + len) {
                    out.push(if left[l].outcome == right[r].outcome {
                        Row::Same { left: l, right: r }
                    } else {
                        Row::Changed { left: l, right: r }
                    });
                }
            }
            DiffOp::Delete { old_index, old_len, .. } => removed.extend(old_index..old_index + old_len),
            DiffOp::Insert { new_index, new_len, .. } => inserted.extend(new_index..new_index + new_len),
            DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                removed.extend(old_index..old_index + old_len);
                inserted.extend(new_index..new_index + new_len);
            }
        }
    }
    out.flush(&mut removed, &mut inserted);
    out
}

impl RunDiff {
    fn flush(&mut self, removed: &mut Vec<usize>, inserted: &mut Vec<usize>) {
        for left in removed.drain(..) {
            self.push(Row::Removed { left });
        }
        for right in inserted.drain(..) {
            self.push(Row::Inserted { right });
        }
    }

    fn push(&mut self, row: Row) {
        match row {
            Row::Same { .. } => {}
            Row::Changed { .. } => self.changed += 1,
            Row::Removed { .. } => self.removed += 1,
            Row::Inserted { .. } => self.inserted += 1,
        }
        if !matches!(row, Row::Same { .. }) {
            self.differing.push(self.rows.len());
        }
        self.rows.push(row);
    }
}

/// A request as the diff compares it. Once `cancel` is set every request
/// equals every other: Myers then finds the rest aligned in one pass, which
/// is how a cancelled alignment stops early (`similar` has no cancel).
struct Request<'a> {
    hash: u64,
    cancel: &'a AtomicBool,
}

impl PartialEq for Request<'_> {
    fn eq(&self, other: &Request<'_>) -> bool {
        self.hash == other.hash || self.cancel.load(Ordering::Relaxed)
    }
}

pub enum RunDiffState {
    Aligning,
    Ready(Arc<RunDiff>),
    Failed(String),
}

/// An alignment in progress on its own thread, or done.
pub struct RunDiffJob {
    cancel: Arc<AtomicBool>,
    result: Option<Receiver<RunDiff>>,
    state: RunDiffState,
}

impl RunDiffJob {
    /// Aligns the two runs' keys: at once when they are few
    /// (`ALIGNED_AT_ONCE`), else on a thread; `wake` is called when it is
    /// done there (to redraw).
    pub fn start(left: Vec<CallKey>, right: Vec<CallKey>, wake: impl Fn() + Send + 'static) -> RunDiffJob {
        let cancel = Arc::new(AtomicBool::new(false));
        if left.len() + right.len() <= ALIGNED_AT_ONCE {
            let aligned = diff(&left, &right, None, &cancel);
            return RunDiffJob { cancel, result: None, state: RunDiffState::Ready(Arc::new(aligned)) };
        }
        let (tx, rx) = crossbeam_channel::bounded(1);
        let job_cancel = Arc::clone(&cancel);
        let spawned = std::thread::Builder::new().name("wasmscope-compare".into()).spawn(move || {
            let aligned = diff(&left, &right, Some(Instant::now() + ALIGN_TIME_LIMIT), &job_cancel);
            if !job_cancel.load(Ordering::Relaxed) {
                let _ = tx.send(aligned);
                wake();
            }
        });
        let (result, state) = match spawned {
            Ok(_) => (Some(rx), RunDiffState::Aligning),
            Err(e) => (None, RunDiffState::Failed(format!("cannot start comparing: {e}"))),
        };
        RunDiffJob { cancel, result, state }
    }

    /// Where the job is; takes in its result once it is there.
    pub fn state(&mut self) -> &RunDiffState {
        if let Some(rx) = &self.result {
            match rx.try_recv() {
                Ok(aligned) => self.state = RunDiffState::Ready(Arc::new(aligned)),
                Err(TryRecvError::Empty) => return &self.state,
                Err(TryRecvError::Disconnected) => {
                    self.state = RunDiffState::Failed("the comparison stopped unexpectedly".into())
                }
            }
            self.result = None;
        }
        &self.state
    }
}

impl Drop for RunDiffJob {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use runtime_worker::{Denial, DenialKind, Errno, Name, Preview, WasiFunc};

    use super::*;

    /// A preview1 call from `"func arg outcome"`: `arg` is a path (for a
    /// function that takes one) or a descriptor, `outcome` is `ok`, an errno
    /// name, or an errno name with `!` when the call was denied.
    fn core(spec: &str) -> CallEvent {
        let words: Vec<&str> = spec.split_whitespace().collect();
        let [func, arg, outcome] = words[..] else { panic!("{spec}: want three words") };
        let func = WasiFunc::from_name(func).expect("a preview1 function");
        let denied = outcome.ends_with('!');
        let errno = match outcome.trim_end_matches('!') {
            "ok" => None,
            name => Some(Errno::from_name(name).expect("an errno name")),
        };
        let (params, strings) = match arg.parse::<u64>() {
            Ok(fd) => ([fd, 0, 0, 0, 0, 0], vec![]),
            Err(_) => ([3, 0, 0, 0, 0, 0], vec![Box::from(arg)]),
        };
        CallEvent {
            seq: 0,
            func,
            start_ns: 0,
            dur_ns: 0,
            params,
            results: [0, 0],
            errno,
            abrupt: None,
            strings,
            preview: Preview::EMPTY,
            fd_labels: [None, None],
            denial: denied.then(|| Box::new(Denial::new(DenialKind::FdNotOpen { fd: params[0] }))),
            stack: None,
        }
    }

    /// A host call from `"function arg outcome"`: `outcome` is `ok`, an
    /// error code, or an error code with `!` when the call was denied.
    fn host(spec: &str) -> HostCall {
        let words: Vec<&str> = spec.split_whitespace().collect();
        let [function, arg, outcome] = words[..] else { panic!("{spec}: want three words") };
        let denied = outcome.ends_with('!');
        let error = (outcome != "ok").then(|| Box::from(outcome.trim_end_matches('!')));
        HostCall {
            seq: 0,
            interface: Name::from_static("wasi:filesystem/types"),
            function: Name::from(function),
            start_ns: 0,
            dur_ns: 0,
            args: [("path", arg)].into_iter().collect(),
            // Handles differ between runs; the comparison ignores them.
            result: format!("Ok(Resource({}))", spec.len()).into(),
            error,
            denial: denied.then(|| Box::new(Denial::new(DenialKind::NetworkOff))),
            part: None,
            callee: None,
        }
    }

    /// The rows as one line: `=` same, `~` changed, `-` removed, `+` inserted,
    /// each with its call numbers.
    fn rows_text(diff: &RunDiff) -> String {
        let row = |row: &Row| match *row {
            Row::Same { left, right } => format!("={left}/{right}"),
            Row::Changed { left, right } => format!("~{left}/{right}"),
            Row::Removed { left } => format!("-{left}"),
            Row::Inserted { right } => format!("+{right}"),
        };
        diff.rows.iter().map(row).collect::<Vec<_>>().join(" ")
    }

    fn check_keys(left: Vec<CallKey>, right: Vec<CallKey>, expected: &str) {
        let aligned = diff(&left, &right, None, &AtomicBool::new(false));
        assert_eq!(rows_text(&aligned), expected);
        let differing: Vec<Row> = aligned.differing.iter().map(|&i| aligned.rows[i]).collect();
        assert!(differing.iter().all(|r| !matches!(r, Row::Same { .. })));
        assert_eq!(differing.len(), aligned.inserted + aligned.removed + aligned.changed);
        assert!(!aligned.rough);
    }

    fn check(left: &[&str], right: &[&str], expected: &str) {
        let keys = |specs: &[&str]| specs.iter().map(|s| CallKey::of_call(&core(s))).collect();
        check_keys(keys(left), keys(right), expected);
    }

    fn check_host(left: &[&str], right: &[&str], expected: &str) {
        let keys = |specs: &[&str]| specs.iter().map(|s| CallKey::of_host_call(&host(s))).collect();
        check_keys(keys(left), keys(right), expected);
    }

    const WITHOUT_MOUNT: &[&str] =
        &["fd_prestat_get 3 badf", "fd_write 1 ok", "path_open out.txt notcapable", "proc_exit 1 ok"];

    #[test]
    fn the_same_calls_are_all_the_same() {
        check(WITHOUT_MOUNT, WITHOUT_MOUNT, "=0/0 =1/1 =2/2 =3/3");
    }

    #[test]
    fn an_inserted_call_early_is_one_insertion_and_the_rest_is_the_same() {
        let with_one_more = [
            "fd_prestat_get 3 badf",
            "fd_fdstat_get 1 ok",
            "fd_write 1 ok",
            "path_open out.txt notcapable",
            "proc_exit 1 ok",
        ];
        check(WITHOUT_MOUNT, &with_one_more, "=0/0 +1 =1/2 =2/3 =3/4");
    }

    #[test]
    fn a_removed_call_is_one_removal() {
        check(
            WITHOUT_MOUNT,
            &["fd_prestat_get 3 badf", "path_open out.txt notcapable", "proc_exit 1 ok"],
            "=0/0 -1 =2/1 =3/2",
        );
    }

    #[test]
    fn a_changed_outcome_is_one_change_not_a_removal_and_an_insertion() {
        let granted = ["fd_prestat_get 3 badf", "fd_write 1 ok", "path_open out.txt ok", "proc_exit 1 ok"];
        check(WITHOUT_MOUNT, &granted, "=0/0 =1/1 ~2/2 =3/3");
    }

    #[test]
    fn a_denial_with_the_same_errno_is_a_change() {
        check(&["path_open out.txt perm"], &["path_open out.txt perm!"], "~0/0");
    }

    #[test]
    fn a_granted_mount_changes_one_call_and_inserts_its_start_up_calls() {
        let granted = [
            "fd_prestat_get 3 ok",
            "fd_prestat_dir_name 3 ok",
            "fd_prestat_get 4 badf",
            "fd_write 1 ok",
            "path_open out.txt ok",
            "proc_exit 1 ok",
        ];
        check(WITHOUT_MOUNT, &granted, "~0/0 +1 +2 =1/3 ~2/4 =3/5");
    }

    #[test]
    fn different_requests_are_removed_and_inserted() {
        check(&["path_open a.txt ok"], &["path_open b.txt ok"], "-0 +0");
    }

    #[test]
    fn a_descriptor_is_compared_by_the_path_it_names() {
        let on_fd = |fd: u64| {
            let mut call = core(&format!("fd_read {fd} ok"));
            call.fd_labels[0] = Some(Arc::from("/data/in.txt"));
            CallKey::of_call(&call)
        };
        check_keys(vec![on_fd(4)], vec![on_fd(5)], "=0/0");
        let unnamed = |fd: u64| CallKey::of_call(&core(&format!("fd_read {fd} ok")));
        check_keys(vec![unnamed(4)], vec![unnamed(5)], "-0 +0");
    }

    #[test]
    fn empty_runs() {
        check(&[], &[], "");
        check(&[], &["fd_write 1 ok"], "+0");
        check(&["fd_write 1 ok"], &[], "-0");
    }

    #[test]
    fn host_calls_an_inserted_call_early_is_one_insertion() {
        let before = ["open-at \"in.txt\" ok", "read-via-stream x ok", "write \"...\" ok"];
        let after = ["get-directories x ok", "open-at \"in.txt\" ok", "read-via-stream x ok", "write \"...\" ok"];
        check_host(&before, &after, "+0 =0/1 =1/2 =2/3");
    }

    #[test]
    fn host_calls_are_the_same_whatever_the_numbers_of_their_handles() {
        // One more mount gives every later resource another handle.
        check_host(
            &["read-via-stream self=#3 ok", "write self=#4 ok"],
            &["read-via-stream self=#4 ok", "write self=#5 ok"],
            "=0/0 =1/1",
        );
        check_host(&["write self=#4 ok"], &["read self=#4 ok"], "-0 +0");
    }

    #[test]
    fn host_calls_a_changed_error_or_denial_is_one_change() {
        let before = ["open-at \"in.txt\" ok", "open-at \"out.txt\" read-only", "write \"...\" ok"];
        let after = ["open-at \"in.txt\" ok", "open-at \"out.txt\" ok", "write \"...\" ok"];
        check_host(&before, &after, "=0/0 ~1/1 =2/2");
        check_host(&["connect 1.2.3.4 access-denied"], &["connect 1.2.3.4 access-denied!"], "~0/0");
    }

    #[test]
    fn a_large_pair_is_aligned_on_a_thread() {
        let key = |i: u64| CallKey { request: i, outcome: 0 };
        let left: Vec<CallKey> = (0..5_000).map(key).collect();
        let mut right = left.clone();
        right.insert(10, key(u64::MAX));
        right[4_000].outcome = 1;
        let mut job = RunDiffJob::start(left, right, || {});
        let started = Instant::now();
        let aligned = loop {
            match job.state() {
                RunDiffState::Ready(aligned) => break Arc::clone(aligned),
                RunDiffState::Failed(e) => panic!("{e}"),
                RunDiffState::Aligning => {
                    assert!(started.elapsed() < Duration::from_secs(30), "the alignment finishes");
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
        };
        assert_eq!((aligned.inserted, aligned.removed, aligned.changed), (1, 0, 1));
        assert_eq!(aligned.rows[aligned.differing[0]], Row::Inserted { right: 10 });
        assert_eq!(aligned.rows[aligned.differing[1]], Row::Changed { left: 3_999, right: 4_000 });
    }

    #[test]
    fn a_cancelled_alignment_ends_at_once() {
        // Every call differs: Myers would take long on these; cancelled, it
        // aligns the rest trivially.
        let left: Vec<CallKey> = (0..200_000).map(|i| CallKey { request: i, outcome: 0 }).collect();
        let right: Vec<CallKey> = (0..200_000).map(|i| CallKey { request: i + 1_000_000, outcome: 0 }).collect();
        let cancel = AtomicBool::new(true);
        let started = Instant::now();
        let _ = diff(&left, &right, None, &cancel);
        assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    }
}
