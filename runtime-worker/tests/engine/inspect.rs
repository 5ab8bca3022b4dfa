//! The inspector on modules built for each part of the format, on a
//! component, and on broken input (which must never panic).

use runtime_worker::Capability;
use runtime_worker::inspect::load::ModuleKind;
use runtime_worker::inspect::{Inspection, inspect_bytes};

fn inspect_wat(wat: &str) -> Inspection {
    let bytes = wat::parse_str(wat).expect("valid wat");
    let inspection = inspect_bytes(&bytes);
    assert_eq!(inspection.error, None, "a valid module reads without error");
    inspection
}

fn section_names(inspection: &Inspection) -> Vec<&str> {
    inspection.sections.iter().map(|s| s.name.as_str()).collect()
}

const EVERY_SECTION: &str = r#"(module $everything
    (type $binop (func (param i32 i32) (result i32)))
    (import "env" "log" (func $log (param i32)))
    (import "env" "table" (table 1 funcref))
    (import "env" "base" (global $base i32))
    (tag $oops (param i32))
    (memory (export "memory") 2 10)
    (table $t 4 8 funcref)
    (global $counter (mut i64) (i64.const 0))
    (func $add (export "add") (type $binop) local.get 0 local.get 1 i32.add)
    (func $init)
    (start $init)
    (elem (table $t) (i32.const 0) func $add)
    (data (i32.const 1024) "hello")
    (data $passive "bytes")
    (func (export "fill") (memory.init $passive (i32.const 0) (i32.const 0) (i32.const 5)))
    (@custom "my-section" "payload")
    (@producers (language "wat" "1.0") (processed-by "wasmscope-tests" "0.1"))
)"#;

#[test]
fn every_section_kind_is_listed_with_offsets() {
    let inspection = inspect_wat(EVERY_SECTION);
    assert_eq!(inspection.kind, Some(ModuleKind::Core));
    let names = section_names(&inspection);
    for expected in [
        "type",
        "import",
        "function",
        "table",
        "memory",
        "tag",
        "global",
        "export",
        "start",
        "element",
        "data count",
        "code",
        "data",
    ] {
        assert!(names.contains(&expected), "{expected} missing from {names:?}");
    }
    assert!(names.contains(&"custom \"my-section\""));
    let mut last_end = 8;
    for section in &inspection.sections {
        assert!(section.offset >= last_end, "{} starts at {} before {last_end}", section.name, section.offset);
        last_end = section.offset + section.size;
    }
    assert!(last_end <= inspection.size);
}

#[test]
fn imports_exports_memories_tables_globals_and_data_are_read() {
    let inspection = inspect_wat(EVERY_SECTION);
    let imports: Vec<_> = inspection.imports.iter().map(|i| (i.module.as_str(), i.name.as_str(), i.kind)).collect();
    assert_eq!(imports, [("env", "log", "func"), ("env", "table", "table"), ("env", "base", "global")]);
    let add = inspection.exports.iter().find(|e| e.name == "add").unwrap();
    assert_eq!(add.signature.as_deref(), Some("(i32, i32) -> i32"));
    assert!(add.invocable);
    assert_eq!(inspection.memories.len(), 1);
    assert_eq!((inspection.memories[0].initial_pages, inspection.memories[0].maximum_pages), (2, Some(10)));
    assert_eq!(inspection.tables.len(), 2);
    assert!(inspection.tables[0].imported);
    assert_eq!((inspection.tables[1].initial, inspection.tables[1].maximum), (4, Some(8)));
    assert_eq!(inspection.globals.len(), 2);
    assert!(inspection.globals[1].mutable);
    assert_eq!(inspection.globals[1].value_type, "i64");
    assert_eq!(inspection.start_function, Some(2));
    assert_eq!(inspection.defined_functions, 3);
    assert_eq!(inspection.element_segments, 1);
    let data: Vec<_> = inspection.data_segments.iter().map(|d| (d.mode, d.memory_offset, d.size)).collect();
    assert_eq!(data, [("active", Some(1024), 5), ("passive", None, 5)]);
}

#[test]
fn standard_custom_sections_are_decoded() {
    let inspection = inspect_wat(EVERY_SECTION);
    let custom = &inspection.custom;
    assert_eq!(custom.module_name.as_deref(), Some("everything"));
    assert_eq!(inspection.function_name(1), Some("add"));
    assert_eq!(inspection.function_name(2), Some("init"));
    assert!(custom.producers.contains(&("language".to_string(), vec![("wat".to_string(), "1.0".to_string())])));
    assert!(custom.all.iter().any(|(name, size)| name == "my-section" && *size == 7));

    let features = inspect_wat(r#"(module (@custom "target_features" "\02\2b\07simd128\2d\07atomics"))"#);
    assert_eq!(features.custom.target_features, ["+simd128", "-atomics"]);
}

#[test]
fn each_wasi_import_is_tagged_with_its_capability() {
    let cases = [
        ("path_open", "(param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)", Capability::Files),
        ("sock_send", "(param i32 i32 i32 i32 i32) (result i32)", Capability::Network),
        ("clock_time_get", "(param i32 i64 i32) (result i32)", Capability::Clocks),
        ("environ_get", "(param i32 i32) (result i32)", Capability::EnvArgs),
        ("args_get", "(param i32 i32) (result i32)", Capability::EnvArgs),
        ("random_get", "(param i32 i32) (result i32)", Capability::Random),
        ("fd_write", "(param i32 i32 i32 i32) (result i32)", Capability::Stdio),
        ("proc_exit", "(param i32)", Capability::Process),
    ];
    for (name, signature, capability) in cases {
        let inspection =
            inspect_wat(&format!(r#"(module (import "wasi_snapshot_preview1" "{name}" (func {signature})))"#));
        assert_eq!(inspection.imports[0].capability, Some(capability), "{name}");
        assert_eq!(inspection.may_use.iter().copied().collect::<Vec<_>>(), [capability]);
    }
    let untagged = inspect_wat(r#"(module (import "env" "f" (func)))"#);
    assert_eq!(untagged.imports[0].capability, None);
    assert_eq!(untagged.may_use_text(), "nothing beyond its own memory");
}

#[test]
fn a_component_shows_its_imports_nested_modules_and_wit_world() {
    let inspection = inspect_wat(
        r#"(component
            (import "wasi:cli/environment@0.2.0" (instance $env
                (export "get-environment" (func (result (list (tuple string string)))))))
            (import "wasi:clocks/wall-clock@0.2.0" (instance
                (type $datetime (record (field "seconds" u64) (field "nanoseconds" u32)))
                (export "datetime" (type (eq $datetime)))))
            (core module $inner (func (export "f")))
            (core instance (instantiate $inner))
        )"#,
    );
    assert_eq!(inspection.kind, Some(ModuleKind::Component));
    let imports: Vec<_> = inspection.imports.iter().map(|i| (i.name.as_str(), i.capability)).collect();
    assert_eq!(
        imports,
        [
            ("wasi:cli/environment@0.2.0", Some(Capability::EnvArgs)),
            ("wasi:clocks/wall-clock@0.2.0", Some(Capability::Clocks))
        ]
    );
    let component = inspection.component.as_ref().expect("component details");
    assert_eq!(component.core_modules.len(), 1);
    let wit = component.wit.as_ref().expect("WIT prints");
    assert!(wit.contains("world"), "{wit}");
    assert!(wit.contains("import wasi:cli/environment@0.2.0"), "{wit}");
}

fn sample_bytes() -> Vec<u8> {
    let text = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../samples/read_file.wat")).unwrap();
    wat::parse_bytes(&text).unwrap().into_owned()
}

#[test]
fn a_module_cut_at_any_section_boundary_reports_where_and_keeps_what_it_read() {
    let bytes = sample_bytes();
    let whole = inspect_bytes(&bytes);
    for (i, section) in whole.sections.iter().enumerate() {
        // Cut in the middle of each section's contents.
        let cut = (section.offset + section.size / 2) as usize;
        let partial = inspect_bytes(&bytes[..cut]);
        let error = partial.error.as_ref().unwrap_or_else(|| panic!("no error when cut at {cut}"));
        assert!(error.offset <= cut as u64, "error offset {} past the end {cut}", error.offset);
        assert!(
            partial.sections.len() >= i,
            "sections before the cut at {cut} are kept: {} < {i}",
            partial.sections.len()
        );
    }
}

#[test]
fn broken_headers_and_encodings_are_errors_not_panics() {
    let cases: &[(&str, &[u8])] = &[
        ("wrong magic", b"\0asn\x01\0\0\0"),
        ("wrong version", b"\0asm\x02\0\0\0"),
        ("empty", b""),
        ("magic only", b"\0asm"),
        ("bad LEB section size", b"\0asm\x01\0\0\0\x01\xff\xff\xff\xff\xff\x0f"),
        ("huge type count", b"\0asm\x01\0\0\0\x01\x05\xff\xff\xff\xff\x0f"),
        ("unknown section id", b"\0asm\x01\0\0\0\x63\x01\x00"),
        ("custom section name past the end", b"\0asm\x01\0\0\0\x00\x02\x10a"),
        ("not wasm at all", b"%PDF-1.7 this is a document"),
    ];
    for (what, bytes) in cases {
        let inspection = inspect_bytes(bytes);
        assert!(inspection.error.is_some(), "{what}: no error reported");
    }
}

/// Valid WebAssembly, each using one proposal the engine leaves off, and the
/// words the Inspector names it with.
const PROPOSAL_OFF: &[(&str, &str)] = &[
    (r#"(module (memory 1 (pagesize 1)) (func (export "_start")))"#, "custom page sizes"),
    (r#"(module (func (export "_start") try catch_all end))"#, "legacy exception handling"),
];

/// Modules using proposals the engine turns on that wasmtime 48 leaves off
/// by default, or that are recent: tail calls, GC, wide arithmetic.
const PROPOSAL_ON: &[&str] = &[
    r#"(module (func $f) (func (export "_start") return_call $f))"#,
    r#"(module (type $s (struct (field i32))) (func (export "_start") (drop (struct.new $s (i32.const 1)))))"#,
    r#"(module (func (export "_start")
        (i64.add128 (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4)) drop drop))"#,
];

fn run(wat: &str) -> runtime_worker::RunOutcome {
    let module = runtime_worker::inspect::load::load("test.wat", wat.as_bytes()).expect("well-formed: it loads");
    let request = runtime_worker::RunRequest::new(module, Default::default(), runtime_worker::Entry::Start);
    crate::support::Report { events: crate::support::runtime().start(request).wait() }.outcome().clone()
}

#[test]
fn a_module_using_a_proposal_the_engine_leaves_off_will_not_load_and_the_inspector_says_which() {
    for (wat, proposal) in PROPOSAL_OFF {
        let inspection = inspect_bytes(&wat::parse_str(wat).unwrap());
        let error = inspection.error.unwrap_or_else(|| panic!("{proposal}: the Inspector calls it valid"));
        let sentence = error.sentence();
        assert!(sentence.starts_with(&format!("will not load: it uses {proposal}")), "{sentence}");
        assert!(sentence.contains("a WebAssembly proposal that Wasmscope's engine (wasmtime 48) does not enable"));
        match run(wat) {
            runtime_worker::RunOutcome::Failed { stage: runtime_worker::Phase::Compile, .. } => {}
            other => panic!("{proposal}: the engine did not refuse it: {other:?}"),
        }
    }
}

#[test]
fn a_module_the_inspector_calls_valid_runs() {
    for wat in PROPOSAL_ON {
        assert_eq!(inspect_bytes(&wat::parse_str(wat).unwrap()).error, None, "{wat}");
        assert_eq!(run(wat), runtime_worker::RunOutcome::Exited { code: 0 }, "{wat}");
    }
}

#[test]
fn a_malformed_module_is_called_malformed_not_refused() {
    // A function body that leaves an i32 on the stack of a `() -> ()` type
    // (the text parser does not check types).
    let bytes = wat::parse_str(r#"(module (func (export "_start") (i32.const 1)))"#).unwrap();
    let error = inspect_bytes(&bytes).error.expect("the validator refuses it");
    assert_eq!(error.proposal_off, None);
    assert!(error.sentence().starts_with("is malformed at offset 0x"), "{}", error.sentence());
}
