//! Density of components: N instances of a provider and of a composed unit
//! started and kept alive at once, each in its own store with its own WASI
//! 0.2 context, measured like a core module's.

use runtime_worker::ModuleKind;
use runtime_worker::density::{self, DensityEvent};

use crate::support::sample;

#[test]
fn a_provider_and_a_composed_unit_start_and_stay_alive() {
    // (file, core instances the component makes at least)
    for (file, at_least) in [("composition/provider_rust.wasm", 2), ("composition/client_rust.wasm", 4)] {
        let report = density::start_on(sample(file), 40, 2).wait().unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(report.kind, ModuleKind::Component, "{file}");
        assert_eq!((report.requested, report.started), (40, 40), "{file}");
        assert!(report.core_instances_per_instance >= at_least, "{file}: {}", report.core_instances_per_instance);
        assert!(report.median_ns > 0 && report.median_ns <= report.max_ns, "{file}");
        assert!(report.linear_bytes_per_instance > 0, "{file}: its core modules declare memory");
        assert_eq!(report.timeline.last().map(|t| t.1), Some(40), "{file}");
        if cfg!(target_os = "linux") {
            let per_instance = report.host_bytes_per_instance.expect("measured on Linux");
            assert!(per_instance > 0.0, "{file}: 40 live instances cost the host memory");
        }
    }
}

/// Stop during a component density run: what was started is measured.
#[test]
fn stop_ends_a_component_run_with_what_was_started() {
    let handle = density::start_on(sample("composition/client_rust.wasm"), density::MAX_INSTANCES, 1);
    let report = loop {
        match handle.events().recv().expect("a density run reports") {
            DensityEvent::Progress { started, .. } if started > 0 => {
                handle.stop();
                break handle.wait().expect("a stopped run still reports");
            }
            DensityEvent::Finished(result) => break result.expect("the run finishes"),
            _ => {}
        }
    };
    assert!(report.started > 0 && report.started < density::MAX_INSTANCES, "{}", report.started);
}

/// A component whose imports no locked-down WASI 0.2 context provides is
/// refused with the import named.
#[test]
fn a_component_needing_more_than_wasi_is_refused_with_a_reason() {
    let needs = runtime_worker::inspect::load::load(
        "needs.wat",
        br#"(component (import "example:host/thing" (instance (export "poke" (func)))))"#,
    )
    .expect("the component loads");
    let error = density::start(needs, 3).wait().unwrap_err();
    assert!(error.contains("does not provide") && error.contains("example:host/thing"), "{error}");
}
