//! `wasmscope pod`: a Pod manifest for runwasi and the module as the OCI
//! image it names. The layout is read back as a registry or containerd would:
//! `index.json` → manifest → config and layer, each blob checked against its
//! digest and size, the media types those of the Wasm OCI artifact.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::cli_run::text;

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples")
}

fn wasmscope(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_wasmscope")).args(args).output().expect("wasmscope starts")
}

/// A blob of the layout named by `descriptor`, checked against the
/// descriptor's digest (recomputed) and size.
fn blob(layout: &Path, descriptor: &Value) -> Vec<u8> {
    let digest = descriptor["digest"].as_str().expect("a descriptor has a digest");
    let hex = digest.strip_prefix("sha256:").expect("a sha256 digest");
    let bytes = std::fs::read(layout.join("blobs/sha256").join(hex)).unwrap_or_else(|e| panic!("{digest}: {e}"));
    assert_eq!(format!("{:x}", Sha256::digest(&bytes)), hex, "the blob's bytes are its digest's");
    assert_eq!(descriptor["size"].as_u64(), Some(bytes.len() as u64), "{digest}: size");
    bytes
}

/// The layout in `layout`, followed from `index.json` as a reader would: the
/// one manifest's name, and its config and layer.
struct ReadLayout {
    name: String,
    manifest_digest: String,
    manifest: Value,
    config: Value,
    layer: Vec<u8>,
}

fn read_layout(layout: &Path) -> ReadLayout {
    let oci_layout: Value = serde_json::from_slice(&std::fs::read(layout.join("oci-layout")).unwrap()).unwrap();
    assert_eq!(oci_layout["imageLayoutVersion"], "1.0.0");
    let index: Value = serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    assert_eq!(index["schemaVersion"], 2);
    let manifests = index["manifests"].as_array().expect("an index lists manifests");
    assert_eq!(manifests.len(), 1, "{index}");
    let descriptor = &manifests[0];
    assert_eq!(descriptor["mediaType"], "application/vnd.oci.image.manifest.v1+json");
    let name = descriptor["annotations"]["org.opencontainers.image.ref.name"].as_str().expect("a ref.name").to_string();
    assert_eq!(descriptor["annotations"]["io.containerd.image.name"].as_str(), Some(name.as_str()));
    let manifest: Value = serde_json::from_slice(&blob(layout, descriptor)).unwrap();
    assert_eq!(manifest["schemaVersion"], 2);
    assert_eq!(manifest["mediaType"], "application/vnd.oci.image.manifest.v1+json");
    assert_eq!(manifest["config"]["mediaType"], "application/vnd.wasm.config.v0+json");
    let config: Value = serde_json::from_slice(&blob(layout, &manifest["config"])).unwrap();
    let layers = manifest["layers"].as_array().expect("a manifest lists layers");
    assert_eq!(layers.len(), 1, "{manifest}");
    assert_eq!(layers[0]["mediaType"], "application/wasm");
    let layer = blob(layout, &layers[0]);
    assert_eq!(config["layerDigests"], serde_json::json!([layers[0]["digest"]]), "{config}");
    assert_eq!(config["architecture"], "wasm");
    assert!(config["created"].as_str().is_some_and(|c| c.ends_with('Z')), "{config}");
    let manifest_digest = descriptor["digest"].as_str().unwrap().to_string();
    ReadLayout { name, manifest_digest, manifest, config, layer }
}

#[test]
fn pod_writes_the_manifest_and_the_image_it_names() {
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("deploy");
    let module = samples().join("real/env_secret.wasm");
    let line = "multi\nline: value";
    let env = format!("--env=GREETING={line}");
    let output = wasmscope(&[
        "pod",
        "--image",
        "registry.example/team/env-secret:1",
        "-o",
        out.to_str().unwrap(),
        "--dir-readonly",
        "/srv/data::/data",
        &env,
        "--fuel",
        "1000",
        module.to_str().unwrap(),
        "--name",
        "-x",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));

    let layout = read_layout(&out.join("oci-image"));
    // The image the Pod names is the one the layout holds.
    assert_eq!(layout.name, "registry.example/team/env-secret:1");
    let loaded = runtime_worker::inspect::load::load_file(&module).unwrap();
    assert_eq!(layout.layer, &loaded.bytes[..], "the layer is the module");
    assert_eq!(layout.config["os"], "wasip1");
    assert!(layout.config.get("component").is_none(), "{}", layout.config);
    let title = &layout.manifest["layers"][0]["annotations"]["org.opencontainers.image.title"];
    assert_eq!(title.as_str().map(|t| t.ends_with(".wasm")), Some(true), "{title}");

    let yaml = std::fs::read_to_string(out.join("pod.yaml")).unwrap();
    assert!(yaml.contains("\n    image: registry.example/team/env-secret:1\n"), "{yaml}");
    assert!(yaml.contains("# - grants more: fuel has no Kubernetes equivalent"), "{yaml}");
    // The value with a newline is one value: its second line is not a key.
    assert!(yaml.contains("value: |-\n        multi\n        line: value\n"), "{yaml}");
    assert!(yaml.contains("args:\n    - --name\n    - -x\n"), "{yaml}");
    assert!(yaml.contains("readOnly: true"), "{yaml}");

    let stdout = text(&output.stdout);
    assert!(stdout.contains(&layout.manifest_digest), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "skopeo copy oci:{}:registry.example/team/env-secret:1 docker://registry.example/team/env-secret:1",
            out.join("oci-image").display()
        )),
        "{stdout}"
    );
    assert!(text(&output.stderr).contains("note: runwasi grants more: fuel"), "{}", text(&output.stderr));
}

#[test]
fn a_component_image_states_its_world() {
    let out_dir = tempfile::tempdir().unwrap();
    let component = samples().join("components/hello_component.wasm");
    let output = wasmscope(&[
        "pod",
        "--image",
        "localhost:5000/hello:latest",
        "-o",
        out_dir.path().to_str().unwrap(),
        component.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let layout = read_layout(&out_dir.path().join("oci-image"));
    assert_eq!(layout.layer, std::fs::read(&component).unwrap());
    assert_eq!(layout.config["os"], "wasip2");
    let world = &layout.config["component"];
    let names = |key: &str| -> Vec<String> {
        world[key]
            .as_array()
            .unwrap_or_else(|| panic!("{key} in {world}"))
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    assert!(names("exports").iter().any(|e| e.starts_with("wasi:cli/run@0.2")), "{world}");
    assert!(names("imports").iter().any(|i| i.starts_with("wasi:cli/stdout@0.2")), "{world}");
}

#[test]
fn a_name_no_registry_takes_is_refused_before_anything_is_written() {
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("deploy");
    let hello = samples().join("hello.wat");
    for image in ["Registry.example/App:1", "IMAGE", &format!("registry.example/app@sha256:{}", "0".repeat(64))] {
        let output = wasmscope(&["pod", "--image", image, "-o", out.to_str().unwrap(), hello.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(2), "{image}: {}", text(&output.stderr));
        assert!(text(&output.stderr).contains("registry.example/app:1"), "{image}: {}", text(&output.stderr));
        assert!(!out.exists(), "{image}");
    }
}

#[test]
fn a_hash_in_the_module_name_is_not_read_by_runwasi_as_an_export_to_call() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("app#v2.wat");
    std::fs::copy(samples().join("hello.wat"), &module).unwrap();
    let out = dir.path().join("deploy");
    let output =
        wasmscope(&["pod", "--image", "registry.example/app:2", "-o", out.to_str().unwrap(), module.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    // runwasi splits its command at the first `#`: `app` and the export `v2.wasm`.
    let yaml = std::fs::read_to_string(out.join("pod.yaml")).unwrap();
    assert!(yaml.contains("command:\n    - app_v2.wasm\n"), "{yaml}");
    assert!(yaml.contains("# - differs: the module is named `app_v2.wasm` in the Pod"), "{yaml}");
    let layout = read_layout(&out.join("oci-image"));
    let title = &layout.manifest["layers"][0]["annotations"]["org.opencontainers.image.title"];
    assert_eq!(title, "app_v2.wasm");
    let stderr = text(&output.stderr);
    assert!(stderr.contains("note: runwasi differs: the module is named `app_v2.wasm`"), "{stderr}");
}

/// The files in a layout's `blobs/sha256`, by name.
fn blob_files(layout: &Path) -> std::collections::BTreeSet<String> {
    std::fs::read_dir(layout.join("blobs/sha256"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// The blobs a layout's index leads to: its manifest, config and layer.
fn used_blobs(layout: &ReadLayout) -> std::collections::BTreeSet<String> {
    [
        &layout.manifest_digest,
        layout.manifest["config"]["digest"].as_str().unwrap(),
        layout.manifest["layers"][0]["digest"].as_str().unwrap(),
    ]
    .into_iter()
    .map(|digest| digest.strip_prefix("sha256:").unwrap().to_string())
    .collect()
}

fn pod(out: &Path, module: &str) -> std::process::Output {
    let module = samples().join(module);
    let output =
        wasmscope(&["pod", "--image", "registry.example/app:1", "-o", out.to_str().unwrap(), module.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    output
}

#[test]
fn saving_over_a_layout_removes_the_blobs_only_its_old_image_used_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deploy");
    let layout_dir = out.join("oci-image");
    pod(&out, "hello.wat");
    let first = used_blobs(&read_layout(&layout_dir));
    assert_eq!(blob_files(&layout_dir), first);
    // Files that are not the image's: never removed.
    let stranger = format!("{:x}", Sha256::digest(b"not a blob of the image"));
    std::fs::write(layout_dir.join("blobs/sha256").join(&stranger), b"not a blob of the image").unwrap();
    std::fs::write(layout_dir.join("blobs/sha256/notes.txt"), b"mine").unwrap();
    std::fs::write(layout_dir.join("README"), b"mine").unwrap();

    // Another module: its three blobs, the first image's gone.
    let output = pod(&out, "escape.wat");
    let second = used_blobs(&read_layout(&layout_dir));
    assert!(first.is_disjoint(&second));
    let mut expected = second.clone();
    expected.extend([stranger.clone(), "notes.txt".to_string()]);
    assert_eq!(blob_files(&layout_dir), expected);
    assert!(layout_dir.join("README").exists());
    assert!(text(&output.stdout).contains("removed 3 blobs"), "{}", text(&output.stdout));

    // The same module again: its layer stays, the old config and manifest go.
    let output = pod(&out, "escape.wat");
    let third = used_blobs(&read_layout(&layout_dir));
    assert_eq!(second.intersection(&third).count(), 1, "the layer, shared");
    let mut expected = third.clone();
    expected.extend([stranger, "notes.txt".to_string()]);
    assert_eq!(blob_files(&layout_dir), expected);
    assert!(text(&output.stdout).contains("removed 2 blobs"), "{}", text(&output.stdout));
}

#[test]
fn a_layout_another_tool_added_to_or_a_folder_of_blobs_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deploy");
    let layout_dir = out.join("oci-image");
    pod(&out, "hello.wat");
    // Another tool added an image to the index: the layout is no longer
    // one this wrote, and what its blobs are for is not known here.
    let index_path = layout_dir.join("index.json");
    let ours = std::fs::read(&index_path).unwrap();
    let mut index: Value = serde_json::from_slice(&ours).unwrap();
    let mut other = index["manifests"][0].clone();
    other["annotations"]["org.opencontainers.image.ref.name"] = "registry.example/other:1".into();
    index["manifests"].as_array_mut().unwrap().push(other);
    std::fs::write(&index_path, serde_json::to_vec(&index).unwrap()).unwrap();
    let before = blob_files(&layout_dir);
    let output = pod(&out, "escape.wat");
    let after = blob_files(&layout_dir);
    assert!(before.is_subset(&after), "{before:?} kept in {after:?}");
    assert!(!text(&output.stdout).contains("removed"), "{}", text(&output.stdout));

    // A folder that only looks like one: the index this wrote and its
    // blobs, but no `oci-layout`.
    let bare = dir.path().join("bare");
    let blobs = bare.join("oci-image/blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    for file in &before {
        std::fs::copy(layout_dir.join("blobs/sha256").join(file), blobs.join(file)).unwrap();
    }
    std::fs::write(bare.join("oci-image/index.json"), &ours).unwrap();
    pod(&bare, "escape.wat");
    assert!(before.is_subset(&blob_files(&bare.join("oci-image"))));
}
