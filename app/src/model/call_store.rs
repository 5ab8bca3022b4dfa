//! Every call of a run, kept compactly so that a million of them fit in a
//! few tens of megabytes and the window can scroll and filter them smoothly.
//!
//! A call is a fixed 24-byte row (times, function, errno, flags) plus its
//! variable parts (parameters, results, strings, preview) packed as LEB128
//! into one shared byte arena. Descriptor paths are interned; denials are
//! rare and kept aside. A row is decoded back into a full `CallEvent` only
//! when it is looked at (a visible table row, the detail pane, an export).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use runtime_worker::{Abrupt, CallEvent, Capability, Denial, Errno, Frame, Preview, WasiFunc};

/// The fixed part of a stored call.
#[derive(Clone, Copy, Debug)]
struct Row {
    start_ns: u64,
    dur_ns: u64,
    /// Offset of the call's variable part in the arena.
    at: u32,
    func: u8,
    /// 0 for success, else the errno number.
    errno: u8,
    flags: u8,
}

const DENIED: u8 = 1;
const EXITED: u8 = 2;
const TRAPPED: u8 = 4;
const UNFINISHED: u8 = 8;

/// Per-function totals, like `strace -c`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FuncStats {
    pub calls: u64,
    pub errors: u64,
    pub denied: u64,
    pub total_ns: u64,
}

/// What a run's stacks may take (`-k`, Call stacks): a guest whose every
/// call comes from a new stack (deep recursion) would otherwise hold its
/// frames once per call.
const STACK_BUDGET: usize = 256 << 20;

/// About what `stack` takes: its frames and their text.
fn stack_size(stack: &[Frame]) -> usize {
    let text = |s: &Option<String>| s.as_ref().map_or(0, String::len);
    stack
        .iter()
        .map(|f| {
            size_of::<Frame>()
                + text(&f.func_name)
                + f.source.iter().map(|s| 48 + text(&s.function) + text(&s.file)).sum::<usize>()
        })
        .sum()
}

#[derive(Clone, Default)]
pub struct CallStore {
    rows: Vec<Row>,
    arena: Vec<u8>,
    labels: Vec<Arc<str>>,
    label_ids: HashMap<Arc<str>, u32>,
    /// (row index, denial), in row order.
    denials: Vec<(u32, Denial)>,
    /// (row index, the guest's stack), in row order: runs asked for stacks.
    stacks: Vec<(u32, Arc<Vec<Frame>>)>,
    /// Bytes the kept stacks take, about (a stack shared with the call
    /// before is counted once), and calls whose stack was not kept past
    /// `STACK_BUDGET`.
    stack_bytes: usize,
    stacks_dropped: u64,
    stack_budget: usize,
    stats: Vec<FuncStats>,
    /// Calls per errno number (index 0 counts successes).
    errno_counts: Vec<u64>,
    /// Calls per capability actually exercised.
    capabilities: BTreeMap<Capability, u64>,
    /// How many bytes the arena may hold: a row addresses it with a `u32`.
    arena_limit: usize,
    /// Calls not kept because the arena was full.
    dropped: u64,
}

impl CallStore {
    pub fn new() -> CallStore {
        CallStore {
            stats: vec![FuncStats::default(); WasiFunc::ALL.len()],
            errno_counts: vec![0; 256],
            arena_limit: u32::MAX as usize,
            stack_budget: STACK_BUDGET,
            ..CallStore::default()
        }
    }

    /// Calls that were not kept because the store was full (4 GiB of
    /// arguments, paths and previews): a row could not address them.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Bytes used per stored call, on average (rows, arena, side tables).
    pub fn bytes_per_call(&self) -> f64 {
        if self.rows.is_empty() {
            return 0.0;
        }
        let labels: usize = self.labels.iter().map(|l| l.len() + 16).sum();
        let denials: usize = self.denials.iter().map(|(_, d)| d.reason.len() + 48).sum();
        let stacks = self.stacks.capacity() * size_of::<(u32, Arc<Vec<Frame>>)>() + self.stack_bytes;
        let total = self.rows.capacity() * size_of::<Row>() + self.arena.capacity() + labels + denials + stacks;
        total as f64 / self.rows.len() as f64
    }

    pub fn push(&mut self, call: &CallEvent) {
        // A call is kept whole or not at all, and only where a row can
        // address its start.
        let at = match u32::try_from(self.arena.len()) {
            Ok(at) if self.arena.len() < self.arena_limit => at,
            _ => {
                self.dropped += 1;
                return;
            }
        };
        let arena = &mut self.arena;
        for value in scalar_params(call) {
            put(arena, value);
        }
        let n_results = call.func.results().iter().filter(|r| !is_string_kind(r.kind)).count();
        for value in &call.results[..n_results.min(2)] {
            put(arena, *value);
        }
        let mut fd_ids = [0u64; 2];
        for (slot, label) in fd_ids.iter_mut().zip(&call.fd_labels) {
            if let Some(label) = label {
                *slot = u64::from(self.intern(label)) + 1;
            }
        }
        let arena = &mut self.arena;
        put(arena, fd_ids[0]);
        put(arena, fd_ids[1]);
        put(arena, call.strings.len() as u64);
        for s in &call.strings {
            put(arena, s.len() as u64);
            arena.extend_from_slice(s.as_bytes());
        }
        let preview = call.preview.as_bytes();
        put(arena, preview.len() as u64);
        arena.extend_from_slice(preview);
        let mut flags = 0;
        match call.abrupt {
            Some(Abrupt::Exit(code)) => {
                flags |= EXITED;
                put(arena, u64::from(code as u32));
            }
            Some(Abrupt::Trap) => flags |= TRAPPED,
            Some(Abrupt::Unfinished) => flags |= UNFINISHED,
            None => {}
        }
        let index = self.rows.len() as u32;
        if let Some(denial) = &call.denial {
            flags |= DENIED;
            self.denials.push((index, (**denial).clone()));
        }
        if let Some(stack) = &call.stack {
            let shared = self.stacks.last().is_some_and(|(_, last)| Arc::ptr_eq(last, stack));
            let bytes = if shared { 0 } else { stack_size(stack) };
            if self.stack_bytes + bytes <= self.stack_budget {
                self.stack_bytes += bytes;
                self.stacks.push((index, Arc::clone(stack)));
            } else {
                self.stacks_dropped += 1;
            }
        }
        let errno = call.errno.map_or(0, |e| u8::try_from(e.0).unwrap_or(u8::MAX));
        self.rows.push(Row { start_ns: call.start_ns, dur_ns: call.dur_ns, at, func: call.func as u8, errno, flags });

        let stats = &mut self.stats[call.func as usize];
        stats.calls += 1;
        stats.total_ns += call.dur_ns;
        stats.errors += u64::from(errno != 0);
        stats.denied += u64::from(flags & DENIED != 0);
        self.errno_counts[usize::from(errno)] += 1;
        *self.capabilities.entry(capability_used(call)).or_default() += 1;
    }

    /// The capabilities the calls used, with how many calls each.
    pub fn capabilities_used(&self) -> &BTreeMap<Capability, u64> {
        &self.capabilities
    }

    /// The errnos calls returned, with how often, most frequent first.
    pub fn errno_counts(&self) -> Vec<(Errno, u64)> {
        let mut counts: Vec<(Errno, u64)> = self
            .errno_counts
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(_, n)| **n > 0)
            .map(|(e, n)| (Errno(e as u16), *n))
            .collect();
        counts.sort_by_key(|c| std::cmp::Reverse(c.1));
        counts
    }

    /// Functions that were called, most called first.
    pub fn called_functions(&self) -> Vec<(WasiFunc, FuncStats)> {
        let mut called: Vec<(WasiFunc, FuncStats)> =
            WasiFunc::ALL.iter().map(|f| (*f, self.stats[*f as usize])).filter(|(_, s)| s.calls > 0).collect();
        called.sort_by_key(|c| std::cmp::Reverse(c.1.calls));
        called
    }

    fn intern(&mut self, label: &Arc<str>) -> u32 {
        if let Some(id) = self.label_ids.get(label) {
            return *id;
        }
        let id = self.labels.len() as u32;
        self.labels.push(Arc::clone(label));
        self.label_ids.insert(Arc::clone(label), id);
        id
    }

    pub fn func(&self, index: usize) -> WasiFunc {
        WasiFunc::ALL[usize::from(self.rows[index].func)]
    }

    pub fn errno(&self, index: usize) -> Option<Errno> {
        let errno = self.rows[index].errno;
        (errno != 0).then_some(Errno(u16::from(errno)))
    }

    pub fn is_denied(&self, index: usize) -> bool {
        self.rows[index].flags & DENIED != 0
    }

    pub fn denial(&self, index: usize) -> Option<&Denial> {
        let at = self.denials.binary_search_by_key(&(index as u32), |(i, _)| *i).ok()?;
        Some(&self.denials[at].1)
    }

    /// Indices of denied calls, in order.
    pub fn denied_indices(&self) -> impl Iterator<Item = usize> + '_ {
        self.denials.iter().map(|(i, _)| *i as usize)
    }

    pub fn stats(&self, func: WasiFunc) -> FuncStats {
        self.stats[func as usize]
    }

    /// The call at `index`, whole again.
    pub fn get(&self, index: usize) -> CallEvent {
        let row = self.rows[index];
        let func = WasiFunc::ALL[usize::from(row.func)];
        let mut cursor = Cursor { bytes: &self.arena, at: row.at as usize };
        let mut params = [0u64; 6];
        let n_params = func.params().iter().filter(|p| !is_string_kind(p.kind)).count();
        for slot in params.iter_mut().take(n_params) {
            *slot = cursor.num();
        }
        let mut results = [0u64; 2];
        let n_results = func.results().iter().filter(|r| !is_string_kind(r.kind)).count();
        for slot in results.iter_mut().take(n_results.min(2)) {
            *slot = cursor.num();
        }
        let label = |id: u64| id.checked_sub(1).and_then(|i| self.labels.get(i as usize)).cloned();
        let fd_labels = [label(cursor.num()), label(cursor.num())];
        let n_strings = cursor.num() as usize;
        let strings = (0..n_strings).map(|_| Box::from(cursor.text())).collect();
        let preview = Preview::from_slice(cursor.bytes());
        let abrupt = if row.flags & EXITED != 0 {
            Some(Abrupt::Exit(cursor.num() as u32 as i32))
        } else if row.flags & TRAPPED != 0 {
            Some(Abrupt::Trap)
        } else if row.flags & UNFINISHED != 0 {
            Some(Abrupt::Unfinished)
        } else {
            None
        };
        CallEvent {
            seq: index as u64,
            func,
            start_ns: row.start_ns,
            dur_ns: row.dur_ns,
            params,
            results,
            errno: (row.errno != 0).then_some(Errno(u16::from(row.errno))),
            abrupt,
            strings,
            preview,
            fd_labels,
            denial: self.denial(index).cloned().map(Box::new),
            stack: self.stack(index).cloned(),
        }
    }

    /// Calls whose stack was not kept: the run's stacks reached their budget.
    pub fn stacks_dropped(&self) -> u64 {
        self.stacks_dropped
    }

    /// The guest's stack when it made the call, if the run kept stacks.
    pub fn stack(&self, index: usize) -> Option<&Arc<Vec<Frame>>> {
        let at = self.stacks.binary_search_by_key(&(index as u32), |(i, _)| *i).ok()?;
        Some(&self.stacks[at].1)
    }

    /// Whether the call's searchable text (function, errno, paths, strings,
    /// descriptor paths, the denial's reason, the data preview) contains
    /// `needle`, which must be lowercase. Works on the packed form: no
    /// allocation for the common case.
    pub fn matches_text(&self, index: usize, needle: &str) -> bool {
        let row = self.rows[index];
        let func = WasiFunc::ALL[usize::from(row.func)];
        if func.name().contains(needle) {
            return true;
        }
        if row.errno != 0 && Errno(u16::from(row.errno)).name().contains(needle) {
            return true;
        }
        let mut cursor = Cursor { bytes: &self.arena, at: row.at as usize };
        let scalars = func.params().iter().filter(|p| !is_string_kind(p.kind)).count()
            + func.results().iter().filter(|r| !is_string_kind(r.kind)).count().min(2);
        for _ in 0..scalars {
            cursor.num();
        }
        for _ in 0..2 {
            let id = cursor.num();
            if let Some(label) = id.checked_sub(1).and_then(|i| self.labels.get(i as usize))
                && contains_ignore_case(label.as_bytes(), needle)
            {
                return true;
            }
        }
        let n_strings = cursor.num();
        for _ in 0..n_strings {
            if contains_ignore_case(cursor.bytes(), needle) {
                return true;
            }
        }
        if contains_ignore_case(cursor.bytes(), needle) {
            return true;
        }
        row.flags & DENIED != 0 && self.denial(index).is_some_and(|d| d.reason.to_lowercase().contains(needle))
    }
}

/// What a call actually used: reads and writes on fds 0-2 are stdio, on
/// any other descriptor files; everything else goes by its function.
fn capability_used(call: &CallEvent) -> Capability {
    let capability = call.func.capability();
    let first_is_fd = call.func.params().first().is_some_and(|p| p.kind == runtime_worker::wasi::abi::Kind::Fd);
    match capability {
        Capability::Stdio | Capability::Files if first_is_fd => {
            if call.params[0] <= 2 {
                Capability::Stdio
            } else {
                Capability::Files
            }
        }
        other => other,
    }
}

fn is_string_kind(kind: runtime_worker::wasi::abi::Kind) -> bool {
    matches!(kind, runtime_worker::wasi::abi::Kind::Str | runtime_worker::wasi::abi::Kind::StrList)
}

/// The call's scalar parameters, in schema order.
fn scalar_params(call: &CallEvent) -> impl Iterator<Item = u64> + '_ {
    let n = call.func.params().iter().filter(|p| !is_string_kind(p.kind)).count();
    call.params.iter().take(n).copied()
}

fn contains_ignore_case(haystack: &[u8], needle: &str) -> bool {
    let needle = needle.as_bytes();
    if needle.is_empty() {
        return true;
    }
    haystack.windows(needle.len()).any(|w| w.iter().zip(needle).all(|(a, b)| a.to_ascii_lowercase() == *b))
}

/// LEB128.
fn put(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn num(&mut self) -> u64 {
        let mut value = 0u64;
        let mut shift = 0;
        while let Some(&byte) = self.bytes.get(self.at) {
            self.at += 1;
            if shift < 64 {
                value |= u64::from(byte & 0x7f) << shift;
            }
            shift += 7;
            if byte & 0x80 == 0 {
                break;
            }
        }
        value
    }

    fn bytes(&mut self) -> &'a [u8] {
        let len = self.num() as usize;
        let start = self.at.min(self.bytes.len());
        let end = (start + len).min(self.bytes.len());
        self.at = end;
        &self.bytes[start..end]
    }

    fn text(&mut self) -> &'a str {
        std::str::from_utf8(self.bytes()).unwrap_or("\u{fffd}")
    }
}

#[cfg(test)]
mod tests {
    use runtime_worker::{Capability, DenialKind, Within};

    use super::*;

    /// A stack shared with the call before costs nothing more; new stacks
    /// are kept until their budget is spent, and the calls after it keep
    /// none, counted.
    #[test]
    fn stacks_are_kept_within_their_budget() {
        let frame = |name: &str| runtime_worker::Frame {
            func_index: 1,
            func_name: Some(name.to_string()),
            module_offset: Some(0x10),
            source: Vec::new(),
        };
        let with_stack = |stack: &Arc<Vec<Frame>>| CallEvent { stack: Some(Arc::clone(stack)), ..write_call(b"x") };
        let one = Arc::new(vec![frame("main")]);
        let mut store = CallStore { stack_budget: 3 * stack_size(&one), ..CallStore::new() };
        for _ in 0..100 {
            store.push(&with_stack(&one));
        }
        assert_eq!(store.stacks_dropped(), 0, "one stack, shared by a hundred calls");
        for name in ["a", "b", "c"] {
            store.push(&with_stack(&Arc::new(vec![frame(name)])));
        }
        assert_eq!(store.stacks_dropped(), 1, "the budget holds three stacks");
        assert_eq!(store.get(99).stack.unwrap()[0].func_name.as_deref(), Some("main"));
        assert_eq!(store.get(101).stack.unwrap()[0].func_name.as_deref(), Some("b"));
        assert!(store.get(102).stack.is_none(), "past the budget");
    }

    #[test]
    fn a_full_store_keeps_no_more_calls_and_counts_them() {
        let mut store = CallStore { arena_limit: 64, ..CallStore::new() };
        let mut kept = 0;
        while store.dropped() == 0 {
            store.push(&open_call("data/some/long/path/to/fill/the/arena.txt", None));
            kept += 1;
        }
        store.push(&open_call("one more", None));
        assert_eq!(store.len(), kept - 1, "the call that found the store full was not kept");
        assert_eq!(store.dropped(), 2);
        let last = store.get(store.len() - 1);
        assert_eq!(last.path(), Some("data/some/long/path/to/fill/the/arena.txt"), "what was kept reads back whole");
    }

    fn open_call(path: &str, errno: Option<Errno>) -> CallEvent {
        CallEvent {
            seq: 0,
            func: WasiFunc::PathOpen,
            start_ns: 1_000,
            dur_ns: 5_000_000_000,
            params: [3, 1, 0, 2, 0, 0],
            results: [if errno.is_none() { 4 } else { 0 }, 0],
            errno,
            abrupt: None,
            strings: vec![Box::from(path)],
            preview: Preview::EMPTY,
            fd_labels: [Some(Arc::from("/data")), None],
            denial: errno.map(|_| {
                let kind = DenialKind::EscapeByDotDot { path: "../x".into(), within: Within::UnknownDir };
                Box::new(Denial::new(kind))
            }),
            stack: None,
        }
    }

    fn write_call(text: &[u8]) -> CallEvent {
        CallEvent {
            seq: 0,
            func: WasiFunc::FdWrite,
            start_ns: 7,
            dur_ns: 300,
            params: [1, text.len() as u64, 0, 0, 0, 0],
            results: [text.len() as u64, 0],
            errno: None,
            abrupt: None,
            strings: vec![],
            preview: Preview::from_slice(text),
            fd_labels: [None, None],
            denial: None,
            stack: None,
        }
    }

    #[test]
    fn calls_come_back_exactly_as_they_went_in() {
        let mut store = CallStore::new();
        let calls =
            [open_call("../secret.txt", Some(Errno::PERM)), write_call(b"hello\n"), open_call("hello.txt", None)];
        for call in &calls {
            store.push(call);
        }
        for (i, call) in calls.iter().enumerate() {
            let back = store.get(i);
            assert_eq!(back.to_text(), call.to_text());
            assert_eq!(back.seq, i as u64);
        }
        assert!(store.is_denied(0) && !store.is_denied(1));
        let used: Vec<_> = store.capabilities_used().iter().map(|(c, n)| (*c, *n)).collect();
        assert_eq!(used, [(Capability::Files, 2), (Capability::Stdio, 1)]);
        assert_eq!(store.denied_indices().collect::<Vec<_>>(), [0]);
        let stats = store.stats(WasiFunc::PathOpen);
        assert_eq!((stats.calls, stats.errors, stats.denied), (2, 1, 1));
    }

    #[test]
    fn exits_keep_their_code() {
        let mut store = CallStore::new();
        let mut exit = write_call(b"");
        exit.func = WasiFunc::ProcExit;
        exit.params = [3, 0, 0, 0, 0, 0];
        exit.abrupt = Some(Abrupt::Exit(3));
        store.push(&exit);
        assert_eq!(store.get(0).abrupt, Some(Abrupt::Exit(3)));
    }

    #[test]
    fn a_call_the_run_ended_in_stays_unfinished() {
        let mut store = CallStore::new();
        let mut read = write_call(b"");
        read.func = WasiFunc::FdRead;
        read.abrupt = Some(Abrupt::Unfinished);
        store.push(&read);
        store.push(&write_call(b"after"));
        assert_eq!(store.get(0).abrupt, Some(Abrupt::Unfinished));
        assert_eq!(store.get(1).abrupt, None);
    }

    #[test]
    fn text_search_looks_at_names_paths_and_previews() {
        let mut store = CallStore::new();
        store.push(&open_call("../secret.txt", Some(Errno::PERM)));
        store.push(&write_call(b"Hello, WASI!\n"));
        assert!(store.matches_text(0, "secret"));
        assert!(store.matches_text(0, "perm"));
        assert!(store.matches_text(0, "/data"));
        assert!(store.matches_text(0, "climbs"));
        assert!(store.matches_text(1, "wasi!"));
        assert!(store.matches_text(1, "fd_write"));
        assert!(!store.matches_text(1, "secret"));
    }

    #[test]
    fn a_typical_call_takes_well_under_64_bytes() {
        let mut store = CallStore::new();
        for i in 0..100_000 {
            if i % 2 == 0 {
                store.push(&write_call(b"0123456789abcdef"));
            } else {
                let mut clock = write_call(b"");
                clock.func = WasiFunc::ClockTimeGet;
                clock.params = [1, 0, 0, 0, 0, 0];
                clock.results = [1_764_000_000_000_000_000, 0];
                store.push(&clock);
            }
        }
        assert!(store.bytes_per_call() <= 64.0, "{} bytes per call", store.bytes_per_call());
    }
}
