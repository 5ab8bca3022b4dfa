//! `wasmscope call FILE FUNCTION ARGS…`: call one exported function with
//! typed arguments and print its typed result. Arguments and results are WAVE
//! text, as `wasmtime run --invoke` takes them: `"select * from users"`,
//! `42`, `[1, 2]`, `{id: 1, name: "ada"}`, `some(3)`, `ok("yes")`.
//! With no FUNCTION, lists what can be called.

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
}

pub fn execute(args: &CallArgs) -> i32 {
    let Some(function) = &args.function else {
        return match list(&args.file) {
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
    let mut module_and_args = vec![args.file.display().to_string()];
    module_and_args.extend(args.args.iter().cloned());
    let run = RunArgs {
        sandbox: args.sandbox.clone(),
        invoke: Some(function.clone()),
        report: args.report.clone(),
        explain: false,
        argv0: None,
        module_and_args,
        typed_call: true,
    };
    super::run::execute(&run, None)
}

/// The functions FILE exports, one signature per line.
fn list(file: &std::path::Path) -> anyhow::Result<String> {
    let module = load::load_file(file).with_context(|| format!("failed to load `{}`", file.display()))?;
    let mut text = String::new();
    match module.kind {
        ModuleKind::Component => {
            let functions =
                runtime_worker::inspect::typed::exported_functions(&module.bytes).map_err(anyhow::Error::msg)?;
            if functions.is_empty() {
                text.push_str("this component exports no functions\n");
            }
            let mut interface = None;
            for function in &functions {
                if function.interface != interface {
                    interface = function.interface.clone();
                    text.push_str(&format!("{}:\n", interface.as_deref().unwrap_or("(world)")));
                }
                text.push_str(&format!("  {}\n", function.signature()));
            }
        }
        ModuleKind::Core => {
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
