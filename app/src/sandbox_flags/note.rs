//! What an export of the profile says about itself: where the exported
//! command or manifest grants more, less, or differently.

/// How an exported setting compares with the profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoteKind {
    /// Left out: the command grants less than the profile.
    GrantsLess,
    /// The command would grant more than the profile: it is not offered.
    GrantsMore,
    /// Differs in a way that grants nothing more or less.
    Differs,
}

impl NoteKind {
    /// How a note of this kind is headed where it is written out (`grants
    /// more: …`).
    pub fn label(&self) -> &'static str {
        match self {
            NoteKind::GrantsLess => "grants less",
            NoteKind::GrantsMore => "grants more",
            NoteKind::Differs => "differs",
        }
    }
}

/// One thing an export says about itself, in a sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub kind: NoteKind,
    pub text: String,
}
