//! Calling an export of one inner component of a composed component: the
//! provider's `database-connector#execute-query` inside `client_python.wasm`,
//! which the composed unit does not export. The part, and the parts it
//! imports from (transitively), are compiled and instantiated on their own in
//! the run's store, wired as the composed file wires them, each cross-part
//! import a traced host function (`glass_box`'s crossings); then the export
//! is called with WAVE arguments, and its calls are tagged with the part.
//! Parts the called one does not need (the client, when the provider is
//! called) are not instantiated.

use std::sync::Arc;
use std::time::Instant;

use sha2::{Digest, Sha256};
use wasmtime::Store;
use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, Func, Instance, Linker, Val};

use super::glass_box::{PartHost, Side, instance_functions, link_crossings, plain};
use super::guest::{RunContext, failed_or_trapped, outcome_of_compile_failure, outcome_of_error};
use super::wit_text::{func_text, type_name};
use crate::boundary::event::{Phase, RunOutcome, Value};
use crate::boundary::profile::part_named;
use crate::inspect::composition::{self, Source, Target};

/// Which parts a call of one part's export needs, and how they are wired.
pub(crate) struct PartCall {
    parts: Vec<NeededPart>,
    /// Indices into `parts`, each after the parts it imports from.
    order: Vec<usize>,
    /// The part whose export is called.
    target: usize,
}

struct NeededPart {
    /// `#0 database-connector`, as calls are tagged.
    label: Arc<str>,
    bytes: Vec<u8>,
    /// (the part's import, the part it comes from, that part's export).
    links: Vec<(String, usize, String)>,
}

/// What calling an export of the part `part` (`#0`, `database-connector`,
/// `#0 database-connector`) of the composed component `bytes` takes, or why
/// it cannot be called on its own.
pub(crate) fn plan(bytes: &[u8], part: &str) -> Result<PartCall, String> {
    let Some(composition) = composition::read(bytes) else {
        return Err(format!(
            "there is no part `{part}`: this component is not composed of other components; call its own exports"
        ));
    };
    let labels: Vec<String> =
        composition.parts.iter().map(|p| composition::part_label(&composition.parts, p.index)).collect();
    let known = || labels.iter().map(|l| format!("`{l}`")).collect::<Vec<_>>().join(", ");
    let named: Vec<usize> = (0..labels.len()).filter(|&p| part_named(part, &labels[p])).collect();
    let target = match named[..] {
        [one] => one,
        [] => return Err(format!("no part `{part}` in this component; its parts are {}", known())),
        _ => return Err(format!("`{part}` names more than one part; name one by its number: {}", known())),
    };
    // The called part and every part it imports from, transitively.
    let mut needed = vec![target];
    let mut links: Vec<Vec<(String, usize, String)>> = vec![Vec::new(); labels.len()];
    let mut next = 0;
    while next < needed.len() {
        let p = needed[next];
        next += 1;
        for wire in &composition.wiring {
            let Target::Part { part: to, import } = &wire.to else { continue };
            if *to != p {
                continue;
            }
            match &wire.from {
                Source::Host { .. } => {}
                Source::Part { part: from, export: Some(export) } => {
                    links[p].push((import.clone(), *from, export.clone()));
                    if !needed.contains(from) {
                        needed.push(*from);
                    }
                }
                _ => {
                    return Err(format!(
                        "`{}` imports `{import}` from {}, which cannot be set up on its own; call the composed \
                         component's exports instead",
                        labels[p],
                        wire.from.describe(&composition.parts)
                    ));
                }
            }
        }
    }
    needed.sort_unstable();
    let mut parts = Vec::with_capacity(needed.len());
    for &p in &needed {
        let bytes = composition.parts[p]
            .bytes(bytes)
            .ok_or_else(|| format!("`{}` lies outside the file: it is truncated", labels[p]))?;
        let links = links[p]
            .iter()
            .map(|(import, from, export)| {
                let from = needed.iter().position(|n| n == from).expect("every source part is needed");
                (import.clone(), from, export.clone())
            })
            .collect();
        parts.push(NeededPart { label: Arc::from(labels[p].as_str()), bytes: bytes.to_vec(), links });
    }
    let mut order = Vec::with_capacity(parts.len());
    while order.len() < parts.len() {
        let ready = (0..parts.len())
            .find(|p| !order.contains(p) && parts[*p].links.iter().all(|(_, from, _)| order.contains(from)));
        match ready {
            Some(p) => order.push(p),
            None => return Err(format!("the parts `{}` needs import from each other in a circle", labels[target])),
        }
    }
    let target = needed.iter().position(|&n| n == target).expect("the target is needed");
    Ok(PartCall { parts, order, target })
}

/// Compiles and instantiates the parts the call needs, wired through traced
/// crossings, and calls `name` with `args` (WAVE text) on the part.
pub(crate) async fn call<T: PartHost>(
    context: &RunContext,
    store: &mut Store<T>,
    base: &Linker<T>,
    plan: PartCall,
    name: &str,
    args: &[String],
    deadline: Option<Instant>,
) -> RunOutcome {
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
            Err(failure) => return outcome_of_compile_failure(failure),
        }
    }
    for (part, component) in plan.parts.iter().zip(&components) {
        for (import, _, _) in &part.links {
            let functions = instance_functions(component, base.engine(), import, Side::Import);
            if functions.is_none_or(|functions| functions.iter().any(|(_, ty)| !plain(ty))) {
                return failed(format!(
                    "`{}` imports `{import}` with a resource, a stream or an async function in it, and those cannot \
                     be handed from one part to another: its exports can only be called through the composed \
                     component",
                    part.label
                ));
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
            return failed(message);
        }
        let pre = match linker.instantiate_pre(&components[p]) {
            Ok(pre) => pre,
            Err(e) => return failed(format!("{}: {e:#}", part.label)),
        };
        // Calls made while a part starts (its `_initialize`) are its own.
        store.data_mut().set_part(&part.label);
        let instance = match pre.instantiate_async(&mut *store).await {
            Ok(instance) => instance,
            Err(e) => return failed_or_trapped(e, Phase::Instantiate),
        };
        instances[p] = Some(instance);
    }
    store.data_mut().instantiated(started);

    let target = &plan.parts[plan.target];
    let instance = instances[plan.target].expect("every needed part is instantiated");
    let func = match find_function(store, &components[plan.target], &instance, name, &target.label) {
        Ok(func) => func,
        Err(message) => return RunOutcome::Failed { stage: Phase::Instantiate, message },
    };
    let ty = func.ty(&*store);
    let params: Vec<(&str, wasmtime::component::Type)> = ty.params().collect();
    if params.len() != args.len() {
        let message = format!("`{name}` of {} is `{}`: {} argument(s) given", target.label, func_text(&ty), args.len());
        return RunOutcome::Failed { stage: Phase::Instantiate, message };
    }
    let mut values = Vec::with_capacity(args.len());
    for ((param, param_ty), arg) in params.iter().zip(args) {
        match wasm_wave::from_str::<Val>(param_ty, arg) {
            Ok(value) => values.push(value),
            Err(e) => {
                let message =
                    format!("argument `{param}` of `{name}`: `{arg}` is not a {} value: {e}", type_name(param_ty));
                return RunOutcome::Failed { stage: Phase::Instantiate, message };
            }
        }
    }
    let mut results = vec![Val::Bool(false); ty.results().len()];
    store.data_mut().set_part(&target.label);
    store.data_mut().entered();
    if let Err(e) = func.call_async(&mut *store, &values, &mut results).await {
        return outcome_of_error(e);
    }
    let values = results
        .iter()
        .map(|v| Value::Wave(wasm_wave::to_string(v).unwrap_or_else(|e| format!("<cannot print: {e}>"))))
        .collect();
    RunOutcome::Returned { values }
}

fn failed(message: String) -> RunOutcome {
    RunOutcome::Failed { stage: Phase::Instantiate, message: format!("setting up the part to call: {message}") }
}

/// The part's function `name`: `interface#function`, or a function name
/// that only one of its exported interfaces (or the part itself) exports.
fn find_function<T: PartHost>(
    store: &mut Store<T>,
    component: &Component,
    instance: &Instance,
    name: &str,
    label: &str,
) -> Result<Func, String> {
    let engine = store.engine().clone();
    // (interface, function) of every function the part exports.
    let mut exported: Vec<(Option<String>, String)> = Vec::new();
    for (export, item) in component.component_type().exports(&engine) {
        match item.ty {
            ComponentItem::ComponentFunc(_) => exported.push((None, export.to_string())),
            ComponentItem::ComponentInstance(inner) => {
                for (function, item) in inner.exports(&engine) {
                    if let ComponentItem::ComponentFunc(_) = item.ty {
                        exported.push((Some(export.to_string()), function.to_string()));
                    }
                }
            }
            _ => {}
        }
    }
    let path = |(interface, function): &(Option<String>, String)| match interface {
        Some(interface) => format!("{interface}#{function}"),
        None => function.clone(),
    };
    let matching: Vec<&(Option<String>, String)> = exported.iter().filter(|f| path(f) == name || f.1 == name).collect();
    let all = || exported.iter().map(|f| format!("`{}`", path(f))).collect::<Vec<_>>().join(", ");
    let (interface, function) = match matching[..] {
        [one] => one,
        [] if exported.is_empty() => return Err(format!("{label} exports no functions")),
        [] => return Err(format!("{label} exports no function `{name}`; it exports {}", all())),
        _ => return Err(format!("`{name}` is exported by more than one interface of {label}; name one of {}", all())),
    };
    let inner = interface.as_ref().and_then(|i| instance.get_export_index(&mut *store, None, i));
    instance
        .get_export_index(&mut *store, inner.as_ref(), function)
        .and_then(|index| instance.get_func(&mut *store, index))
        .ok_or_else(|| format!("cannot reach `{name}` in {label}"))
}
