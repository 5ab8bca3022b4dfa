//! The profile's menu and windows: save and open as TOML, presets, and the
//! exports — `wasmtime run` (and its import), a Kubernetes Pod for runwasi
//! (saved with the module as the OCI image it names).

use egui::{RichText, Ui};
use runtime_worker::{ClockPolicy, Environment, Mount, NetworkPolicy, SandboxProfile};

use super::file_dialog::DialogPurpose;
use super::intent::Intent;
use super::theme::{self, font};
use crate::oci_image::{ImageName, LAYOUT_DIR, POD_FILE};
use crate::samples;
use crate::sandbox_flags::{NoteKind, from_wasmtime_run, to_pod_manifest, to_wasmtime_run};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// Nothing granted.
    LockedDown,
    /// Every mount read-only (the sample data, if there is none).
    ReadOnlyData,
    /// The host's root, environment and network: everything.
    FullHost,
}

impl Preset {
    pub fn apply(self, profile: &mut SandboxProfile) {
        match self {
            Preset::LockedDown => {
                let limits = profile.limits;
                *profile = SandboxProfile { limits, ..SandboxProfile::default() };
            }
            Preset::ReadOnlyData => {
                if profile.mounts.is_empty() {
                    profile.mounts.push(Mount::read_only(samples::sample_data().data.clone(), "/data"));
                }
                for mount in &mut profile.mounts {
                    mount.read_only = true;
                }
            }
            Preset::FullHost => {
                profile.mounts = vec![Mount::read_write("/", "/")];
                profile.env = Environment { inherit_host: true, vars: Vec::new() };
                profile.network = NetworkPolicy::All;
                profile.clocks = ClockPolicy::Real;
            }
        }
    }
}

/// The open windows and what they hold.
#[derive(Default)]
pub struct ProfileWindows {
    wasmtime: bool,
    import: bool,
    import_text: String,
    import_message: Option<(bool, String)>,
    pod: bool,
    pod_image: String,
    confirm_full_host: bool,
}

impl ProfileWindows {
    /// The Profile menu (in the Capabilities panel's header).
    pub fn menu(&mut self, ui: &mut Ui, profile: &mut SandboxProfile) -> Option<Intent> {
        let mut intent = None;
        ui.menu_button(RichText::new("Profile").size(font::READING), |ui| {
            if ui.button("Save profile…").clicked() {
                intent = Some(Intent::OpenDialog(DialogPurpose::SaveProfile));
                ui.close();
            }
            if ui.button("Open profile…").clicked() {
                intent = Some(Intent::OpenDialog(DialogPurpose::OpenProfile));
                ui.close();
            }
            ui.separator();
            ui.label(RichText::new("Presets").strong());
            if ui.button("Locked down: nothing granted").clicked() {
                Preset::LockedDown.apply(profile);
                ui.close();
            }
            if ui.button("Read-only data").clicked() {
                Preset::ReadOnlyData.apply(profile);
                ui.close();
            }
            if ui.button("Full host access…").clicked() {
                self.confirm_full_host = true;
                ui.close();
            }
            ui.separator();
            if ui.button("Export as wasmtime run…").clicked() {
                self.wasmtime = true;
                ui.close();
            }
            if ui.button("Import a wasmtime run line…").clicked() {
                self.import = true;
                ui.close();
            }
            if ui.button("Export as a Kubernetes Pod (runwasi)…").clicked() {
                self.pod = true;
                ui.close();
            }
        });
        intent
    }

    /// The windows; `module` is the loaded module's file name, if one is
    /// loaded. What the user asked of the app (saving the Pod with its image)
    /// is returned.
    pub fn windows(
        &mut self,
        ctx: &egui::Context,
        profile: &mut SandboxProfile,
        module: Option<&str>,
    ) -> Option<Intent> {
        let t = tokens(ctx);
        let mut intent = None;
        let loaded = module;
        let module = module.unwrap_or("module.wasm");
        if self.confirm_full_host {
            let modal = egui::Modal::new(egui::Id::unique("confirm-full-host")).show(ctx, |ui| {
                ui.set_max_width(420.0);
                ui.heading("Grant everything?");
                ui.label(
                    "The guest will see the host's whole file system read-write, every environment variable \
                     (tokens and secrets included), the network and the clocks. Only do this for a program you trust.",
                );
                ui.horizontal(|ui| {
                    if ui.button(RichText::new("Grant full host access").color(t.warning_text)).clicked() {
                        Preset::FullHost.apply(profile);
                        self.confirm_full_host = false;
                    }
                    if ui.button("Cancel").clicked() {
                        self.confirm_full_host = false;
                    }
                });
            });
            if modal.should_close() {
                self.confirm_full_host = false;
            }
        }

        egui::Window::new("Export as wasmtime run").open(&mut self.wasmtime).default_width(560.0).show(ctx, |ui| {
            let export = to_wasmtime_run(profile, module);
            match &export.line {
                Some(line) => {
                    ui.add(egui::Label::new(RichText::new(line).monospace()).wrap());
                    if ui.button("Copy").clicked() {
                        ui.ctx().copy_text(line.clone());
                    }
                }
                None => {
                    ui.label(
                        RichText::new("No wasmtime run command can grant only what this profile grants:")
                            .color(t.warning_text)
                            .strong(),
                    );
                }
            }
            notes(ui, export.notes.iter().map(|n| (n.kind.clone(), n.text.as_str())), &t);
        });

        let mut import_open = self.import;
        egui::Window::new("Import a wasmtime run line").open(&mut import_open).default_width(560.0).show(ctx, |ui| {
            ui.label("Paste a command line; its flags replace the profile.");
            let response = ui.add(
                egui::TextEdit::multiline(&mut self.import_text)
                    .desired_rows(3)
                    .desired_width(f32::INFINITY)
                    .hint_text("wasmtime run --dir data::/data --env NAME=value app.wasm"),
            );
            response.accessible_name("wasmtime run line");
            if ui.button("Import").clicked() {
                self.import_message = Some(match from_wasmtime_run(&self.import_text) {
                    Ok((imported, _module, warnings)) => {
                        // wasmtime has no output cap: keep the window's.
                        let cap = profile.limits.max_output_bytes;
                        *profile = imported;
                        profile.limits.max_output_bytes = cap;
                        if warnings.is_empty() {
                            (true, "Imported.".to_string())
                        } else {
                            (true, format!("Imported, except: {}", warnings.join("; ")))
                        }
                    }
                    Err(e) => (false, e),
                });
            }
            if let Some((ok, message)) = &self.import_message {
                ui.label(RichText::new(message).color(if *ok { t.ok_text } else { t.error_text }));
            }
        });
        self.import = import_open;

        egui::Window::new("Export as a Kubernetes Pod").open(&mut self.pod).default_width(600.0).show(ctx, |ui| {
            ui.horizontal(|ui| {
                let label = ui.label("Image");
                ui.add(
                    egui::TextEdit::singleline(&mut self.pod_image)
                        .hint_text("registry.example/app:1")
                        .desired_width(320.0),
                )
                .labelled_by(label.id);
            });
            let image = if self.pod_image.trim().is_empty() { "IMAGE" } else { self.pod_image.trim() };
            let manifest = to_pod_manifest(profile, module, image);
            let yaml = manifest.to_yaml().map_err(|e| e.to_string());
            egui::ScrollArea::vertical().max_height(320.0).show(ui, |ui| match &yaml {
                Ok(yaml) => {
                    ui.add(egui::Label::new(RichText::new(yaml).monospace()).wrap());
                }
                Err(e) => {
                    ui.label(RichText::new(format!("cannot write the manifest as YAML: {e}")).color(t.error_text));
                }
            });
            // The image the Pod names, saved beside it: a name it can be
            // pushed under, and a module to put in it.
            let name = self.pod_image.parse::<ImageName>();
            ui.horizontal(|ui| {
                if let Ok(yaml) = &yaml
                    && ui.button("Copy").clicked()
                {
                    ui.ctx().copy_text(yaml.clone());
                }
                let save = ui
                    .add_enabled(loaded.is_some() && name.is_ok(), egui::Button::new("Save Pod + OCI image…"))
                    .on_hover_text(format!(
                        "Writes {POD_FILE} and the module as an OCI image layout ({LAYOUT_DIR}/) named after the \
                         image, into a folder you choose"
                    ));
                if save.clicked()
                    && let Ok(image) = &name
                {
                    intent = Some(Intent::OpenDialog(DialogPurpose::SavePod { image: image.clone() }));
                }
            });
            match (&name, loaded) {
                (_, None) => {
                    ui.label(RichText::new("Open a module to save it as the image.").color(t.muted_text));
                }
                (Err(_), Some(_)) if self.pod_image.trim().is_empty() => {
                    ui.label(
                        RichText::new("Name the image the cluster pulls to save it with the Pod.").color(t.muted_text),
                    );
                }
                (Err(e), Some(_)) => {
                    ui.label(RichText::new(e.to_string()).color(t.warning_text));
                }
                (Ok(_), Some(_)) => {}
            }
            ui.label(RichText::new("What runwasi grants differently:").strong());
            notes(ui, manifest.notes.iter().map(|n| (n.kind.clone(), n.text.as_str())), &t);
        });
        intent
    }
}

fn tokens(ctx: &egui::Context) -> theme::Tokens {
    theme::tokens_for(ctx.global_style().visuals.dark_mode)
}

fn notes<'a>(ui: &mut Ui, notes: impl Iterator<Item = (NoteKind, &'a str)>, t: &theme::Tokens) {
    for (kind, text) in notes {
        let (mark, color) = match kind {
            NoteKind::GrantsMore => ("grants more:", t.denied_text),
            NoteKind::GrantsLess => ("grants less:", t.warning_text),
            NoteKind::Differs => ("differs:", t.muted_text),
        };
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(mark).color(color).strong());
            ui.label(text);
        });
    }
}
