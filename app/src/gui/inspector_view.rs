//! The Inspector tab: what the loaded module is and what it could touch,
//! before any run; after a run of it, what it did touch.

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};
use runtime_worker::Capability;
use runtime_worker::inspect::Inspection;

use super::composition_view::{self, SwapState};
use super::intent::Intent;
use super::theme;
use super::widgets::{self, format_bytes};
use crate::model::session::Session;

pub fn ui(ui: &mut Ui, session: &Session) -> Option<Intent> {
    let Some(entry) = &session.module else {
        ui.label(RichText::new("Open a module to see inside it.").size(theme::font::LEAD));
        return None;
    };
    let mut intent = None;
    let inspection = &entry.inspection;
    let module = &entry.module;
    let t = theme::tokens(ui);
    egui::ScrollArea::vertical().id_salt("inspector-scroll").auto_shrink([false; 2]).show(ui, |ui| {
        ui.label(RichText::new(&module.name).size(theme::font::TITLE).strong());
        ui.horizontal_wrapped(|ui| {
            ui.label(format!("{} · {}", module.kind.name(), format_bytes(module.bytes.len() as u64)));
            ui.label(RichText::new(format!("sha256 {}", module.sha256_hex())).monospace().small());
        });
        if let Some(error) = &inspection.error {
            ui.label(RichText::new(format!("This module {}.", error.sentence())).color(t.denied_text));
        }
        ui.add_space(6.0);
        capabilities(ui, session, inspection);
        ui.add_space(6.0);
        if let Some(composition) = inspection.component.as_ref().and_then(|c| c.composition.as_ref()) {
            egui::CollapsingHeader::new(RichText::new("Composition").strong()).default_open(true).show(ui, |ui| {
                let swap = SwapState {
                    module_name: &module.name,
                    swap: session.swap.as_ref(),
                    reading: session.is_swapping(),
                };
                intent = composition_view::ui(ui, composition, &swap);
            });
        }
        egui::CollapsingHeader::new(RichText::new("Sections").strong()).default_open(true).show(ui, |ui| {
            sections(ui, inspection);
        });
        egui::CollapsingHeader::new(RichText::new(format!("Imports ({})", inspection.imports.len())).strong())
            .default_open(true)
            .show(ui, |ui| imports(ui, inspection));
        egui::CollapsingHeader::new(RichText::new(format!("Exports ({})", inspection.exports.len())).strong())
            .default_open(true)
            .show(ui, |ui| {
                egui::Grid::new("exports-grid").num_columns(3).striped(true).show(ui, |ui| {
                    for export in &inspection.exports {
                        ui.monospace(&export.name);
                        ui.label(export.kind);
                        ui.monospace(export.signature.as_deref().unwrap_or(""));
                        ui.end_row();
                    }
                });
            });
        egui::CollapsingHeader::new(RichText::new("Memory, tables, globals, data").strong())
            .default_open(true)
            .show(ui, |ui| storage(ui, inspection));
        egui::CollapsingHeader::new(RichText::new("Custom sections").strong()).default_open(false).show(ui, |ui| {
            custom(ui, inspection);
        });
        if let Some(component) = &inspection.component {
            egui::CollapsingHeader::new(RichText::new("Component: WIT world").strong()).default_open(true).show(
                ui,
                |ui| {
                    ui.label(format!("{} core module(s) inside", component.core_modules.len()));
                    match &component.wit {
                        Ok(wit) => {
                            ui.add(egui::Label::new(RichText::new(wit).monospace()).wrap());
                        }
                        Err(e) => {
                            ui.label(RichText::new(e).color(t.error_text));
                        }
                    }
                },
            );
        }
    });
    intent
}

/// "May use" from the imports beside "did use" from the latest run of this
/// module.
fn capabilities(ui: &mut Ui, session: &Session, inspection: &Inspection) {
    let entry = session.module.as_ref().expect("checked by the caller");
    let run = session.runs.iter().rev().find(|r| r.module_sha256 == entry.module.sha256);
    egui::Grid::new("may-did-use").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
        ui.label(RichText::new("May use").strong()).on_hover_text("From the module's WASI imports");
        ui.horizontal_wrapped(|ui| {
            if inspection.may_use.is_empty() {
                ui.label("nothing beyond its own memory");
            }
            for capability in &inspection.may_use {
                widgets::chip(ui, capability.name(), true, "The module imports functions of this kind");
            }
        });
        ui.end_row();
        match run {
            Some(run) => {
                ui.label(RichText::new(format!("Did use (run #{})", run.number)).strong())
                    .on_hover_text("Capabilities its calls exercised in that run, with the number of calls");
                ui.horizontal_wrapped(|ui| {
                    let used = run.capabilities_used();
                    if used.is_empty() {
                        ui.label("no WASI call");
                    }
                    for capability in Capability::ALL {
                        if let Some(calls) = used.get(&capability) {
                            widgets::chip(ui, &format!("{} ({calls})", capability.name()), true, "Calls of this kind");
                        }
                    }
                });
            }
            None => {
                ui.label(RichText::new("Did use").strong());
                ui.label("run it to see");
            }
        }
        ui.end_row();
    });
}

fn sections(ui: &mut Ui, inspection: &Inspection) {
    let height = theme::row_height(ui);
    TableBuilder::new(ui)
        .id_salt("sections-table")
        .striped(true)
        .vscroll(false)
        .column(Column::auto().at_least(80.0))
        .column(Column::auto().at_least(80.0))
        .column(Column::auto().at_least(60.0))
        .column(Column::remainder())
        .header(height, |mut header| {
            for title in ["offset", "size", "count", "section"] {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|mut body| {
            for section in &inspection.sections {
                body.row(height, |mut row| {
                    row.col(|ui| {
                        ui.monospace(format!("{:#x}", section.offset));
                    });
                    row.col(|ui| {
                        ui.monospace(format_bytes(section.size));
                    });
                    row.col(|ui| {
                        ui.monospace(section.count.map(|c| c.to_string()).unwrap_or_default());
                    });
                    row.col(|ui| {
                        ui.label(&section.name);
                    });
                });
            }
        });
}

fn imports(ui: &mut Ui, inspection: &Inspection) {
    let t = theme::tokens(ui);
    for (module, imports) in inspection.imports_by_module() {
        ui.label(RichText::new(module).monospace().strong());
        ui.indent(module, |ui| {
            egui::Grid::new(("imports", module)).num_columns(3).striped(true).show(ui, |ui| {
                for import in imports {
                    ui.monospace(&import.name);
                    ui.label(import.kind);
                    match import.capability {
                        Some(capability) => ui.label(RichText::new(capability.name()).color(t.accent)),
                        None => ui.label(""),
                    };
                    ui.end_row();
                }
            });
        });
    }
}

fn storage(ui: &mut Ui, inspection: &Inspection) {
    for memory in &inspection.memories {
        let max = memory.maximum_pages.map_or("no maximum".to_string(), |m| format!("at most {m} pages"));
        let mut flags = Vec::new();
        for (on, flag) in [(memory.imported, "imported"), (memory.shared, "shared"), (memory.memory64, "64-bit")] {
            if on {
                flags.push(flag);
            }
        }
        let flags = if flags.is_empty() { String::new() } else { format!(" ({})", flags.join(", ")) };
        ui.label(format!(
            "Memory{flags}: {} pages ({}) initially, {max}",
            memory.initial_pages,
            format_bytes(memory.initial_pages * 65536)
        ));
    }
    for table in &inspection.tables {
        let max = table.maximum.map_or("no maximum".to_string(), |m| format!("at most {m}"));
        let imported = if table.imported { " (imported)" } else { "" };
        ui.label(format!("Table{imported}: {} × {}, {max}", table.initial, table.element_type));
    }
    if !inspection.globals.is_empty() {
        let mutable = inspection.globals.iter().filter(|g| g.mutable).count();
        ui.label(format!("Globals: {} ({mutable} mutable)", inspection.globals.len()));
    }
    ui.label(format!("Functions: {} defined", inspection.defined_functions));
    if let Some(start) = inspection.start_function {
        let name = inspection.function_name(start).map(|n| format!(" ({n})")).unwrap_or_default();
        ui.label(format!("Start function: {start}{name} runs at instantiation"));
    }
    if !inspection.data_segments.is_empty() {
        let bytes: u64 = inspection.data_segments.iter().map(|d| d.size).sum();
        let passive = inspection.data_segments.iter().filter(|d| d.mode == "passive").count();
        ui.label(format!(
            "Data: {} segments ({passive} passive), {}",
            inspection.data_segments.len(),
            format_bytes(bytes)
        ));
    }
    if inspection.element_segments > 0 {
        ui.label(format!("Element segments: {}", inspection.element_segments));
    }
}

fn custom(ui: &mut Ui, inspection: &Inspection) {
    let custom = &inspection.custom;
    if custom.all.is_empty() {
        ui.label("none");
        return;
    }
    for (name, size) in &custom.all {
        ui.label(format!("\"{name}\" · {}", format_bytes(*size)));
    }
    if let Some(name) = &custom.module_name {
        ui.label(format!("Module name: {name}"));
    }
    for (field, values) in &custom.producers {
        let values: Vec<String> =
            values.iter().map(|(n, v)| if v.is_empty() { n.clone() } else { format!("{n} {v}") }).collect();
        ui.label(format!("Producers, {field}: {}", values.join(", ")));
    }
    if !custom.target_features.is_empty() {
        ui.label(format!("Target features: {}", custom.target_features.join(" ")));
    }
    if !custom.function_names.is_empty() {
        ui.collapsing(format!("{} function names", custom.function_names.len()), |ui| {
            let height = theme::line_height(ui);
            egui::ScrollArea::vertical().id_salt("function-names").max_height(240.0).show_rows(
                ui,
                height,
                custom.function_names.len(),
                |ui, range| {
                    for (index, name) in &custom.function_names[range] {
                        ui.monospace(format!("{index:>6}  {name}"));
                    }
                },
            );
        });
    }
}
