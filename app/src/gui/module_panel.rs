//! The Module panel: what is loaded, how it will be entered, what it may use;
//! recent files and the samples gallery.

use egui::{RichText, Ui};
use runtime_worker::{Capability, Entry, ModuleKind};

use super::app::WasmscopeApp;
use super::theme;
use crate::model::session::ModuleOrigin;
use crate::samples::SAMPLES;

pub fn ui(ui: &mut Ui, app: &mut WasmscopeApp) {
    egui::ScrollArea::vertical().id_salt("module-scroll").show(ui, |ui| {
        ui.heading("Module");
        module_info(ui, app);
        ui.add_space(8.0);
        egui::CollapsingHeader::new(RichText::new("Samples").strong())
            .default_open(true)
            .show(ui, |ui| gallery(ui, app));
        egui::CollapsingHeader::new(RichText::new("Recent files").strong()).default_open(true).show(ui, |ui| {
            recent(ui, app);
        });
    });
}

fn module_info(ui: &mut Ui, app: &mut WasmscopeApp) {
    let t = theme::tokens(ui);
    let Some(entry) = &app.session.module else {
        ui.label("No module loaded. Open one, drop one here, or pick a sample.");
        return;
    };
    let module = &entry.module;
    ui.label(RichText::new(&module.name).size(18.0).strong());
    egui::Grid::new("module-facts").num_columns(2).show(ui, |ui| {
        ui.label("Kind");
        let kind = match (module.kind, entry.inspection.is_command()) {
            (ModuleKind::Component, _) => "component".to_string(),
            (ModuleKind::Core, true) => "core module · command (_start)".to_string(),
            (ModuleKind::Core, false) => "core module · reactor".to_string(),
        };
        ui.label(kind);
        ui.end_row();
        ui.label("Size");
        ui.label(format_bytes(module.bytes.len() as u64) + if module.from_text { " (from .wat)" } else { "" });
        ui.end_row();
        ui.label("SHA-256");
        let hex = module.sha256_hex();
        ui.add(egui::Label::new(RichText::new(format!("{}…", &hex[..16])).monospace())).on_hover_text(&hex);
        ui.end_row();
        ui.label("From");
        let from = match &entry.origin {
            ModuleOrigin::File(path) => path.display().to_string(),
            ModuleOrigin::Sample(file) => format!("bundled sample {file}"),
        };
        ui.add(egui::Label::new(from).truncate());
        ui.end_row();
    });

    ui.add_space(4.0);
    ui.label(RichText::new("May use").strong()).on_hover_text(
        "What the module's WASI imports could reach if everything were granted. The profile decides what it gets.",
    );
    ui.horizontal_wrapped(|ui| {
        let may_use = &entry.inspection.may_use;
        if may_use.is_empty() {
            ui.label(RichText::new("nothing beyond its own memory").color(t.ok_text));
        }
        for capability in Capability::ALL {
            if may_use.contains(&capability) {
                ui.label(RichText::new(capability.name()).background_color(t.chip_off_fill).color(t.chip_text));
            }
        }
    });

    ui.add_space(6.0);
    entry_point(ui, app);
}

/// How the run enters the module: `_start`, or an export with arguments.
fn entry_point(ui: &mut Ui, app: &mut WasmscopeApp) {
    let Some(module) = &app.session.module else { return };
    let inspection = module.inspection.clone();
    if let Some(component) = &inspection.component {
        return component_entry_point(ui, app, component);
    }
    let heading = ui.label(RichText::new("Entry point").strong());
    let current = match &app.state.entry {
        Entry::Start => "_start".to_string(),
        Entry::Invoke { name, .. } => name.clone(),
    };
    let combo = egui::ComboBox::from_id_salt("entry-point").selected_text(&current).width(200.0).show_ui(ui, |ui| {
        if inspection.is_command() {
            ui.selectable_value(&mut app.state.entry, Entry::Start, "_start (command)");
        }
        for export in inspection.invocable_exports() {
            let label = format!("{} {}", export.name, export.signature.as_deref().unwrap_or(""));
            let value = Entry::Invoke { name: export.name.clone(), args: Vec::new() };
            let selected = matches!(&app.state.entry, Entry::Invoke { name, .. } if *name == export.name);
            if ui.selectable_label(selected, label).clicked() {
                app.state.entry = value;
            }
        }
    });
    combo.response.labelled_by(heading.id);
    if let Entry::Invoke { name, .. } = &app.state.entry {
        let signature = inspection.exports.iter().find(|e| &e.name == name).and_then(|e| e.signature.clone());
        if let Some(signature) = signature {
            ui.label(RichText::new(format!("{name}{signature}")).monospace());
        }
        let label = ui.label("Arguments (space-separated numbers)");
        ui.add(egui::TextEdit::singleline(&mut app.state.invoke_args).hint_text("e.g. 2 3").desired_width(200.0))
            .labelled_by(label.id);
    }
    if inspection.is_command() && app.state.entry != Entry::Start {
        // Keep a stale export from a previous module from being invoked.
        if let Entry::Invoke { name, .. } = &app.state.entry
            && !inspection.exports.iter().any(|e| &e.name == name)
        {
            app.state.entry = Entry::Start;
        }
    } else if !inspection.is_command()
        && app.state.entry == Entry::Start
        && let Some(first) = inspection.invocable_exports().next()
    {
        app.state.entry = Entry::Invoke { name: first.name.clone(), args: Vec::new() };
    }
}

/// A component runs `wasi:cli/run`, or one of its functions with the
/// arguments of the Call tab's form.
fn component_entry_point(ui: &mut Ui, app: &mut WasmscopeApp, component: &runtime_worker::inspect::ComponentInfo) {
    let is_command = component.is_command();
    let callable: Vec<_> = component.callable().collect();
    // Keep a stale function from a previous module from being called.
    let valid = match &app.state.entry {
        Entry::Start => is_command,
        Entry::Invoke { name, .. } => callable.iter().any(|f| f.path() == *name),
    };
    if !valid {
        app.state.entry = match component.default_function() {
            Some(f) if !is_command => Entry::Invoke { name: f.path(), args: Vec::new() },
            _ => Entry::Start,
        };
    }
    let heading = ui.label(RichText::new("Entry point").strong());
    let current = match &app.state.entry {
        Entry::Start => "wasi:cli/run".to_string(),
        Entry::Invoke { name, .. } => name.rsplit('#').next().unwrap_or(name).to_string(),
    };
    let combo = egui::ComboBox::from_id_salt("entry-point").selected_text(&current).width(200.0).show_ui(ui, |ui| {
        if is_command {
            ui.selectable_value(&mut app.state.entry, Entry::Start, "wasi:cli/run (command)");
        }
        for function in &callable {
            let selected = matches!(&app.state.entry, Entry::Invoke { name, .. } if *name == function.path());
            if ui.selectable_label(selected, function.path()).on_hover_text(function.signature()).clicked() {
                app.state.entry = Entry::Invoke { name: function.path(), args: Vec::new() };
                if app.state.call.function.as_deref() != Some(function.path().as_str()) {
                    // The Call tab fills the fields with each type's starting value.
                    app.state.call.function = Some(function.path());
                    app.state.call.inputs.clear();
                }
            }
        }
    });
    combo.response.labelled_by(heading.id);
    if let Entry::Invoke { name, .. } = &app.state.entry
        && let Some(function) = callable.iter().find(|f| f.path() == *name)
    {
        ui.label(RichText::new(function.signature()).monospace());
        if ui.link("Fill in its arguments in the Call tab").clicked() {
            app.state.tab = super::app::Tab::Call;
        }
    }
}

fn gallery(ui: &mut Ui, app: &mut WasmscopeApp) {
    let current = app.session.module.as_ref().map(|m| m.origin.clone());
    for sample in SAMPLES {
        let selected = current == Some(ModuleOrigin::Sample(sample.file));
        let response = ui.selectable_label(selected, sample.title).on_hover_text(sample.story);
        if response.clicked() {
            app.open_sample(sample, true);
        }
        if selected {
            ui.indent(sample.file, |ui| {
                ui.label(RichText::new(sample.story).small());
            });
        }
    }
}

fn recent(ui: &mut Ui, app: &mut WasmscopeApp) {
    if app.state.recent.is_empty() {
        ui.label(RichText::new("Files you open appear here.").color(theme::tokens(ui).muted_text));
        return;
    }
    let mut open = None;
    for path in &app.state.recent {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if ui.selectable_label(false, name).on_hover_text(path.display().to_string()).clicked() {
            open = Some(path.clone());
        }
    }
    if let Some(path) = open {
        app.open_path(path);
    }
}

pub fn format_bytes(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1 << 20 => format!("{:.1} KiB", b as f64 / 1024.0),
        b if b < 1 << 30 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b => format!("{:.2} GiB", b as f64 / (1u64 << 30) as f64),
    }
}
