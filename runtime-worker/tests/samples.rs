//! Every sample through the engine, asserting on the event stream.

mod support;

use runtime_worker::{Errno, RunOutcome, SandboxProfile, WasiFunc};
use support::run;

#[test]
fn hello_writes_to_stdout_and_exits_zero() {
    let report = run("hello.wat", SandboxProfile::default());
    assert_eq!(report.stdout(), "Hello, WASI!\n");
    assert_eq!(report.outcome(), &RunOutcome::Exited { code: 0 });
    let writes = report.calls_to(WasiFunc::FdWrite);
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0].preview.as_bytes(), b"Hello, WASI!\n");
    assert_eq!(writes[0].errno, None::<Errno>);
    for call in report.calls() {
        println!("{}", call.to_text());
    }
}
