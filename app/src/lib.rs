//! Wasmscope, the application: the window (`gui`, over the `model`), the
//! command line (`cli`), and the bundled samples. The engine is the
//! `runtime-worker` crate; nothing here knows wasmtime.

pub mod cli;
pub mod export;
pub mod gui;
pub mod logs;
pub mod model;
pub mod oci_image;
pub mod persist;
pub mod recording;
pub mod samples;
pub mod sandbox_flags;
