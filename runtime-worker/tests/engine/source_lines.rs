//! Traps in a module built with `clang -g` name the source file, line and
//! column of each frame, from the module's DWARF.

use crate::support::run;
use runtime_worker::{RunOutcome, SandboxProfile, SourceLocation, TrapKind};

fn at(function: &str, line: u32, column: u32) -> SourceLocation {
    SourceLocation {
        function: Some(function.to_string()),
        file: Some("./divide_by_zero.c".to_string()),
        line: Some(line),
        column: Some(column),
    }
}

#[test]
fn a_trap_in_a_c_program_built_with_g_names_the_line_of_each_frame() {
    let report = run("real/divide_by_zero.wasm", SandboxProfile::default());
    assert_eq!(report.stdout(), "splitting 100 between 0 people\n");
    let RunOutcome::Trapped(trap) = report.outcome() else { panic!("{:?}", report.outcome()) };
    assert_eq!(trap.kind, TrapKind::Other);
    assert_eq!(trap.message, "wasm trap: integer divide by zero");
    let frames: Vec<_> = trap.backtrace.iter().map(|f| (f.func_name.as_deref(), f.source.clone())).collect();
    // `return total / people;`, the call in split_bill, the call in main.
    assert_eq!(
        &frames[..3],
        &[
            (Some("share"), vec![at("share", 7, 18)]),
            (Some("split_bill"), vec![at("split_bill", 11, 16)]),
            // The name section calls it `main`, the DWARF `__main_argc_argv`.
            (Some("main"), vec![at("__main_argc_argv", 19, 30)]),
        ]
    );
    // wasi-libc's own frames carry the paths of its build; a function
    // without DWARF (`__main_void`) has none.
    let main_void = trap.backtrace.iter().find(|f| f.func_name.as_deref() == Some("__main_void")).unwrap();
    assert_eq!(main_void.source, []);
}

#[test]
fn a_module_without_dwarf_traps_with_names_only() {
    let report = run("trap.wat", SandboxProfile::default());
    let RunOutcome::Trapped(trap) = report.outcome() else { panic!("{:?}", report.outcome()) };
    assert!(trap.backtrace.iter().all(|f| f.source.is_empty()), "{:?}", trap.backtrace);
}

/// strace's `-k`: asked for stacks, each preview1 call carries the guest's
/// frames when it made the call, innermost first, with the source line of
/// the C program's own frame; not asked, none does. Either way the calls
/// come in order, numbered without a gap, whether they crossed whole or
/// compact (`args_sizes_get` and `fd_fdstat_get` do, without a stack).
#[test]
fn each_call_carries_the_guests_stack_when_asked() {
    use crate::support::{Report, runtime, sample};
    use runtime_worker::{Entry, RunRequest, WasiFunc};

    let mut request = RunRequest::new(sample("real/divide_by_zero.wasm"), SandboxProfile::default(), Entry::Start);
    request.call_stacks = true;
    let report = Report { events: runtime().start(request).wait() };
    assert!(report.calls().all(|call| call.stack.as_ref().is_some_and(|stack| !stack.is_empty())));
    let write = report.calls_to(WasiFunc::FdWrite)[0];
    let stack = write.stack.as_ref().unwrap();
    assert_eq!(stack[0].function(), "__wasi_fd_write", "the innermost frame is wasi-libc's wrapper");
    let main = stack.iter().find(|f| f.function() == "__main_argc_argv").expect("main's frame");
    assert_eq!(main.source[0], at("__main_argc_argv", 17, 5), "the printf in main");
    assert_eq!(main.lines(), ["__main_argc_argv at ./divide_by_zero.c:17:5"]);

    let plain = run("real/divide_by_zero.wasm", SandboxProfile::default());
    assert!(plain.calls().count() > 0 && plain.calls().all(|call| call.stack.is_none()));
    for report in [&report, &plain] {
        let order: Vec<_> = report.calls().map(|call| (call.seq, call.func)).collect();
        assert_eq!(
            order,
            [
                (0, WasiFunc::ArgsSizesGet),
                (1, WasiFunc::ArgsGet),
                (2, WasiFunc::FdFdstatGet),
                (3, WasiFunc::FdWrite),
                (4, WasiFunc::FdWrite)
            ]
        );
    }
}

/// strace's `-k -e trace=fd_write`: only the writes carry a stack, and
/// only theirs are walked; the calls are the same, numbered the same.
#[test]
fn only_the_functions_asked_for_carry_a_stack() {
    use crate::support::{Report, runtime, sample};
    use runtime_worker::{Entry, RunRequest, WasiFunc};

    let mut request = RunRequest::new(sample("real/divide_by_zero.wasm"), SandboxProfile::default(), Entry::Start);
    request.call_stacks = true;
    request.stacks_only_for = vec![WasiFunc::FdWrite, WasiFunc::ArgsGet];
    let report = Report { events: runtime().start(request).wait() };
    let with_stack: Vec<_> = report.calls().filter(|call| call.stack.is_some()).map(|call| call.func).collect();
    assert_eq!(with_stack, [WasiFunc::ArgsGet, WasiFunc::FdWrite, WasiFunc::FdWrite]);
    let write = report.calls_to(WasiFunc::FdWrite)[0];
    assert_eq!(write.stack.as_ref().unwrap()[0].function(), "__wasi_fd_write");
    let seqs: Vec<_> = report.calls().map(|call| call.seq).collect();
    assert_eq!(seqs, [0, 1, 2, 3, 4]);
}
