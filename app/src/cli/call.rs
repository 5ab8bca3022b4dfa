//! `wasmscope call FILE FUNCTION ARGS…` (or `FILE 'FUNCTION(ARGS, …)'`, as
//! `wasmtime run --invoke` writes a call): call one exported function with
//! typed arguments and print its typed result. Arguments and results are WAVE
//! text, as `wasmtime run --invoke` takes them: `"select * from users"`,
//! `42`, `[1, 2]`, `{id: 1, name: "ada"}`, `some(3)`, `ok("yes")`.
//! With no FUNCTION, lists what can be called. `--inner PART` calls an
//! export of an inner component of a composed component (the provider's
//! `execute-query` inside `client_python.wasm`), which the composed unit
//! does not export.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use runtime_worker::ModuleKind;
use runtime_worker::inspect::load;

use super::run::{ReportFlags, RunArgs};
use crate::sandbox_flags::SandboxFlags;

#[derive(Args, Debug)]
pub struct CallArgs {
    #[command(flatten)]
    pub sandbox: SandboxFlags,

    #[command(flatten)]
    pub report: ReportFlags,

    /// The component (or core module)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// The function: `execute-query`, or `interface#function` when several
    /// interfaces export the name; omit it to list the functions
    #[arg(value_name = "FUNCTION")]
    pub function: Option<String>,

    /// One WAVE value per parameter, e.g. '"select * from users"'
    #[arg(value_name = "ARGS", trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,

    /// Call (or list) the functions of this inner component of a composed
    /// component, named as `wasmscope inspect` names its parts
    /// (`database-connector`, `#0`): that part and the parts it imports from
    /// are set up on their own, and its host calls are tagged with it
    #[arg(long, value_name = "PART")]
    pub inner: Option<String>,
}

pub fn execute(args: &CallArgs) -> i32 {
    let Some(function) = &args.function else {
        return match list(&args.file, args.inner.as_deref()) {
            Ok(text) => {
                print!("{text}");
                0
            }
            Err(e) => {
                eprintln!("error: {e:#}");
                super::run::exit_code::CANNOT_RUN
            }
        };
    };
    // `greet("ada")`, as `wasmtime run --invoke` writes a call, or
    // `greet '"ada"'`, one word per value.
    let (function, values) = match super::run::split_call(function) {
        Some(call) if args.args.is_empty() && function.ends_with(')') => call,
        _ => (function.clone(), args.args.clone()),
    };
    let mut module_and_args = vec![args.file.display().to_string()];
    module_and_args.extend(values);
    let run = RunArgs {
        sandbox: args.sandbox.clone(),
        invoke: Some(function),
        report: args.report.clone(),
        explain: false,
        argv0: None,
        swaps: Vec::new(),
        module_and_args,
        typed_call: true,
        part: args.inner.clone(),
    };
    super::run::execute(&run, None)
}

/// The functions FILE exports, one signature per line; then, for a
/// composed component, those of each inner component (or only those of the
/// part `inner`).
fn list(file: &std::path::Path, inner: Option<&str>) -> anyhow::Result<String> {
    let module = load::load_file(file).with_context(|| format!("failed to load `{}`", file.display()))?;
    let mut text = String::new();
    match module.kind {
        ModuleKind::Component => {
            let composition = runtime_worker::inspect::composition::read(&module.bytes);
            let parts = composition.as_ref().map_or(&[][..], |c| &c.parts[..]);
            let labels: Vec<String> =
                parts.iter().map(|p| runtime_worker::inspect::composition::part_label(parts, p.index)).collect();
            if let Some(inner) = inner {
                let named: Vec<usize> = (0..labels.len())
                    .filter(|&p| runtime_worker::boundary::profile::part_named(inner, &labels[p]))
                    .collect();
                let [index] = named[..] else {
                    let known = labels.iter().map(|l| format!("`{l}`")).collect::<Vec<_>>().join(", ");
                    anyhow::bail!(match (named.len(), known.is_empty()) {
                        (_, true) => format!("there is no part `{inner}`: this component is not composed of others"),
                        (0, false) => format!("no part `{inner}` in this component; its parts are {known}"),
                        _ => format!("`{inner}` names more than one part; name one by its number: {known}"),
                    });
                };
                let bytes = parts[index].bytes(&module.bytes).context("the part lies outside the file")?;
                push_functions(&mut text, bytes, "")?;
                return Ok(text);
            }
            push_functions(&mut text, &module.bytes, "")?;
            for (part, label) in parts.iter().zip(&labels) {
                let Some(bytes) = part.bytes(&module.bytes) else { continue };
                // The name when it is unique (`#0` needs quoting in a shell).
                let unique = parts.iter().filter(|p| p.name == part.name).count() == 1;
                let flag = if unique { part.name.clone() } else { format!("'#{}'", part.index) };
                text.push_str(&format!("\ninner component {label} (call with --inner {flag}):\n"));
                push_functions(&mut text, bytes, "  ")?;
            }
        }
        ModuleKind::Core => {
            if inner.is_some() {
                anyhow::bail!("--inner names a part of a composed component; this is a core module");
            }
            let analysis = runtime_worker::inspect::inspect(&module);
            let exports: Vec<_> = analysis.invocable_exports().collect();
            if exports.is_empty() {
                text.push_str("this module exports no function that takes and returns numbers only\n");
            }
            for export in exports {
                text.push_str(&format!("  {}: {}\n", export.name, export.signature.as_deref().unwrap_or("func")));
            }
        }
    }
    Ok(text)
}

/// The component's functions by interface, each line after `indent`.
fn push_functions(text: &mut String, bytes: &[u8], indent: &str) -> anyhow::Result<()> {
    let functions = runtime_worker::inspect::typed::exported_functions(bytes).map_err(anyhow::Error::msg)?;
    if functions.is_empty() {
        text.push_str(&format!("{indent}this component exports no functions\n"));
    }
    let mut interface = None;
    for function in &functions {
        if function.interface != interface {
            interface = function.interface.clone();
            text.push_str(&format!("{indent}{}:\n", interface.as_deref().unwrap_or("(world)")));
        }
        text.push_str(&format!("{indent}  {}\n", function.signature()));
    }
    Ok(())
}
