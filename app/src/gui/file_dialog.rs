//! Native file dialogs (rfd) on their own threads: a dialog blocks the thread
//! that opens it, and the window must keep drawing meanwhile.

use std::path::PathBuf;

use crossbeam_channel::{Receiver, Sender};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DialogPurpose {
    OpenModule,
    AddMount,
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
            let picked = match purpose {
                DialogPurpose::OpenModule => rfd::FileDialog::new()
                    .set_title("Open a WebAssembly module")
                    .add_filter("WebAssembly", &["wasm", "wat", "wast"])
                    .add_filter("All files", &["*"])
                    .pick_file(),
                DialogPurpose::AddMount => {
                    rfd::FileDialog::new().set_title("Choose a folder to grant the guest").pick_folder()
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
