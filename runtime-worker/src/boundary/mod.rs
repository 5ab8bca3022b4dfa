//! The boundary between the engine and whoever drives it (the window, the
//! command line, tests): plain data and nothing else (the profile and the
//! entry point serialise, for saved profiles and sessions).
//!
//! - `SandboxProfile` (`profile`): what the user grants.
//! - `RunRequest` (`request`): what to run, under which profile, from where.
//! - `WorkerEvent` and `WorkerCommand` (`event`): what happened, and what the
//!   caller asks of a run in progress; `EventBatch` (`batch`): the events
//!   handed over together.
//! - `Denial` (`denial`): a refused call, its kind and the sentence made from it.
//! - `CallArgs` and `CallText` (`call_text`): a component host call's text.
//! - `Name` (`name`): its interface and function names.

pub mod batch;
pub mod call_text;
pub mod denial;
pub mod event;
pub mod name;
pub mod profile;
pub mod request;
