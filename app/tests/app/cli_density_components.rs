//! `wasmscope density` on components: a provider and a composed unit, N
//! instances alive at once, with the figures a module gets.

use std::path::Path;
use std::process::Command;

use super::cli_run::text;

fn wasmscope(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_wasmscope"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/composition"))
        .output()
        .expect("wasmscope starts")
}

#[test]
fn density_starts_a_provider_and_a_composed_unit() {
    for file in ["provider_rust.wasm", "client_rust.wasm"] {
        let out = wasmscope(&["density", "-n", "30", "--json", file]);
        assert_eq!(out.status.code(), Some(0), "{file}: {}", text(&out.stderr));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["kind"], "component", "{file}");
        assert_eq!(report["started"], 30, "{file}");
        assert!(report["core_instances_per_instance"].as_u64().unwrap() >= 2, "{file}: {report}");
        assert!(report["median_ns"].as_u64().unwrap() > 0, "{file}");
        assert!(report["linear_bytes_per_instance"].as_u64().unwrap() > 0, "{file}");
        if cfg!(target_os = "linux") {
            assert!(report["host_bytes_per_instance"].as_f64().unwrap() > 0.0, "{file}: {report}");
        }
    }
    let plain = text(&wasmscope(&["density", "-n", "5", "--threads", "1", "client_rust.wasm"]).stdout);
    assert!(plain.starts_with("5 instances alive, started in"), "{plain}");
    assert!(plain.contains("each instance: a component of "), "{plain}");
    assert!(plain.contains("host memory per instance: "), "{plain}");
}
