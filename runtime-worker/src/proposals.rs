//! The WebAssembly proposals Wasmscope's engines accept: one set, which every
//! engine is configured with (`configure`) and the Inspector validates with
//! (`check`), so a module the Inspector calls valid also compiles, and one it
//! refuses is refused with the proposal named.
//!
//! wasmtime works out the set it ends with from its defaults, its crate
//! features and the target, and does not say which set that was; so the set is
//! given whole here (every proposal not in it is turned off). `WasmFeatures` is
//! wasmtime's own wasmparser's: the workspace builds one generation of the
//! wasm-tools crates, and `configure` would not compile against another.

use wasmparser::{BinaryReaderError, Validator, WasmFeatures};

/// What every engine enables: WebAssembly 3.0 (GC, exceptions, tail calls,
/// function references, SIMD and relaxed SIMD, memory64, multi-memory,
/// threads, extended constants) and wide arithmetic; the component model
/// with WASI 0.3's async functions, streams and futures, and the builtins
/// toolchains emit for them. It is what wasmtime 48 enables by default, plus
/// wide arithmetic and the async builtins.
pub const ENABLED: WasmFeatures = WasmFeatures::WASM3
    .union(WasmFeatures::WIDE_ARITHMETIC)
    .union(WasmFeatures::COMPONENT_MODEL)
    .union(WasmFeatures::CM_ASYNC)
    .union(WasmFeatures::CM_MORE_ASYNC_BUILTINS)
    .union(WasmFeatures::CM_ASYNC_STACKFUL)
    .union(WasmFeatures::CM_ERROR_CONTEXT);

/// Gives `config` exactly the proposals in `ENABLED`.
pub(crate) fn configure(config: &mut wasmtime::Config) {
    config.wasm_features(ENABLED, true).wasm_features(!ENABLED, false);
}

/// A module that is valid WebAssembly, but not with the proposals the engine
/// enables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProposalOff {
    /// Turning on this one proposal (named in words) would make it valid.
    One(&'static str),
    /// No single proposal would.
    Several,
}

impl ProposalOff {
    /// Why the module will not load, after "the module": "will not load: it
    /// uses custom page sizes, a WebAssembly proposal that Wasmscope's engine
    /// (wasmtime 48) does not enable".
    pub fn sentence(self) -> String {
        match self {
            ProposalOff::One(proposal) => format!(
                "will not load: it uses {proposal}, a WebAssembly proposal that Wasmscope's engine ({ENGINE}) does not \
                 enable"
            ),
            ProposalOff::Several => {
                format!(
                    "will not load: it uses WebAssembly proposals that Wasmscope's engine ({ENGINE}) does not enable"
                )
            }
        }
    }
}

/// The engine as a person would name it.
const ENGINE: &str = "wasmtime 48";

/// Validates `bytes` as the engine will. On a refusal, the validator's error,
/// and whether the module is valid WebAssembly with proposals the engine
/// leaves off (`None`: malformed whatever is enabled). The proposal to name
/// is the one whose turning on alone makes the module valid; only refused
/// modules pay for that search, a validation per proposal that is off.
pub fn check(bytes: &[u8]) -> Result<(), (BinaryReaderError, Option<ProposalOff>)> {
    let Err(error) = Validator::new_with_features(ENABLED).validate_all(bytes) else {
        return Ok(());
    };
    if let Err(malformed) = Validator::new_with_features(WasmFeatures::all()).validate_all(bytes) {
        return Err((malformed, None));
    }
    let one = (!ENABLED).iter().find(|flag| Validator::new_with_features(ENABLED | *flag).validate_all(bytes).is_ok());
    Err((error, Some(one.map_or(ProposalOff::Several, |flag| ProposalOff::One(in_words(flag))))))
}

/// A proposal the engine leaves off, as its overview page names it.
fn in_words(flag: WasmFeatures) -> &'static str {
    const NAMES: &[(WasmFeatures, &str)] = &[
        (WasmFeatures::LEGACY_EXCEPTIONS, "legacy exception handling (try/catch, as older Emscripten emits it)"),
        (WasmFeatures::CUSTOM_PAGE_SIZES, "custom page sizes"),
        (WasmFeatures::SHARED_EVERYTHING_THREADS, "shared-everything threads"),
        (WasmFeatures::STACK_SWITCHING, "stack switching"),
        (WasmFeatures::MEMORY_CONTROL, "memory control"),
        (WasmFeatures::CUSTOM_DESCRIPTORS, "custom descriptors"),
        (WasmFeatures::COMPACT_IMPORTS, "compact import sections"),
        (WasmFeatures::CM_VALUES, "component values"),
        (WasmFeatures::CM_NESTED_NAMES, "nested namespaces in component names"),
        (WasmFeatures::CM_THREADING, "threads in the component model"),
        (WasmFeatures::CM_FIXED_LENGTH_LISTS, "fixed-length lists in the component model"),
        (WasmFeatures::CM_GC, "GC types in the component model's lifting and lowering"),
        (WasmFeatures::CM_MAP, "map types in the component model"),
        (WasmFeatures::CM64, "64-bit memories in the component model"),
        (WasmFeatures::CM_IMPLEMENTS, "`implements` in component imports"),
        (WasmFeatures::CM_CANON_NAMES, "names on canonical functions"),
    ];
    NAMES.iter().find(|(f, _)| *f == flag).map_or("a proposal wasmparser knows by another name", |(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// wasmtime says which proposals a `Config` ended with only in its
    /// `Debug` text (`wasm_gc: true`): every engine's set must be `ENABLED`,
    /// flag by flag, or the Inspector would judge by another set.
    #[test]
    fn the_engines_features_are_the_inspectors() {
        let mut config = wasmtime::Config::new();
        configure(&mut config);
        let text = format!("{config:?}");
        for (name, flag) in WasmFeatures::all().iter_names() {
            let field = format!("wasm_{}: {}", name.to_lowercase(), ENABLED.contains(flag));
            assert!(text.contains(&field), "{field} not in the engine's config: {text}");
        }
    }

    #[test]
    fn every_proposal_left_off_has_a_name_in_words() {
        for (name, flag) in (!ENABLED).iter_names() {
            assert_ne!(in_words(flag), "a proposal wasmparser knows by another name", "{name}");
        }
    }
}
