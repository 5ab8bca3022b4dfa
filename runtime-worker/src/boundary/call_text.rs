//! The text of a component host call: its arguments by name (`CallArgs`)
//! and its result (`CallText`).
//!
//! A traced component makes a host call every few hundred nanoseconds, and
//! each call's text is read, if ever, long after on another thread (the
//! window, the command line). Text of one `Box<str>` per value cost an
//! allocation per value on the guest's thread and a free on the reader's,
//! which glibc answers slowly (its per-thread caches never meet). So the
//! collector writes the text of many calls back to back into one buffer
//! (`TextArena`) and each call keeps a counted slice of it (`bytes::Bytes`):
//! no allocation per call, a buffer of `ARENA_CHUNK` bytes every few
//! thousand calls, freed when the last call that points into it is dropped.

use std::fmt;

use bytes::{Bytes, BytesMut};

/// Text: a `str` that may share its buffer with other calls' text.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct CallText {
    /// Invariant: UTF-8 (made only from `str`s; see `TextArena::text`).
    bytes: Bytes,
}

impl CallText {
    /// Text known when the engine was built (`Ok(())`): shared by every
    /// call that has it, without copying or counting.
    pub const fn from_static(text: &'static str) -> CallText {
        CallText { bytes: Bytes::from_static(text.as_bytes()) }
    }

    pub fn as_str(&self) -> &str {
        // SAFETY: the invariant on `bytes`: every constructor copies a `str`.
        unsafe { std::str::from_utf8_unchecked(&self.bytes) }
    }
}

impl std::ops::Deref for CallText {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for CallText {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for CallText {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<String> for CallText {
    fn from(text: String) -> CallText {
        CallText { bytes: Bytes::from(text) }
    }
}

impl From<&str> for CallText {
    fn from(text: &str) -> CallText {
        CallText { bytes: Bytes::copy_from_slice(text.as_bytes()) }
    }
}

impl From<Box<str>> for CallText {
    fn from(text: Box<str>) -> CallText {
        CallText::from(String::from(text))
    }
}

impl PartialEq<str> for CallText {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for CallText {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for CallText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CallText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// A call's arguments, each a name and its value as text, in order.
///
/// Kept as one run of bytes (`ArgsBuilder` writes it): for each argument,
/// the name's length (`u32`, little-endian), the name, the value's length,
/// the value.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct CallArgs {
    /// Invariant: a sequence of entries as `ArgsBuilder::push` writes them.
    bytes: Bytes,
}

impl CallArgs {
    /// Each argument's name and value, in order.
    pub fn iter(&self) -> ArgsIter<'_> {
        ArgsIter { rest: &self.bytes }
    }

    /// The value of the argument named `name`, if the call has one.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, value)| value)
    }

    pub fn len(&self) -> usize {
        self.iter().count()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The same arguments with `name`'s value replaced by `value`.
    pub fn set(&mut self, name: &str, value: &str) {
        self.map_values(|n, _| (n == name).then(|| value.to_string()));
    }

    /// Replaces each value for which `change` gives a new one.
    pub fn map_values(&mut self, mut change: impl FnMut(&str, &str) -> Option<String>) {
        let mut builder = ArgsBuilder::default();
        let mut changed = false;
        for (name, value) in self.iter() {
            match change(name, value) {
                Some(new) => {
                    changed = true;
                    builder.push(name, &new);
                }
                None => builder.push(name, value),
            }
        }
        if changed {
            self.bytes = Bytes::from(builder.bytes);
        }
    }
}

impl<N: AsRef<str>, V: AsRef<str>> FromIterator<(N, V)> for CallArgs {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(args: I) -> CallArgs {
        let mut builder = ArgsBuilder::default();
        for (name, value) in args {
            builder.push(name.as_ref(), value.as_ref());
        }
        CallArgs { bytes: Bytes::from(builder.bytes) }
    }
}

impl<N: AsRef<str>, V: AsRef<str>> From<Vec<(N, V)>> for CallArgs {
    fn from(args: Vec<(N, V)>) -> CallArgs {
        args.into_iter().collect()
    }
}

impl<'a> IntoIterator for &'a CallArgs {
    type Item = (&'a str, &'a str);
    type IntoIter = ArgsIter<'a>;

    fn into_iter(self) -> ArgsIter<'a> {
        self.iter()
    }
}

impl fmt::Debug for CallArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// `CallArgs::iter`.
#[derive(Clone)]
pub struct ArgsIter<'a> {
    rest: &'a [u8],
}

impl<'a> ArgsIter<'a> {
    /// The next length-prefixed piece of text.
    fn piece(&mut self) -> Option<&'a str> {
        let (len, rest) = self.rest.split_first_chunk::<4>()?;
        let len = u32::from_le_bytes(*len) as usize;
        let (text, rest) = rest.split_at_checked(len)?;
        self.rest = rest;
        std::str::from_utf8(text).ok()
    }
}

impl<'a> Iterator for ArgsIter<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<(&'a str, &'a str)> {
        let name = self.piece()?;
        let value = self.piece()?;
        Some((name, value))
    }
}

/// A call's arguments while they are being recorded; reused from call to
/// call, so it allocates only when a call has more text than any before.
#[derive(Default)]
pub(crate) struct ArgsBuilder {
    bytes: Vec<u8>,
}

impl ArgsBuilder {
    pub(crate) fn clear(&mut self) {
        self.bytes.clear();
    }

    pub(crate) fn push(&mut self, name: &str, value: &str) {
        for piece in [name, value] {
            // Longer text is cut where it would not fit the length (never
            // near: values are cut at a few kilobytes when recorded).
            let mut len = piece.len().min(u32::MAX as usize);
            while !piece.is_char_boundary(len) {
                len -= 1;
            }
            self.bytes.extend_from_slice(&(len as u32).to_le_bytes());
            self.bytes.extend_from_slice(&piece.as_bytes()[..len]);
        }
    }
}

/// How many bytes of call text the arena asks for at a time.
const ARENA_CHUNK: usize = 64 * 1024;

/// Where a run's collector writes its calls' text: one buffer shared by the
/// calls it serves, a new one when it is full (or the old one again, once
/// every call that pointed into it was dropped).
pub(crate) struct TextArena {
    /// Invariant: empty between calls of `text` and `args`.
    buf: BytesMut,
}

impl TextArena {
    pub(crate) fn new() -> TextArena {
        TextArena { buf: BytesMut::with_capacity(ARENA_CHUNK) }
    }

    fn reserve(&mut self, len: usize) {
        if self.buf.capacity() < len {
            self.buf.reserve(len.max(ARENA_CHUNK));
        }
    }

    /// `text` as a call's text, copied into the arena.
    pub(crate) fn text(&mut self, text: &str) -> CallText {
        if text.is_empty() {
            return CallText::default();
        }
        self.reserve(text.len());
        self.buf.extend_from_slice(text.as_bytes());
        CallText { bytes: self.buf.split().freeze() }
    }

    /// The arguments `builder` holds, copied into the arena.
    pub(crate) fn args(&mut self, builder: &ArgsBuilder) -> CallArgs {
        if builder.bytes.is_empty() {
            return CallArgs::default();
        }
        self.reserve(builder.bytes.len());
        self.buf.extend_from_slice(&builder.bytes);
        CallArgs { bytes: self.buf.split().freeze() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_read_back_as_they_were_written() {
        let mut arena = TextArena::new();
        let mut builder = ArgsBuilder::default();
        builder.push("self", "#7");
        builder.push("contents", "\"...\"");
        builder.push("", "");
        builder.push("naïve", "日本");
        let args = arena.args(&builder);
        let pairs: Vec<_> = args.iter().collect();
        assert_eq!(pairs, [("self", "#7"), ("contents", "\"...\""), ("", ""), ("naïve", "日本")]);
        assert_eq!(args.get("contents"), Some("\"...\""));
        assert_eq!(args.get("missing"), None);
        assert_eq!(args.len(), 4);

        let result = arena.text("Ok(())");
        assert_eq!(&*result, "Ok(())");
        // The arena's text does not move when later calls are written.
        builder.clear();
        builder.push("when", "later");
        let later = arena.args(&builder);
        assert_eq!(args.iter().next(), Some(("self", "#7")));
        assert_eq!(later.iter().collect::<Vec<_>>(), [("when", "later")]);
        assert_eq!(format!("{args:?}"), r##"[("self", "#7"), ("contents", "\"...\""), ("", ""), ("naïve", "日本")]"##);
    }

    #[test]
    fn a_value_is_replaced_in_place() {
        let mut args: CallArgs = [("self", "#1"), ("contents", "\"...\"")].into_iter().collect();
        args.set("contents", "16 \"0123456789abcdef\"");
        assert_eq!(args.iter().collect::<Vec<_>>(), [("self", "#1"), ("contents", "16 \"0123456789abcdef\"")]);
        args.map_values(|_, value| value.strip_prefix('#').map(str::to_string));
        assert_eq!(args.get("self"), Some("1"));
    }

    #[test]
    fn the_arena_moves_on_when_full_and_keeps_what_it_gave() {
        let mut arena = TextArena::new();
        let texts: Vec<CallText> = (0..ARENA_CHUNK / 8).map(|i| arena.text(&format!("{i:>12}"))).collect();
        for (i, text) in texts.iter().enumerate() {
            assert_eq!(text.trim_start(), i.to_string());
        }
        let long = "x".repeat(3 * ARENA_CHUNK);
        assert_eq!(arena.text(&long).len(), long.len());
        assert!(arena.text("").is_empty());
    }
}
