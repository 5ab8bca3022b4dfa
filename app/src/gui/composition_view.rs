//! What a composed component is made of, drawn as a small graph: a box per
//! inner component (its name, language, size), arrows between them labelled
//! with the interface that one plugs into the other, and below them the
//! host, with an arrow up to each part (the imports it gives it) and one
//! down from the part whose export the composed component exports. Below the graph, each part's imports and exports
//! with where each one is wired. All text can be selected and copied.
//!
//! Each part's box offers to swap it for another component for the runs
//! that follow (the composed samples' providers, or a file), and a swapped
//! part's box says what stands in it, with Undo.

use egui::{Align, Color32, Layout, Pos2, Rect, RichText, Stroke, Ui, UiBuilder, Vec2, pos2, vec2};
use runtime_worker::inspect::composition::{Composition, Part, Source, Target, Wire, part_label};

use super::intent::{Intent, SwapWith};
use super::theme;
use super::widgets::format_bytes;
use crate::model::part_swap::{Swap, offered};

const BOX_WIDTH: f32 = 200.0;
/// Room between two boxes for an arrow and its label.
const GAP: f32 = 170.0;
/// Between the parts and the host's box below them.
const HOST_GAP: f32 = 64.0;
/// Above the boxes, for links between parts that are not side by side.
const LANE: f32 = 22.0;

/// What the graph shows of a swapped part, and what it offers to swap in.
pub struct SwapState<'a> {
    /// The loaded file's name: the composed samples are offered their
    /// providers.
    pub module_name: &'a str,
    pub swap: Option<&'a Swap>,
    /// A replacement is being read.
    pub reading: bool,
}

pub fn ui(ui: &mut Ui, composition: &Composition, swap: &SwapState) -> Option<Intent> {
    ui.label(format!(
        "{} components inside, wired together by the composed component (a box per component, an arrow per \
         connection)",
        composition.parts.len()
    ));
    if let Some(swapped) = swap.swap {
        let t = theme::tokens(ui);
        ui.label(
            RichText::new(format!(
                "Runs link {} in place of {}: its consumers call it instead, at run time (the file is unchanged)",
                swapped.with.name, swapped.replaced
            ))
            .color(t.accent)
            .strong(),
        );
    }
    ui.add_space(4.0);
    let intent =
        egui::ScrollArea::horizontal().id_salt("composition-graph").show(ui, |ui| graph(ui, composition, swap)).inner;
    ui.add_space(6.0);
    details(ui, composition);
    intent
}

/// Parts from left to right so that a part's export flows right into the
/// import of the part it is plugged into (providers first); index order
/// where links say nothing (or go round in a circle).
fn columns(composition: &Composition) -> Vec<usize> {
    let parts = composition.parts.len();
    let mut placed: Vec<usize> = Vec::with_capacity(parts);
    while placed.len() < parts {
        let ready = (0..parts).filter(|p| !placed.contains(p)).find(|p| {
            composition.links().all(|w| match (&w.from, &w.to) {
                (Source::Part { part: from, .. }, Target::Part { part: to, .. }) => {
                    to != p || from == p || placed.contains(from)
                }
                _ => true,
            })
        });
        let next = ready.or_else(|| (0..parts).find(|p| !placed.contains(p))).expect("one left");
        placed.push(next);
    }
    placed
}

fn graph(ui: &mut Ui, composition: &Composition, swap: &SwapState) -> Option<Intent> {
    let mut intent = None;
    let t = theme::tokens(ui);
    let order = columns(composition);
    let column_of = |part: usize| order.iter().position(|p| *p == part).unwrap_or(0);
    let stroke = Stroke::new(1.5, ui.visuals().text_color());
    let links: Vec<&Wire> = composition.links().collect();
    let exports: Vec<(&str, &Source)> = composition.exports().collect();
    // Links that cannot be drawn straight to the right go over the top,
    // one lane each.
    let over_top = |from: usize, to: usize| column_of(to) != column_of(from) + 1;
    let lanes = links
        .iter()
        .filter(|w| matches!((&w.from, &w.to), (Source::Part { part: f, .. }, Target::Part { part: to, .. }) if over_top(*f, *to)))
        .count();
    let top_room = if lanes > 0 { LANE * lanes as f32 + 18.0 } else { 0.0 };
    let origin = ui.cursor().min + vec2(4.0, 4.0 + top_room);

    // The boxes, as tall as their text lays them out.
    let mut boxes: Vec<Rect> = vec![Rect::NOTHING; composition.parts.len()];
    for (column, &index) in order.iter().enumerate() {
        let at = origin + vec2(column as f32 * (BOX_WIDTH + GAP), 0.0);
        boxes[index] = draw_box(ui, ("part", index), at, BOX_WIDTH, |ui| {
            part_box(ui, composition, index, &t);
            if let Some(asked) = swap_controls(ui, composition, index, swap, &t) {
                intent = Some(asked);
            }
        });
    }
    let parts_bottom = boxes.iter().map(|r| r.bottom()).fold(origin.y, f32::max);
    // The host, below: it gives the parts their imports and calls the
    // composed component's exports.
    let host_imports = composition.host_imports();
    let host_width = order.len() as f32 * BOX_WIDTH + (order.len().saturating_sub(1)) as f32 * GAP;
    let host_box = draw_box(ui, "host", pos2(origin.x, parts_bottom + HOST_GAP), host_width, |ui| {
        ui.label(RichText::new("Host").strong());
        ui.label(
            RichText::new(format!(
                "gives the composed component its {}, and calls its {}",
                counted(host_imports.len(), "import"),
                counted(exports.len(), "export")
            ))
            .small()
            .color(t.muted_text),
        );
        ui.add(egui::Label::new(RichText::new(host_imports.join("  ")).monospace().small()).wrap());
    });

    let painter = ui.painter().clone();
    let label = |ui: &mut Ui, rect: Rect, align: Align, text: &str, color: Color32| {
        let mut child = ui.new_child(UiBuilder::new().max_rect(rect).layout(Layout::top_down(align)));
        child.add(egui::Label::new(RichText::new(text).monospace().small().color(color)).wrap());
    };

    // Part to part: straight to the right when side by side, else over the top.
    let mut lane = 0;
    let mut beside: Vec<(usize, usize)> = Vec::new();
    for wire in &links {
        let (Source::Part { part: from, .. }, Target::Part { part: to, .. }) = (&wire.from, &wire.to) else { continue };
        let (a, b) = (boxes[*from], boxes[*to]);
        if over_top(*from, *to) {
            lane += 1;
            let y = origin.y - 10.0 - LANE * (lane - 1) as f32;
            let points =
                [a.center_top(), pos2(a.center().x, y), pos2(b.center().x + 12.0, y), b.center_top() + vec2(12.0, 0.0)];
            polyline_arrow(&painter, &points, stroke);
            let x = (a.center().x + b.center().x) / 2.0;
            label(ui, Rect::from_center_size(pos2(x, y - 9.0), vec2(GAP, 16.0)), Align::Center, wire.label(), t.accent);
        } else {
            let nth = beside.iter().filter(|&&pair| pair == (*from, *to)).count();
            beside.push((*from, *to));
            let y = a.top() + 40.0 + 40.0 * nth as f32;
            polyline_arrow(&painter, &[pos2(a.right(), y), pos2(b.left(), y)], stroke);
            let rect = Rect::from_min_max(pos2(a.right() + 6.0, y - 34.0), pos2(b.left() - 6.0, y - 2.0));
            label(ui, rect, Align::Center, wire.label(), t.accent);
        }
    }
    // Between each part and the host: up, the imports the host gives it;
    // down, what the composed component exports of it.
    for (index, part) in composition.parts.iter().enumerate() {
        let b = boxes[index];
        let from_host = composition.host_imports_of(index);
        if !from_host.is_empty() {
            let x = b.left() + 28.0;
            polyline_arrow(&painter, &[pos2(x, host_box.top()), pos2(x, b.bottom())], stroke);
            let renamed = from_host.iter().filter(|(host, own)| host != own).count();
            let mut text = format!("{} of its {} imports", from_host.len(), part.imports.len());
            if renamed > 0 {
                text.push_str(&format!(", {renamed} at another version"));
            }
            let rect = Rect::from_min_max(pos2(x + 6.0, b.bottom() + 6.0), pos2(b.center().x + 20.0, host_box.top()));
            label(ui, rect, Align::Min, &text, t.muted_text);
        }
        let exported: Vec<&str> = exports
            .iter()
            .filter(|(_, s)| matches!(s, Source::Part { part, .. } if *part == index))
            .map(|(n, _)| *n)
            .collect();
        if !exported.is_empty() {
            let x = b.right() - 28.0;
            polyline_arrow(&painter, &[pos2(x, b.bottom()), pos2(x, host_box.top())], stroke);
            let rect = Rect::from_min_max(pos2(x + 6.0, b.bottom() + 6.0), pos2(x + GAP - 10.0, host_box.top()));
            label(ui, rect, Align::Min, &exported.join("\n"), t.accent);
        }
    }

    let mut bounds = host_box;
    for rect in &boxes {
        bounds = bounds.union(*rect);
    }
    bounds = bounds.union(Rect::from_min_size(ui.cursor().min, Vec2::ZERO));
    ui.allocate_rect(bounds.expand(4.0), egui::Sense::hover());
    intent
}

/// A framed box at `at`, `width` wide, as tall as its contents; its rect.
fn draw_box(
    ui: &mut Ui,
    id: impl std::hash::Hash + std::fmt::Debug,
    at: Pos2,
    width: f32,
    contents: impl FnOnce(&mut Ui),
) -> Rect {
    let rect = Rect::from_min_size(at, vec2(width, 1000.0));
    let mut child = ui.new_child(UiBuilder::new().id_salt(id).max_rect(rect).layout(Layout::top_down(Align::Min)));
    egui::Frame::group(child.style()).fill(ui.visuals().extreme_bg_color).inner_margin(8.0).show(&mut child, |ui| {
        ui.set_width(width - 18.0);
        contents(ui);
    });
    child.min_rect()
}

fn part_box(ui: &mut Ui, composition: &Composition, index: usize, t: &theme::Tokens) {
    let part: &Part = &composition.parts[index];
    ui.label(RichText::new(format!("#{} {}", part.index, part.name)).strong().size(theme::font::STORY));
    ui.label(RichText::new(part.language_text()).color(t.accent));
    ui.label(format!("{} · {}", format_bytes(part.size), counted(part.core_modules as usize, "core module")));
    if !part.toolchain.is_empty() {
        ui.add(egui::Label::new(RichText::new(part.toolchain.join(", ")).small().color(t.muted_text)).wrap());
    }
    let items = format!("{} · {}", counted(part.imports.len(), "import"), counted(part.exports.len(), "export"));
    ui.label(RichText::new(items).small());
}

/// Under a part's box: what stands in it and Undo, or Swap… with what is
/// offered (the samples' providers for a composed sample's provider) and a file.
fn swap_controls(
    ui: &mut Ui,
    composition: &Composition,
    index: usize,
    swap: &SwapState,
    t: &theme::Tokens,
) -> Option<Intent> {
    ui.separator();
    if let Some(swapped) = swap.swap.filter(|s| s.place == index) {
        ui.label(RichText::new(format!("swapped for {}", swapped.with.name)).color(t.accent).strong());
        let language = swapped.language.as_deref().unwrap_or("unknown language");
        ui.label(format!("{language} · {}", format_bytes(swapped.with.bytes.len() as u64)));
        return ui
            .button("Undo swap")
            .on_hover_text("Run the file's own part again")
            .clicked()
            .then_some(Intent::UndoSwap);
    }
    if swap.reading {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("reading the component…");
        });
        return None;
    }
    let part = &composition.parts[index];
    let replaced = part_label(&composition.parts, index);
    let exports: Vec<&str> = part.exports.iter().map(|e| e.name.as_str()).collect();
    let mut intent = None;
    ui.menu_button("Swap…", |ui| {
        for sample in offered(swap.module_name, &exports) {
            let text = format!("{} ({})", sample.file, sample.title);
            if ui.button(text).clicked() {
                let with = SwapWith::Offered(sample);
                intent = Some(Intent::SwapPart { place: index, replaced: replaced.clone(), with });
            }
        }
        if ui.button("A component file…").clicked() {
            intent = Some(Intent::SwapPart { place: index, replaced: replaced.clone(), with: SwapWith::File });
        }
    })
    .response
    .on_hover_text("Link the other parts to another component in this part's place, for the runs that follow");
    intent
}

/// `1 export`, `15 imports`.
fn counted(n: usize, what: &str) -> String {
    if n == 1 { format!("1 {what}") } else { format!("{n} {what}s") }
}

fn polyline_arrow(painter: &egui::Painter, points: &[Pos2], stroke: Stroke) {
    painter.add(egui::Shape::line(points.to_vec(), stroke));
    let [.., from, to] = points else { return };
    let direction = (*to - *from).normalized();
    let side = vec2(-direction.y, direction.x);
    let head = [*to, *to - direction * 9.0 + side * 4.5, *to - direction * 9.0 - side * 4.5];
    painter.add(egui::Shape::convex_polygon(head.to_vec(), stroke.color, Stroke::NONE));
}

/// Each part's imports (with what satisfies each) and exports (with where
/// each goes), then every connection between parts.
fn details(ui: &mut Ui, composition: &Composition) {
    let t = theme::tokens(ui);
    let parts = &composition.parts;
    for part in parts {
        let title = format!(
            "{}: {}, {}, bytes {:#x}..{:#x}",
            part_label(parts, part.index),
            counted(part.imports.len(), "import"),
            counted(part.exports.len(), "export"),
            part.offset,
            part.offset + part.size
        );
        egui::CollapsingHeader::new(title).id_salt(("composition-part", part.index)).default_open(false).show(
            ui,
            |ui| {
                for (field, values) in &part.producers {
                    let values: Vec<String> =
                        values.iter().map(|(n, v)| if v.is_empty() { n.clone() } else { format!("{n} {v}") }).collect();
                    ui.label(format!("Producers, {field}: {}", values.join(", ")));
                }
                egui::Grid::new(("composition-items", part.index)).num_columns(3).striped(true).show(ui, |ui| {
                    for import in &part.imports {
                        ui.monospace(&import.name);
                        ui.label(format!("import ({})", import.kind));
                        match composition.source_of(part.index, &import.name) {
                            Some(wire) => ui.label(format!("from {}", wire.from.describe(parts))),
                            None => ui.label(RichText::new("not wired").color(t.warning_text)),
                        };
                        ui.end_row();
                    }
                    for export in &part.exports {
                        ui.monospace(&export.name);
                        ui.label(format!("export ({})", export.kind));
                        let to: Vec<String> =
                            composition.uses_of(part.index, &export.name).map(|w| w.to.describe(parts)).collect();
                        ui.label(if to.is_empty() { "not used".to_string() } else { format!("to {}", to.join(", ")) });
                        ui.end_row();
                    }
                });
            },
        );
    }
    let between: Vec<&Wire> = composition.wiring.iter().filter(|w| !matches!(w.from, Source::Host { .. })).collect();
    ui.label(RichText::new("Wiring").strong());
    for wire in between {
        let text = format!("{} -> {} ({})", wire.from.describe(parts), wire.to.describe(parts), wire.kind);
        ui.add(egui::Label::new(text).wrap());
    }
    for part in parts {
        let count = composition.host_imports_of(part.index).len();
        if count > 0 {
            ui.label(format!("host imports -> {}: {count} imports", part_label(parts, part.index)));
        }
    }
}
