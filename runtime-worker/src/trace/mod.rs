//! Seeing what the guest asks of the host: the recorder that timestamps,
//! batches and hands over calls (`recorder`, on `clock`), what each
//! descriptor names (`fds`), reads of guest memory at call time
//! (`guest_memory`), why a refused call was a denial (`denial`), a
//! component's host calls (`host_calls`, and `direct_calls` for the hottest
//! ones) and what its WASI 0.3 streams and
//! futures did after them (`async_ends`), and calls as text (`describe`).

pub(crate) mod async_ends;
pub(crate) mod clock;
pub(crate) mod compact_calls;
pub(crate) mod denial;
pub mod describe;
pub(crate) mod direct_calls;
pub(crate) mod fds;
pub(crate) mod guest_memory;
pub(crate) mod host_calls;
pub(crate) mod recorder;
pub(crate) mod recycled;
