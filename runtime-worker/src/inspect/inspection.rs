//! What a module is before it runs, read with `wasmparser`: its sections,
//! imports (each tagged with the capability it belongs to), exports,
//! memories, tables, globals, data, the standard custom sections, and for a
//! component its nested modules, WIT world and composition.
//!
//! The reader never panics and never gives up silently: a malformed module
//! yields everything read before the fault, plus the fault and its offset.

use std::collections::BTreeSet;

use serde::Serialize;
use wasmparser::{
    BinaryReader, BinaryReaderError, CompositeInnerType, DataKind, ExternalKind, KnownCustom, Name, Parser, Payload,
    TypeRef, ValType,
};

use crate::inspect::load::{LoadedModule, ModuleKind};
use crate::proposals::ProposalOff;
use crate::wasi::abi;
use crate::wasi::capability::{self, Capability};

/// Everything read from a module.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Inspection {
    pub kind: Option<ModuleKind>,
    pub size: u64,
    pub sha256: String,
    pub sections: Vec<Section>,
    pub imports: Vec<Import>,
    pub exports: Vec<Export>,
    pub memories: Vec<MemoryInfo>,
    pub tables: Vec<TableInfo>,
    pub globals: Vec<GlobalInfo>,
    /// Functions defined (with bodies) in the module.
    pub defined_functions: u32,
    /// The start function's index, if the module has a start section.
    pub start_function: Option<u32>,
    pub data_segments: Vec<DataSegment>,
    pub element_segments: u32,
    pub custom: CustomSections,
    /// What the module's WASI imports could use if everything were granted.
    pub may_use: BTreeSet<Capability>,
    /// For a component: its nested core modules and its WIT world.
    pub component: Option<ComponentInfo>,
    /// Where reading stopped early, or why the module is invalid.
    pub error: Option<InspectError>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Section {
    pub name: String,
    /// Byte offset of the section's contents.
    pub offset: u64,
    pub size: u64,
    /// Entries, for sections that are vectors.
    pub count: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Import {
    pub module: String,
    pub name: String,
    pub kind: &'static str,
    /// For WASI preview1 functions and WASI 0.2 interfaces.
    pub capability: Option<Capability>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Export {
    pub name: String,
    pub kind: &'static str,
    /// `(i32, i32) -> i32` for core functions.
    pub signature: Option<String>,
    /// Every parameter and result is a number, so it can be invoked with
    /// arguments typed as text.
    pub invocable: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct MemoryInfo {
    pub initial_pages: u64,
    pub maximum_pages: Option<u64>,
    pub shared: bool,
    pub memory64: bool,
    pub imported: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TableInfo {
    pub element_type: String,
    pub initial: u64,
    pub maximum: Option<u64>,
    pub imported: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GlobalInfo {
    pub value_type: String,
    pub mutable: bool,
    pub imported: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DataSegment {
    /// `active` (copied into a memory at instantiation) or `passive`.
    pub mode: &'static str,
    pub memory: Option<u32>,
    /// The constant offset of an active segment, when it is one.
    pub memory_offset: Option<u64>,
    pub size: u64,
}

/// The custom sections, decoded where a standard exists.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CustomSections {
    /// `name` section: the module's own name.
    pub module_name: Option<String>,
    /// `name` section: function names by index (the first `MAX_NAMES`).
    pub function_names: Vec<(u32, String)>,
    /// `producers`: field (language, processed-by, sdk) → name and version.
    pub producers: Vec<(String, Vec<(String, String)>)>,
    /// `target_features`: `+simd128`, `-atomics`, …
    pub target_features: Vec<String>,
    /// Every custom section by name and size, known or not.
    pub all: Vec<(String, u64)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ComponentInfo {
    /// Byte ranges of the core modules nested in the component.
    pub core_modules: Vec<Section>,
    /// The component's world as WIT text, or why it could not be printed.
    pub wit: Result<String, String>,
    /// The functions it exports, with their WIT types (a form for calling
    /// them is built from these).
    #[serde(skip)]
    pub functions: Vec<crate::inspect::typed::TypedFunction>,
    /// The components nested in it that hold code, and how they are wired;
    /// `None` when it nests none (a component not made by composing others).
    pub composition: Option<crate::inspect::composition::Composition>,
}

impl ComponentInfo {
    /// A command: it exports `wasi:cli/run`.
    pub fn is_command(&self) -> bool {
        self.functions.iter().any(|f| f.interface.as_deref().is_some_and(|i| i.starts_with("wasi:cli/run")))
    }

    /// An HTTP handler: it exports `wasi:http/incoming-handler` (WASI 0.2)
    /// or `wasi:http/handler` (0.3), and answers requests (`Entry::Http`).
    pub fn is_http_handler(&self) -> bool {
        self.functions.iter().any(|f| {
            f.interface
                .as_deref()
                .is_some_and(|i| i.starts_with("wasi:http/incoming-handler@") || i.starts_with("wasi:http/handler@"))
        })
    }

    /// The functions a person may call (the command's `run` aside).
    pub fn callable(&self) -> impl Iterator<Item = &crate::inspect::typed::TypedFunction> {
        self.functions.iter().filter(|f| !f.interface.as_deref().is_some_and(|i| i.starts_with("wasi:cli/run")))
    }

    /// The function a form starts with: the first one callable, passing
    /// over componentize-py's build-time `exports#init`.
    pub fn default_function(&self) -> Option<&crate::inspect::typed::TypedFunction> {
        self.callable().find(|f| f.interface.as_deref() != Some("exports")).or_else(|| self.callable().next())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InspectError {
    pub offset: u64,
    /// The reader's or the validator's message.
    pub message: String,
    /// Set when the module is valid WebAssembly but uses a proposal the
    /// engine does not enable, so it will not load; `None` when it is
    /// malformed.
    pub proposal_off: Option<ProposalOff>,
}

impl InspectError {
    fn malformed(e: &BinaryReaderError) -> InspectError {
        InspectError { offset: e.offset() as u64, message: e.message().to_string(), proposal_off: None }
    }

    /// What is wrong, after "the module": "is malformed at offset 0x1c: …",
    /// or "will not load: it uses custom page sizes, a WebAssembly proposal
    /// that Wasmscope's engine (wasmtime 48) does not enable (at offset 0x1c:
    /// …)".
    pub fn sentence(&self) -> String {
        match self.proposal_off {
            None => format!("is malformed at offset {:#x}: {}", self.offset, self.message),
            Some(off) => format!("{} (at offset {:#x}: {})", off.sentence(), self.offset, self.message),
        }
    }
}

/// Function names kept from a `name` section.
const MAX_NAMES: usize = 100_000;

impl Inspection {
    /// A command runs `_start`.
    pub fn is_command(&self) -> bool {
        self.exports.iter().any(|e| e.name == "_start" && e.kind == "func")
    }

    /// Exported functions a person can call with numbers typed as text.
    pub fn invocable_exports(&self) -> impl Iterator<Item = &Export> {
        self.exports.iter().filter(|e| e.kind == "func" && e.invocable && e.name != "_start" && e.name != "_initialize")
    }

    /// One line: "files, clocks, stdio" or "nothing beyond its own memory".
    pub fn may_use_text(&self) -> String {
        if self.may_use.is_empty() {
            return "nothing beyond its own memory".to_string();
        }
        self.may_use.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")
    }

    /// Imports grouped by the module they come from, in order of appearance.
    pub fn imports_by_module(&self) -> Vec<(&str, Vec<&Import>)> {
        let mut groups: Vec<(&str, Vec<&Import>)> = Vec::new();
        for import in &self.imports {
            match groups.iter_mut().find(|(m, _)| *m == import.module) {
                Some((_, list)) => list.push(import),
                None => groups.push((&import.module, vec![import])),
            }
        }
        groups
    }

    /// The WASI releases a component's interfaces come from, oldest first:
    /// `["0.2"]`, `["0.3"]` or both (a component may import from both).
    pub fn wasi_versions(&self) -> Vec<&'static str> {
        let names = self.imports.iter().filter(|i| i.module == "component").map(|i| i.name.as_str());
        let names = names.chain(self.exports.iter().map(|e| e.name.as_str()));
        let mut versions = Vec::new();
        for name in names.filter(|n| n.starts_with("wasi:")) {
            let version = name.rsplit_once('@').map_or("", |(_, v)| v);
            for release in ["0.2", "0.3"] {
                if (version == release || version.starts_with(&format!("{release}."))) && !versions.contains(&release) {
                    versions.push(release);
                }
            }
        }
        versions.sort_unstable();
        versions
    }

    /// The standard worlds a component targets, read from what it exports:
    /// `wasi:cli/command@0.2.0` for `wasi:cli/run`, `wasi:http/proxy@0.2.x`
    /// for `wasi:http/incoming-handler`, `wasi:http/service@0.3.x` for
    /// `wasi:http/handler`.
    pub fn worlds(&self) -> Vec<String> {
        let mut worlds = Vec::new();
        for export in &self.exports {
            let Some((interface, version)) = export.name.rsplit_once('@') else { continue };
            let world = match interface {
                "wasi:cli/run" => "wasi:cli/command",
                "wasi:http/incoming-handler" => "wasi:http/proxy",
                "wasi:http/handler" => "wasi:http/service",
                _ => continue,
            };
            let world = format!("{world}@{version}");
            if !worlds.contains(&world) {
                worlds.push(world);
            }
        }
        worlds
    }

    /// A component's kind in a line: `component · WASI 0.3 · wasi:cli/command@0.3.0`.
    pub fn component_kind_text(&self) -> String {
        let mut parts = vec!["component".to_string()];
        let versions = self.wasi_versions();
        if !versions.is_empty() {
            parts.push(format!("WASI {}", versions.join(" + ")));
        }
        parts.extend(self.worlds());
        parts.join(" · ")
    }

    /// The source languages from the `producers` section ("Go", "C99, Rust").
    pub fn language(&self) -> Option<String> {
        language_in(&self.custom.producers)
    }

    pub fn function_name(&self, index: u32) -> Option<&str> {
        let at = self.custom.function_names.binary_search_by_key(&index, |(i, _)| *i).ok()?;
        Some(&self.custom.function_names[at].1)
    }
}

/// The source languages from the top-level `producers` section, as
/// `inspect(..).language()` gives them, without the rest of an inspection.
/// Only section headers are read on the way (code, nested modules and
/// components are skipped whole), so this costs microseconds where a whole
/// inspection of a 20 MB component validates and decodes it for 100 ms
/// (a recording's header wants only this).
pub fn language_of(bytes: &[u8]) -> Option<String> {
    let mut producers = Vec::new();
    let mut parser = Parser::new(0);
    let mut rest = bytes;
    // A malformed module gives what was read before the fault, as `inspect` does.
    while let Ok(wasmparser::Chunk::Parsed { consumed, payload }) = parser.parse(rest, true) {
        rest = &rest[consumed..];
        let skip = match payload {
            Payload::CustomSection(reader) => {
                if let KnownCustom::Producers(reader) = reader.as_known() {
                    producers.extend(crate::inspect::composition::read_producers(reader));
                }
                0
            }
            Payload::CodeSectionStart { size, .. } => {
                parser.skip_section();
                size as usize
            }
            // The parser hands nested ones to parsers of their own and goes
            // on after them: their bytes are skipped here.
            Payload::ModuleSection { unchecked_range, .. } | Payload::ComponentSection { unchecked_range, .. } => {
                unchecked_range.len()
            }
            Payload::End(_) => break,
            _ => 0,
        };
        let Some(after) = rest.get(skip..) else { break };
        rest = after;
    }
    language_in(&producers)
}

/// The `language` field's names, joined: "C99, Rust".
fn language_in(producers: &[(String, Vec<(String, String)>)]) -> Option<String> {
    let (_, values) = producers.iter().find(|(field, _)| field == "language")?;
    Some(values.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>().join(", "))
}

/// Inspects a loaded module (well-formed, though it may use a proposal the
/// engine leaves off: then `error` says which).
pub fn inspect(module: &LoadedModule) -> Inspection {
    let mut inspection = inspect_bytes(&module.bytes);
    inspection.sha256 = module.sha256_hex();
    inspection
}

/// Inspects bytes that may be anything: a malformed module gives what could
/// be read and the error, with its offset.
pub fn inspect_bytes(bytes: &[u8]) -> Inspection {
    let mut reader =
        Reader { out: Inspection { size: bytes.len() as u64, ..Inspection::default() }, ..Reader::default() };
    reader.out.sha256 = crate::inspect::load::sha256_hex(bytes);
    reader.read(bytes);
    if reader.out.error.is_none() {
        // Reading is lenient (unknown sections, types that do not line up);
        // validation with the engine's proposals says whether it will load.
        if let Err((e, proposal_off)) = crate::proposals::check(bytes) {
            reader.out.error = Some(InspectError { proposal_off, ..InspectError::malformed(&e) });
        }
    }
    if reader.out.kind == Some(ModuleKind::Component) && reader.out.error.is_none() {
        // Decoded once, for both the WIT text and the functions' types.
        let decoded = crate::inspect::wit_world::decode(bytes);
        reader.out.component = Some(ComponentInfo {
            core_modules: std::mem::take(&mut reader.core_modules),
            wit: decoded.as_ref().map_err(Clone::clone).and_then(crate::inspect::wit_world::print),
            functions: decoded
                .as_ref()
                .ok()
                .and_then(|d| crate::inspect::typed::from_decoded(d).ok())
                .unwrap_or_default(),
            composition: crate::inspect::composition::read(bytes),
        });
    }
    reader.out.custom.function_names.sort_by_key(|(i, _)| *i);
    reader.out
}

#[derive(Default)]
struct Reader {
    out: Inspection,
    types: Vec<Option<(Vec<ValType>, Vec<ValType>)>>,
    func_types: Vec<u32>,
    core_modules: Vec<Section>,
}

impl Reader {
    fn read(&mut self, bytes: &[u8]) {
        // Depth 1 is the top-level module or component; deeper payloads
        // belong to nested modules and components.
        let mut depth = 0u32;
        for payload in Parser::new(0).parse_all(bytes) {
            let payload = match payload {
                Ok(payload) => payload,
                Err(e) => {
                    self.out.error = Some(InspectError::malformed(&e));
                    return;
                }
            };
            match &payload {
                Payload::Version { encoding, .. } => {
                    depth += 1;
                    if depth == 1 {
                        self.out.kind = Some(match encoding {
                            wasmparser::Encoding::Module => ModuleKind::Core,
                            wasmparser::Encoding::Component => ModuleKind::Component,
                        });
                    }
                    continue;
                }
                Payload::End(_) => {
                    depth = depth.saturating_sub(1);
                    continue;
                }
                Payload::ModuleSection { unchecked_range, .. } if depth == 1 => {
                    self.core_modules.push(Section {
                        name: format!("core module {}", self.core_modules.len()),
                        offset: unchecked_range.start as u64,
                        size: (unchecked_range.end - unchecked_range.start) as u64,
                        count: None,
                    });
                }
                _ => {}
            }
            if depth != 1 {
                continue;
            }
            if let Some((id, range)) = payload.as_section() {
                let name = match &payload {
                    Payload::CustomSection(c) => format!("custom \"{}\"", c.name()),
                    other => section_name(id, other).to_string(),
                };
                self.out.sections.push(Section {
                    name,
                    offset: range.start as u64,
                    size: (range.end - range.start) as u64,
                    count: count_of(&payload),
                });
            }
            if let Err(e) = self.payload(payload) {
                self.out.error = Some(InspectError::malformed(&e));
                return;
            }
        }
    }

    fn payload(&mut self, payload: Payload<'_>) -> Result<(), wasmparser::BinaryReaderError> {
        match payload {
            Payload::TypeSection(reader) => {
                for group in reader {
                    for ty in group?.into_types() {
                        self.types.push(match &ty.composite_type.inner {
                            CompositeInnerType::Func(f) => Some((f.params().to_vec(), f.results().to_vec())),
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import?;
                    let kind = match import.ty {
                        TypeRef::Func(ty) | TypeRef::FuncExact(ty) => {
                            self.func_types.push(ty);
                            "func"
                        }
                        TypeRef::Memory(ty) => {
                            self.out.memories.push(memory_info(&ty, true));
                            "memory"
                        }
                        TypeRef::Table(ty) => {
                            self.out.tables.push(table_info(&ty, true));
                            "table"
                        }
                        TypeRef::Global(ty) => {
                            self.out.globals.push(GlobalInfo {
                                value_type: ty.content_type.to_string(),
                                mutable: ty.mutable,
                                imported: true,
                            });
                            "global"
                        }
                        TypeRef::Tag(_) => "tag",
                    };
                    let capability = (import.module == "wasi_snapshot_preview1")
                        .then(|| abi::capability_of_import(import.name))
                        .flatten();
                    self.push_import(import.module, import.name, kind, capability);
                }
            }
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    self.func_types.push(ty?);
                }
            }
            Payload::MemorySection(reader) => {
                for ty in reader {
                    self.out.memories.push(memory_info(&ty?, false));
                }
            }
            Payload::TableSection(reader) => {
                for table in reader {
                    self.out.tables.push(table_info(&table?.ty, false));
                }
            }
            Payload::GlobalSection(reader) => {
                for global in reader {
                    let ty = global?.ty;
                    self.out.globals.push(GlobalInfo {
                        value_type: ty.content_type.to_string(),
                        mutable: ty.mutable,
                        imported: false,
                    });
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    self.push_export(export?);
                }
            }
            Payload::StartSection { func, .. } => self.out.start_function = Some(func),
            Payload::ElementSection(reader) => self.out.element_segments = reader.count(),
            Payload::DataSection(reader) => {
                for data in reader {
                    self.out.data_segments.push(data_segment(&data?));
                }
            }
            Payload::CodeSectionStart { count, .. } => self.out.defined_functions = count,
            Payload::CustomSection(reader) => self.custom(&reader),
            Payload::ComponentImportSection(reader) => {
                for import in reader {
                    let import = import?;
                    let name = import.name.name;
                    self.push_import("component", name, extern_kind(&import.ty), capability::of_p2_interface(name));
                }
            }
            Payload::ComponentExportSection(reader) => {
                for export in reader {
                    let export = export?;
                    self.out.exports.push(Export {
                        name: export.name.name.to_string(),
                        kind: component_kind(export.kind),
                        signature: None,
                        invocable: false,
                    });
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn push_import(&mut self, module: &str, name: &str, kind: &'static str, capability: Option<Capability>) {
        self.out.may_use.extend(capability);
        self.out.imports.push(Import { module: module.to_string(), name: name.to_string(), kind, capability });
    }

    fn push_export(&mut self, export: wasmparser::Export<'_>) {
        let (kind, signature) = match export.kind {
            ExternalKind::Func | ExternalKind::FuncExact => {
                let ty = self.func_types.get(export.index as usize).and_then(|t| self.types.get(*t as usize));
                ("func", ty.cloned().flatten())
            }
            ExternalKind::Memory => ("memory", None),
            ExternalKind::Table => ("table", None),
            ExternalKind::Global => ("global", None),
            ExternalKind::Tag => ("tag", None),
        };
        let numeric = |v: &ValType| matches!(v, ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64);
        let invocable = signature.as_ref().is_some_and(|(p, r)| p.iter().all(numeric) && r.iter().all(numeric));
        self.out.exports.push(Export {
            name: export.name.to_string(),
            kind,
            signature: signature.map(|(params, results)| format_signature(&params, &results)),
            invocable,
        });
    }

    fn custom(&mut self, reader: &wasmparser::CustomSectionReader<'_>) {
        let custom = &mut self.out.custom;
        custom.all.push((reader.name().to_string(), reader.data().len() as u64));
        match reader.as_known() {
            KnownCustom::Name(names) => {
                // A malformed name section is not worth failing the analysis for.
                for name in names.into_iter().map_while(Result::ok) {
                    match name {
                        Name::Module { name, .. } => custom.module_name = Some(name.to_string()),
                        Name::Function(map) => {
                            for naming in map.into_iter().map_while(Result::ok).take(MAX_NAMES) {
                                custom.function_names.push((naming.index, naming.name.to_string()));
                            }
                        }
                        _ => {}
                    }
                }
            }
            KnownCustom::Producers(producers) => {
                custom.producers.extend(crate::inspect::composition::read_producers(producers))
            }
            _ if reader.name() == "target_features" => custom.target_features = target_features(reader.data()),
            _ => {}
        }
    }
}

/// The `target_features` section: a count, then (prefix byte, name) pairs.
fn target_features(data: &[u8]) -> Vec<String> {
    let mut reader = BinaryReader::new(data, 0);
    let mut features = Vec::new();
    let Ok(count) = reader.read_var_u32() else { return features };
    for _ in 0..count.min(1024) {
        let (Ok(prefix), Ok(name)) = (reader.read_u8(), reader.read_string()) else { break };
        features.push(format!("{}{name}", prefix as char));
    }
    features
}

fn section_name(id: u8, payload: &Payload<'_>) -> &'static str {
    match payload {
        Payload::TypeSection(_) => "type",
        Payload::ImportSection(_) => "import",
        Payload::FunctionSection(_) => "function",
        Payload::TableSection(_) => "table",
        Payload::MemorySection(_) => "memory",
        Payload::TagSection(_) => "tag",
        Payload::GlobalSection(_) => "global",
        Payload::ExportSection(_) => "export",
        Payload::StartSection { .. } => "start",
        Payload::ElementSection(_) => "element",
        Payload::DataCountSection { .. } => "data count",
        Payload::DataSection(_) => "data",
        Payload::CodeSectionStart { .. } => "code",
        Payload::ModuleSection { .. } => "core module",
        Payload::InstanceSection(_) => "core instance",
        Payload::CoreTypeSection(_) => "core type",
        Payload::ComponentSection { .. } => "component",
        Payload::ComponentInstanceSection(_) => "component instance",
        Payload::ComponentAliasSection(_) => "alias",
        Payload::ComponentTypeSection(_) => "component type",
        Payload::ComponentCanonicalSection(_) => "canonical",
        Payload::ComponentStartSection { .. } => "component start",
        Payload::ComponentImportSection(_) => "component import",
        Payload::ComponentExportSection(_) => "component export",
        _ if id == 0 => "custom",
        _ => "unknown",
    }
}

fn count_of(payload: &Payload<'_>) -> Option<u32> {
    Some(match payload {
        Payload::TypeSection(r) => r.count(),
        Payload::ImportSection(r) => r.count(),
        Payload::FunctionSection(r) => r.count(),
        Payload::TableSection(r) => r.count(),
        Payload::MemorySection(r) => r.count(),
        Payload::TagSection(r) => r.count(),
        Payload::GlobalSection(r) => r.count(),
        Payload::ExportSection(r) => r.count(),
        Payload::ElementSection(r) => r.count(),
        Payload::DataSection(r) => r.count(),
        Payload::CodeSectionStart { count, .. } => *count,
        Payload::ComponentImportSection(r) => r.count(),
        Payload::ComponentExportSection(r) => r.count(),
        _ => return None,
    })
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

fn table_info(ty: &wasmparser::TableType, imported: bool) -> TableInfo {
    TableInfo { element_type: ty.element_type.to_string(), initial: ty.initial, maximum: ty.maximum, imported }
}

fn data_segment(data: &wasmparser::Data<'_>) -> DataSegment {
    let size = data.data.len() as u64;
    match &data.kind {
        DataKind::Passive => DataSegment { mode: "passive", memory: None, memory_offset: None, size },
        DataKind::Active { memory_index, offset_expr } => {
            let memory_offset = match offset_expr.get_operators_reader().read() {
                Ok(wasmparser::Operator::I32Const { value }) => Some(u64::from(value as u32)),
                Ok(wasmparser::Operator::I64Const { value }) => Some(value as u64),
                _ => None,
            };
            DataSegment { mode: "active", memory: Some(*memory_index), memory_offset, size }
        }
    }
}

fn extern_kind(ty: &wasmparser::ComponentTypeRef) -> &'static str {
    match ty {
        wasmparser::ComponentTypeRef::Module(_) => "module",
        wasmparser::ComponentTypeRef::Func(_) => "func",
        wasmparser::ComponentTypeRef::Value(_) => "value",
        wasmparser::ComponentTypeRef::Type(_) => "type",
        wasmparser::ComponentTypeRef::Instance(_) => "instance",
        wasmparser::ComponentTypeRef::Component(_) => "component",
    }
}

fn component_kind(kind: wasmparser::ComponentExternalKind) -> &'static str {
    match kind {
        wasmparser::ComponentExternalKind::Module => "module",
        wasmparser::ComponentExternalKind::Func => "func",
        wasmparser::ComponentExternalKind::Value => "value",
        wasmparser::ComponentExternalKind::Type => "type",
        wasmparser::ComponentExternalKind::Instance => "instance",
        wasmparser::ComponentExternalKind::Component => "component",
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
