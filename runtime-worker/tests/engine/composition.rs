//! What a composed component is made of, read from the three composed
//! samples (`wac plug client.wasm --plug provider_X.wasm`): two parts, each
//! with its language from its own producers, its bytes (the very files that
//! were plugged together), imports and exports, and the wiring. A plain
//! component has no composition.

use runtime_worker::inspect::composition::{Composition, Part, Source, Target};
use runtime_worker::inspect::inspect_bytes;

use crate::support::samples_dir;

struct Composed {
    bytes: Vec<u8>,
    composition: Composition,
}

fn composed(file: &str) -> Composed {
    let bytes = std::fs::read(samples_dir().join("composition").join(file)).unwrap();
    let inspection = inspect_bytes(&bytes);
    assert_eq!(inspection.error, None, "{file} reads");
    let component = inspection.component.expect("a component");
    let composition = component.composition.unwrap_or_else(|| panic!("{file} is composed"));
    Composed { bytes, composition }
}

fn sample_bytes(file: &str) -> Vec<u8> {
    std::fs::read(samples_dir().join("composition").join(file)).unwrap()
}

const CONNECTOR: &str = "wasmscope:article/database-connector";

/// The checks every composed sample passes; returns (provider, client).
fn provider_and_client<'a>(sample: &'a Composed, provider_file: &str) -> (&'a Part, &'a Part) {
    let parts = &sample.composition.parts;
    assert_eq!(parts.len(), 2, "a provider and a client: {parts:#?}");
    let provider = parts.iter().find(|p| p.exports.iter().any(|e| e.name == CONNECTOR)).expect("a provider");
    let client = parts.iter().find(|p| p.imports.iter().any(|i| i.name == CONNECTOR)).expect("a client");
    assert_ne!(provider.index, client.index);
    for part in parts {
        assert_eq!(part.instances, 1, "wac instantiates each part once");
        assert!(part.core_modules >= 1 && part.main_module_size > 0);
    }

    // Each part's range holds the file that was plugged in, byte for byte.
    assert_eq!(provider.bytes(&sample.bytes).unwrap(), sample_bytes(provider_file).as_slice());
    assert_eq!(client.bytes(&sample.bytes).unwrap(), sample_bytes("client.wasm").as_slice());
    assert_eq!(provider.size, sample_bytes(provider_file).len() as u64);

    // Named from what they export, there being no name section.
    assert_eq!(provider.name, "database-connector");
    assert_eq!(client.name, "command");
    // The client is C, not the Rust of the preview1 adapter inside it.
    assert_eq!(client.language.as_deref(), Some("C99"));
    assert!(client.toolchain.iter().any(|t| t == "Debian clang 14.0.6"), "{:?}", client.toolchain);

    // The one link: the provider's export into the client's import.
    let links: Vec<_> = sample.composition.links().collect();
    assert_eq!(links.len(), 1, "{links:#?}");
    assert_eq!(links[0].from, Source::Part { part: provider.index, export: Some(CONNECTOR.to_string()) });
    assert_eq!(links[0].to, Target::Part { part: client.index, import: CONNECTOR.to_string() });
    assert_eq!(links[0].kind, "instance");
    assert_eq!(links[0].label(), CONNECTOR);

    // What the host sees: the client's run, and WASI imports only.
    let exports: Vec<_> = sample.composition.exports().collect();
    assert_eq!(
        exports,
        vec![("wasi:cli/run@0.2.12", &Source::Part { part: client.index, export: Some("wasi:cli/run@0.2.12".into()) })]
    );
    let host = sample.composition.host_imports();
    assert!(!host.is_empty() && host.iter().all(|i| i.starts_with("wasi:")), "{host:?}");
    // Every import of each part is wired, from the host or the other part.
    for part in [provider, client] {
        for import in &part.imports {
            assert!(
                sample
                    .composition
                    .wiring
                    .iter()
                    .any(|w| w.to == Target::Part { part: part.index, import: import.name.clone() }),
                "{} of {} is wired",
                import.name,
                part.name
            );
        }
    }
    assert_eq!(sample.composition.host_imports_of(client.index).len(), client.imports.len() - 1);
    (provider, client)
}

#[test]
fn client_python_is_a_python_provider_plugged_into_a_c_client() {
    let sample = composed("client_python.wasm");
    let (provider, _) = provider_and_client(&sample, "provider_python.wasm");
    // componentize-py's part says Python in its own producers; its largest
    // core module (the snapshot) names no language, and the adapter's Rust
    // is not the part's language.
    assert_eq!(provider.language.as_deref(), Some("Python 3.14.0"));
    assert!(provider.toolchain.iter().any(|t| t == "componentize-py 0.25.1"), "{:?}", provider.toolchain);
    assert!(provider.core_modules > 5, "libc, libpython and the rest: {}", provider.core_modules);
    // wac merged the provider's WASI 0.2.9 imports into the client's 0.2.12
    // where they are compatible; the ones only the provider uses stay 0.2.9.
    let from_host = sample.composition.host_imports_of(provider.index);
    assert!(from_host.contains(&("wasi:io/streams@0.2.12", "wasi:io/streams@0.2.9")), "{from_host:?}");
    assert!(from_host.contains(&("wasi:random/random@0.2.9", "wasi:random/random@0.2.9")), "{from_host:?}");
    // componentize-py's build-time `exports` goes nowhere.
    assert!(provider.exports.iter().any(|e| e.name == "exports"));
    assert!(
        !sample
            .composition
            .wiring
            .iter()
            .any(|w| w.from == Source::Part { part: provider.index, export: Some("exports".into()) })
    );
}

#[test]
fn client_rust_is_a_rust_provider_plugged_into_a_c_client() {
    let sample = composed("client_rust.wasm");
    let (provider, _) = provider_and_client(&sample, "provider_rust.wasm");
    assert_eq!(provider.language.as_deref(), Some("Rust, C99"));
    assert!(provider.toolchain.iter().any(|t| t == "rustc 1.63.0"), "{:?}", provider.toolchain);
    // Not the adapter's rustc.
    assert!(!provider.toolchain.iter().any(|t| t.starts_with("rustc 1.97")), "{:?}", provider.toolchain);
}

#[test]
fn client_go_is_a_go_provider_plugged_into_a_c_client() {
    let sample = composed("client_go.wasm");
    let (provider, _) = provider_and_client(&sample, "provider_go.wasm");
    assert_eq!(provider.language.as_deref(), Some("Go 1.27.3"));
    assert!(provider.toolchain.iter().any(|t| t == "Go cmd/compile go1.27.3"), "{:?}", provider.toolchain);
}

#[test]
fn a_plain_component_has_no_composition() {
    // wit-component nests small code-less components for its exports' types:
    // those are no parts.
    for file in ["components/hello_component.wasm", "components/database_connector.wasm", "composition/client.wasm"] {
        let bytes = std::fs::read(samples_dir().join(file)).unwrap();
        let inspection = inspect_bytes(&bytes);
        let component = inspection.component.unwrap_or_else(|| panic!("{file} is a component"));
        assert_eq!(component.composition, None, "{file}");
    }
    // And a core module has no component information at all.
    let module = inspect_bytes(&wat::parse_str("(module)").unwrap());
    assert!(module.component.is_none());
}

#[test]
fn the_composition_is_in_the_json() {
    let sample = composed("client_rust.wasm");
    let json = serde_json::to_value(inspect_bytes(&sample.bytes)).unwrap();
    let composition = &json["component"]["composition"];
    assert_eq!(composition["parts"][0]["name"], "database-connector");
    assert_eq!(composition["parts"][0]["language"], "Rust, C99");
    let link = composition["wiring"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["from"]["kind"] == "part" && w["to"]["kind"] == "part")
        .expect("the link");
    assert_eq!(link["to"]["import"], CONNECTOR);
}

/// Swapping a part: the client of `client_python.wasm`, linked at run time
/// to the Rust provider instead of its Python one, prints what
/// `client_rust.wasm` prints, and the provider's calls carry its own label.
mod swap {
    use runtime_worker::{Entry, HostCall, Mount, PartSwap, RunOutcome, RunRequest, SandboxProfile};

    use crate::support::{Report, runtime, sample, samples_dir};

    const SWAPPED: &str = "#0 database-connector (provider_rust.wasm)";

    fn users_mounted() -> SandboxProfile {
        let users = samples_dir().join("composition/data");
        SandboxProfile { mounts: vec![Mount::read_only(users, "/data")], ..SandboxProfile::default() }
    }

    fn run_swapped(file: &str, part: &str, with: runtime_worker::LoadedModule, record_calls: bool) -> Report {
        let mut request = RunRequest::new(sample(file), users_mounted(), Entry::Start);
        request.record_calls = record_calls;
        request.swaps = vec![PartSwap { part: part.into(), with }];
        Report { events: runtime().start(request).wait() }
    }

    fn failure(report: &Report) -> String {
        match report.outcome() {
            RunOutcome::Failed { message, .. } => message.clone(),
            other => panic!("expected a refusal, got {other:?}: {}", report.stdout()),
        }
    }

    #[test]
    fn the_python_client_with_the_rust_provider_prints_the_rust_rows() {
        let rust = Report {
            events: runtime()
                .start(RunRequest::new(sample("composition/client_rust.wasm"), users_mounted(), Entry::Start))
                .wait(),
        };
        let rust_provider = || sample("composition/provider_rust.wasm");
        let swapped = run_swapped("composition/client_python.wasm", "database-connector", rust_provider(), true);
        assert_eq!(swapped.outcome(), rust.outcome());
        assert_eq!(swapped.stdout(), rust.stdout(), "the swapped run prints client_rust.wasm's rows");
        assert!(swapped.stdout().contains("2\tname=grace;lang=rust"), "{}", swapped.stdout());

        let calls = swapped.host_calls();
        let crossings: Vec<&&HostCall> = calls.iter().filter(|c| c.callee.is_some()).collect();
        assert_eq!(crossings.len(), 3, "three queries");
        for crossing in &crossings {
            assert_eq!(crossing.callee.as_deref(), Some(SWAPPED));
            assert_eq!(crossing.part.as_deref(), Some("#1 command"));
        }
        let open = calls
            .iter()
            .find(|c| c.function.ends_with("descriptor.open-at") && c.args.iter().any(|(_, v)| v.contains("users.csv")))
            .expect("the provider opens users.csv");
        assert_eq!(open.part.as_deref(), Some(SWAPPED), "the replacement's own calls are tagged with it");

        // Unrecorded, a swap still runs part by part (whole, the file would
        // run the Python provider), and by number as well as by name.
        let quiet = run_swapped("composition/client_python.wasm", "#0", rust_provider(), false);
        assert_eq!(quiet.stdout(), rust.stdout());
    }

    #[test]
    fn the_swapped_part_gets_the_capabilities_of_its_place() {
        use runtime_worker::PartProfile;
        // The run grants /data, the provider's place nothing: the Rust
        // provider answers with its error row.
        let mut request = RunRequest::new(sample("composition/client_python.wasm"), users_mounted(), Entry::Start);
        request.profile.parts =
            vec![PartProfile { part: "database-connector".into(), profile: SandboxProfile::default() }];
        request.swaps =
            vec![PartSwap { part: "database-connector".into(), with: sample("composition/provider_rust.wasm") }];
        let report = Report { events: runtime().start(request).wait() };
        assert!(!report.stdout().contains("name=grace"), "{}", report.stdout());
        assert!(report.stdout().contains("error: cannot open /data/users.csv"), "{}", report.stdout());
        let calls = report.host_calls();
        let preopens = calls
            .iter()
            .find(|c| c.part.as_deref() == Some(SWAPPED) && c.function.ends_with("get-directories"))
            .expect("the replacement asks for its folders");
        assert_eq!(&*preopens.result, "[]", "it has none, as its place has none");
    }

    /// A component that exports the contract's interface with another type.
    const WRONG_TYPE: &str = r#"
        (component
          (core module $m (func (export "q") (param i32) (result i32) local.get 0))
          (core instance $i (instantiate $m))
          (func $q (param "sql" u32) (result u32) (canon lift (core func $i "q")))
          (instance $api (export "execute-query" (func $q)))
          (export "wasmscope:article/database-connector" (instance $api)))
    "#;

    /// A component that needs an interface nobody here gives it.
    const NEEDS_MORE: &str = r#"
        (component
          (import "example:db/pool" (instance $pool (export "size" (func (result u32)))))
          (core module $m (func (export "q") (param i32) (result i32) local.get 0))
          (core instance $i (instantiate $m))
          (func $q (param "sql" u32) (result u32) (canon lift (core func $i "q")))
          (instance $api (export "execute-query" (func $q)))
          (export "other:pkg/api" (instance $api)))
    "#;

    #[test]
    fn a_replacement_that_does_not_fit_is_refused_with_what_does_not_fit() {
        let load = |name: &str, text: &str| runtime_worker::inspect::load::load(name, text.as_bytes()).unwrap();
        let cases: [(&str, runtime_worker::LoadedModule, &[&str]); 5] = [
            (
                "database-connector",
                load("wrong_type.wat", WRONG_TYPE),
                &[
                    "`#0 database-connector (wrong_type.wat)` cannot stand in for `#0 database-connector`",
                    "its `wasmscope:article/database-connector#execute-query` is `func(sql: u32) -> u32`",
                    "but `#1 command` imports `func(sql: string) -> list<record { id: u64, payload: string }>`",
                ],
            ),
            (
                "database-connector",
                sample("composition/client.wasm"),
                &["does not export `wasmscope:article/database-connector`, which `#1 command` imports"],
            ),
            ("database-connector", load("needs_more.wat", NEEDS_MORE), &["does not export"]),
            (
                "provider",
                sample("composition/provider_rust.wasm"),
                &["no such part; the parts are `#0 database-connector`, `#1 command`"],
            ),
            ("#0", load("core.wat", "(module)"), &["core.wat is a core module: only a component can stand in"]),
        ];
        for (part, with, expected) in cases {
            let name = with.name.clone();
            let message = failure(&run_swapped("composition/client_rust.wasm", part, with, true));
            for piece in expected {
                assert!(message.contains(piece), "{name}: {message:?} should say {piece:?}");
            }
        }
    }

    #[test]
    fn a_replacement_whose_imports_nobody_gives_is_refused_naming_them() {
        // In the command's place: it exports the command but needs a pool.
        let text = r#"
            (component
              (import "example:db/pool" (instance $pool (export "size" (func (result u32)))))
              (core module $m (func (export "run") (result i32) i32.const 0))
              (core instance $i (instantiate $m))
              (func $run (result (result)) (canon lift (core func $i "run")))
              (instance $cli (export "run" (func $run)))
              (export "wasi:cli/run@0.2.12" (instance $cli)))
        "#;
        let with = runtime_worker::inspect::load::load("needs_pool.wat", text.as_bytes()).unwrap();
        let message = failure(&run_swapped("composition/client_rust.wasm", "command", with, true));
        assert!(message.contains("`#1 command (needs_pool.wat)` cannot stand in for `#1 command`"), "{message}");
        assert!(message.contains("example:db/pool"), "{message}");
    }

    #[test]
    fn a_plain_component_has_no_part_to_swap() {
        let message = failure(&run_swapped(
            "components/hello_component.wasm",
            "#0",
            sample("composition/provider_rust.wasm"),
            true,
        ));
        assert!(message.contains("only a composed command"), "{message}");
    }
}
