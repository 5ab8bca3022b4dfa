//! `wasmscope inspect`: what a module is, before it runs.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use runtime_worker::inspect::composition::{Composition, Source, part_label};
use runtime_worker::inspect::{Inspection, inspect_bytes};

#[derive(Args, Debug)]
#[command(
    after_help = "Exit status: 0 when the module reads and validates as the engine will; 1 when it is malformed, \
                        or uses a WebAssembly proposal the engine does not enable (what could be read is still \
                        printed; the fault and its offset go to stderr); 126 when the file cannot be read."
)]
pub struct InspectArgs {
    /// Print the analysis as JSON (with each import's capability tag, and a composed component's parts and wiring)
    #[arg(long)]
    pub json: bool,

    /// The module: .wasm or .wat
    pub file: PathBuf,
}

pub fn execute(args: &InspectArgs) -> i32 {
    let data = match std::fs::read(&args.file) {
        Ok(data) => data,
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", args.file.display());
            return super::run::exit_code::CANNOT_RUN;
        }
    };
    // Text is converted first; a binary is read as it is, broken or not.
    let bytes = if data.starts_with(b"\0asm") {
        data
    } else {
        match wat::Parser::new().parse_bytes(Some(&args.file), &data) {
            Ok(bytes) => bytes.into_owned(),
            Err(e) => {
                eprintln!("error: `{}` is neither WebAssembly nor valid WebAssembly text:\n{e}", args.file.display());
                return 1;
            }
        }
    };
    let inspection = inspect_bytes(&bytes);
    if args.json {
        match serde_json::to_string_pretty(&inspection) {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("error: {e}");
                return 1;
            }
        }
    } else {
        let name = args.file.display().to_string();
        print!("{}", describe(&name, &inspection));
    }
    // What could be read went to stdout; the fault goes to stderr, so a
    // script reading the analysis sees it apart.
    match &inspection.error {
        Some(error) => {
            let _ = std::io::Write::flush(&mut std::io::stdout());
            eprintln!("error: `{}` {}", args.file.display(), error.sentence());
            1
        }
        None => 0,
    }
}

/// The analysis as text for a terminal (without the fault of a malformed
/// module, which `execute` prints on stderr).
pub fn describe(name: &str, inspection: &Inspection) -> String {
    let mut out = String::new();
    let kind = match inspection.kind {
        Some(runtime_worker::ModuleKind::Component) => &inspection.component_kind_text(),
        Some(kind) => kind.name(),
        None => "not a WebAssembly module",
    };
    let _ = writeln!(out, "{name}: {kind}, {} bytes, sha256 {}", inspection.size, inspection.sha256);
    let _ = writeln!(out, "may use: {}", inspection.may_use_text());
    let entry = if inspection.is_command() { "command (_start)" } else { "reactor (called through its exports)" };
    if inspection.kind == Some(runtime_worker::ModuleKind::Core) {
        let _ = writeln!(out, "entry: {entry}");
    }

    let _ = writeln!(out, "\nsections:\n  {:>10} {:>10}  {:<24} {:>8}", "offset", "size", "name", "count");
    for s in &inspection.sections {
        let count = s.count.map(|c| c.to_string()).unwrap_or_default();
        let _ = writeln!(out, "  {:>#10x} {:>10}  {:<24} {:>8}", s.offset, s.size, s.name, count);
    }
    if !inspection.imports.is_empty() {
        let _ = writeln!(out, "\nimports:");
        for (module, imports) in inspection.imports_by_module() {
            let _ = writeln!(out, "  {module}");
            for import in imports {
                let tag = import.capability.map(|c| c.name()).unwrap_or("");
                let _ = writeln!(out, "    {:<28} {:<9} {tag}", import.name, import.kind);
            }
        }
    }
    if !inspection.exports.is_empty() {
        let _ = writeln!(out, "\nexports:");
        for export in &inspection.exports {
            let _ =
                writeln!(out, "  {:<28} {:<9} {}", export.name, export.kind, export.signature.as_deref().unwrap_or(""));
        }
    }
    for memory in &inspection.memories {
        let max = memory.maximum_pages.map_or("no maximum".to_string(), |m| format!("maximum {m} pages"));
        let mut flags = String::new();
        for (on, flag) in [(memory.imported, " imported"), (memory.shared, " shared"), (memory.memory64, " 64-bit")] {
            if on {
                flags.push_str(flag);
            }
        }
        let _ = writeln!(out, "\nmemory:{flags} {} pages initial, {max}", memory.initial_pages);
    }
    for table in &inspection.tables {
        let max = table.maximum.map_or("no maximum".to_string(), |m| format!("maximum {m}"));
        let _ = writeln!(
            out,
            "table: {} × {}, {max}{}",
            table.initial,
            table.element_type,
            if table.imported { " (imported)" } else { "" }
        );
    }
    if !inspection.globals.is_empty() {
        let mutable = inspection.globals.iter().filter(|g| g.mutable).count();
        let _ = writeln!(out, "globals: {} ({mutable} mutable)", inspection.globals.len());
    }
    let _ = writeln!(out, "functions: {} defined", inspection.defined_functions);
    if let Some(start) = inspection.start_function {
        let name = inspection.function_name(start).map(|n| format!(" ({n})")).unwrap_or_default();
        let _ = writeln!(out, "start function: {start}{name}");
    }
    if !inspection.data_segments.is_empty() {
        let bytes: u64 = inspection.data_segments.iter().map(|d| d.size).sum();
        let _ = writeln!(out, "data: {} segments, {bytes} bytes", inspection.data_segments.len());
    }
    let custom = &inspection.custom;
    if let Some(name) = &custom.module_name {
        let _ = writeln!(out, "module name: {name}");
    }
    if !custom.function_names.is_empty() {
        let _ = writeln!(out, "function names: {}", custom.function_names.len());
    }
    for (field, values) in &custom.producers {
        let values: Vec<String> =
            values.iter().map(|(n, v)| if v.is_empty() { n.clone() } else { format!("{n} {v}") }).collect();
        let _ = writeln!(out, "producers {field}: {}", values.join(", "));
    }
    if !custom.target_features.is_empty() {
        let _ = writeln!(out, "target features: {}", custom.target_features.join(" "));
    }
    if let Some(component) = &inspection.component {
        let _ = writeln!(out, "\ncore modules inside: {}", component.core_modules.len());
        if let Some(composition) = &component.composition {
            describe_composition(&mut out, composition);
        }
        match &component.wit {
            Ok(wit) => {
                let _ = writeln!(out, "\nWIT:\n{wit}");
            }
            Err(e) => {
                let _ = writeln!(out, "\nWIT: {e}");
            }
        }
    }
    out
}

/// The parts of a composed component, each import with what satisfies it
/// and each export with where it goes, then the wiring between the parts.
fn describe_composition(out: &mut String, composition: &Composition) {
    let parts = &composition.parts;
    let _ = writeln!(out, "\ncomposition: {} components inside", parts.len());
    for part in parts {
        let _ = writeln!(out, "  {}", part_label(parts, part.index));
        let _ = writeln!(out, "    language: {}", part.language_text());
        if !part.toolchain.is_empty() {
            let _ = writeln!(out, "    toolchain: {}", part.toolchain.join(", "));
        }
        let _ = writeln!(
            out,
            "    size: {} bytes at {:#x}, {} core modules (the largest {} bytes)",
            part.size, part.offset, part.core_modules, part.main_module_size
        );
        if part.instances != 1 {
            let _ = writeln!(out, "    instantiated {} times", part.instances);
        }
        let _ = writeln!(out, "    imports ({}):", part.imports.len());
        for import in &part.imports {
            let from = composition
                .source_of(part.index, &import.name)
                .map(|w| format!("<- {}", w.from.describe(parts)))
                .unwrap_or_else(|| "(not wired)".to_string());
            let _ = writeln!(out, "      {:<44} {:<9} {from}", import.name, import.kind);
        }
        let _ = writeln!(out, "    exports ({}):", part.exports.len());
        for export in &part.exports {
            let to: Vec<String> = composition.uses_of(part.index, &export.name).map(|w| w.to.describe(parts)).collect();
            let to = if to.is_empty() { String::new() } else { format!("-> {}", to.join(", ")) };
            let _ = writeln!(out, "      {:<44} {:<9} {to}", export.name, export.kind);
        }
    }
    let _ = writeln!(out, "\nwiring:");
    for wire in composition.wiring.iter().filter(|w| !matches!(w.from, Source::Host { .. })) {
        let _ = writeln!(out, "  {} -> {} ({})", wire.from.describe(parts), wire.to.describe(parts), wire.kind);
    }
    for part in parts {
        let from_host = composition.host_imports_of(part.index);
        if from_host.is_empty() {
            continue;
        }
        let renamed = from_host.iter().filter(|(host, import)| host != import).count();
        let renamed =
            if renamed > 0 { format!(", {renamed} at another version than the part asks for") } else { String::new() };
        let _ = writeln!(out, "  host -> {}: {} imports{renamed}", part_label(parts, part.index), from_host.len());
    }
}
