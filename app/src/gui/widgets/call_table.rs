//! The calls table, one for both kinds of run: a core module's preview1
//! calls and a component's WASI 0.2 host calls. Each is a virtualised table
//! (only the visible rows are laid out) of `#`, `Time`, the columns that kind
//! of call has, and `Duration`; denied calls on the denial colour; a click
//! selects a call; follow mode keeps the newest in view. Also the search,
//! follow and count lines above the table, which both views share.

use egui::{Align, Color32, RichText, Ui};
use egui_extras::{Column, TableBuilder, TableRow};
use runtime_worker::RunId;
use runtime_worker::trace::describe::format_nanos;

use crate::gui::theme::{self, Tokens};
use crate::model::call_filter::CallFilter;

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
}

impl CallTable {
    /// Forgets the selection and the rows shown, for another run.
    pub fn reset(&mut self) {
        self.selected = None;
        self.shown_before = 0;
    }

    /// When a run ends with denials, opens the first one: it is what the
    /// person is looking for. Once per run, and not over their own choice.
    pub fn select_first_denial(&mut self, run: RunId, finished: bool, first_denied: impl FnOnce() -> Option<usize>) {
        if finished && self.explained != Some(run) {
            self.explained = Some(run);
            if self.selected.is_none() {
                self.selected = first_denied();
            }
        }
    }

    /// Draws `shown` rows; `row_at(i)` is the i-th row's index among the
    /// run's calls and its call. A click selects a call, a second unselects it.
    pub fn show<R: CallRow>(
        &mut self,
        ui: &mut Ui,
        id_salt: &str,
        shown: usize,
        follow: bool,
        row_at: impl Fn(usize) -> (usize, R),
    ) {
        let t = theme::tokens(ui);
        let height = theme::row_height(ui);
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
        builder = builder.column(Column::initial(72.0).at_least(50.0)).auto_shrink([false; 2]);
        if follow && shown > self.shown_before && shown > 0 {
            builder = builder.scroll_to_row(shown - 1, Some(Align::BOTTOM));
        }
        self.shown_before = shown;
        let titles = || ["#", "Time"].into_iter().chain(R::COLUMNS.iter().map(|c| c.title)).chain(["Duration"]);
        let mut clicked = None;
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
                    if row.response().clicked() {
                        clicked = Some(index);
                    }
                });
            });
        if let Some(index) = clicked {
            self.selected = if self.selected == Some(index) { None } else { Some(index) };
        }
    }
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
    ui.checkbox(&mut filter.denied_only, "denied only");
    ui.add(egui::TextEdit::singleline(&mut filter.text).hint_text(search.hint).desired_width(search.width))
        .on_hover_text(search.tooltip)
        .accessible_name("Search calls");
    if !filter.is_empty() && ui.button("Clear").clicked() {
        *filter = CallFilter::default();
    }
    ui.checkbox(follow, "follow").on_hover_text("Keep the newest call in view");
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
