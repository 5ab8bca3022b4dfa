//! The window's keyboard shortcuts: handled in `app.rs`, shown beside the
//! toolbar's buttons.

use egui::{Key, KeyboardShortcut, Modifiers};

pub const RUN: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::F5);
pub const STOP: KeyboardShortcut = KeyboardShortcut::new(Modifiers::SHIFT, Key::F5);
pub const OPEN: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::O);
pub const OVERLAY: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::F12);
pub const WORKSHOP: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::F11);
pub const NEXT_TAB: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::PageDown);
pub const PREVIOUS_TAB: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::PageUp);
