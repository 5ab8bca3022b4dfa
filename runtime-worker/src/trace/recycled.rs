//! Buffers that go round between a run's recorder and whoever receives its
//! batches. A fresh buffer for every batch is fresh memory: a page fault
//! every few dozen calls on the guest's thread, and memory the reader frees
//! that the allocator may hand back to the kernel.

use std::ops::{Deref, DerefMut};

use crossbeam_channel::{Receiver, Sender};

/// Where a run's buffers of one kind come back to.
pub(crate) struct Pool<T> {
    back: Sender<Vec<T>>,
    returned: Receiver<Vec<T>>,
    capacity: usize,
}

impl<T> Pool<T> {
    /// A pool of buffers for `capacity` items each.
    pub(crate) fn new(capacity: usize) -> Pool<T> {
        // A few in flight at once; more are dropped when they come back.
        let (back, returned) = crossbeam_channel::bounded(4);
        Pool { back, returned, capacity }
    }

    /// An empty buffer: one that came back, if one did.
    pub(crate) fn take(&self) -> Pooled<T> {
        let items = self.returned.try_recv().unwrap_or_else(|_| Vec::with_capacity(self.capacity));
        Pooled { items, back: Some(self.back.clone()) }
    }
}

/// A buffer that goes back to its pool, emptied, when it is dropped (by
/// the reader, once it has taken the items out). The default has no buffer
/// and no pool.
pub(crate) struct Pooled<T> {
    items: Vec<T>,
    back: Option<Sender<Vec<T>>>,
}

impl<T> Pooled<T> {
    /// The empty value a hand-over leaves behind, which has no buffer yet
    /// (the recorder takes one from its pool before the first item).
    #[inline]
    pub(crate) fn has_no_buffer(&self) -> bool {
        self.items.capacity() == 0
    }
}

impl<T> Default for Pooled<T> {
    fn default() -> Self {
        Pooled { items: Vec::new(), back: None }
    }
}

impl<T> Deref for Pooled<T> {
    type Target = Vec<T>;

    fn deref(&self) -> &Vec<T> {
        &self.items
    }
}

impl<T> DerefMut for Pooled<T> {
    fn deref_mut(&mut self) -> &mut Vec<T> {
        &mut self.items
    }
}

impl<T> Drop for Pooled<T> {
    fn drop(&mut self) {
        if let Some(back) = self.back.take() {
            self.items.clear();
            // Full (the recorder has enough) or gone (the run is over):
            // the buffer is simply freed.
            let _ = back.try_send(std::mem::take(&mut self.items));
        }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Pooled<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.items.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_buffer_comes_back_empty_with_its_room() {
        let pool = Pool::<u64>::new(16);
        let mut first = pool.take();
        first.extend([1, 2, 3]);
        let at = first.as_ptr();
        drop(first);
        let again = pool.take();
        assert!(again.is_empty());
        assert_eq!(again.as_ptr(), at, "the same buffer");
        assert!(again.capacity() >= 16);
        assert!(Pooled::<u64>::default().has_no_buffer());
        assert!(!again.has_no_buffer());
    }
}
