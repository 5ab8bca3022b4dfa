//! Components (WASI 0.2 and 0.3, with wasi:http): a command's `wasi:cli/run`,
//! or one typed export called with WAVE values, under the same
//! `SandboxProfile` and reporting the same events as a preview1 run. Host
//! calls are traced by `host_calls`; outgoing HTTP requests by `sandbox::http`.

use std::sync::Arc;
use std::time::Instant;

use http_body_util::BodyExt;
use wasmtime::component::types::{ComponentFunc, ComponentItem};
use wasmtime::component::{Accessor, Component, Func, Instance, InstancePre, Linker, ResourceTable, Val};
use wasmtime::{AsContextMut, ResourceLimiter, Store};
use wasmtime_wasi::clocks::WasiClocksCtxView;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use crate::boundary::event::{HostCall, HttpResponse, MemoryChange, Phase, RunOutcome, Value};
use crate::boundary::profile::{PartProfile, SandboxProfile, StdinSource};
use crate::boundary::request::{Entry, HttpRequest};

use super::guest::{
    RunContext, command_ended, failed_or_trapped, outcome_of_compile_failure, outcome_of_error, spawn_stdin_writer,
};
use super::wit_text::type_name;
use super::{file_reads, glass_box, hot_calls, link_error, part_call};
use crate::sandbox::http::HttpHooks;
use crate::sandbox::network::NetworkGuard;
use crate::sandbox::output::OutputSink;
use crate::sandbox::wasi_ctx;
use crate::trace::async_ends::AsyncEnds;
use crate::trace::direct_calls::{Begun, DirectCalls, Hot, Recorded, Returned};
use crate::trace::host_calls::{CallLog, Collector, Judge};
use crate::trace::recorder::Tracer;

/// The store's data for a component run.
pub(crate) struct ComponentHost {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    http_hooks: HttpHooks,
    table: ResourceTable,
    pub trace: Tracer,
    log: Arc<CallLog>,
    memory_cap: Option<u64>,
    /// Linear memory of every core instance in the component, in bytes.
    memory_total: u64,
    instantiated: bool,
    /// When the run started, for the time of calls recorded here.
    origin: Instant,
    /// In a composed component run part by part: the part running now, and
    /// the parts that called into it (innermost last).
    part: Option<Arc<str>>,
    callers: Vec<Option<Arc<str>>>,
    /// The WASI contexts of parts given capabilities of their own
    /// (`SandboxProfile::parts`); other parts use `wasi`.
    part_wasi: Vec<PartContext>,
    /// What WASI 0.3 streams and futures do after their calls, followed
    /// when the run records its calls.
    ends: Option<Arc<AsyncEnds>>,
    /// The calls of the hottest host functions (`hot_calls`), recorded
    /// without `tracing` when the run records its calls.
    direct: Option<DirectCalls>,
}

impl ComponentHost {
    /// Moves the calls that returned since the last look into the trace,
    /// with what WASI 0.3 streams and futures did meanwhile, in order.
    fn drain(&mut self) {
        // In a composed component run part by part, the calls that
        // returned since the last look were made by the part running now.
        let (part, part_wasi, trace) = (&self.part, &self.part_wasi, &mut self.trace);
        let hand_over = |call: HostCall| hand_over(call, part, part_wasi, trace);
        match self.ends.as_deref().filter(|ends| ends.has_news()) {
            None => self.log.drain_each(hand_over),
            // An end is waiting for its call's name, or something ended:
            // calls and ends are put in the order they finished.
            Some(ends) => {
                let mut calls = Vec::new();
                self.log.drain_each(|call| {
                    ends.name_by(&call);
                    calls.push(call);
                });
                let mut ended = Vec::new();
                ends.take_ended(&mut ended);
                in_order_of_finish(calls, ended, hand_over);
            }
        }
    }

    /// What the epoch tick does while wasm runs, and `hand_over_while_waiting`
    /// while it does not: the calls so far to the trace, and the trace to the
    /// reader when its last hand-over is old enough.
    fn tick(&mut self) {
        self.drain();
        self.trace.flush_if_due();
    }

    /// The run is over: its calls, then what its streams and futures did
    /// last, then what of them was still pending.
    fn drain_last(&mut self) {
        self.drain();
        if let Some(call) = self.direct.as_mut().and_then(DirectCalls::unfinished) {
            hand_over(call, &self.part, &self.part_wasi, &mut self.trace);
        }
        if let Some(ends) = self.ends.take() {
            let mut ended = Vec::new();
            ends.take_ended(&mut ended);
            ends.take_pending(&mut ended);
            ended.into_iter().for_each(|record| self.trace.host_call(record));
        }
    }
}

/// Puts a call that has returned into the trace, as made by `part` (the
/// part running now, in a composed component run part by part).
fn hand_over(mut call: HostCall, part: &Option<Arc<str>>, part_wasi: &[PartContext], trace: &mut Tracer) {
    if call.part.is_none() {
        call.part.clone_from(part);
    }
    fill_in_for_part(&mut call, part_wasi);
    trace.host_call(call)
}

/// Hands `calls` (in the order they returned) and `ended` (in the order
/// they ended) to `each`, merged by the time each finished.
fn in_order_of_finish(calls: Vec<HostCall>, ended: Vec<HostCall>, mut each: impl FnMut(HostCall)) {
    let finish = |call: &HostCall| call.start_ns + call.dur_ns;
    let mut ended = ended.into_iter().peekable();
    for call in calls {
        while let Some(end) = ended.next_if(|end| finish(end) < finish(&call)) {
            each(end);
        }
        each(call);
    }
    ended.for_each(each);
}

/// A composed component run part by part (`glass_box`).
impl glass_box::PartHost for ComponentHost {
    fn compiled(&mut self, nanos: u64, cached: bool) {
        self.trace.phase(Phase::Compile, nanos, cached);
    }

    fn instantiated(&mut self, started: Instant) {
        self.note_instantiated(started);
    }

    fn entered(&mut self) {
        self.trace.entered();
    }

    /// From now on, calls are made by `part` (a part starting, or the
    /// command's part running).
    fn set_part(&mut self, part: &Arc<str>) {
        self.drain();
        self.part = Some(Arc::clone(part));
    }

    /// A call crosses into `callee`: calls so far belong to the caller.
    fn enter_part(&mut self, callee: &Arc<str>) -> u64 {
        self.drain();
        self.callers.push(self.part.replace(Arc::clone(callee)));
        self.now_ns()
    }

    /// The crossing returned: calls since it began belong to the callee;
    /// then the crossing itself is recorded, as every call is when it returns.
    fn leave_part(&mut self, crossing: HostCall) {
        self.drain();
        self.part = self.callers.pop().flatten();
        if self.trace.record_calls {
            self.trace.host_call(crossing);
        }
    }

    /// Nanoseconds since the run started, on the trace's clock.
    fn now_ns(&self) -> u64 {
        self.origin.elapsed().as_nanos() as u64
    }
}

impl WasiView for ComponentHost {
    // Called at the start of every host function: the moment to hand the
    // calls that returned before it to the trace, in order.
    // Output written before it is handed over too: the call may block (a
    // read of stdin after a prompt, a sleep), and a component has no other
    // moment to say so.
    //
    // A run that records no calls has no collector (see `guest`): only the
    // first call is timed, here, for the `FirstCall` phase.
    fn ctx(&mut self) -> WasiCtxView<'_> {
        self.before_host_call();
        self.view()
    }
}

/// What every host function does first, and the WASI context it sees.
impl ComponentHost {
    /// What the start of every host function does (`WasiView::ctx`).
    fn before_host_call(&mut self) {
        if self.trace.record_calls {
            self.drain();
        } else {
            self.trace.unrecorded_call();
        }
        if self.trace.output_pending() {
            self.trace.flush();
        }
    }

    /// The WASI context of the part running now: a part with capabilities
    /// of its own uses its own.
    fn view(&mut self) -> WasiCtxView<'_> {
        let own = match &self.part {
            Some(label) => self.part_wasi.iter_mut().find(|p| p.profile.names(label)).map(|p| &mut p.wasi),
            None => None,
        };
        WasiCtxView { ctx: own.unwrap_or(&mut self.wasi), table: &mut self.table }
    }
}

/// The hottest host functions, shadowed and recorded without `tracing`.
impl hot_calls::DirectHost for ComponentHost {
    #[inline]
    fn begin_direct(&mut self, hot: Hot, handle: Option<u32>, written: Option<&[u8]>) -> Option<Begun> {
        self.before_host_call();
        self.direct.as_mut().map(|direct| direct.begin(hot, handle, written))
    }

    fn awaiting_direct(&mut self, begun: Option<Begun>) {
        if let (Some(direct), Some(begun)) = (self.direct.as_mut(), begun) {
            direct.awaiting(begun);
        }
    }

    fn resumed_direct(&mut self) -> Option<Begun> {
        self.direct.as_mut()?.resumed()
    }

    /// Into the trace, after any call that returned before it.
    #[inline]
    fn end_direct(&mut self, begun: Option<Begun>, returned: Returned<'_>) {
        let (Some(direct), Some(begun)) = (self.direct.as_mut(), begun) else { return };
        let recorded = direct.returned(begun, returned);
        self.drain();
        match recorded {
            Recorded::Direct(mut call) => {
                call.part.clone_from(&self.part);
                self.trace.direct_call(call);
            }
            Recorded::Made(call) => hand_over(call, &self.part, &self.part_wasi, &mut self.trace),
        }
    }

    fn table(&mut self) -> &mut ResourceTable {
        &mut self.table
    }

    fn clocks(&mut self) -> WasiClocksCtxView<'_> {
        let WasiCtxView { ctx, table } = self.view();
        WasiClocksCtxView { ctx: ctx.clocks(), table }
    }
}

impl WasiHttpView for ComponentHost {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        if self.trace.record_calls {
            self.drain();
        }
        // A part with capabilities of its own sends under its own network policy.
        let own = match &self.part {
            Some(label) => self.part_wasi.iter_mut().find(|p| p.profile.names(label)).map(|p| &mut p.http_hooks),
            None => None,
        };
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: own.unwrap_or(&mut self.http_hooks) }
    }
}

impl ResourceLimiter for ComponentHost {
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        let (current, desired) = (current as u64, desired as u64);
        let from = self.memory_total;
        let to = from + desired.saturating_sub(current);
        // The profile's cap is on the component's memory as a whole (its
        // core instances each have their own); a memory's own maximum is
        // its own.
        let refused_by = match (self.memory_cap, maximum.map(|m| m as u64)) {
            (Some(cap), _) if to > cap => Some(cap),
            (_, Some(own)) if desired > own => Some(from + (own - current.min(own))),
            _ => None,
        };
        if let Some(cap) = refused_by {
            self.trace.memory(MemoryChange::Refused { from, requested: to, cap });
            return Ok(false);
        }
        self.memory_total = to;
        if self.instantiated {
            self.trace.memory(MemoryChange::Grew { from, to });
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= maximum.unwrap_or(usize::MAX).min(10_000_000))
    }
}

/// The linker every component run uses: wasmtime-wasi's WASI 0.2 and 0.3
/// hosts and wasmtime-wasi-http's `wasi:http` (0.2 and 0.3), side by side
/// (their interfaces have different versions, so a component may import
/// from both). WASI 0.3's file reads are followed past their call
/// (`file_reads`).
pub(crate) fn linker(engine: &wasmtime::Engine) -> wasmtime::Result<Linker<ComponentHost>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi::p3::add_to_linker(&mut linker)?;
    file_reads::follow(&mut linker, |host: &mut ComponentHost| host.ends.clone())?;
    hot_calls::shadow(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p3::add_to_linker(&mut linker)?;
    Ok(linker)
}

/// Runs a component: the counterpart of `core_module::guest`.
pub(crate) async fn guest(
    context: &RunContext,
    linker: &Linker<ComponentHost>,
    mut trace: Tracer,
    output: &Arc<OutputSink>,
    deadline: Option<Instant>,
    origin: Instant,
) -> (Tracer, RunOutcome) {
    let request = &context.request;
    let profile = &request.profile;
    let network = match NetworkGuard::new(&profile.network, profile.dns) {
        Ok(guard) => Arc::new(guard),
        Err(message) => {
            let message = format!("network allow-list: {message}");
            return (trace, RunOutcome::Failed { stage: Phase::Instantiate, message });
        }
    };
    let guest_ctx = match wasi_ctx::build_p2(profile, &context.program_name(), output, &network) {
        Ok(ctx) => ctx,
        Err(e) => return (trace, RunOutcome::Failed { stage: Phase::Instantiate, message: e.to_string() }),
    };
    trace.argv = guest_ctx.argv;
    trace.env_names = guest_ctx.env_names;
    trace.preopens = profile.mounts.iter().map(|m| Box::from(m.guest.as_str())).collect();

    // A composed command whose calls are recorded runs part by part, so
    // that the calls between its parts are seen (see `glass_box`).
    // So does one whose parts have capabilities of their own, recorded or
    // not: run whole, every part would get the run's. And one with a part swapped.
    let own_capabilities = !profile.parts.is_empty();
    let plan = match glass_box::plan(request) {
        Ok(plan) => plan,
        Err(message) => return (trace, RunOutcome::Failed { stage: Phase::Instantiate, message }),
    };
    let log = Arc::new(CallLog::default());
    let http_log = request.record_calls.then(|| Arc::clone(&log));
    let part_wasi = match part_contexts(context, plan.as_ref(), output, &http_log, origin) {
        Ok(contexts) => contexts,
        Err(message) => return (trace, RunOutcome::Failed { stage: Phase::Instantiate, message }),
    };

    // Every host call from here on is seen by the collector, on this thread
    // only. When nothing will read the calls there is no collector: the
    // bindings' spans and events then find no subscriber interested and
    // format nothing, which is all that stock wasmtime-wasi pays. (Failed
    // calls are judged as denials only when recorded, so nothing else is
    // lost; the network guard's pending refusal is the run's own and ends
    // with it.) `Dispatch::none()` rather than no default at all, so that a
    // global subscriber the embedding may have set does not see the guest's
    // calls either. Callsites keep the interest the collector gave them
    // (`Interest::sometimes`): a run that records, on this thread or
    // another, still sees every call.
    let dispatch = if request.record_calls {
        tracing::Dispatch::new(Collector::new(origin, Arc::clone(&log), Judge::new(profile, Arc::clone(&network))))
    } else {
        tracing::Dispatch::none()
    };
    let _traced = tracing::dispatcher::set_default(&dispatch);
    let ends = request.record_calls.then(|| AsyncEnds::new(origin));
    if let Some(ends) = &ends {
        output.follow_ends(Arc::clone(ends));
    }

    let host = ComponentHost {
        wasi: guest_ctx.wasi,
        http: WasiHttpCtx::new(),
        http_hooks: HttpHooks::new(Arc::clone(&network), http_log, origin),
        table: ResourceTable::new(),
        trace,
        log,
        memory_cap: profile.limits.max_memory_bytes,
        memory_total: 0,
        instantiated: false,
        origin,
        part: None,
        callers: Vec::new(),
        part_wasi,
        ends,
        direct: request.record_calls.then(|| DirectCalls::new(origin, Judge::new(profile, Arc::clone(&network)))),
    };
    let on_tick = ComponentHost::tick;
    let mut store = match context.new_store(host, on_tick) {
        Ok(store) => store,
        Err((host, outcome)) => return (host.trace, outcome),
    };

    let stdin_feed = guest_ctx.stdin.map(spawn_stdin_writer);
    let outcome = {
        let call = async {
            // An inner part's export: that part, and those it imports from.
            if let Some(part) = &request.part {
                let Entry::Invoke { name, args } = &request.entry else {
                    let message = format!("part `{part}`: only an export of a part can be called on its own");
                    return RunOutcome::Failed { stage: Phase::Instantiate, message };
                };
                return match part_call::plan(&request.module.bytes, part) {
                    Ok(plan) => part_call::call(context, &mut store, linker, plan, name, args, deadline).await,
                    Err(message) => RunOutcome::Failed { stage: Phase::Instantiate, message },
                };
            }
            if let Some(plan) = plan {
                if let Some(outcome) = glass_box::run(context, &mut store, linker, plan, deadline).await {
                    return outcome;
                }
                // Run whole, the parts would get the run's capabilities.
                if own_capabilities {
                    let message = "capabilities per part need the parts run one by one, and these pass a \
                                   resource, a stream or an async call between them"
                        .to_string();
                    return RunOutcome::Failed { stage: Phase::Instantiate, message };
                }
            }
            let compile_started = Instant::now();
            let job = context.compile_job(deadline);
            let component = match context.slot.compile_component(&request.module.bytes, request.module.sha256, job) {
                Ok((component, cached)) => {
                    store.data_mut().trace.phase(Phase::Compile, compile_started.elapsed().as_nanos() as u64, cached);
                    component
                }
                Err(failure) => return outcome_of_compile_failure(failure),
            };
            let pre = match linker.instantiate_pre(&component) {
                Ok(pre) => pre,
                Err(e) => {
                    let message = link_error::explain(&component, &context.slot.engine, &e);
                    return RunOutcome::Failed { stage: Phase::Instantiate, message };
                }
            };
            call_component(&mut store, &pre, &request.entry).await
        };
        context.race(call, stdin_feed, deadline).await
    };
    // The call's future is gone: calls it was inside of have been logged.
    // Streams the store still holds end with it: they were pending.
    if let Some(ends) = &store.data().ends {
        ends.run_over();
    }
    let mut host = store.into_data();
    host.drain_last();
    (host.trace, outcome)
}

async fn call_component(
    store: &mut Store<ComponentHost>,
    pre: &InstancePre<ComponentHost>,
    entry: &Entry,
) -> RunOutcome {
    let started = Instant::now();
    match entry {
        Entry::Start if exports_run_of(pre, "0.3") => {
            let command = match wasmtime_wasi::p3::bindings::CommandPre::new(pre.clone()) {
                Ok(command) => command,
                Err(e) => {
                    let message = format!("this component's `wasi:cli/run` is not the one WASI 0.3 defines: {e:#}");
                    return RunOutcome::Failed { stage: Phase::Instantiate, message };
                }
            };
            let command = match command.instantiate_async(&mut *store).await {
                Ok(command) => command,
                Err(e) => return failed_or_trapped(e, Phase::Instantiate),
            };
            instantiated(store, started);
            store.data_mut().trace.entered();
            // 0.3's `run` is an `async func`: it runs inside the store's
            // event loop, with the streams and futures it awaits.
            let ran = store
                .run_concurrent(async move |store| with_hand_over(store, command.wasi_cli_run().call_run(store)).await)
                .await;
            command_ended(ran.and_then(|ran| ran))
        }
        Entry::Start => {
            let command = match wasmtime_wasi::p2::bindings::CommandPre::new(pre.clone()) {
                Ok(command) => command,
                Err(e) => {
                    let message = if exports_run_of(pre, "") {
                        format!("this component's `wasi:cli/run` is not the one WASI 0.2 defines: {e:#}")
                    } else {
                        "this component does not export `wasi:cli/run`, so it is not a command: call one of its \
                         exported functions instead"
                            .to_string()
                    };
                    return RunOutcome::Failed { stage: Phase::Instantiate, message };
                }
            };
            let command = match command.instantiate_async(&mut *store).await {
                Ok(command) => command,
                Err(e) => return failed_or_trapped(e, Phase::Instantiate),
            };
            instantiated(store, started);
            store.data_mut().trace.entered();
            command_ended(command.wasi_cli_run().call_run(&mut *store).await)
        }
        Entry::Http(request) => handle_request(store, pre, request, started).await,
        Entry::Invoke { name, args } => {
            let instance = match pre.instantiate_async(&mut *store).await {
                Ok(instance) => instance,
                Err(e) => return failed_or_trapped(e, Phase::Instantiate),
            };
            instantiated(store, started);
            let func = match find_function(store, pre.component(), &instance, name) {
                Ok(func) => func,
                Err(message) => return RunOutcome::Failed { stage: Phase::Instantiate, message },
            };
            let ty = func.ty(&*store);
            let params = match parse_wave_args(name, &ty, args) {
                Ok(params) => params,
                Err(message) => return RunOutcome::Failed { stage: Phase::Instantiate, message },
            };
            let mut results = vec![Val::Bool(false); ty.results().len()];
            store.data_mut().trace.entered();
            // An `async func` runs inside the store's event loop, where the
            // trace is handed over while it awaits.
            let called = if ty.async_() {
                let results = &mut results;
                let call = async |store: &Accessor<ComponentHost>| {
                    with_hand_over(store, func.call_concurrent(store, &params, results)).await
                };
                store.run_concurrent(call).await.and_then(|called| called)
            } else {
                func.call_async(&mut *store, &params, &mut results).await
            };
            if let Err(e) = called {
                return outcome_of_error(e);
            }
            let values = results
                .iter()
                .map(|v| Value::Wave(wasm_wave::to_string(v).unwrap_or_else(|e| format!("<cannot print: {e}>"))))
                .collect();
            RunOutcome::Returned { values }
        }
    }
}

/// What a part with capabilities of its own was given, where the bindings
/// elide it (the trace fills in the run's otherwise): its mounts, and the
/// names of its environment variables.
fn fill_in_for_part(call: &mut HostCall, part_wasi: &[PartContext]) {
    if &*call.result != "\"...\"" {
        return;
    }
    let Some(label) = call.part.as_deref() else { return };
    let Some(PartContext { profile: own, .. }) = part_wasi.iter().find(|p| p.profile.names(label)) else { return };
    let quoted = |items: Vec<&str>| items.iter().map(|i| format!("{i:?}")).collect::<Vec<_>>().join(", ");
    let known = match (&*call.interface, &*call.function) {
        ("wasi:filesystem/preopens", "get-directories") => {
            format!("[{}]", quoted(own.profile.mounts.iter().map(|m| m.guest.as_str()).collect()))
        }
        ("wasi:cli/environment", "get-environment") if !own.profile.env.inherit_host => format!(
            "[{}] (names; values are not recorded)",
            quoted(own.profile.env.vars.iter().map(|(k, _)| k.as_str()).collect())
        ),
        _ => return,
    };
    call.result = known.into();
}

/// What a part with capabilities of its own runs with.
pub(crate) struct PartContext {
    profile: PartProfile,
    wasi: WasiCtx,
    /// Outgoing wasi:http requests under the part's own network policy.
    http_hooks: HttpHooks,
}

/// The WASI contexts of the parts the profile gives capabilities of their
/// own: each from the part's profile, with the run's arguments and an empty
/// stdin. Fails when the profile names parts and the component cannot be
/// run part by part, or names a part it does not have.
fn part_contexts(
    context: &RunContext,
    plan: Option<&glass_box::Plan>,
    output: &Arc<OutputSink>,
    http_log: &Option<Arc<CallLog>>,
    origin: Instant,
) -> Result<Vec<PartContext>, String> {
    let profile = &context.request.profile;
    if profile.parts.is_empty() {
        return Ok(Vec::new());
    }
    let Some(plan) = plan else {
        return Err("capabilities per part need a composed command (a wasi:cli/run@0.2 command made of \
                    components that pass plain values to each other); this component cannot be run part by part"
            .to_string());
    };
    let labels = plan.labels();
    let mut contexts = Vec::new();
    for part in &profile.parts {
        let known = || labels.iter().map(|l| format!("`{l}`")).collect::<Vec<_>>().join(", ");
        match labels.iter().filter(|label| part.names(label)).count() {
            0 => return Err(format!("no part `{}` in this component; its parts are {}", part.part, known())),
            1 => {}
            _ => {
                return Err(format!(
                    "`{}` names more than one part of this component; name one by its number: {}",
                    part.part,
                    known()
                ));
            }
        }
        let own = SandboxProfile {
            args: profile.args.clone(),
            stdin: StdinSource::default(),
            limits: profile.limits,
            parts: Vec::new(),
            ..part.profile.clone()
        };
        let network =
            Arc::new(NetworkGuard::new(&own.network, own.dns).map_err(|m| format!("part `{}`: {m}", part.part))?);
        let built = wasi_ctx::build_p2(&own, &context.program_name(), output, &network)
            .map_err(|e| format!("part `{}`: {e}", part.part))?;
        let http_hooks = HttpHooks::new(network, http_log.clone(), origin);
        contexts.push(PartContext { profile: part.clone(), wasi: built.wasi, http_hooks });
    }
    Ok(contexts)
}

/// The largest response body a handler may give; a larger one fails the
/// request (the response is collected whole).
const MAX_RESPONSE_BODY: usize = 64 << 20;

/// Answers one HTTP request with a fresh instance of a `wasi:http` handler
/// (0.2 or 0.3), as `wasmtime serve` does; the response is collected whole.
/// How often the trace is handed over while a WASI 0.3 guest awaits.
const IDLE_HAND_OVER: std::time::Duration = std::time::Duration::from_millis(50);

/// Runs `work` inside the store's event loop and, while it waits (a guest
/// awaiting a future or a stream runs no wasm, so no epoch tick comes),
/// hands the trace over every `IDLE_HAND_OVER`: the calls made before a
/// long `wait-for` reach the reader, and `tail -f` on the trace file, at once.
async fn with_hand_over<R>(store: &Accessor<ComponentHost>, work: impl Future<Output = R>) -> R {
    let hand_over = async {
        loop {
            tokio::time::sleep(IDLE_HAND_OVER).await;
            store.with(|mut access| access.data_mut().tick());
        }
    };
    tokio::select! {
        biased;
        done = work => done,
        never = hand_over => never,
    }
}

async fn handle_request(
    store: &mut Store<ComponentHost>,
    pre: &InstancePre<ComponentHost>,
    request: &HttpRequest,
    started: Instant,
) -> RunOutcome {
    use wasmtime_wasi_http::handler::{Prepared, ProxyPre};
    let proxy_pre = match wasmtime_wasi_http::p3::bindings::ServicePre::new(pre.clone()) {
        Ok(p3) => ProxyPre::P3(p3),
        Err(_) => match wasmtime_wasi_http::p2::bindings::ProxyPre::new(pre.clone()) {
            Ok(p2) => ProxyPre::P2(p2),
            Err(_) => {
                let message = "this component is not an HTTP handler: it exports neither \
                               `wasi:http/incoming-handler` (WASI 0.2) nor `wasi:http/handler` (0.3)";
                return RunOutcome::Failed { stage: Phase::Instantiate, message: message.to_string() };
            }
        },
    };
    let http_request = match to_http(request) {
        Ok(r) => r,
        Err(message) => return RunOutcome::Failed { stage: Phase::Instantiate, message },
    };
    let proxy = match proxy_pre.instantiate_async(&mut *store).await {
        Ok(proxy) => proxy,
        Err(e) => return failed_or_trapped(e, Phase::Instantiate),
    };
    instantiated(store, started);
    store.data_mut().trace.entered();
    let (tx, rx) = futures::channel::oneshot::channel();
    let prepared = match Prepared::new(store.as_context_mut(), &proxy, http_request, ComponentHost::http, tx) {
        Ok(prepared) => prepared,
        Err(e) => return outcome_of_error(e),
    };
    // The handler runs, and its response body is read, inside the store's
    // event loop: a 0.2 handler writes its body through a small buffer, so
    // reading must go on while it writes.
    let ran = store
        .run_concurrent(async |store| {
            let run = prepared.run(store, std::future::pending());
            let read = async {
                let response = rx.await.map_err(|_| wasmtime::format_err!("the handler gave no response"))??;
                let (parts, body) = response.into_parts();
                let body = http_body_util::Limited::new(body, MAX_RESPONSE_BODY).collect().await.map_err(|e| {
                    wasmtime::format_err!("reading the response body (at most {MAX_RESPONSE_BODY} bytes are kept): {e}")
                })?;
                wasmtime::Result::Ok((parts, body.to_bytes()))
            };
            let (ran, read) = with_hand_over(store, async { tokio::join!(run, read) }).await;
            ran.and(read)
        })
        .await;
    match ran.and_then(|r| r) {
        Ok((parts, body)) => RunOutcome::Responded(HttpResponse {
            status: parts.status.as_u16(),
            headers: crate::sandbox::http::header_pairs(&parts.headers),
            body: body.to_vec(),
        }),
        Err(e) => outcome_of_error(e),
    }
}

/// The request as wasmtime-wasi-http takes it: a path-only URI and a
/// `host` header, as a server receives it.
fn to_http(request: &HttpRequest) -> Result<http::Request<wasmtime_wasi_http::WasiBody>, String> {
    let body = http_body_util::Full::new(bytes::Bytes::from(request.body.clone()))
        .map_err(|never| match never {})
        .boxed_unsync();
    let path = if request.path.starts_with('/') { request.path.clone() } else { format!("/{}", request.path) };
    let mut builder = http::Request::builder().method(request.method.as_str()).uri(&path);
    if !request.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        builder = builder.header("host", "localhost");
    }
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder.body(body).map_err(|e| format!("not a valid HTTP request: {e}"))
}

/// Whether the component exports `wasi:cli/run` of a version starting with
/// `version` (`"0.3"`; `""` for any).
fn exports_run_of(pre: &InstancePre<ComponentHost>, version: &str) -> bool {
    pre.component()
        .component_type()
        .exports(pre.engine())
        .any(|(name, _)| name.strip_prefix("wasi:cli/run@").is_some_and(|v| v.starts_with(version)))
}

fn instantiated(store: &mut Store<ComponentHost>, started: Instant) {
    store.data_mut().note_instantiated(started);
}

impl ComponentHost {
    /// Instantiation is over: its time, and the memory it started with.
    fn note_instantiated(&mut self, started: Instant) {
        self.trace.phase(Phase::Instantiate, started.elapsed().as_nanos() as u64, false);
        self.instantiated = true;
        let bytes = self.memory_total;
        self.trace.memory(MemoryChange::Initial { bytes, maximum: self.memory_cap });
    }
}

/// Finds an exported function by `interface#function`, `interface/function`,
/// or a bare name that is unique among the component's exports.
fn find_function(
    store: &mut Store<ComponentHost>,
    component: &Component,
    instance: &Instance,
    name: &str,
) -> Result<Func, String> {
    let split = name.rsplit_once('#').or_else(|| name.rsplit_once('.').filter(|(i, _)| i.contains(':')));
    if let Some((interface, function)) = split {
        let inner = instance.get_export_index(&mut *store, None, interface);
        let index = inner.as_ref().and_then(|i| instance.get_export_index(&mut *store, Some(i), function));
        if let Some(func) = index.and_then(|index| instance.get_func(&mut *store, index)) {
            return Ok(func);
        }
    } else if let Some(func) = instance.get_func(&mut *store, name) {
        return Ok(func);
    }
    // A bare name: look inside every exported interface.
    let functions = exported_functions(store.engine(), &Some(component.component_type()));
    let matches: Vec<&ExportedFunction> =
        functions.iter().filter(|f| f.name == name || f.path() == name || f.function == name).collect();
    match matches.as_slice() {
        [one] => {
            let inner = one.interface.as_ref().and_then(|i| instance.get_export_index(&mut *store, None, i));
            let index = instance.get_export_index(&mut *store, inner.as_ref(), &one.function);
            index
                .and_then(|index| instance.get_func(&mut *store, index))
                .ok_or_else(|| format!("cannot reach `{name}`"))
        }
        [] => {
            let all: Vec<String> = functions.iter().map(|f| format!("`{}`", f.path())).collect();
            Err(if all.is_empty() {
                format!("no exported function `{name}`: this component exports no functions")
            } else {
                format!("no exported function `{name}`; exported functions: {}", all.join(", "))
            })
        }
        several => {
            let all: Vec<String> = several.iter().map(|f| format!("`{}`", f.path())).collect();
            Err(format!("`{name}` is exported by more than one interface; name one of {}", all.join(", ")))
        }
    }
}

/// Parses each argument as a WAVE value of the parameter's type.
fn parse_wave_args(name: &str, ty: &ComponentFunc, args: &[String]) -> Result<Vec<Val>, String> {
    let params: Vec<(&str, wasmtime::component::Type)> = ty.params().collect();
    if params.len() != args.len() {
        let names: Vec<String> = params.iter().map(|(n, t)| format!("{n}: {}", type_name(t))).collect();
        return Err(format!(
            "`{name}` takes {} argument(s) ({}), {} given",
            params.len(),
            names.join(", "),
            args.len()
        ));
    }
    params
        .iter()
        .zip(args)
        .map(|((param, ty), arg)| {
            wasm_wave::from_str::<Val>(ty, arg)
                .map_err(|e| format!("argument `{param}` of `{name}`: `{arg}` is not a {} value: {e}", type_name(ty)))
        })
        .collect()
}

/// One function a component exports, as `find_function` looks for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ExportedFunction {
    /// The exported interface, e.g. `wasmscope:db/database-connector`;
    /// `None` for a function the world exports directly.
    pub interface: Option<String>,
    pub function: String,
    /// `function` alone when that is unambiguous, else `path()`.
    pub name: String,
}

impl ExportedFunction {
    /// `interface#function`, or the function alone.
    pub(crate) fn path(&self) -> String {
        match &self.interface {
            Some(interface) => format!("{interface}#{}", self.function),
            None => self.function.clone(),
        }
    }
}

/// The functions a component exports, at the top level and one interface deep.
pub(crate) fn exported_functions(
    engine: &wasmtime::Engine,
    ty: &Option<wasmtime::component::types::Component>,
) -> Vec<ExportedFunction> {
    let Some(ty) = ty else { return Vec::new() };
    let mut out = Vec::new();
    let describe = |interface: Option<&str>, name: &str| ExportedFunction {
        interface: interface.map(str::to_string),
        function: name.to_string(),
        name: name.to_string(),
    };
    for (name, item) in ty.exports(engine) {
        match item.ty {
            ComponentItem::ComponentFunc(_) => out.push(describe(None, name)),
            ComponentItem::ComponentInstance(instance) => {
                for (inner, item) in instance.exports(engine) {
                    if let ComponentItem::ComponentFunc(_) = item.ty {
                        out.push(describe(Some(name), inner));
                    }
                }
            }
            _ => {}
        }
    }
    let ambiguous: Vec<String> = out
        .iter()
        .filter(|f| out.iter().filter(|g| g.function == f.function).count() > 1)
        .map(|f| f.function.clone())
        .collect();
    for f in &mut out {
        if ambiguous.contains(&f.function) {
            f.name = f.path();
        }
    }
    out
}
