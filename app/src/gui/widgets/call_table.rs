//! The calls table, one for both kinds of run: a core module's preview1
//! calls and a component's WASI 0.2 host calls. Each is a virtualised table
//! (only the visible rows are laid out) of `#`, `Time`, the columns that kind
//! of call has, and `Duration`; denied calls on the denial colour; a click
//! selects a call; follow mode keeps the newest in view. A right click on a
//! row copies the call or narrows the filter to it; ↑/↓ move the selection,
//! Esc clears it, Ctrl+C copies the selected call as a line. Also the
//! search (Ctrl+F; Esc clears it), follow and count lines above the table,
//! which both views share.

use egui::{Align, Color32, Event, Key, KeyboardShortcut, Modifiers, RichText, Ui};
use egui_extras::{Column, TableBuilder, TableRow};
use runtime_worker::RunId;
use runtime_worker::trace::describe::format_nanos;

use crate::gui::intent::Intent;
use crate::gui::theme::{self, Tokens};
use crate::model::call_filter::CallFilter;

/// Puts the cursor in the calls search box.
pub const FIND: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::F);

/// How a column is sized at first.
#[derive(Clone, Copy, Debug)]
pub enum ColumnWidth {
    Initial(f32),
    /// What the other columns leave.
    Remainder,
}

/// A column between `Time` and `Duration`.
#[derive(Clone, Copy, Debug)]
pub struct CallColumn {
    pub title: &'static str,
    pub width: ColumnWidth,
    /// The column never gets narrower than this.
    pub at_least: f32,
    /// Text wider than the column is cut rather than widening it.
    pub clip: bool,
}

/// The arguments, one line each: they take the width the others leave.
pub const ARGUMENTS: CallColumn =
    CallColumn { title: "Arguments", width: ColumnWidth::Remainder, at_least: 100.0, clip: true };

impl CallColumn {
    /// A column `width` points wide at first, never under `at_least`.
    pub const fn initial(title: &'static str, width: f32, at_least: f32) -> CallColumn {
        CallColumn { title, width: ColumnWidth::Initial(width), at_least, clip: false }
    }

    /// The column cuts text wider than itself.
    pub const fn clipped(self) -> CallColumn {
        CallColumn { clip: true, ..self }
    }

    fn column(&self) -> Column {
        let column = match self.width {
            ColumnWidth::Initial(width) => Column::initial(width),
            ColumnWidth::Remainder => Column::remainder(),
        };
        column.at_least(self.at_least).clip(self.clip)
    }
}

/// What every kind of call shows in the table.
#[derive(Clone, Copy, Debug)]
pub struct CallBasics {
    /// Its position in the run, from 0.
    pub seq: u64,
    /// Nanoseconds since the run started.
    pub start_ns: u64,
    pub dur_ns: u64,
    pub denied: bool,
}

/// A call as a row of the table.
pub trait CallRow {
    /// The columns this kind of call has between `Time` and `Duration`.
    const COLUMNS: &'static [CallColumn];
    fn basics(&self) -> CallBasics;
    /// Adds the cells of `COLUMNS`, each through `cell` with `fill`.
    fn add_cells(&self, row: &mut TableRow<'_, '_>, fill: Option<Color32>, t: &Tokens);
    /// The call as one strace-like line (the command line's `--trace text`).
    fn text_line(&self) -> String;
    /// The call as one JSON object (the command line's `--trace json`).
    fn json_line(&self) -> String;
    /// The path the call passed, if it passed one.
    fn path(&self) -> Option<String>;
    /// `filter`, narrowed to calls of this call's function.
    fn only_this_function(&self, filter: &CallFilter) -> CallFilter;
    /// `filter`, narrowed to calls that failed as this one did; `None` when
    /// it did not fail.
    fn only_this_error(&self, filter: &CallFilter) -> Option<CallFilter>;
}

/// What a calls table keeps from frame to frame.
#[derive(Default)]
pub struct CallTable {
    /// The selected call, as an index into the run's calls.
    pub selected: Option<usize>,
    /// Rows shown last frame, to follow new ones.
    shown_before: usize,
    /// The run whose first denial was selected when it ended.
    explained: Option<RunId>,
    /// The selection was made for the person (the first denial): bring its
    /// row into view once, wherever follow mode had scrolled to.
    reveal: bool,
}

impl CallTable {
    /// Forgets the selection and the rows shown, for another run.
    pub fn reset(&mut self) {
        self.selected = None;
        self.shown_before = 0;
        self.reveal = false;
    }

    /// When a run ends with denials, opens the first one: it is what the
    /// person is looking for. Once per run, and not over their own choice.
    pub fn select_first_denial(&mut self, run: RunId, finished: bool, first_denied: impl FnOnce() -> Option<usize>) {
        if finished && self.explained != Some(run) {
            self.explained = Some(run);
            if self.selected.is_none() {
                self.selected = first_denied();
                self.reveal = self.selected.is_some();
            }
        }
    }

    /// Draws `shown` rows; `row_at(i)` is the i-th row's index among the
    /// run's calls (ascending in `i`) and its call. A click selects a call, a
    /// second unselects it; a right click opens the row's menu, whose
    /// filters come back as an intent.
    pub fn show<R: CallRow>(
        &mut self,
        ui: &mut Ui,
        id_salt: &str,
        shown: usize,
        follow: bool,
        row_at: impl Fn(usize) -> (usize, R),
        filter: &CallFilter,
    ) -> Option<Intent> {
        let t = theme::tokens(ui);
        let height = theme::row_height(ui);
        let moved_to = self.keys(ui, shown, &row_at);
        let mut builder = TableBuilder::new(ui)
            .id_salt(id_salt)
            .striped(true)
            .resizable(true)
            .sense(egui::Sense::click())
            .cell_layout(egui::Layout::left_to_right(Align::Center))
            .column(Column::initial(48.0).at_least(32.0))
            .column(Column::initial(80.0).at_least(60.0));
        for column in R::COLUMNS {
            builder = builder.column(column.column());
        }
        // No height of its own beyond what it is given: the detail pane
        // under it leaves it eight rows, and a table that took more
        // would run over the pane's title.
        builder = builder.column(Column::initial(72.0).at_least(50.0)).auto_shrink([false; 2]).min_scrolled_height(0.0);
        let revealed = if std::mem::take(&mut self.reveal) {
            self.selected.and_then(|i| position_of(shown, i, &row_at))
        } else {
            None
        };
        if let Some(position) = moved_to {
            builder = builder.scroll_to_row(position, None);
        } else if let Some(position) = revealed {
            builder = builder.scroll_to_row(position, Some(Align::Center));
        } else if follow && shown > self.shown_before && shown > 0 {
            builder = builder.scroll_to_row(shown - 1, Some(Align::BOTTOM));
        }
        self.shown_before = shown;
        let titles = || ["#", "Time"].into_iter().chain(R::COLUMNS.iter().map(|c| c.title)).chain(["Duration"]);
        let mut clicked = None;
        let mut intent = None;
        builder
            .header(height + 2.0, |mut header| {
                for title in titles() {
                    header.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|body| {
                body.rows(height, shown, |mut row| {
                    let (index, call) = row_at(row.index());
                    let basics = call.basics();
                    row.set_selected(self.selected == Some(index));
                    let fill = basics.denied.then_some(t.denied_fill);
                    cell(&mut row, fill, |ui| {
                        ui.monospace(basics.seq.to_string());
                    });
                    cell(&mut row, fill, |ui| {
                        ui.monospace(format!("{:.3} ms", basics.start_ns as f64 / 1e6));
                    });
                    call.add_cells(&mut row, fill, &t);
                    cell(&mut row, fill, |ui| {
                        ui.monospace(format_nanos(basics.dur_ns));
                    });
                    let response = row.response();
                    if response.clicked() {
                        clicked = Some(index);
                    }
                    response.context_menu(|ui| {
                        if let Some(asked) = row_menu(ui, &call, filter) {
                            intent = Some(asked);
                        }
                    });
                });
            });
        if let Some(index) = clicked {
            self.selected = if self.selected == Some(index) { None } else { Some(index) };
        }
        intent
    }

    /// ↑/↓ move the selection through the rows shown, Esc clears it, Ctrl+C
    /// copies the selected call as a line; not while typing or while a menu
    /// is open (Esc closes it), and Ctrl+C not while text is selected (that
    /// copies the text). Returns the row moved to, to scroll it into view.
    fn keys<R: CallRow>(&mut self, ui: &Ui, shown: usize, row_at: &impl Fn(usize) -> (usize, R)) -> Option<usize> {
        let ctx = ui.ctx();
        if ctx.text_edit_focused() || egui::Popup::is_any_open(ctx) || shown == 0 {
            return None;
        }
        let position = self.selected.and_then(|selected| position_of(shown, selected, row_at));
        let wants_copy = ui.input(|i| i.events.iter().any(|e| matches!(e, Event::Copy)));
        if wants_copy && let Some(position) = position {
            let text_selected = ctx
                .plugin_opt::<egui::text_selection::LabelSelectionState>()
                .is_some_and(|state| state.lock().has_selection());
            if !text_selected {
                ctx.copy_text(row_at(position).1.text_line());
            }
        }
        if self.selected.is_some() && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape)) {
            self.selected = None;
            return None;
        }
        let down = ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::ArrowDown));
        let up = ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::ArrowUp));
        let to = match (position, down, up) {
            (_, false, false) | (_, true, true) => return None,
            (None, true, _) => 0,
            (None, _, true) => shown - 1,
            (Some(p), true, _) => (p + 1).min(shown - 1),
            (Some(p), _, true) => p.saturating_sub(1),
        };
        self.selected = Some(row_at(to).0);
        Some(to)
    }
}

/// The height a calls table needs to show its header and `rows` rows whole,
/// with the margins of the panel around it: what the detail pane leaves it.
pub fn table_height(ui: &Ui, rows: usize) -> f32 {
    let spacing = ui.spacing().item_spacing.y;
    let height = theme::row_height(ui);
    let header = height + 2.0 + spacing;
    let margins = egui::Frame::central_panel(ui.style()).total_margin().sum().y;
    header + rows as f32 * (height + spacing) + margins
}

/// Where the call `selected` is among the `shown` rows, if it is shown
/// (the rows' indices ascend, so a binary search finds it).
fn position_of<R>(shown: usize, selected: usize, row_at: &impl Fn(usize) -> (usize, R)) -> Option<usize> {
    let (mut low, mut high) = (0, shown);
    while low < high {
        let middle = (low + high) / 2;
        match row_at(middle).0.cmp(&selected) {
            std::cmp::Ordering::Less => low = middle + 1,
            std::cmp::Ordering::Greater => high = middle,
            std::cmp::Ordering::Equal => return Some(middle),
        }
    }
    None
}

/// A row's right-click menu: copy the call three ways, or show only calls
/// like it.
fn row_menu<R: CallRow>(ui: &mut Ui, call: &R, filter: &CallFilter) -> Option<Intent> {
    let mut intent = None;
    if ui.button("Copy as strace line").clicked() {
        ui.ctx().copy_text(call.text_line());
        ui.close();
    }
    if ui.button("Copy as JSON").clicked() {
        ui.ctx().copy_text(call.json_line());
        ui.close();
    }
    if let Some(path) = call.path()
        && ui.button("Copy the path").on_hover_text(&path).clicked()
    {
        ui.ctx().copy_text(path);
        ui.close();
    }
    ui.separator();
    if ui.button("Show only this function").clicked() {
        intent = Some(Intent::FilterCalls(call.only_this_function(filter)));
        ui.close();
    }
    if let Some(narrowed) = call.only_this_error(filter)
        && ui.button("Show only this error").clicked()
    {
        intent = Some(Intent::FilterCalls(narrowed));
        ui.close();
    }
    intent
}

/// One cell of a calls table, on the denial colour when `fill` is given.
pub fn cell(row: &mut TableRow<'_, '_>, fill: Option<Color32>, add: impl FnOnce(&mut Ui)) {
    row.col(|ui| {
        if let Some(fill) = fill {
            ui.painter().rect_filled(ui.max_rect().expand(2.0), 0.0, fill);
        }
        add(ui);
    });
}

/// The search box of a Calls view: what it searches, in its hint and tooltip.
pub struct SearchBox {
    pub hint: &'static str,
    pub width: f32,
    pub tooltip: &'static str,
}

/// The end of a Calls view's filter line: denied only, the search box,
/// Clear (while a filter is set) and follow.
pub fn search_and_follow(ui: &mut Ui, filter: &mut CallFilter, follow: &mut bool, search: SearchBox) {
    narrowed_to(ui, filter);
    ui.checkbox(&mut filter.denied_only, "denied only");
    // Esc empties the search first; with nothing to clear it unselects the
    // call (the table's keys). With a row's menu open, Esc only closes it.
    if !filter.text.is_empty()
        && !egui::Popup::is_any_open(ui.ctx())
        && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape))
    {
        filter.text.clear();
    }
    let response = ui
        .add(egui::TextEdit::singleline(&mut filter.text).hint_text(search.hint).desired_width(search.width))
        .on_hover_text(search.tooltip)
        .accessible_name("Search calls");
    if ui.input_mut(|i| i.consume_shortcut(&FIND)) {
        response.request_focus();
    }
    if !filter.is_empty() && ui.button("Clear").clicked() {
        *filter = CallFilter::default();
    }
    ui.checkbox(follow, "follow").on_hover_text("Keep the newest call in view");
}

/// What a row's menu narrowed a component's host calls to, each with a
/// button to widen it again (shown in both views, so that a filter kept from
/// a component's run is never invisible).
fn narrowed_to(ui: &mut Ui, filter: &mut CallFilter) {
    if let Some(function) = &filter.host_function {
        ui.label(RichText::new(format!("function: {function}")).monospace());
        if ui.small_button("✖").on_hover_text("All functions").clicked() {
            filter.host_function = None;
        }
    }
    if let Some(error) = &filter.host_error {
        ui.label(RichText::new(format!("error: {error}")).monospace());
        if ui.small_button("✖").on_hover_text("Any result").clicked() {
            filter.host_error = None;
        }
    }
}

/// "`shown` of `total` `noun`" (or "`total` `noun`" when none are filtered
/// out), and how many were denied.
pub fn call_counts(ui: &mut Ui, shown: usize, total: usize, noun: &str, denied: usize) {
    ui.label(if shown == total { format!("{total} {noun}") } else { format!("{shown} of {total} {noun}") });
    if denied > 0 {
        let t = theme::tokens(ui);
        ui.label(RichText::new(format!("· {denied} denied")).color(t.denied_text).strong());
    }
}
