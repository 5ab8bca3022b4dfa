//! The Module panel: what is loaded, how it will be entered, what it may use;
//! recent files and the samples gallery.

use std::path::PathBuf;

use egui::{RichText, Ui};
use runtime_worker::{Capability, Entry, HttpRequest, ModuleKind};

use super::intent::Intent;
use super::state::{CallForm, Tab};
use super::theme;
use super::widgets::format_bytes;
use crate::model::session::{ModuleOrigin, Session};
use crate::samples::SAMPLES;

/// The parts of the persisted state this panel edits: how the next run
/// enters the module.
pub struct EntryFields<'a> {
    pub entry: &'a mut Entry,
    /// A core module's export's arguments, as typed.
    pub invoke_args: &'a mut String,
    /// The Call tab's form, reset when another function is chosen here.
    pub call: &'a mut CallForm,
    /// Requests of a series (Send ×N) still to send.
    pub requests_left: u32,
}

pub fn ui(ui: &mut Ui, session: &Session, recent: &[PathBuf], mut fields: EntryFields<'_>) -> Option<Intent> {
    // One click a frame: at most one of these asks for anything.
    let mut intent = None;
    egui::ScrollArea::vertical().id_salt("module-scroll").show(ui, |ui| {
        ui.heading("Module");
        intent = intent.take().or(module_info(ui, session, &mut fields));
        ui.add_space(8.0);
        egui::CollapsingHeader::new(RichText::new("Samples").strong()).default_open(true).show(ui, |ui| {
            intent = intent.take().or(gallery(ui, session));
        });
        egui::CollapsingHeader::new(RichText::new("Recent files").strong()).default_open(true).show(ui, |ui| {
            intent = intent.take().or(recent_files(ui, recent));
        });
    });
    intent
}

fn module_info(ui: &mut Ui, session: &Session, fields: &mut EntryFields<'_>) -> Option<Intent> {
    let t = theme::tokens(ui);
    let Some(entry) = &session.module else {
        ui.label("No module loaded. Open one, drop one here, or pick a sample.");
        return None;
    };
    let module = &entry.module;
    ui.label(RichText::new(&module.name).size(theme::font::TITLE).strong());
    egui::Grid::new("module-facts").num_columns(2).show(ui, |ui| {
        ui.label("Kind");
        let kind = match (module.kind, entry.inspection.is_command()) {
            (ModuleKind::Component, _) => entry.inspection.component_kind_text(),
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
    entry_point(ui, session, fields)
}

/// How the run enters the module: `_start`, or an export with arguments.
fn entry_point(ui: &mut Ui, session: &Session, fields: &mut EntryFields<'_>) -> Option<Intent> {
    let module = session.module.as_ref()?;
    let inspection = module.inspection.clone();
    if let Some(component) = &inspection.component {
        return component_entry_point(ui, session, fields, component);
    }
    let heading = ui.label(RichText::new("Entry point").strong());
    let current = match &*fields.entry {
        Entry::Start | Entry::Http(_) => "_start".to_string(),
        Entry::Invoke { name, .. } => name.clone(),
    };
    let combo = egui::ComboBox::from_id_salt("entry-point").selected_text(&current).width(200.0).show_ui(ui, |ui| {
        if inspection.is_command() {
            ui.selectable_value(&mut *fields.entry, Entry::Start, "_start (command)");
        }
        for export in inspection.invocable_exports() {
            let label = format!("{} {}", export.name, export.signature.as_deref().unwrap_or(""));
            let value = Entry::Invoke { name: export.name.clone(), args: Vec::new() };
            let selected = matches!(&*fields.entry, Entry::Invoke { name, .. } if *name == export.name);
            if ui.selectable_label(selected, label).clicked() {
                *fields.entry = value;
            }
        }
    });
    combo.response.labelled_by(heading.id);
    if let Entry::Invoke { name, .. } = &*fields.entry {
        let signature = inspection.exports.iter().find(|e| &e.name == name).and_then(|e| e.signature.clone());
        if let Some(signature) = signature {
            ui.label(RichText::new(format!("{name}{signature}")).monospace());
        }
        let label = ui.label("Arguments (space-separated numbers)");
        ui.add(egui::TextEdit::singleline(&mut *fields.invoke_args).hint_text("e.g. 2 3").desired_width(200.0))
            .labelled_by(label.id);
    }
    if inspection.is_command() && *fields.entry != Entry::Start {
        // Keep a stale export from a previous module from being invoked.
        if let Entry::Invoke { name, .. } = &*fields.entry
            && !inspection.exports.iter().any(|e| &e.name == name)
        {
            *fields.entry = Entry::Start;
        }
    } else if !inspection.is_command()
        && *fields.entry == Entry::Start
        && let Some(first) = inspection.invocable_exports().next()
    {
        *fields.entry = Entry::Invoke { name: first.name.clone(), args: Vec::new() };
    }
    None
}

/// A component runs `wasi:cli/run`, or one of its functions with the
/// arguments of the Call tab's form.
fn component_entry_point(
    ui: &mut Ui,
    session: &Session,
    fields: &mut EntryFields<'_>,
    component: &runtime_worker::inspect::ComponentInfo,
) -> Option<Intent> {
    let is_command = component.is_command();
    let is_handler = component.is_http_handler();
    // A handler's `handle` takes resources made by the host: it is reached
    // by sending a request, not through the Call tab.
    let callable: Vec<_> =
        component.callable().filter(|f| !f.interface.as_deref().is_some_and(|i| i.starts_with("wasi:http/"))).collect();
    // Keep a stale function from a previous module from being called.
    let valid = match &*fields.entry {
        Entry::Start => is_command,
        Entry::Invoke { name, .. } => callable.iter().any(|f| f.path() == *name),
        Entry::Http(_) => is_handler,
    };
    if !valid {
        *fields.entry = match component.default_function() {
            _ if is_handler => Entry::Http(HttpRequest::new("GET", "/")),
            Some(f) if !is_command => Entry::Invoke { name: f.path(), args: Vec::new() },
            _ => Entry::Start,
        };
    }
    let heading = ui.label(RichText::new("Entry point").strong());
    let current = match &*fields.entry {
        Entry::Start => "wasi:cli/run".to_string(),
        Entry::Http(_) => "HTTP request".to_string(),
        Entry::Invoke { name, .. } => name.rsplit('#').next().unwrap_or(name).to_string(),
    };
    let combo = egui::ComboBox::from_id_salt("entry-point").selected_text(&current).width(200.0).show_ui(ui, |ui| {
        if is_command {
            ui.selectable_value(&mut *fields.entry, Entry::Start, "wasi:cli/run (command)");
        }
        if is_handler {
            let selected = matches!(&*fields.entry, Entry::Http(_));
            if ui.selectable_label(selected, "HTTP request (wasi:http handler)").clicked() && !selected {
                *fields.entry = Entry::Http(HttpRequest::new("GET", "/"));
            }
        }
        for function in &callable {
            let selected = matches!(&*fields.entry, Entry::Invoke { name, .. } if *name == function.path());
            if ui.selectable_label(selected, function.path()).on_hover_text(function.signature()).clicked() {
                *fields.entry = Entry::Invoke { name: function.path(), args: Vec::new() };
                if fields.call.function.as_deref() != Some(function.path().as_str()) {
                    // The Call tab fills the fields with each type's starting value.
                    fields.call.function = Some(function.path());
                    fields.call.inputs.clear();
                }
            }
        }
    });
    combo.response.labelled_by(heading.id);
    if let Entry::Http(request) = &mut *fields.entry {
        let intent = super::request_view::request_form(ui, request, fields.requests_left);
        super::request_view::last_response(ui, session);
        let plot = super::request_view::startup_summary(ui, session);
        return intent.or(plot);
    }
    if let Entry::Invoke { name, .. } = &*fields.entry
        && let Some(function) = callable.iter().find(|f| f.path() == *name)
    {
        ui.label(RichText::new(function.signature()).monospace());
        if ui.link("Fill in its arguments in the Call tab").clicked() {
            return Some(Intent::ShowTab(Tab::Call));
        }
    }
    None
}

fn gallery(ui: &mut Ui, session: &Session) -> Option<Intent> {
    let current = session.module.as_ref().map(|m| m.origin.clone());
    let mut intent = None;
    for sample in SAMPLES {
        let selected = current == Some(ModuleOrigin::Sample(sample.file));
        let response = ui.selectable_label(selected, sample.title).on_hover_text(sample.story);
        if response.clicked() {
            intent = Some(Intent::OpenSample(sample));
        }
        if selected {
            ui.indent(sample.file, |ui| {
                ui.label(RichText::new(sample.story).small());
            });
        }
    }
    intent
}

fn recent_files(ui: &mut Ui, recent: &[PathBuf]) -> Option<Intent> {
    if recent.is_empty() {
        ui.label(RichText::new("Files you open appear here.").color(theme::tokens(ui).muted_text));
        return None;
    }
    let mut open = None;
    for path in recent {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if ui.selectable_label(false, name).on_hover_text(path.display().to_string()).clicked() {
            open = Some(path.clone());
        }
    }
    open.map(Intent::OpenPath)
}
