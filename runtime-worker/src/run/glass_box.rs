//! A composed component run part by part ("glass box"). A statically
//! composed component (`wac plug`) fuses the calls between its parts: no
//! host sees them. Here each inner component is compiled and instantiated on
//! its own, in the run's one store, in the order the composed file's wiring
//! gives; every import one part takes from another is defined as a host
//! function that calls the other part's export and records the crossing
//! (caller, callee, arguments and result as WAVE values, time). The WASI
//! host calls each part makes are tagged with that part.
//!
//! What the parts do is what the fused file does: the same code, wired the
//! same way, under the same WASI context (or, for a part given capabilities
//! of its own, under its own). Only commands (`wasi:cli/run` of 0.2) whose
//! parts pass plain values between them run this way; anything else
//! (resources or async across parts, a 0.3 command, a typed call) runs whole
//! when its calls are recorded, and is refused when capabilities per part
//! were asked for.

use std::sync::Arc;
use std::time::Instant;

use sha2::{Digest, Sha256};
use wasmtime::Store;
use wasmtime::component::types::{ComponentFunc, ComponentItem};
use wasmtime::component::{Component, Instance, Linker, Type, Val};

use super::guest::{RunContext, command_ended, failed_or_trapped, outcome_of_compile_failure};
use super::link_error;
use super::wit_text::func_text;
use crate::boundary::event::{HostCall, Phase, RunOutcome};
use crate::boundary::name::Name;
use crate::boundary::profile::part_named;
use crate::boundary::request::{Entry, PartSwap, RunRequest};
use crate::inspect::composition::{self, Source, Target};
use crate::inspect::load::ModuleKind;

/// What a part-by-part run needs of the store's data (the component run's
/// host implements it; kept as a trait so that this file does not name that
/// one back).
pub(crate) trait PartHost: Send + 'static {
    /// The parts were compiled (or found compiled: `cached`).
    fn compiled(&mut self, nanos: u64, cached: bool);
    /// Every part is instantiated.
    fn instantiated(&mut self, started: Instant);
    /// The command is about to be called.
    fn entered(&mut self);
    /// From now on, calls are made by `part`.
    fn set_part(&mut self, part: &Arc<str>);
    /// A call crosses into `callee`; returns when it started.
    fn enter_part(&mut self, callee: &Arc<str>) -> u64;
    /// The crossing returned; it is recorded.
    fn leave_part(&mut self, crossing: HostCall);
    /// Nanoseconds since the run started.
    fn now_ns(&self) -> u64;
}

/// How a composed command is run part by part.
pub(crate) struct Plan {
    parts: Vec<PlannedPart>,
    /// Parts in an order where every part comes after those it imports from.
    order: Vec<usize>,
    /// The part that exports the composed command's `wasi:cli/run`, and the
    /// export's name.
    command: (usize, String),
}

struct PlannedPart {
    /// `#1 command`, as calls are tagged; a swapped part's adds the
    /// replacement's name: `#0 database-connector (provider_rust.wasm)`.
    label: Arc<str>,
    bytes: Arc<[u8]>,
    /// (the part's import, the part it comes from, that part's export).
    links: Vec<(String, usize, String)>,
    /// For a swapped part: the label of the part it stands in for.
    replaces: Option<String>,
}

/// How `request` runs: part by part (`Some`), or whole (`None`: nothing
/// asks for its parts, or it is not a composed 0.2 command whose parts pass
/// values only). Recorded calls, capabilities per part and swapped parts
/// ask for its parts; a swap that cannot be made is an error, since running
/// the file whole would run the part it replaces.
pub(crate) fn plan(request: &RunRequest) -> Result<Option<Plan>, String> {
    let swaps = &request.swaps;
    let wanted = request.record_calls || !request.profile.parts.is_empty() || !swaps.is_empty();
    if !wanted || request.entry != Entry::Start {
        return match swaps.is_empty() {
            true => Ok(None),
            false => Err("swapping a part needs the composed command run from its start (wasi:cli/run), \
                          not a call of one of its exports or an HTTP request"
                .to_string()),
        };
    }
    let plan = plan_of(&request.module.bytes);
    if swaps.is_empty() {
        return Ok(plan);
    }
    let Some(mut plan) = plan else {
        return Err(format!(
            "cannot swap a part of {}: only a composed command (wasi:cli/run@0.2) whose parts pass plain values \
             to each other is run part by part",
            request.module.name
        ));
    };
    for swap in swaps {
        plan.swap(swap)?;
    }
    Ok(Some(plan))
}

/// The plan for running `bytes` part by part, or `None` when it is not a
/// composed 0.2 command whose parts pass values only.
fn plan_of(bytes: &[u8]) -> Option<Plan> {
    let composition = composition::read(bytes)?;
    let mut parts: Vec<PlannedPart> = composition
        .parts
        .iter()
        .map(|part| {
            Some(PlannedPart {
                label: Arc::from(composition::part_label(&composition.parts, part.index)),
                bytes: Arc::from(part.bytes(bytes)?),
                links: Vec::new(),
                replaces: None,
            })
        })
        .collect::<Option<_>>()?;
    let mut command = None;
    for wire in &composition.wiring {
        match (&wire.from, &wire.to) {
            (Source::Part { part: from, export: Some(export) }, Target::Part { part: to, import }) => {
                parts.get_mut(*to)?.links.push((import.clone(), *from, export.clone()));
            }
            (Source::Host { .. }, Target::Part { .. }) => {}
            (Source::Part { part, export: Some(export) }, Target::Host { export: name })
                if name.starts_with("wasi:cli/run@0.2") =>
            {
                command = Some((*part, export.clone()));
            }
            // Exports other than the command are not called in a run.
            (_, Target::Host { .. }) => {}
            // Something the composition makes itself, or a whole instance
            // of a part given as a whole: run it whole.
            _ => return None,
        }
    }
    let order = dependency_order(&parts)?;
    Some(Plan { parts, order, command: command? })
}

impl Plan {
    /// Each part as calls are tagged: `#0 database-connector`.
    pub(crate) fn labels(&self) -> Vec<&str> {
        self.parts.iter().map(|p| &*p.label).collect()
    }

    /// Puts `swap.with` in the place of the part `swap.part` names. What it
    /// exports and imports is checked once it is compiled (`check_swapped`).
    fn swap(&mut self, swap: &PartSwap) -> Result<(), String> {
        let known = || self.parts.iter().map(|p| format!("`{}`", p.label)).collect::<Vec<_>>().join(", ");
        let named: Vec<usize> =
            (0..self.parts.len()).filter(|&p| part_named(&swap.part, &self.parts[p].label)).collect();
        let index = match named[..] {
            [index] => index,
            [] => return Err(format!("cannot swap `{}`: no such part; the parts are {}", swap.part, known())),
            _ => {
                return Err(format!(
                    "cannot swap `{}`: it names more than one part; name one by its number: {}",
                    swap.part,
                    known()
                ));
            }
        };
        let part = &mut self.parts[index];
        if let Some(replaced) = &part.replaces {
            return Err(format!("`{replaced}` is swapped twice in one run"));
        }
        if swap.with.kind != ModuleKind::Component {
            return Err(format!(
                "{} is a core module: only a component can stand in for `{}`",
                swap.with.name, part.label
            ));
        }
        part.replaces = Some(part.label.to_string());
        part.label = Arc::from(format!("{} ({})", part.label, swap.with.name));
        part.bytes = Arc::clone(&swap.with.bytes);
        Ok(())
    }
}

/// Checks that each swapped part fits its place, and keeps of its place's
/// links those it imports (its other imports come from the host). It must
/// export every interface its consumers import from the place, each
/// function of it with the type they import (wasmtime's component types,
/// compared structurally), and the command if the place's part exported it.
fn check_swapped(plan: &mut Plan, components: &[Component], engine: &wasmtime::Engine) -> Result<(), String> {
    for p in 0..plan.parts.len() {
        let Some(replaced) = plan.parts[p].replaces.clone() else { continue };
        let ty = components[p].component_type();
        let imports: Vec<String> = ty.imports(engine).map(|(name, _)| name.to_string()).collect();
        plan.parts[p].links.retain(|(import, _, _)| imports.contains(import));
        let label = &plan.parts[p].label;
        let unfit = |why: String| format!("`{label}` cannot stand in for `{replaced}`: {why}");
        let mut wanted: Vec<(&str, &str, &str, &Component)> = Vec::new();
        for (q, consumer) in plan.parts.iter().enumerate() {
            for (import, _, export) in consumer.links.iter().filter(|(_, from, _)| *from == p) {
                wanted.push((&*consumer.label, import, export, &components[q]));
            }
        }
        for (consumer, import, export, consumer_component) in wanted {
            let Some(exported) = instance_functions(&components[p], engine, export, Side::Export) else {
                return Err(unfit(format!("it does not export `{export}`, which `{consumer}` imports")));
            };
            let Some(imported) = instance_functions(consumer_component, engine, import, Side::Import) else {
                continue;
            };
            for (function, want) in imported {
                match exported.iter().find(|(name, _)| *name == function) {
                    None => {
                        return Err(unfit(format!(
                            "its `{export}` has no function `{function}`, which `{consumer}` calls"
                        )));
                    }
                    Some((_, have)) if !same_type(have, &want) => {
                        return Err(unfit(format!(
                            "its `{export}#{function}` is `{}`, but `{consumer}` imports `{}`",
                            func_text(have),
                            func_text(&want)
                        )));
                    }
                    Some(_) => {}
                }
            }
        }
        let (command_part, command_export) = &plan.command;
        if *command_part == p {
            let has_run = instance_functions(&components[p], engine, command_export, Side::Export)
                .is_some_and(|functions| functions.iter().any(|(name, _)| name == "run"));
            if !has_run {
                return Err(unfit(format!("it does not export `{command_export}`, the command the host calls")));
            }
        }
    }
    Ok(())
}

/// Same parameters and results, by type (parameter names are not part of
/// the call: values cross by position).
fn same_type(a: &ComponentFunc, b: &ComponentFunc) -> bool {
    a.async_() == b.async_() && a.params().map(|(_, t)| t).eq(b.params().map(|(_, t)| t)) && a.results().eq(b.results())
}

/// Parts ordered so that each comes after the parts it imports from; `None`
/// for a cycle.
fn dependency_order(parts: &[PlannedPart]) -> Option<Vec<usize>> {
    let mut order = Vec::with_capacity(parts.len());
    while order.len() < parts.len() {
        let next = (0..parts.len())
            .find(|p| !order.contains(p) && parts[*p].links.iter().all(|(_, from, _)| order.contains(from)))?;
        order.push(next);
    }
    Some(order)
}

/// Compiles the parts, instantiates them wired through traced host
/// functions, and runs the command. `None`: a part cannot be linked this way
/// (a resource or an async function crosses), so run the file whole.
pub(crate) async fn run<T: PartHost>(
    context: &RunContext,
    store: &mut Store<T>,
    base: &Linker<T>,
    mut plan: Plan,
    deadline: Option<Instant>,
) -> Option<RunOutcome> {
    let compile_started = Instant::now();
    let mut components = Vec::with_capacity(plan.parts.len());
    let mut all_cached = true;
    for part in &plan.parts {
        let sha256: [u8; 32] = Sha256::digest(&part.bytes).into();
        match context.slot.compile_component(&part.bytes, sha256, context.compile_job(deadline)) {
            Ok((component, cached)) => {
                all_cached &= cached;
                components.push(component);
            }
            Err(failure) => return Some(outcome_of_compile_failure(failure)),
        }
    }
    if let Err(message) = check_swapped(&mut plan, &components, base.engine()) {
        return Some(failed(message));
    }
    // Only plain values may cross: each linked import's functions are
    // checked before anything is instantiated. Run whole otherwise, unless
    // a part is swapped (whole, the file would run the part it replaces).
    let swapped = plan.parts.iter().any(|p| p.replaces.is_some());
    for (part, component) in plan.parts.iter().zip(&components) {
        for (import, _, _) in &part.links {
            let functions = instance_functions(component, base.engine(), import, Side::Import);
            if functions.is_none_or(|functions| functions.iter().any(|(_, ty)| !plain(ty))) {
                let message = format!(
                    "`{}` imports `{import}` with a resource, a stream or an async function in it, and those \
                     cannot be handed from one part to another; a part of it cannot be swapped",
                    part.label
                );
                return swapped.then(|| failed(message));
            }
        }
    }
    store.data_mut().compiled(compile_started.elapsed().as_nanos() as u64, all_cached);

    let started = Instant::now();
    let mut instances: Vec<Option<Instance>> = vec![None; plan.parts.len()];
    for &p in &plan.order {
        let part = &plan.parts[p];
        let mut linker = base.clone();
        linker.allow_shadowing(true);
        let labels = |i: usize| Arc::clone(&plan.parts[i].label);
        if let Err(message) =
            link_crossings(&mut linker, store, &components[p], &part.label, &part.links, &instances, labels)
        {
            return Some(failed(message));
        }
        let pre = match linker.instantiate_pre(&components[p]) {
            Ok(pre) => pre,
            Err(e) => return Some(failed(not_linked(part, &components[p], base.engine(), &e))),
        };
        // Calls made while a part starts (its `_initialize`) are its own.
        store.data_mut().set_part(&part.label);
        let instance = match pre.instantiate_async(&mut *store).await {
            Ok(instance) => instance,
            Err(e) => return Some(failed_or_trapped(e, Phase::Instantiate)),
        };
        instances[p] = Some(instance);
    }
    store.data_mut().instantiated(started);

    let (part, export) = &plan.command;
    let instance = instances[*part].expect("every part is instantiated");
    let run = instance
        .get_export_index(&mut *store, None, export)
        .and_then(|inner| instance.get_export_index(&mut *store, Some(&inner), "run"))
        .and_then(|index| instance.get_func(&mut *store, index));
    let Some(run) = run else { return Some(failed(format!("{} exports no `{export}#run`", plan.parts[*part].label))) };
    store.data_mut().set_part(&plan.parts[*part].label);
    store.data_mut().entered();
    let mut result = [Val::Bool(false)];
    let ran = run.call_async(&mut *store, &[], &mut result).await;
    Some(command_ended(ran.map(|()| if matches!(result[0], Val::Result(Ok(_))) { Ok(()) } else { Err(()) })))
}

fn failed(message: String) -> RunOutcome {
    RunOutcome::Failed { stage: Phase::Instantiate, message: format!("running the parts one by one: {message}") }
}

/// Links each import `caller`'s part takes from another part (`links`: the
/// import, the part it comes from, that part's export) to that part's
/// instance, through host functions that call it and record each crossing.
/// The parts linked from are instantiated already; `label` names them.
pub(crate) fn link_crossings<T: PartHost>(
    linker: &mut Linker<T>,
    store: &mut Store<T>,
    component: &Component,
    caller: &Arc<str>,
    links: &[(String, usize, String)],
    instances: &[Option<Instance>],
    label: impl Fn(usize) -> Arc<str>,
) -> Result<(), String> {
    let engine = store.engine().clone();
    for (import, from, export) in links {
        let callee = instances[*from].expect("parts are instantiated in dependency order");
        let Some(exported) = callee.get_export_index(&mut *store, None, export) else {
            return Err(format!("{} does not export `{export}`", label(*from)));
        };
        let mut defined = linker.instance(import).map_err(|e| format!("{e:#}"))?;
        // Checked to be plain values before anything was instantiated.
        let functions = instance_functions(component, &engine, import, Side::Import).unwrap_or_default();
        for (function, _) in functions {
            let Some(func) = callee
                .get_export_index(&mut *store, Some(&exported), &function)
                .and_then(|index| callee.get_func(&mut *store, index))
            else {
                return Err(format!("{} exports no `{export}#{function}`", label(*from)));
            };
            let crossing = Arc::new(Crossing {
                interface: Name::from(import.as_str()),
                function: Name::from(function.as_str()),
                caller: Arc::clone(caller),
                callee: label(*from),
            });
            defined
                .func_new_async(&function, move |mut store, ty, params, results| {
                    let crossing = Arc::clone(&crossing);
                    Box::new(async move {
                        let start_ns = store.data_mut().enter_part(&crossing.callee);
                        let ran = func.call_async(&mut store, params, results).await;
                        let call = crossing.record(&ty, params, results, &ran, start_ns, store.data().now_ns());
                        store.data_mut().leave_part(call);
                        ran
                    })
                })
                .map_err(|e| format!("{e:#}"))?;
        }
    }
    Ok(())
}

/// Why a part's imports could not all be linked: for a swapped part, which
/// of the imports the host was to give it is missing, and which part it
/// stands in for.
fn not_linked(part: &PlannedPart, component: &Component, engine: &wasmtime::Engine, error: &wasmtime::Error) -> String {
    let Some(replaced) = &part.replaces else { return format!("{}: {error:#}", part.label) };
    let from_host: Vec<String> = component
        .component_type()
        .imports(engine)
        .map(|(name, _)| name.to_string())
        .filter(|name| !part.links.iter().any(|(import, _, _)| import == name))
        .collect();
    let why = link_error::explain_names(&from_host, &format!("{error:#}"));
    format!("`{}` cannot stand in for `{replaced}`: {why}", part.label)
}

/// Whether an instance is looked for among a component's imports or exports.
#[derive(Clone, Copy)]
pub(crate) enum Side {
    Import,
    Export,
}

/// The functions of the instance a component imports (or exports) as
/// `name`; `None` when there is none, or it holds more than functions and
/// types.
pub(crate) fn instance_functions(
    component: &Component,
    engine: &wasmtime::Engine,
    name: &str,
    side: Side,
) -> Option<Vec<(String, ComponentFunc)>> {
    let ty = component.component_type();
    let item = match side {
        Side::Import => ty.imports(engine).find(|(n, _)| *n == name)?.1,
        Side::Export => ty.exports(engine).find(|(n, _)| *n == name)?.1,
    };
    let ComponentItem::ComponentInstance(instance) = item.ty else { return None };
    let mut out = Vec::new();
    for (name, item) in instance.exports(engine) {
        match item.ty {
            ComponentItem::ComponentFunc(func) => out.push((name.to_string(), func)),
            // Types (records, variants) are fine; a resource is not.
            ComponentItem::Type(_) => {}
            _ => return None,
        }
    }
    Some(out)
}

/// A function whose parameters and results are values only: no resource,
/// stream or future (those belong to one part and cannot be handed over
/// through the host), and not `async`.
pub(crate) fn plain(ty: &ComponentFunc) -> bool {
    fn value(ty: &Type) -> bool {
        match ty {
            Type::Own(_) | Type::Borrow(_) | Type::Future(_) | Type::Stream(_) | Type::ErrorContext => false,
            Type::List(list) => value(&list.ty()),
            Type::Record(record) => record.fields().all(|f| value(&f.ty)),
            Type::Tuple(tuple) => tuple.types().all(|t| value(&t)),
            Type::Variant(variant) => variant.cases().all(|c| c.ty.as_ref().is_none_or(value)),
            Type::Option(option) => value(&option.ty()),
            Type::Result(result) => result.ok().as_ref().is_none_or(value) && result.err().as_ref().is_none_or(value),
            _ => true,
        }
    }
    !ty.async_() && ty.params().all(|(_, t)| value(&t)) && ty.results().all(|t| value(&t))
}

/// One linked function: what a crossing through it is recorded as.
struct Crossing {
    interface: Name,
    function: Name,
    caller: Arc<str>,
    callee: Arc<str>,
}

impl Crossing {
    fn record(
        &self,
        ty: &ComponentFunc,
        params: &[Val],
        results: &[Val],
        ran: &wasmtime::Result<()>,
        start_ns: u64,
        end_ns: u64,
    ) -> HostCall {
        let wave = |value: &Val| wasm_wave::to_string(value).unwrap_or_else(|e| format!("<cannot print: {e}>"));
        let args =
            ty.params().zip(params).map(|((name, _), value)| (Box::from(name), Box::from(wave(value)))).collect();
        let result = match ran {
            Ok(()) => results.iter().map(wave).collect::<Vec<_>>().join(", "),
            Err(e) => format!("trapped: {e}"),
        };
        HostCall {
            seq: 0,
            interface: self.interface.clone(),
            function: self.function.clone(),
            start_ns,
            dur_ns: end_ns.saturating_sub(start_ns),
            args,
            result: result.into(),
            error: ran.is_err().then(|| Box::from("trap")),
            denial: None,
            part: Some(Arc::clone(&self.caller)),
            callee: Some(Arc::clone(&self.callee)),
        }
    }
}
