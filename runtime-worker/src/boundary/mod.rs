//! The boundary between the engine and whoever drives it (the window, the
//! command line, tests): plain, serialisable data and nothing else.
//!
//! - `SandboxProfile` (`profile`): what the user grants.
//! - `RunRequest` (`request`): what to run, under which profile, from where.
//! - `WorkerEvent` and `WorkerCommand` (`event`): what happened, and what the
//!   caller asks of a run in progress.

pub mod denial;
pub mod event;
pub mod profile;
pub mod request;
