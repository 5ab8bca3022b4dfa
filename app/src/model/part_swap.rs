//! Swapping an inner part of the loaded composed command for another
//! component, for the runs that follow (the engine links the part's
//! consumers to it at run time: `RunRequest::swaps`). What the window offers
//! for a part (the composed samples' providers), and the replacement read
//! off the UI thread (the Python provider is 18 MB).

use crossbeam_channel::{Receiver, TryRecvError};
use runtime_worker::inspect::{inspect, load};
use runtime_worker::{Entry, LoadedModule, PartSwap, SandboxProfile};

use crate::samples::{Sample, SampleData, Source};

/// The interface the composed samples' providers export: a part that
/// exports it is offered the other providers.
pub const CONNECTOR: &str = "wasmscope:article/database-connector";

/// The composed samples: the client with each provider.
const COMPOSED_SAMPLES: [&str; 3] = ["client_rust.wasm", "client_go.wasm", "client_python.wasm"];

/// The providers of the samples' contract, offered when one of the composed
/// samples is loaded. The Rust one is small enough to be built in.
pub static PROVIDERS: [Sample; 3] = [
    provider(
        "provider_rust.wasm",
        "Rust",
        Source::Embedded(include_bytes!("../../../samples/composition/provider_rust.wasm")),
    ),
    provider("provider_go.wasm", "Go", Source::InRepository("composition/provider_go.wasm")),
    provider("provider_python.wasm", "Python", Source::InRepository("composition/provider_python.wasm")),
];

const fn provider(file: &'static str, title: &'static str, source: Source) -> Sample {
    Sample {
        file,
        title,
        story: "A provider of the article's database-connector, to swap in for the composed sample's own.",
        source,
        profile: no_profile,
        entry: command,
    }
}

/// A provider is not opened on its own from here: it has no profile of its own.
fn no_profile(_: &SampleData) -> SandboxProfile {
    SandboxProfile::default()
}

fn command() -> Entry {
    Entry::Start
}

/// The components offered in place of `exports`' part of the module called
/// `module_name`: the samples' providers, for the provider of a composed sample.
pub fn offered(module_name: &str, exports: &[&str]) -> &'static [Sample] {
    if COMPOSED_SAMPLES.contains(&module_name) && exports.contains(&CONNECTOR) { &PROVIDERS } else { &[] }
}

/// A part swapped for the runs that follow.
#[derive(Clone, Debug)]
pub struct Swap {
    /// The part's place in the composition (`#0`), and its own label.
    pub place: usize,
    pub replaced: String,
    pub with: LoadedModule,
    /// The replacement's language, from its `producers` section.
    pub language: Option<String>,
}

impl Swap {
    /// What the run asks of the engine.
    pub fn request(&self) -> PartSwap {
        PartSwap { part: format!("#{}", self.place), with: self.with.clone() }
    }

    /// As the run tags the part: `#0 database-connector (provider_rust.wasm)`.
    pub fn label(&self) -> String {
        format!("{} ({})", self.replaced, self.with.name)
    }

    /// A run's title: `client_python.wasm, #0 swapped for provider_rust.wasm`.
    pub fn run_title(&self, module_name: &str) -> String {
        format!("{module_name}, #{} swapped for {}", self.place, self.with.name)
    }
}

/// A replacement being read and checked on its own thread.
pub struct SwapLoading {
    place: usize,
    replaced: String,
    result: Receiver<Result<(LoadedModule, Option<String>), String>>,
}

impl SwapLoading {
    /// Reads the replacement with `read` (a file, or an offered sample's
    /// bytes) on a thread of its own; `wake` is called when it is there.
    pub fn start(
        place: usize,
        replaced: String,
        name: String,
        read: impl FnOnce() -> Result<Vec<u8>, String> + Send + 'static,
        wake: impl Fn() + Send + 'static,
    ) -> Result<SwapLoading, String> {
        let (tx, rx) = crossbeam_channel::bounded(1);
        std::thread::Builder::new()
            .name("load-module".into())
            .spawn(move || {
                let loaded = read().and_then(|bytes| load::load(&name, &bytes).map_err(|e| e.to_string()));
                let checked = loaded.and_then(|module| match module.kind {
                    runtime_worker::ModuleKind::Component => {
                        let language = inspect(&module).language();
                        Ok((module, language))
                    }
                    runtime_worker::ModuleKind::Core => {
                        Err(format!("{name} is a core module: only a component can stand in for a part"))
                    }
                });
                let _ = tx.send(checked.map_err(|e| format!("cannot swap in {name}: {e}")));
                wake();
            })
            .map_err(|e| format!("cannot start reading the component: {e}"))?;
        Ok(SwapLoading { place, replaced, result: rx })
    }

    /// The swap once the replacement is read, or why it cannot be made.
    pub fn poll(&self) -> Option<Result<Swap, String>> {
        let result = match self.result.try_recv() {
            Ok(result) => result,
            Err(TryRecvError::Empty) => return None,
            Err(TryRecvError::Disconnected) => Err("reading the component stopped unexpectedly".to_string()),
        };
        Some(result.map(|(with, language)| Swap { place: self.place, replaced: self.replaced.clone(), with, language }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_providers_are_offered_for_the_provider_of_a_composed_sample_only() {
        assert_eq!(offered("client_python.wasm", &[CONNECTOR]).len(), 3);
        assert!(offered("client_python.wasm", &["wasi:cli/run@0.2.12"]).is_empty(), "not for the client");
        assert!(offered("mine.wasm", &[CONNECTOR]).is_empty(), "a file of one's own: pick a file");
        for provider in &PROVIDERS {
            let bytes = provider.bytes().unwrap_or_else(|e| panic!("{e}"));
            let module = load::load(provider.file, &bytes).unwrap();
            assert_eq!(module.kind, runtime_worker::ModuleKind::Component, "{}", provider.file);
        }
    }
}
