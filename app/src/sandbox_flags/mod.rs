//! **The one place** the sandbox becomes command-line flags and back: the
//! flags `wasmscope run` and `call` take (`flags`), a diagnosis fix spelled
//! as those flags (`fix_flags`), `wasmtime run` lines out and in
//! (`wasmtime_run`), Pod manifests for runwasi (`pod`), and the one-line
//! summary people read (`summary`).

mod fix_flags;
mod flags;
mod note;
mod pod;
mod shell;
mod summary;
mod wasmtime_run;

pub use fix_flags::fix_flags;
pub use flags::{MountOrder, SandboxFlags, parse_bytes, parse_duration, parse_mount};
pub use note::{Note, NoteKind};
pub use pod::{PodManifest, pod_name, program_name, to_pod_manifest};
pub use shell::{shell_join, shell_split};
pub use summary::profile_summary;
pub use wasmtime_run::{WasmtimeCommand, from_wasmtime_run, to_wasmtime_run};
