//! Native file dialogs (rfd) on their own threads: a dialog blocks the thread
//! that opens it, and the window must keep drawing meanwhile.

use std::path::PathBuf;

use crossbeam_channel::{Receiver, Sender};

use crate::export::ExportFormat;
use crate::oci_image::ImageName;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DialogPurpose {
    OpenModule,
    AddMount,
    /// The folder for a diagnosis fix that mounts one at `guest`.
    FixMount {
        guest: String,
        read_only: bool,
    },
    SaveProfile,
    OpenProfile,
    ExportTrace {
        format: ExportFormat,
    },
    /// A folder for a Pod manifest and the module as the image it names.
    SavePod {
        image: ImageName,
    },
    /// A component to stand in for a composed command's part.
    SwapPart {
        place: usize,
        replaced: String,
    },
}

pub struct FileDialogs {
    tx: Sender<(DialogPurpose, Option<PathBuf>)>,
    rx: Receiver<(DialogPurpose, Option<PathBuf>)>,
    open: usize,
}

impl Default for FileDialogs {
    fn default() -> Self {
        let (tx, rx) = crossbeam_channel::unbounded();
        FileDialogs { tx, rx, open: 0 }
    }
}

impl FileDialogs {
    pub fn open(&mut self, purpose: DialogPurpose, ctx: &egui::Context) {
        let tx = self.tx.clone();
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new().name("file-dialog".into()).spawn(move || {
            let picked = match &purpose {
                DialogPurpose::OpenModule => rfd::FileDialog::new()
                    .set_title("Open a WebAssembly module or a recording")
                    .add_filter("WebAssembly and recordings", &["wasm", "wat", "wast", crate::recording::EXTENSION])
                    .add_filter("Recordings (wasmscope run --record)", &[crate::recording::EXTENSION])
                    .add_filter("All files", &["*"])
                    .pick_file(),
                DialogPurpose::AddMount => {
                    rfd::FileDialog::new().set_title("Choose a folder to grant the guest").pick_folder()
                }
                DialogPurpose::FixMount { guest, .. } => rfd::FileDialog::new()
                    .set_title(format!("Choose the folder the guest should see as {guest}"))
                    .pick_folder(),
                DialogPurpose::SaveProfile => rfd::FileDialog::new()
                    .set_title("Save the profile")
                    .add_filter("Profile", &["toml"])
                    .set_file_name("profile.toml")
                    .save_file(),
                DialogPurpose::OpenProfile => {
                    rfd::FileDialog::new().set_title("Open a profile").add_filter("Profile", &["toml"]).pick_file()
                }
                DialogPurpose::SavePod { image } => rfd::FileDialog::new()
                    .set_title(format!("Choose a folder for the Pod and the image {}", image.as_str()))
                    .pick_folder(),
                DialogPurpose::SwapPart { replaced, .. } => rfd::FileDialog::new()
                    .set_title(format!("Choose a component to stand in for {replaced}"))
                    .add_filter("WebAssembly component", &["wasm", "wat"])
                    .pick_file(),
                DialogPurpose::ExportTrace { format } => {
                    rfd::FileDialog::new().set_title("Export the trace").set_file_name(format.file_name()).save_file()
                }
            };
            let _ = tx.send((purpose, picked));
            ctx.request_repaint();
        });
        if spawned.is_ok() {
            self.open += 1;
        }
    }

    pub fn is_open(&self) -> bool {
        self.open > 0
    }

    /// Paths picked since the last call (cancelled dialogs give none).
    pub fn poll(&mut self) -> Vec<(DialogPurpose, PathBuf)> {
        let mut picked = Vec::new();
        for (purpose, path) in self.rx.try_iter() {
            self.open = self.open.saturating_sub(1);
            if let Some(path) = path {
                picked.push((purpose, path));
            }
        }
        picked
    }
}
