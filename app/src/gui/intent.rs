//! What a person asked for in a panel. Panels read the state and the session
//! and return intents; `WasmscopeApp::apply` carries every one out, in one
//! place, so that "what does clicking Run do?" has one answer wherever Run
//! was clicked.

use std::path::PathBuf;

use runtime_worker::doctor::Fix;

use super::file_dialog::DialogPurpose;
use super::state::Tab;
use crate::model::call_filter::CallFilter;
use crate::samples::Sample;

pub enum Intent {
    /// Open a native file dialog: a module, a folder, a profile, a trace file.
    OpenDialog(DialogPurpose),
    /// Open a bundled sample, with the profile and entry point of its story.
    OpenSample(&'static Sample),
    /// Open a module file (a recent one).
    OpenPath(PathBuf),
    /// Run the loaded module under the profile; a run going is restarted.
    Run,
    /// Send the HTTP request this many times, one fresh instance each, one
    /// after the other (the per-request start-up, plotted in Timings).
    SendRequests {
        count: u32,
    },
    Stop,
    /// Call a component's function with these arguments, as WAVE values.
    Call {
        function: String,
        args: Vec<String>,
        /// The inner component of a composed component whose function it
        /// is (`#0 database-connector`); `None`: the component's own.
        part: Option<String>,
    },
    ShowTab(Tab),
    ToggleWorkshop,
    /// Begin a workshop scenario: open its sample and follow its steps.
    StartScenario(&'static Sample),
    /// Apply a diagnosis fix to the profile and run again.
    ApplyFix(Fix),
    /// A line for the guest's interactive stdin.
    SendStdin(Vec<u8>),
    /// End the guest's stdin (end-of-file).
    CloseStdin,
    /// Start this many instances of the loaded module at once (Density).
    StartDensity {
        instances: usize,
    },
    StopDensity,
    /// Show the calls this filter lets through (a call row's menu).
    FilterCalls(CallFilter),
    /// Swap the loaded composed command's part at `place` (labelled
    /// `replaced`) for another component, for the runs that follow.
    SwapPart {
        place: usize,
        replaced: String,
        with: SwapWith,
    },
    /// Put the swapped part back.
    UndoSwap,
    /// Clear the notice in the status bar.
    DismissNotice,
    /// Stop writing the trace file being exported (the file is not written).
    CancelExport,
}

/// What a part is swapped for: a component the window offers, or a file
/// picked in a dialog.
pub enum SwapWith {
    Offered(&'static Sample),
    File,
}
