//! `wasmscope pod`: the sandbox flags of `run` as a Kubernetes Pod for
//! runwasi's wasmtime shim, written beside the module as the OCI image the Pod
//! names, ready to push to a registry.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use runtime_worker::inspect::{inspect, load};

use super::run::exit_code;
use crate::oci_image::{self, ImageName};
use crate::sandbox_flags::SandboxFlags;

#[derive(Args, Debug)]
#[command(after_help = "Writes DIR/pod.yaml (a RuntimeClass for runwasi's wasmtime shim and the Pod, headed by \
                        comments on what runwasi grants differently from the flags) and DIR/oci-image, the module \
                        as an OCI image layout in the Wasm OCI artifact format (config \
                        application/vnd.wasm.config.v0+json, the module as one application/wasm layer), named \
                        IMAGE in its index.json. Push it under that name, then apply the Pod:\n  \
                        skopeo copy oci:DIR/oci-image:IMAGE docker://IMAGE\n  \
                        oras cp --from-oci-layout DIR/oci-image@DIGEST IMAGE\n  \
                        kubectl apply -f DIR/pod.yaml")]
pub struct PodArgs {
    #[command(flatten)]
    pub sandbox: SandboxFlags,

    /// The image the cluster pulls, REGISTRY/REPOSITORY:TAG: the Pod names
    /// it, and the layout's manifest is named with it
    #[arg(long, value_name = "IMAGE", value_parser = parse_image)]
    pub image: ImageName,

    /// The folder to write pod.yaml and oci-image/ into (made if missing)
    #[arg(short = 'o', long, value_name = "DIR")]
    pub out: PathBuf,

    /// The module (.wasm or .wat), then the guest's arguments: every word
    /// after FILE belongs to the guest, even one starting with `-`
    #[arg(value_name = "FILE [ARGS]...", required = true, num_args = 1.., trailing_var_arg = true, allow_hyphen_values = true)]
    pub module_and_args: Vec<String>,
}

fn parse_image(text: &str) -> Result<ImageName, String> {
    text.parse().map_err(|e: oci_image::ImageError| e.to_string())
}

pub fn execute(args: &PodArgs) -> i32 {
    match try_execute(args) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e:#}");
            exit_code::CANNOT_RUN
        }
    }
}

fn try_execute(args: &PodArgs) -> anyhow::Result<()> {
    let (file, guest_args) = match args.module_and_args.split_first() {
        Some((file, rest)) => (PathBuf::from(file), rest),
        None => anyhow::bail!("name the module"),
    };
    let module = load::load_file(&file).with_context(|| format!("failed to load `{}`", file.display()))?;
    let profile = args.sandbox.to_profile(guest_args, None)?;
    if !profile.parts.is_empty() {
        anyhow::bail!("--part gives a composed command's parts capabilities of their own; a Pod runs the module whole");
    }
    let written = oci_image::write_pod_and_image(&args.out, &profile, &module, &inspect(&module), &args.image)?;
    for note in &written.notes {
        eprintln!("note: runwasi {}: {}", note.kind.label(), note.text);
    }
    let layout = written.layout.dir.display();
    let image = args.image.as_str();
    println!("wrote {}", written.pod.display());
    println!("wrote {layout} (the image {image}, {})", written.layout.manifest_digest);
    if written.layout.removed_blobs > 0 {
        println!(
            "removed {} blobs of the image it held before, which this one does not use",
            written.layout.removed_blobs
        );
    }
    println!("push it:  skopeo copy oci:{layout}:{image} docker://{image}");
    println!("      or  oras cp --from-oci-layout {layout}@{} {image}", written.layout.manifest_digest);
    println!("then:     kubectl apply -f {}", written.pod.display());
    Ok(())
}
