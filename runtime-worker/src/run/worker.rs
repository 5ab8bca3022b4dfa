//! One run on a worker thread: the recorder, the async runtime, the guest
//! (a core module or a component), and the report. Nothing of a run outlives
//! it; the thread may go on to serve the next run (see `threads`).

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use wasmtime::Linker;

use super::component::{self, ComponentHost};
use super::core_module;
use super::guest::RunContext;
use super::module_host::Host;
use crate::boundary::batch::EventBatch;
use crate::boundary::event::{Phase, RunOutcome, WorkerEvent};
use crate::inspect::load::ModuleKind;
use crate::sandbox::output::OutputSink;
use crate::trace::clock::RunClock;
use crate::trace::denial::DenialContext;
use crate::trace::fds::FdTable;
use crate::trace::recorder::{Tracer, send};

/// The linkers that define every WASI function a guest may import: traced
/// preview1 for core modules, WASI 0.2 for components.
pub(crate) struct Linkers {
    pub module: Arc<Linker<Host>>,
    pub component: Arc<wasmtime::component::Linker<ComponentHost>>,
}

/// The body of the worker thread. Always ends with exactly one `Finished`
/// event, even if the worker itself panics.
pub(crate) fn run(context: RunContext, linkers: Linkers) {
    let (events, stop, run) = (context.events.clone(), Arc::clone(&context.signal.stop), context.run);
    let finished = std::panic::catch_unwind(AssertUnwindSafe(|| execute(context, linkers)));
    if let Err(panic) = finished {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        let outcome = RunOutcome::Failed {
            stage: Phase::Total,
            message: format!("internal error in Wasmscope's worker (please report it): {what}"),
        };
        send(&events, &stop, EventBatch::new(run, vec![WorkerEvent::Finished(outcome)]));
    }
}

fn execute(context: RunContext, linkers: Linkers) {
    let clock = RunClock::start();
    let origin = clock.origin();
    let profile = &context.request.profile;
    let deadline = profile.limits.timeout.map(|t| origin + t);
    let output = OutputSink::new(profile.limits.max_output_bytes);
    let mut trace = Tracer::new(
        context.run,
        clock,
        context.events.clone(),
        Arc::clone(&context.signal.stop),
        Arc::clone(&output),
        FdTable::new(&profile.mounts),
        DenialContext::new(profile),
    );
    trace.record_calls = context.request.record_calls;
    if context.request.record_calls && context.request.call_stacks {
        trace.stacks_for(&context.request.stacks_only_for);
    }
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            let message = format!("cannot start the worker's async runtime: {e}");
            return trace.finish(RunOutcome::Failed { stage: Phase::Total, message });
        }
    };
    let mut persisting = None;
    let (mut trace, outcome) = if context.request.module.kind == ModuleKind::Component {
        runtime.block_on(component::guest(&context, &linkers.component, trace, &output, deadline, origin))
    } else {
        runtime.block_on(core_module::guest(&context, &linkers.module, trace, &output, deadline, &mut persisting))
    };
    trace.phase(Phase::Total, origin.elapsed().as_nanos() as u64, false);
    // A run that ended by itself waits for its compiled module to reach
    // the disk cache, so that a short-lived caller (the command line)
    // does not exit mid-write. A stopped or timed-out run does not wait:
    // an interrupted write leaves only a temporary file, which the cache
    // removes later.
    if let Some(write) = persisting
        && !matches!(outcome, RunOutcome::Stopped | RunOutcome::TimedOut)
    {
        let _ = write.join();
    }
    trace.finish(outcome);
    // Blocking filesystem tasks still running (a read of a FIFO that
    // never ends, say) are abandoned rather than waited for.
    runtime.shutdown_background();
}
