//! A core module's run: the preview1 WASI context, compile (through the
//! caches), instantiate with every import traced (`interpose`), and call
//! `_start` or an export with arguments parsed by its parameter types.

use std::sync::Arc;
use std::time::Instant;

use wasmtime::{Instance, Linker, Module, Store, Val, ValType};

use super::guest::{RunContext, failed_or_trapped, outcome_of_compile_failure, outcome_of_error, spawn_stdin_writer};
use super::module_host::Host;
use crate::boundary::event::{MemoryChange, Phase, RunOutcome, Value};
use crate::boundary::request::Entry;
use crate::sandbox::output::OutputSink;
use crate::sandbox::wasi_ctx;
use crate::trace::recorder::Tracer;
use crate::wasi::abi::WasiFunc;

/// Everything from the sandbox to the guest's end. The tracer travels into
/// the store while the guest runs and comes back out with the outcome.
/// `persisting`: the disk cache's write of a fresh compile, for the worker
/// to wait on.
pub(crate) async fn guest(
    context: &RunContext,
    linker: &Linker<Host>,
    mut trace: Tracer,
    output: &Arc<OutputSink>,
    deadline: Option<Instant>,
    persisting: &mut Option<std::thread::JoinHandle<()>>,
) -> (Tracer, RunOutcome) {
    let request = &context.request;
    if !request.profile.parts.is_empty() {
        let message = "capabilities per part are for a composed component's parts; this is a core module";
        return (trace, RunOutcome::Failed { stage: Phase::Instantiate, message: message.to_string() });
    }
    let guest_ctx = match wasi_ctx::build(&request.profile, &context.program_name(), output) {
        Ok(ctx) => ctx,
        Err(e) => return (trace, RunOutcome::Failed { stage: Phase::Instantiate, message: e.to_string() }),
    };
    trace.argv = guest_ctx.argv;
    trace.env_names = guest_ctx.env_names;

    let compile_started = Instant::now();
    let compiled =
        match context.slot.compile(&request.module.bytes, request.module.sha256, context.compile_job(deadline)) {
            Ok(mut compiled) => {
                *persisting = compiled.persisting.take();
                compiled
            }
            Err(failure) => return (trace, outcome_of_compile_failure(failure)),
        };
    trace.phase(Phase::Compile, compile_started.elapsed().as_nanos() as u64, compiled.cached);

    if let Some(message) = unsatisfied_imports(&compiled.module) {
        return (trace, RunOutcome::Failed { stage: Phase::Instantiate, message });
    }
    let pre = match linker.instantiate_pre(&compiled.module) {
        Ok(pre) => pre,
        Err(e) => return (trace, RunOutcome::Failed { stage: Phase::Instantiate, message: format!("{e:#}") }),
    };

    let host = Host::new(guest_ctx.wasi, trace, request.profile.limits.max_memory_bytes);
    let mut store = match context.new_store(host, |host| host.trace.flush_if_due()) {
        Ok(store) => store,
        Err((host, outcome)) => return (host.trace, outcome),
    };
    let stdin_feed = guest_ctx.stdin.map(spawn_stdin_writer);
    let outcome = {
        let call = call_guest(&mut store, &pre, &request.entry, context.slot.pooled);
        context.race(call, stdin_feed, deadline).await
    };
    let mut trace = store.into_data().trace;
    trace.ended_while_waiting();
    (trace, outcome)
}

/// Instantiates and calls the entry point, turning every way it can end into
/// a `RunOutcome`.
async fn call_guest(
    store: &mut Store<Host>,
    pre: &wasmtime::InstancePre<Host>,
    entry: &Entry,
    pooled: bool,
) -> RunOutcome {
    let started = Instant::now();
    let instance = match pre.instantiate_async(&mut *store).await {
        Ok(instance) => instance,
        Err(e) => return failed_or_trapped(e, Phase::Instantiate),
    };
    store.data_mut().trace.phase(Phase::Instantiate, started.elapsed().as_nanos() as u64, pooled);
    report_initial_memory(store, &instance);

    let result = match entry {
        Entry::Http(_) => {
            let message = "this is a core module: only a component that exports `wasi:http/incoming-handler` \
                           (WASI 0.2) or `wasi:http/handler` (0.3) can answer HTTP requests";
            return RunOutcome::Failed { stage: Phase::Instantiate, message: message.to_string() };
        }
        Entry::Start => {
            let Some(start) = instance.get_func(&mut *store, "_start") else {
                let message = if instance.get_func(&mut *store, "_initialize").is_some() {
                    "this module is a reactor (it exports `_initialize`, not `_start`): choose an export to invoke"
                } else {
                    "this module has no `_start` export to run"
                };
                return RunOutcome::Failed { stage: Phase::Instantiate, message: message.to_string() };
            };
            store.data_mut().trace.entered();
            start.call_async(&mut *store, &[], &mut []).await.map(|()| RunOutcome::Exited { code: 0 })
        }
        Entry::Invoke { name, args } => {
            if let Some(init) = instance.get_func(&mut *store, "_initialize")
                && let Err(e) = init.call_async(&mut *store, &[], &mut []).await
            {
                return outcome_of_error(e);
            }
            let Some(func) = instance.get_func(&mut *store, name) else {
                let exports: Vec<String> = instance
                    .exports(&mut *store)
                    .filter(|e| e.clone().into_func().is_some())
                    .map(|e| e.name().to_string())
                    .collect();
                let message = format!("no exported function `{name}`; exported functions: {}", exports.join(", "));
                return RunOutcome::Failed { stage: Phase::Instantiate, message };
            };
            let ty = func.ty(&*store);
            let params = match parse_args(name, &ty, args) {
                Ok(params) => params,
                Err(message) => return RunOutcome::Failed { stage: Phase::Instantiate, message },
            };
            let mut results = vec![Val::I32(0); ty.results().len()];
            store.data_mut().trace.entered();
            match func.call_async(&mut *store, &params, &mut results).await {
                Ok(()) => Ok(RunOutcome::Returned { values: results.iter().filter_map(value_of).collect() }),
                Err(e) => Err(e),
            }
        }
    };
    result.unwrap_or_else(outcome_of_error)
}

fn report_initial_memory(store: &mut Store<Host>, instance: &Instance) {
    if let Some(memory) = instance.get_memory(&mut *store, "memory") {
        let ty = memory.ty(&*store);
        let page = ty.page_size();
        let bytes = memory.data_size(&*store) as u64;
        let maximum = ty.maximum().map(|pages| pages.saturating_mul(page));
        let host = store.data_mut();
        host.memory = Some(memory);
        host.trace.memory(MemoryChange::Initial { bytes, maximum });
    }
    store.data_mut().set_instantiated();
}

/// The imports no WASI preview1 host provides, as one message; `None` when
/// every import names a preview1 function (their types are checked when
/// linking).
fn unsatisfied_imports(module: &Module) -> Option<String> {
    let missing: Vec<String> = module
        .imports()
        .filter(|import| !(import.module() == "wasi_snapshot_preview1" && WasiFunc::from_name(import.name()).is_some()))
        .filter(|import| !(cfg!(feature = "fault-injection") && import.module() == "wasmscope_fault"))
        .map(|import| format!("`{}::{}`", import.module(), import.name()))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let shown = missing.iter().take(8).cloned().collect::<Vec<_>>().join(", ");
    let more = if missing.len() > 8 { format!(" and {} more", missing.len() - 8) } else { String::new() };
    let hint = if missing.iter().any(|m| m.starts_with("`wasi_unstable::")) {
        " It targets the older `wasi_unstable` (preview0) ABI; rebuild it for wasm32-wasip1."
    } else {
        " Wasmscope provides `wasi_snapshot_preview1` functions only, so the module cannot be linked."
    };
    Some(format!("the module imports {shown}{more}, which no WASI host provides.{hint}"))
}

fn parse_args(name: &str, ty: &wasmtime::FuncType, args: &[String]) -> Result<Vec<Val>, String> {
    let params: Vec<ValType> = ty.params().collect();
    if params.len() != args.len() {
        return Err(format!("export `{name}` takes {} argument(s), {} given", params.len(), args.len()));
    }
    params
        .iter()
        .zip(args)
        .enumerate()
        .map(|(i, (ty, arg))| {
            let bad = |what: &str| format!("argument {} of `{name}`: `{arg}` is not {what}", i + 1);
            Ok(match ty {
                ValType::I32 => {
                    Val::I32(parse_int(arg).and_then(|v| i32::try_from(v).ok()).ok_or_else(|| bad("an i32"))?)
                }
                ValType::I64 => {
                    Val::I64(parse_int(arg).and_then(|v| i64::try_from(v).ok()).ok_or_else(|| bad("an i64"))?)
                }
                ValType::F32 => Val::F32(arg.parse::<f32>().map_err(|_| bad("an f32"))?.to_bits()),
                ValType::F64 => Val::F64(arg.parse::<f64>().map_err(|_| bad("an f64"))?.to_bits()),
                other => {
                    return Err(format!(
                        "argument {} of `{name}` has type {other}, which cannot be given as text",
                        i + 1
                    ));
                }
            })
        })
        .collect()
}

/// Decimal or `0x` hexadecimal, possibly negative.
fn parse_int(text: &str) -> Option<i128> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let value = match digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        Some(hex) => i128::from_str_radix(hex, 16).ok()?,
        None => digits.parse::<i128>().ok()?,
    };
    Some(if negative { -value } else { value })
}

fn value_of(val: &Val) -> Option<Value> {
    Some(match val {
        Val::I32(v) => Value::I32(*v),
        Val::I64(v) => Value::I64(*v),
        Val::F32(bits) => Value::F32(f32::from_bits(*bits)),
        Val::F64(bits) => Value::F64(f64::from_bits(*bits)),
        _ => return None,
    })
}
