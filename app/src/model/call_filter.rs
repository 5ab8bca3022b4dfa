//! Which calls the Calls table shows: a filter and the matching rows, kept
//! up to date incrementally so that filtering a million calls never stalls
//! a frame (the scan advances within a time budget and says how far it got).

use std::time::{Duration, Instant};

use runtime_worker::{Errno, WasiFunc};
use serde::{Deserialize, Serialize};

use super::call_store::CallStore;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CallFilter {
    pub func: Option<WasiFunc>,
    pub result: ResultFilter,
    pub denied_only: bool,
    /// Matched case-insensitively against names, paths, strings and data.
    pub text: String,
    /// A component's host calls of this function only
    /// (`wasi:filesystem/types#[method]descriptor.open-at`).
    pub host_function: Option<String>,
    /// A component's host calls that failed with this WASI error code only
    /// (`access-denied`).
    pub host_error: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResultFilter {
    #[default]
    Any,
    Success,
    AnyError,
    Errno(u16),
}

impl CallFilter {
    pub fn is_empty(&self) -> bool {
        self.func.is_none()
            && self.result == ResultFilter::Any
            && !self.denied_only
            && self.text.trim().is_empty()
            && self.host_function.is_none()
            && self.host_error.is_none()
    }

    fn matches(&self, store: &CallStore, index: usize, needle: &str) -> bool {
        if self.func.is_some_and(|f| store.func(index) != f) {
            return false;
        }
        if self.denied_only && !store.is_denied(index) {
            return false;
        }
        let errno = store.errno(index);
        let result_ok = match self.result {
            ResultFilter::Any => true,
            ResultFilter::Success => errno.is_none(),
            ResultFilter::AnyError => errno.is_some(),
            ResultFilter::Errno(n) => errno == Some(Errno(n)),
        };
        result_ok && (needle.is_empty() || store.matches_text(index, needle))
    }
}

/// The rows of a store that pass a filter.
#[derive(Debug, Default)]
pub struct FilteredRows {
    filter: CallFilter,
    needle: String,
    /// Matching row indices, ascending. Unused when the filter is empty.
    matches: Vec<u32>,
    /// Rows of the store looked at so far.
    scanned: usize,
}

impl FilteredRows {
    /// Starts over with a new filter.
    pub fn set_filter(&mut self, filter: &CallFilter) {
        if *filter != self.filter {
            self.filter = filter.clone();
            self.needle = filter.text.trim().to_lowercase();
            self.matches.clear();
            self.scanned = 0;
        }
    }

    pub fn reset(&mut self) {
        self.matches.clear();
        self.scanned = 0;
    }

    /// Looks at more rows, for at most `budget`.
    pub fn advance(&mut self, store: &CallStore, budget: Duration) {
        if self.filter.is_empty() {
            self.scanned = store.len();
            return;
        }
        let started = Instant::now();
        while self.scanned < store.len() {
            let end = (self.scanned + 4096).min(store.len());
            for index in self.scanned..end {
                if self.filter.matches(store, index, &self.needle) {
                    self.matches.push(index as u32);
                }
            }
            self.scanned = end;
            if started.elapsed() >= budget {
                break;
            }
        }
    }

    /// Rows shown (so far).
    pub fn len(&self, store: &CallStore) -> usize {
        if self.filter.is_empty() { store.len() } else { self.matches.len() }
    }

    /// The store index of the `nth` shown row.
    pub fn row(&self, nth: usize) -> usize {
        if self.filter.is_empty() { nth } else { self.matches[nth] as usize }
    }

    /// Fraction of the store scanned, for a progress indication.
    pub fn progress(&self, store: &CallStore) -> f32 {
        if store.is_empty() { 1.0 } else { self.scanned as f32 / store.len() as f32 }
    }

    pub fn is_complete(&self, store: &CallStore) -> bool {
        self.scanned >= store.len()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use runtime_worker::{CallEvent, Preview};

    use super::*;

    fn call(func: WasiFunc, errno: Option<Errno>, path: &str) -> CallEvent {
        CallEvent {
            seq: 0,
            func,
            start_ns: 0,
            dur_ns: 1,
            params: [3, 0, 0, 0, 0, 0],
            results: [0, 0],
            errno,
            abrupt: None,
            strings: if path.is_empty() { vec![] } else { vec![Box::from(path)] },
            preview: Preview::EMPTY,
            fd_labels: [Some(Arc::from("/data")), None],
            denial: None,
            stack: None,
        }
    }

    fn store() -> CallStore {
        let mut store = CallStore::new();
        store.push(&call(WasiFunc::PathOpen, Some(Errno::PERM), "../secret.txt"));
        store.push(&call(WasiFunc::FdRead, None, ""));
        store.push(&call(WasiFunc::PathOpen, None, "hello.txt"));
        store.push(&call(WasiFunc::FdClose, Some(Errno::BADF), ""));
        store
    }

    fn shown(filter: CallFilter) -> Vec<usize> {
        let store = store();
        let mut rows = FilteredRows::default();
        rows.set_filter(&filter);
        rows.advance(&store, Duration::from_secs(1));
        (0..rows.len(&store)).map(|n| rows.row(n)).collect()
    }

    #[test]
    fn filters_by_function_result_and_text() {
        assert_eq!(shown(CallFilter::default()), [0, 1, 2, 3]);
        assert_eq!(shown(CallFilter { func: Some(WasiFunc::PathOpen), ..Default::default() }), [0, 2]);
        assert_eq!(shown(CallFilter { result: ResultFilter::AnyError, ..Default::default() }), [0, 3]);
        assert_eq!(shown(CallFilter { result: ResultFilter::Errno(Errno::BADF.0), ..Default::default() }), [3]);
        assert_eq!(shown(CallFilter { text: "HELLO".into(), ..Default::default() }), [2]);
        assert_eq!(
            shown(CallFilter { func: Some(WasiFunc::PathOpen), result: ResultFilter::Success, ..Default::default() }),
            [2]
        );
    }

    #[test]
    fn new_rows_are_picked_up_incrementally() {
        let mut store = store();
        let mut rows = FilteredRows::default();
        rows.set_filter(&CallFilter { func: Some(WasiFunc::PathOpen), ..Default::default() });
        rows.advance(&store, Duration::from_secs(1));
        assert_eq!(rows.len(&store), 2);
        store.push(&call(WasiFunc::PathOpen, None, "again.txt"));
        assert!(!rows.is_complete(&store));
        rows.advance(&store, Duration::from_secs(1));
        assert_eq!(rows.len(&store), 3);
        assert_eq!(rows.row(2), 4);
    }
}
