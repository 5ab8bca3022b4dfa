//! What a module is before it runs: its imports (each tagged with the
//! capability it belongs to), its exports and their signatures, its
//! memories, and whether it is a command or a reactor.

use std::collections::BTreeSet;

use wasmparser::{CompositeInnerType, ExternalKind, Parser, Payload, TypeRef, ValType};

use crate::capability::{self, Capability};
use crate::load::{LoadedModule, ModuleKind};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModuleSummary {
    pub imports: Vec<Import>,
    pub exports: Vec<Export>,
    pub memories: Vec<MemoryInfo>,
    /// What the module's WASI imports could use, if it ran with everything
    /// granted.
    pub may_use: BTreeSet<Capability>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    pub module: String,
    pub name: String,
    pub kind: &'static str,
    /// For `wasi_snapshot_preview1` functions.
    pub capability: Option<Capability>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    pub name: String,
    pub kind: &'static str,
    /// `(i32, i32) -> i32` for functions.
    pub signature: Option<String>,
    /// Every parameter and result is a number, so it can be invoked with
    /// arguments typed as text.
    pub invocable: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryInfo {
    pub initial_pages: u64,
    pub maximum_pages: Option<u64>,
    pub shared: bool,
    pub memory64: bool,
    pub imported: bool,
}

impl ModuleSummary {
    /// A command runs `_start`.
    pub fn is_command(&self) -> bool {
        self.exports.iter().any(|e| e.name == "_start" && e.kind == "func")
    }

    /// A reactor is set up by `_initialize` (or has neither entry point) and
    /// is then called through its exports.
    pub fn is_reactor(&self) -> bool {
        !self.is_command()
    }

    /// Exported functions a person can call with numbers typed as text.
    pub fn invocable_exports(&self) -> impl Iterator<Item = &Export> {
        self.exports.iter().filter(|e| e.kind == "func" && e.invocable && e.name != "_start" && e.name != "_initialize")
    }

    /// One line for people: "files, clocks, stdio" or "nothing outside its sandbox".
    pub fn may_use_text(&self) -> String {
        if self.may_use.is_empty() {
            return "nothing beyond its own memory".to_string();
        }
        self.may_use.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")
    }
}

/// Summarises a loaded module. Components get their kind only (their WIT
/// world is read elsewhere); a section that fails to parse ends the summary
/// where it is.
pub fn summarize(module: &LoadedModule) -> ModuleSummary {
    let mut summary = ModuleSummary::default();
    if module.kind == ModuleKind::Component {
        return summary;
    }
    let mut types: Vec<Option<(Vec<ValType>, Vec<ValType>)>> = Vec::new();
    let mut func_types: Vec<u32> = Vec::new();
    for payload in Parser::new(0).parse_all(&module.bytes) {
        let Ok(payload) = payload else { break };
        match payload {
            Payload::TypeSection(reader) => {
                for group in reader.into_iter().flatten() {
                    for ty in group.into_types() {
                        types.push(match &ty.composite_type.inner {
                            CompositeInnerType::Func(f) => Some((f.params().to_vec(), f.results().to_vec())),
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports().flatten() {
                    let kind = match import.ty {
                        TypeRef::Func(ty) | TypeRef::FuncExact(ty) => {
                            func_types.push(ty);
                            "func"
                        }
                        TypeRef::Memory(ty) => {
                            summary.memories.push(memory_info(&ty, true));
                            "memory"
                        }
                        TypeRef::Table(_) => "table",
                        TypeRef::Global(_) => "global",
                        TypeRef::Tag(_) => "tag",
                    };
                    let capability = (import.module == "wasi_snapshot_preview1")
                        .then(|| capability::of_p1_import(import.name))
                        .flatten();
                    summary.may_use.extend(capability);
                    summary.imports.push(Import {
                        module: import.module.to_string(),
                        name: import.name.to_string(),
                        kind,
                        capability,
                    });
                }
            }
            Payload::FunctionSection(reader) => func_types.extend(reader.into_iter().flatten()),
            Payload::MemorySection(reader) => {
                summary.memories.extend(reader.into_iter().flatten().map(|ty| memory_info(&ty, false)));
            }
            Payload::ExportSection(reader) => {
                for export in reader.into_iter().flatten() {
                    let (kind, signature) = match export.kind {
                        ExternalKind::Func | ExternalKind::FuncExact => {
                            let ty = func_types.get(export.index as usize).and_then(|t| types.get(*t as usize));
                            ("func", ty.cloned().flatten())
                        }
                        ExternalKind::Memory => ("memory", None),
                        ExternalKind::Table => ("table", None),
                        ExternalKind::Global => ("global", None),
                        ExternalKind::Tag => ("tag", None),
                    };
                    let numeric = |v: &ValType| matches!(v, ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64);
                    let invocable =
                        signature.as_ref().is_some_and(|(p, r)| p.iter().all(numeric) && r.iter().all(numeric));
                    summary.exports.push(Export {
                        name: export.name.to_string(),
                        kind,
                        signature: signature.map(|(params, results)| format_signature(&params, &results)),
                        invocable,
                    });
                }
            }
            _ => {}
        }
    }
    summary
}

fn memory_info(ty: &wasmparser::MemoryType, imported: bool) -> MemoryInfo {
    MemoryInfo {
        initial_pages: ty.initial,
        maximum_pages: ty.maximum,
        shared: ty.shared,
        memory64: ty.memory64,
        imported,
    }
}

fn format_signature(params: &[ValType], results: &[ValType]) -> String {
    let list = |types: &[ValType]| types.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ");
    match results.len() {
        0 => format!("({})", list(params)),
        1 => format!("({}) -> {}", list(params), list(results)),
        _ => format!("({}) -> ({})", list(params), list(results)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load;

    #[test]
    fn a_command_and_its_capabilities() {
        let module = load(
            "t.wat",
            br#"(module
                (import "wasi_snapshot_preview1" "path_open" (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
                (import "wasi_snapshot_preview1" "clock_time_get" (func (param i32 i64 i32) (result i32)))
                (memory (export "memory") 1 4)
                (func (export "_start")))"#,
        )
        .unwrap();
        let summary = summarize(&module);
        assert!(summary.is_command());
        assert_eq!(summary.may_use_text(), "files, clocks");
        assert_eq!(summary.imports[0].capability, Some(Capability::Files));
        assert_eq!(summary.memories[0].maximum_pages, Some(4));
    }

    #[test]
    fn a_reactor_lists_what_can_be_invoked() {
        let module = load(
            "r.wat",
            br#"(module (func (export "_initialize")) (func (export "add") (param i32 i32) (result i32) i32.const 0)
                (func (export "takes_ref") (param externref)))"#,
        )
        .unwrap();
        let summary = summarize(&module);
        assert!(summary.is_reactor());
        let invocable: Vec<_> = summary.invocable_exports().map(|e| e.name.as_str()).collect();
        assert_eq!(invocable, ["add"]);
        assert_eq!(summary.exports[1].signature.as_deref(), Some("(i32, i32) -> i32"));
        assert_eq!(summary.may_use_text(), "nothing beyond its own memory");
    }
}
