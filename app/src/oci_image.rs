//! The module as an OCI image, so that the image a Pod manifest names exists:
//! an OCI image layout on disk (`oci-layout`, `index.json`, `blobs/sha256/…`)
//! holding one manifest in the Wasm OCI artifact format of the CNCF's
//! TAG-Runtime — a config of media type `application/vnd.wasm.config.v0+json`
//! and the module itself as the one layer, `application/wasm` — which runwasi's
//! shims, wkg and wasmCloud read. A registry takes it from the layout with
//! `skopeo copy oci:DIR:IMAGE docker://IMAGE` or `oras cp --from-oci-layout`.
//!
//! The layout's `index.json` names the manifest with the image the Pod names,
//! in `org.opencontainers.image.ref.name` (and in containerd's own
//! `io.containerd.image.name`, which `ctr images import` reads).
//!
//! The OCI types are `oci-spec`'s; the Wasm config is ours (nine lines of
//! serde): the crate that defines it, `oci-wasm`, comes with a registry
//! client, an async runtime and another generation of the wasm-tools crates.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use oci_spec::distribution::Reference;
use oci_spec::image::{
    ANNOTATION_REF_NAME, ANNOTATION_TITLE, Arch, Descriptor, DescriptorBuilder, Digest, ImageIndex, ImageIndexBuilder,
    ImageManifest, ImageManifestBuilder, MediaType, OciLayout, OciLayoutBuilder, Os, PlatformBuilder, SCHEMA_VERSION,
};
use runtime_worker::inspect::Inspection;
use runtime_worker::{LoadedModule, ModuleKind, SandboxProfile};
use serde::{Deserialize, Serialize};

use crate::persist::atomic_write;
use crate::sandbox_flags::{Note, program_name, to_pod_manifest};

/// The media type of a Wasm artifact's config (TAG-Runtime's Wasm OCI artifact).
pub const WASM_CONFIG_MEDIA_TYPE: &str = "application/vnd.wasm.config.v0+json";
/// The media type of a layer that is a module or a component, as it is.
pub const WASM_LAYER_MEDIA_TYPE: &str = "application/wasm";
/// The annotation containerd's `ctr images import` names an image by.
pub const ANNOTATION_CONTAINERD_NAME: &str = "io.containerd.image.name";
/// The file `write_pod_and_image` writes the Pod manifest to, in its folder.
pub const POD_FILE: &str = "pod.yaml";
/// The folder `write_pod_and_image` writes the image layout to, in its folder.
pub const LAYOUT_DIR: &str = "oci-image";

/// An image reference a cluster can pull, `registry/repository:tag`, with
/// which the layout's manifest is named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageName {
    /// As written (`registry.example/app:1`); the Pod and `index.json` both
    /// name the image with exactly this text.
    /// Invariant: parses as a reference with a tag or none (which means
    /// `latest`), and no digest.
    text: String,
}

impl ImageName {
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl FromStr for ImageName {
    type Err = ImageError;

    fn from_str(text: &str) -> Result<ImageName, ImageError> {
        let text = text.trim();
        let reference = Reference::from_str(text)
            .map_err(|e| ImageError::BadName { name: text.to_string(), reason: e.to_string() })?;
        if reference.digest().is_some() {
            return Err(ImageError::NamedByDigest { name: text.to_string() });
        }
        Ok(ImageName { text: text.to_string() })
    }
}

/// Why a Pod and its image were not written.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("`{name}` is not an image name ({reason}): write REGISTRY/REPOSITORY:TAG, e.g. registry.example/app:1")]
    BadName { name: String, reason: String },
    #[error(
        "`{name}` names the image by a digest; name it by a tag (registry.example/app:1): the digest is the one \
         the layout gets"
    )]
    NamedByDigest { name: String },
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
    #[error(
        "the image was written, but {} (a blob only the image it replaced used) cannot be removed: {source}",
        path.display()
    )]
    RemoveOldBlob { path: PathBuf, source: std::io::Error },
    #[error("cannot write the Pod manifest as YAML: {0}")]
    Yaml(#[from] serde_saphyr::SerializeError),
    #[error("cannot make the image's {what}: {source}")]
    Spec { what: &'static str, source: oci_spec::OciSpecError },
}

/// The config blob of a Wasm artifact (`application/vnd.wasm.config.v0+json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WasmConfig {
    /// When the image was made (RFC 3339); wkg and oci-wasm require it.
    pub created: String,
    /// Always `wasm`.
    pub architecture: String,
    /// `wasip1` for a core module, `wasip2` for a component.
    pub os: String,
    /// The digest of each layer, in the manifest's order (so that two images
    /// with different layers never share a config digest).
    pub layer_digests: Vec<String>,
    /// A component's world: required when `os` is `wasip2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<WasmComponent>,
}

/// What a component imports and exports, by interface (`wasi:cli/run@0.2.0`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WasmComponent {
    pub exports: Vec<String>,
    pub imports: Vec<String>,
}

/// An image layout as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrittenLayout {
    /// The layout's folder.
    pub dir: PathBuf,
    /// The manifest's digest (`sha256:…`): the image pushed from the layout
    /// has it in any registry.
    pub manifest_digest: String,
    /// Blobs of the image the layout held before, which this one does not
    /// use, removed.
    pub removed_blobs: usize,
}

/// A Pod manifest and the image it names, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrittenPod {
    /// The Pod manifest (`DIR/pod.yaml`).
    pub pod: PathBuf,
    /// The image layout (`DIR/oci-image`).
    pub layout: WrittenLayout,
    /// What runwasi grants differently from the profile (also at the head
    /// of the manifest, as comments).
    pub notes: Vec<Note>,
}

/// Writes the Pod manifest for `profile` to `dir/pod.yaml` and `module` as an
/// image layout named `image` to `dir/oci-image`, creating `dir` if needed.
/// A layout already there is replaced: its `index.json` lists this image
/// only, and when it was one this wrote, the blobs only its old image used
/// are removed (see `write_image_layout`).
pub fn write_pod_and_image(
    dir: &Path,
    profile: &SandboxProfile,
    module: &LoadedModule,
    inspection: &Inspection,
    image: &ImageName,
) -> Result<WrittenPod, ImageError> {
    let manifest = to_pod_manifest(profile, &module.name, image.as_str());
    let yaml = manifest.to_yaml()?;
    let layout = write_image_layout(&dir.join(LAYOUT_DIR), module, inspection, image)?;
    let pod = dir.join(POD_FILE);
    write(&pod, yaml.as_bytes())?;
    Ok(WrittenPod { pod, layout, notes: manifest.notes })
}

/// Writes `module` as an OCI image layout in `dir` (created if needed): its
/// blobs first and `index.json` last, so that a layout cut short lists
/// nothing it does not hold. Over a layout this wrote before (as
/// `blobs_of_our_layout` recognises one), the blobs its old image used and
/// the new one does not are removed once the new `index.json` is in place;
/// nothing else in `dir` is ever removed.
pub fn write_image_layout(
    dir: &Path,
    module: &LoadedModule,
    inspection: &Inspection,
    image: &ImageName,
) -> Result<WrittenLayout, ImageError> {
    let layer_digest = format!("sha256:{}", module.sha256_hex());
    let config = WasmConfig {
        created: jiff::Timestamp::now().to_string(),
        architecture: "wasm".to_string(),
        os: wasi_os(module.kind).to_string(),
        layer_digests: vec![layer_digest.clone()],
        component: (module.kind == ModuleKind::Component).then(|| component_world(inspection)),
    };
    let config_json = serde_json::to_vec(&config).expect("a WasmConfig is strings and lists of strings");

    let layer = DescriptorBuilder::default()
        .media_type(MediaType::Other(WASM_LAYER_MEDIA_TYPE.to_string()))
        .digest(digest(&layer_digest)?)
        .size(module.bytes.len() as u64)
        .annotations(HashMap::from([(ANNOTATION_TITLE.to_string(), program_name(&module.name))]))
        .build()
        .map_err(|source| ImageError::Spec { what: "layer descriptor", source })?;
    let config_descriptor = descriptor_of(MediaType::Other(WASM_CONFIG_MEDIA_TYPE.to_string()), &config_json)?;
    let manifest = ImageManifestBuilder::default()
        .schema_version(SCHEMA_VERSION)
        .media_type(MediaType::ImageManifest)
        .config(config_descriptor)
        .layers(vec![layer])
        .build()
        .map_err(|source| ImageError::Spec { what: "manifest", source })?;
    let manifest_json = serde_json::to_vec(&manifest).expect("an image manifest serialises");
    let manifest_descriptor = DescriptorBuilder::default()
        .media_type(MediaType::ImageManifest)
        .digest(digest(&sha256_digest(&manifest_json))?)
        .size(manifest_json.len() as u64)
        .annotations(HashMap::from([
            (ANNOTATION_REF_NAME.to_string(), image.as_str().to_string()),
            (ANNOTATION_CONTAINERD_NAME.to_string(), image.as_str().to_string()),
        ]))
        .platform(
            PlatformBuilder::default()
                .architecture(Arch::Wasm)
                .os(Os::Other(wasi_os(module.kind).to_string()))
                .build()
                .map_err(|source| ImageError::Spec { what: "platform", source })?,
        )
        .build()
        .map_err(|source| ImageError::Spec { what: "manifest descriptor", source })?;
    let manifest_digest = manifest_descriptor.digest().to_string();
    let index = ImageIndexBuilder::default()
        .schema_version(SCHEMA_VERSION)
        .media_type(MediaType::ImageIndex)
        .manifests(vec![manifest_descriptor])
        .build()
        .map_err(|source| ImageError::Spec { what: "index", source })?;
    let layout = OciLayoutBuilder::default()
        .image_layout_version("1.0.0")
        .build()
        .map_err(|source| ImageError::Spec { what: "oci-layout", source })?;

    // Read before `index.json` is replaced: what the old image used.
    let old_blobs = blobs_of_our_layout(dir);
    let blobs = dir.join("blobs").join("sha256");
    let mut new_blobs = BTreeSet::new();
    for blob in [&module.bytes[..], &config_json, &manifest_json] {
        let hex = sha256_digest(blob)["sha256:".len()..].to_string();
        write(&blobs.join(&hex), blob)?;
        new_blobs.insert(hex);
    }
    write(&dir.join("oci-layout"), &serde_json::to_vec(&layout).expect("an oci-layout serialises"))?;
    write(&dir.join("index.json"), &serde_json::to_vec(&index).expect("an image index serialises"))?;
    let mut removed_blobs = 0;
    for hex in old_blobs.unwrap_or_default().difference(&new_blobs) {
        let path = blobs.join(hex);
        match std::fs::remove_file(&path) {
            Ok(()) => removed_blobs += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(ImageError::RemoveOldBlob { path, source }),
        }
    }
    Ok(WrittenLayout { dir: dir.to_path_buf(), manifest_digest, removed_blobs })
}

/// The blobs (by the hex of their SHA-256) of the image in the layout in
/// `dir`, when `dir` holds a layout as `write_image_layout` writes one: an
/// `oci-layout`, and an `index.json` that names one manifest, by the same
/// name for OCI and for containerd, of a Wasm artifact (the Wasm config,
/// `application/wasm` layers), all of whose blobs are sha256. `None` for
/// anything else (no layout, a damaged one, one another tool wrote or added
/// an image to): its blobs are not ours to remove.
fn blobs_of_our_layout(dir: &Path) -> Option<BTreeSet<String>> {
    OciLayout::from_file(dir.join("oci-layout")).ok()?;
    let index = ImageIndex::from_file(dir.join("index.json")).ok()?;
    let [descriptor] = index.manifests().as_slice() else { return None };
    let annotations = descriptor.annotations().as_ref()?;
    let name = annotations.get(ANNOTATION_REF_NAME)?;
    if annotations.get(ANNOTATION_CONTAINERD_NAME) != Some(name)
        || descriptor.media_type().to_string() != MediaType::ImageManifest.to_string()
    {
        return None;
    }
    let manifest_hex = blob_hex(descriptor.digest())?;
    let manifest = ImageManifest::from_file(dir.join("blobs").join("sha256").join(&manifest_hex)).ok()?;
    let wasm_layers = manifest.layers().iter().all(|layer| layer.media_type().to_string() == WASM_LAYER_MEDIA_TYPE);
    if manifest.config().media_type().to_string() != WASM_CONFIG_MEDIA_TYPE || !wasm_layers {
        return None;
    }
    let mut blobs = BTreeSet::from([manifest_hex, blob_hex(manifest.config().digest())?]);
    for layer in manifest.layers() {
        blobs.insert(blob_hex(layer.digest())?);
    }
    Some(blobs)
}

/// A sha256 digest's hex, when it is one: the file name of its blob under
/// `blobs/sha256`, and never a name that leads anywhere else.
fn blob_hex(digest: &Digest) -> Option<String> {
    let text = digest.to_string();
    let hex = text.strip_prefix("sha256:")?;
    (hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))).then(|| hex.to_string())
}

/// The `os` a Wasm artifact names: the WASI a module (`wasip1`) or a
/// component (`wasip2`) is built for.
fn wasi_os(kind: ModuleKind) -> &'static str {
    match kind {
        ModuleKind::Core => "wasip1",
        ModuleKind::Component => "wasip2",
    }
}

/// A component's world as the config states it: its top-level imports and
/// exports by name (`wasi:cli/environment@0.2.0`).
fn component_world(inspection: &Inspection) -> WasmComponent {
    WasmComponent {
        exports: inspection.exports.iter().map(|e| e.name.clone()).collect(),
        imports: inspection.imports.iter().filter(|i| i.module == "component").map(|i| i.name.clone()).collect(),
    }
}

fn descriptor_of(media_type: MediaType, bytes: &[u8]) -> Result<Descriptor, ImageError> {
    Ok(Descriptor::new(media_type, bytes.len() as u64, digest(&sha256_digest(bytes))?))
}

fn digest(text: &str) -> Result<Digest, ImageError> {
    Digest::from_str(text).map_err(|source| ImageError::Spec { what: "digest", source })
}

/// `sha256:` and the hex of the bytes' SHA-256.
fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", runtime_worker::inspect::load::sha256_hex(bytes))
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), ImageError> {
    atomic_write(path, bytes).map_err(|source| ImageError::Write { path: path.to_path_buf(), source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_are_references_with_a_tag() {
        for good in ["registry.example/app:1", "localhost:5000/team/app:v1.2", "app", "ghcr.io/o/app"] {
            let name: ImageName = good.parse().unwrap_or_else(|e| panic!("{good}: {e}"));
            assert_eq!(name.as_str(), good);
        }
        let spaced: ImageName = " registry.example/app:1 ".parse().unwrap();
        assert_eq!(spaced.as_str(), "registry.example/app:1");
        for bad in ["", "IMAGE", "Registry.example/App:1", "app:", "a b", "app@sha256:abc"] {
            assert!(matches!(bad.parse::<ImageName>(), Err(ImageError::BadName { .. })), "{bad}");
        }
        let digest = format!("registry.example/app@sha256:{}", "0".repeat(64));
        assert!(matches!(digest.parse::<ImageName>(), Err(ImageError::NamedByDigest { .. })));
    }
}
