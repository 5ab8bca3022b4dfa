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
