//! The sandbox a guest runs in: a profile made into a WASI context
//! (`wasi_ctx`, the one place that happens), the network policy
//! (`network`, and `http` for outgoing wasi:http requests), and the capture of the guest's output (`output`).

pub(crate) mod http;
pub mod network;
pub(crate) mod output;
pub(crate) mod wasi_ctx;
