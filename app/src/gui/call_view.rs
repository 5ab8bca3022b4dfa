//! The Call tab: a component's exported functions, a form built from each
//! one's WIT parameter types, and the typed result of the call, shown as a
//! table when it is a list of records (`list<query-result>`), else as WAVE
//! text. The call runs like any run: traced, in the sandbox of the profile.
//! In a composed component, the form can call an inner component's exports
//! too (the provider's `execute-query` inside a composed client): choose the
//! part, then its function.

use std::sync::Arc;

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};
use runtime_worker::LoadedModule;
use runtime_worker::inspect::composition::{self, Part};
use runtime_worker::inspect::typed::{self, TypedFunction, WitType};
use runtime_worker::{RunOutcome, Value};
use wasm_wave::untyped::UntypedValue;

use super::intent::Intent;
use super::state::CallForm;
use super::theme::{self, font};
use crate::model::session::Session;

/// `form`: the persisted form, which this tab edits.
pub fn ui(ui: &mut Ui, session: &Session, form: &mut CallForm) -> Option<Intent> {
    let Some(module) = &session.module else {
        ui.label(RichText::new("Open a component to call its functions.").size(font::LEAD));
        return None;
    };
    let Some(component) = module.inspection.component.clone() else {
        ui.label(
            RichText::new(
                "This is a core module. Its numeric exports are called from the Entry point box on the left; \
                 the Call tab builds forms for components, whose functions take and return WIT types.",
            )
            .size(font::READING),
        );
        return None;
    };
    let t = theme::tokens(ui);
    let parts = component.composition.as_ref().map_or(Vec::new(), |c| {
        c.parts.iter().map(|p| (composition::part_label(&c.parts, p.index), p)).collect::<Vec<_>>()
    });
    if form.part.as_ref().is_some_and(|chosen| !parts.iter().any(|(label, _)| label == chosen)) {
        form.part = None;
    }
    if !parts.is_empty() {
        part_choice(ui, &parts, form);
    }
    let (functions, default) = match parts.iter().find(|(label, _)| Some(label) == form.part.as_ref()) {
        None => (component.callable().cloned().collect(), component.default_function().map(|f| f.path())),
        Some((label, part)) => match part_functions(ui.ctx(), &module.module, part) {
            Ok(functions) => {
                let callable: Vec<TypedFunction> = functions
                    .iter()
                    .filter(|f| !f.interface.as_deref().is_some_and(|i| i.starts_with("wasi:cli/run")))
                    .cloned()
                    .collect();
                let default = callable.first().map(TypedFunction::path);
                (callable, default)
            }
            Err(why) => {
                let text = format!("The functions of {label} cannot be read: {why}");
                ui.label(RichText::new(text).color(t.error_text).size(font::READING));
                return None;
            }
        },
    };
    if functions.is_empty() {
        let text = match &form.part {
            None => "This component exports no functions to call; run it with F5.".to_string(),
            Some(label) => format!("{label} exports no functions to call."),
        };
        ui.label(RichText::new(text).size(font::READING));
        return None;
    }
    let index = selected_function(form, &functions, default.as_deref());
    let function = &functions[index];

    ui.horizontal(|ui| {
        let label = ui.label(RichText::new("Function").strong());
        let combo = egui::ComboBox::from_id_salt("call-function").selected_text(function.path()).width(420.0).show_ui(
            ui,
            |ui| {
                for (i, f) in functions.iter().enumerate() {
                    if ui.selectable_label(i == index, f.path()).on_hover_text(f.signature()).clicked() {
                        form.function = Some(f.path());
                        form.inputs = f.params.iter().map(|(_, ty)| initial_input(ty)).collect();
                    }
                }
            },
        );
        combo.response.labelled_by(label.id);
    });
    ui.label(RichText::new(function.signature()).monospace().size(font::READING));
    ui.add_space(6.0);

    let inputs = &mut form.inputs;
    let mut problems = Vec::new();
    for ((name, ty), input) in function.params.iter().zip(inputs.iter_mut()) {
        ui.horizontal(|ui| {
            let label = ui.add_sized([90.0, 20.0], egui::Label::new(RichText::new(name).strong()));
            param_widget(ui, ty, input).labelled_by(label.id);
            let problem = check_input(ty, input);
            match &problem {
                Some(p) => ui.label(RichText::new(p).color(t.error_text)),
                None => ui.label(RichText::new(ty.wit()).monospace().color(t.muted_text)),
            };
            if let Some(p) = problem {
                problems.push(format!("{name}: {p}"));
            }
        });
    }
    ui.add_space(6.0);
    let running = session.is_running();
    let mut intent = None;
    ui.horizontal(|ui| {
        let button = egui::Button::new(RichText::new("▶ Call").size(font::LEAD));
        let call = ui
            .add_enabled(problems.is_empty() && !running, button)
            .on_hover_text("Instantiate the component in the sandbox of the profile and call the function");
        if call.clicked() {
            let args = function.params.iter().zip(form.inputs.iter()).map(|((_, ty), v)| to_wave(ty, v));
            intent = Some(Intent::Call { function: function.path(), args: args.collect(), part: form.part.clone() });
        }
        if running {
            ui.spinner();
            ui.label("calling… (a large component compiles first; Shift+F5 stops)");
        }
    });
    ui.add_space(10.0);
    result(ui, session, function, form.part.as_deref());
    intent
}

/// The component whose functions the form shows: the composed one, or one
/// of its parts.
fn part_choice(ui: &mut Ui, parts: &[(String, &Part)], form: &mut CallForm) {
    const WHOLE: &str = "the composed component";
    ui.horizontal(|ui| {
        let label = ui.label(RichText::new("Component").strong());
        let selected = form.part.clone().unwrap_or_else(|| WHOLE.to_string());
        let combo = egui::ComboBox::from_id_salt("call-part").selected_text(selected).width(420.0).show_ui(ui, |ui| {
            let mut choose = |ui: &mut Ui, part: Option<&String>, text: &str, hover: String| {
                if ui.selectable_label(form.part.as_ref() == part, text).on_hover_text(hover).clicked()
                    && form.part.as_ref() != part
                {
                    form.part = part.cloned();
                    form.function = None;
                    form.inputs.clear();
                }
            };
            choose(ui, None, WHOLE, "Its own exports".to_string());
            for (label, part) in parts {
                let hover = format!("An inner component ({}): its exports, set up on their own", part.language_text());
                choose(ui, Some(label), label, hover);
            }
        });
        combo.response.labelled_by(label.id);
    });
}

/// The functions an inner component exports, read from its bytes once per
/// loaded file (a Python part is 18 MB).
fn part_functions(ctx: &egui::Context, module: &LoadedModule, part: &Part) -> Result<Arc<Vec<TypedFunction>>, String> {
    type Read = Arc<Result<Arc<Vec<TypedFunction>>, String>>;
    let id = egui::Id::unique(("call-part-functions", module.sha256, part.index));
    if let Some(read) = ctx.data(|d| d.get_temp::<Read>(id)) {
        return (*read).clone();
    }
    let read: Read = Arc::new(match part.bytes(&module.bytes) {
        Some(bytes) => typed::exported_functions(bytes).map(Arc::new),
        None => Err("its bytes lie outside the file".to_string()),
    });
    ctx.data_mut(|d| d.insert_temp(id, Arc::clone(&read)));
    (*read).clone()
}

/// The function the form is for: the one chosen before, else the default.
/// Fields left empty by a change of function get their type's starting value.
fn selected_function(form: &mut CallForm, functions: &[TypedFunction], default: Option<&str>) -> usize {
    let position = |path: &str| functions.iter().position(|f| f.path() == path);
    let index = match form.function.as_deref().and_then(position) {
        Some(i) => i,
        None => {
            let i = default.and_then(position).unwrap_or(0);
            form.function = Some(functions[i].path());
            form.inputs.clear();
            i
        }
    };
    let inputs = &mut form.inputs;
    if inputs.len() != functions[index].params.len() {
        *inputs = functions[index].params.iter().map(|(_, ty)| initial_input(ty)).collect();
    }
    index
}

/// What a parameter's field starts with: plain text for strings and
/// characters, a WAVE value for everything else.
fn initial_input(ty: &WitType) -> String {
    match ty {
        WitType::String => String::new(),
        WitType::Char => "a".into(),
        other => other.default_wave(),
    }
}

fn param_widget(ui: &mut Ui, ty: &WitType, input: &mut String) -> egui::Response {
    match ty {
        WitType::Bool => {
            let mut on = input == "true";
            let response = ui.checkbox(&mut on, "");
            *input = on.to_string();
            response
        }
        WitType::Enum { cases, .. } => {
            egui::ComboBox::from_id_salt(("call-enum", ui.next_auto_id())).selected_text(input.as_str()).show_ui(
                ui,
                |ui| {
                    for case in cases {
                        ui.selectable_value(input, runtime_worker::inspect::typed::wave_label(case), case);
                    }
                },
            );
            ui.label("")
        }
        WitType::String => {
            ui.add(egui::TextEdit::singleline(input).desired_width(420.0).hint_text("text, sent as a WIT string"))
        }
        WitType::Int(_) | WitType::Float(_) | WitType::Char => {
            ui.add(egui::TextEdit::singleline(input).desired_width(160.0))
        }
        _ => ui.add(
            egui::TextEdit::multiline(input)
                .desired_rows(2)
                .desired_width(420.0)
                .code_editor()
                .hint_text(format!("a WAVE value, e.g. {}", ty.default_wave())),
        ),
    }
}

/// Why the field cannot be sent yet, if it cannot.
fn check_input(ty: &WitType, input: &str) -> Option<String> {
    let ok = match ty {
        WitType::Int(name) => match *name {
            "u8" => input.trim().parse::<u8>().is_ok(),
            "u16" => input.trim().parse::<u16>().is_ok(),
            "u32" => input.trim().parse::<u32>().is_ok(),
            "u64" => input.trim().parse::<u64>().is_ok(),
            "s8" => input.trim().parse::<i8>().is_ok(),
            "s16" => input.trim().parse::<i16>().is_ok(),
            "s32" => input.trim().parse::<i32>().is_ok(),
            _ => input.trim().parse::<i64>().is_ok(),
        },
        WitType::Float(_) => input.trim().parse::<f64>().is_ok(),
        WitType::Char => input.chars().count() == 1,
        WitType::Bool | WitType::String | WitType::Enum { .. } => true,
        _ => return UntypedValue::parse(input).err().map(|e| format!("not a WAVE value: {e}")),
    };
    (!ok).then(|| format!("not a {}", ty.wit()))
}

/// The field as a WAVE value of its type.
pub fn to_wave(ty: &WitType, input: &str) -> String {
    match ty {
        WitType::String => wave_string(input),
        WitType::Char => match input.chars().next() {
            Some('\'') => "'\\''".into(),
            Some('\\') => "'\\\\'".into(),
            Some(c) => format!("'{c}'"),
            None => "'a'".into(),
        },
        WitType::Int(_) | WitType::Float(_) => input.trim().to_string(),
        _ => input.to_string(),
    }
}

/// A WAVE string literal.
fn wave_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The outcome of the latest call of this function.
fn result(ui: &mut Ui, session: &Session, function: &TypedFunction, part: Option<&str>) {
    let t = theme::tokens(ui);
    let path = function.path();
    let latest = session
        .runs
        .iter()
        .rev()
        .find(|r| r.invoked.as_deref() == Some(path.as_str()) && r.invoked_part.as_deref() == part);
    let Some(run) = latest else {
        return;
    };
    ui.separator();
    let title = match part {
        Some(part) => format!("Run #{} · {path} of {part}", run.number),
        None => format!("Run #{} · {path}", run.number),
    };
    ui.label(RichText::new(title).strong());
    match &run.outcome {
        None => {
            ui.label("running…");
        }
        Some(RunOutcome::Returned { values }) => {
            let result_ty = function.result.as_ref();
            for value in values {
                let text = value.to_string();
                if let Value::Wave(wave) = value {
                    value_view(ui, wave, result_ty);
                } else {
                    ui.monospace(text);
                }
            }
            if values.is_empty() {
                ui.label(RichText::new("returned (no result)").color(t.ok_text));
            }
        }
        Some(other) => {
            let text = match other {
                RunOutcome::Failed { message, .. } => message.clone(),
                RunOutcome::Trapped(trap) => format!("trapped: {}", trap.message),
                RunOutcome::Exited { code } => format!("exited with status {code}"),
                RunOutcome::Stopped => "stopped".into(),
                RunOutcome::TimedOut => "timed out".into(),
                RunOutcome::Responded(response) => format!("answered an HTTP request: {}", response.status),
                RunOutcome::Returned { .. } => unreachable!("handled above"),
            };
            ui.add(egui::Label::new(RichText::new(text).color(t.error_text).size(font::READING)).wrap());
        }
    }
}

/// A returned value: `ok(...)`/`err(...)` unwrapped with a badge, a list of
/// records as a table, anything else as WAVE text.
fn value_view(ui: &mut Ui, wave: &str, ty: Option<&WitType>) {
    let t = theme::tokens(ui);
    let Ok(parsed) = UntypedValue::parse(wave) else {
        ui.monospace(wave);
        return;
    };
    let mut node = parsed.node();
    let mut ty = ty;
    if let (Ok(result), Some(WitType::Result { ok, err })) = (node.as_result(), ty) {
        match result {
            Ok(inner) => {
                ui.label(RichText::new("ok").color(t.ok_text).strong());
                match inner {
                    Some(inner) => {
                        node = inner;
                        ty = ok.as_deref();
                    }
                    None => return,
                }
            }
            Err(inner) => {
                ui.label(RichText::new("err").color(t.error_text).strong());
                match inner {
                    Some(inner) => {
                        node = inner;
                        ty = err.as_deref();
                    }
                    None => return,
                }
            }
        }
    }
    let source = parsed.source();
    if let (Some(WitType::List(item)), Ok(items)) = (ty, node.as_list())
        && let WitType::Record { name, fields } = item.as_ref()
    {
        let items: Vec<_> = items.collect();
        let title = format!("{} {}", items.len(), name.as_deref().unwrap_or("record"));
        ui.label(RichText::new(if items.len() == 1 { title } else { format!("{title}s") }).color(t.muted_text));
        let height = theme::row_height(ui);
        let mut table = TableBuilder::new(ui).id_salt("call-result").striped(true).resizable(true);
        for _ in fields {
            table = table.column(Column::auto().at_least(80.0));
        }
        table
            .header(height + 2.0, |mut header| {
                for (field, _) in fields {
                    header.col(|ui| {
                        ui.strong(field);
                    });
                }
            })
            .body(|body| {
                body.rows(height, items.len(), |mut row| {
                    let record = items[row.index()];
                    let values: Vec<(String, String)> = match record.as_record(source) {
                        Ok(fields) => fields.map(|(k, v)| (k.to_string(), cell_text(v, source))).collect(),
                        Err(_) => Vec::new(),
                    };
                    for (field, _) in fields {
                        let value = values.iter().find(|(k, _)| k == field).map_or("", |(_, v)| v.as_str());
                        row.col(|ui| {
                            ui.monospace(value);
                        });
                    }
                });
            });
        return;
    }
    let text = &source[node.span()];
    let text = match node.as_str(source) {
        Ok(s) => s.into_owned(),
        Err(_) => text.to_string(),
    };
    ui.add(egui::Label::new(RichText::new(text).monospace().size(font::READING)).wrap());
}

/// A record field as a table cell: strings without their quotes.
fn cell_text(node: &wasm_wave::ast::Node, source: &str) -> String {
    match node.as_str(source) {
        Ok(s) => s.into_owned(),
        Err(_) => source[node.span()].to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_become_wave_values_of_their_type() {
        assert_eq!(to_wave(&WitType::String, "say \"hi\"\n"), "\"say \\\"hi\\\"\\n\"");
        assert_eq!(to_wave(&WitType::Char, "x"), "'x'");
        assert_eq!(to_wave(&WitType::Int("u32"), " 7 "), "7");
        assert_eq!(check_input(&WitType::Int("u8"), "300").as_deref(), Some("not a u8"));
        assert!(check_input(&WitType::Float("f64"), "2.5").is_none());
        let list = WitType::List(Box::new(WitType::Int("u8")));
        assert!(check_input(&list, "[1, 2]").is_none());
        assert!(check_input(&list, "[1, 2").is_some());
    }
}
