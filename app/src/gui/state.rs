//! The state that we persist between runs of the app: the profile, the
//! entry point and the Call form, recent files, the tab, the calls filter,
//! zoom and workshop mode. Saved as TOML (`persist`); every panel reads it.

use std::path::PathBuf;

use runtime_worker::{Entry, SandboxProfile};
use serde::{Deserialize, Serialize};

use crate::model::call_filter::CallFilter;

/// The central panel's tabs (`--tab` on the command line).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
pub enum Tab {
    Inspector,
    Disassembly,
    #[default]
    Calls,
    Why,
    Summary,
    Memory,
    Timings,
    Console,
    Compare,
    Density,
    Call,
}

impl Tab {
    pub const ALL: [Tab; 11] = [
        Tab::Inspector,
        Tab::Disassembly,
        Tab::Calls,
        Tab::Why,
        Tab::Summary,
        Tab::Memory,
        Tab::Timings,
        Tab::Console,
        Tab::Compare,
        Tab::Density,
        Tab::Call,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Inspector => "Inspector",
            Tab::Disassembly => "Disassembly",
            Tab::Calls => "Calls",
            Tab::Why => "Why?",
            Tab::Summary => "Summary",
            Tab::Memory => "Memory",
            Tab::Timings => "Timings",
            Tab::Console => "Console",
            Tab::Compare => "Compare",
            Tab::Density => "Density",
            Tab::Call => "Call",
        }
    }

    /// The tab `by` places further along the tab row, wrapping around.
    pub fn step(self, by: isize) -> Tab {
        let here = Tab::ALL.iter().position(|t| *t == self).unwrap_or(0) as isize;
        Tab::ALL[(here + by).rem_euclid(Tab::ALL.len() as isize) as usize]
    }
}

/// The module to reopen at start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LastModule {
    File(PathBuf),
    Sample(String),
}

/// What the Call tab's form holds: the function, and each parameter's field
/// as typed (plain text for strings, WAVE for compound values).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CallForm {
    pub function: Option<String>,
    pub inputs: Vec<String>,
    /// The inner component whose functions the form calls
    /// (`#0 database-connector`); `None`: the component's own exports.
    pub part: Option<String>,
}

/// The state that we persist between runs of the app.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct State {
    pub profile: SandboxProfile,
    pub entry: Entry,
    /// Arguments for an invoked export, as typed.
    pub invoke_args: String,
    /// The Call tab's form for a component's function.
    pub call: CallForm,
    pub recent: Vec<PathBuf>,
    pub last_module: Option<LastModule>,
    pub tab: Tab,
    pub filter: CallFilter,
    pub follow: bool,
    pub zoom: f32,
    pub show_overlay: bool,
    /// Presenting: large type, high contrast, guided scenarios.
    pub workshop: bool,
    /// Runs keep the guest's stack with each preview1 call (strace's `-k`).
    pub call_stacks: bool,
}

impl Default for State {
    fn default() -> Self {
        State {
            profile: SandboxProfile::default(),
            entry: Entry::Start,
            invoke_args: String::new(),
            call: CallForm::default(),
            recent: Vec::new(),
            last_module: None,
            tab: Tab::Calls,
            filter: CallFilter::default(),
            follow: true,
            zoom: 1.0,
            show_overlay: false,
            workshop: false,
            call_stacks: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use runtime_worker::{ClockPolicy, Limits, Mount, NetworkPolicy, RandomPolicy, StdinSource};

    use super::*;
    use crate::persist;

    #[test]
    fn every_setting_survives_a_restart() {
        let state = State {
            profile: SandboxProfile {
                mounts: vec![Mount::read_only("/srv/data", "/data"), Mount::read_write("/tmp/out", "/out")],
                env: runtime_worker::Environment { inherit_host: true, vars: vec![("GREETING".into(), "hi".into())] },
                args: vec!["--verbose".into(), "two words".into()],
                stdin: StdinSource::Fixed(b"line\n".to_vec()),
                clocks: ClockPolicy::Frozen { unix_nanos: 1_700_000_000_000_000_000 },
                network: NetworkPolicy::AllowList(vec!["127.0.0.1:8080".into()]),
                dns: true,
                random: RandomPolicy::Seeded(7),
                limits: Limits {
                    max_memory_bytes: Some(16 << 20),
                    fuel: Some(1_000_000),
                    timeout: Some(Duration::from_millis(2500)),
                    max_output_bytes: None,
                },
                parts: vec![runtime_worker::PartProfile {
                    part: "database-connector".into(),
                    profile: SandboxProfile {
                        mounts: vec![Mount::read_only("/srv/db", "/data")],
                        ..Default::default()
                    },
                }],
            },
            entry: Entry::Invoke { name: "add".into(), args: vec![] },
            invoke_args: "2 3".into(),
            call: CallForm {
                function: Some("wasmscope:db/database-connector#execute-query".into()),
                inputs: vec!["select * from users".into()],
                part: Some("#0 database-connector".into()),
            },
            recent: vec![PathBuf::from("/home/me/a.wasm")],
            last_module: Some(LastModule::Sample("escape.wat".into())),
            tab: Tab::Memory,
            filter: CallFilter { text: "secret".into(), denied_only: true, ..CallFilter::default() },
            follow: false,
            zoom: 1.5,
            show_overlay: true,
            workshop: true,
            call_stacks: true,
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        persist::save_toml(&path, &state).unwrap();
        let persist::Loaded::Value(back) = persist::load_toml::<State>(&path) else { panic!("settings did not load") };
        assert_eq!(format!("{back:?}"), format!("{state:?}"));
    }
}
