//! A module as WebAssembly text (`wasmprinter`), kept as one string with line
//! offsets so that a viewer can show any line of a hundred-megabyte listing
//! without laying out the rest; with the line of every function, for jumping,
//! and progress and cancellation while it is produced.

use std::sync::atomic::{AtomicBool, Ordering};

/// The listing of a module.
#[derive(Debug, Default)]
pub struct Disassembly {
    text: String,
    /// Byte offset of each line's start in `text`.
    line_starts: Vec<usize>,
    /// Each function definition: its label and the line it starts on.
    pub functions: Vec<FunctionLine>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionLine {
    /// `$name (;12;)` as printed, or `(;12;)` without a name.
    pub label: String,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisassemblyError {
    #[error("cancelled")]
    Cancelled,
    #[error("cannot disassemble: {0}")]
    Invalid(String),
}

/// Lines between progress reports and cancellation checks.
const CHECK_EVERY: usize = 4096;

/// Prints `bytes` as WebAssembly text. `progress` receives the fraction of
/// the binary printed so far; setting `cancel` stops within a few thousand
/// lines.
pub fn disassemble(
    bytes: &[u8],
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(f32),
) -> Result<Disassembly, DisassemblyError> {
    let mut printer = Printer { out: Disassembly::default(), total: bytes.len().max(1) as f64, cancel, progress };
    printer.out.line_starts.push(0);
    let result = wasmprinter::Config::new().print(bytes, &mut printer);
    if cancel.load(Ordering::Relaxed) {
        return Err(DisassemblyError::Cancelled);
    }
    result.map_err(|e| DisassemblyError::Invalid(format!("{e:#}")))?;
    let mut out = printer.out;
    if out.text.ends_with('\n') {
        out.line_starts.pop();
    }
    out.functions = find_functions(&out);
    (printer.progress)(1.0);
    Ok(out)
}

struct Printer<'a> {
    out: Disassembly,
    total: f64,
    cancel: &'a AtomicBool,
    progress: &'a mut dyn FnMut(f32),
}

impl wasmprinter::Print for Printer<'_> {
    fn write_str(&mut self, s: &str) -> std::io::Result<()> {
        self.out.text.push_str(s);
        Ok(())
    }

    fn newline(&mut self) -> std::io::Result<()> {
        self.out.text.push('\n');
        self.out.line_starts.push(self.out.text.len());
        if self.out.line_starts.len().is_multiple_of(CHECK_EVERY) && self.cancel.load(Ordering::Relaxed) {
            return Err(std::io::Error::other("cancelled"));
        }
        Ok(())
    }

    fn start_line(&mut self, binary_offset: Option<usize>) {
        if let Some(offset) = binary_offset
            && self.out.line_starts.len().is_multiple_of(CHECK_EVERY)
        {
            (self.progress)((offset as f64 / self.total) as f32);
        }
    }
}

/// Module-level `(func` lines.
fn find_functions(listing: &Disassembly) -> Vec<FunctionLine> {
    let mut functions = Vec::new();
    for line in 0..listing.line_count() {
        let text = listing.line(line);
        if let Some(rest) = text.strip_prefix("  (func ") {
            let label = rest.split(" (type").next().unwrap_or(rest).to_string();
            functions.push(FunctionLine { label, line });
        }
    }
    functions
}

impl Disassembly {
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Line `index` without its newline; empty past the end.
    pub fn line(&self, index: usize) -> &str {
        let Some(&start) = self.line_starts.get(index) else { return "" };
        let end = self.line_starts.get(index + 1).map_or(self.text.len(), |next| next - 1);
        &self.text[start..end.max(start)]
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn len_bytes(&self) -> usize {
        self.text.len()
    }

    /// The next line after `from` (wrapping around) that contains `needle`,
    /// ignoring ASCII case; or the previous one when `forward` is false.
    pub fn find(&self, needle: &str, from: usize, forward: bool) -> Option<usize> {
        if needle.is_empty() || self.line_starts.is_empty() {
            return None;
        }
        let needle = needle.to_ascii_lowercase();
        let n = self.line_count();
        let matches = |line: usize| contains_ignore_ascii_case(self.line(line), &needle);
        let order: Box<dyn Iterator<Item = usize>> = if forward {
            Box::new((from + 1..n).chain(0..(from + 1).min(n)))
        } else {
            Box::new((0..from.min(n)).rev().chain((from.min(n)..n).rev()))
        };
        order.into_iter().find(|line| matches(*line))
    }
}

fn contains_ignore_ascii_case(haystack: &str, lowercase_needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), lowercase_needle.as_bytes());
    n.len() <= h.len() && h.windows(n.len()).any(|w| w.iter().zip(n).all(|(a, b)| a.to_ascii_lowercase() == *b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(wat: &str) -> Disassembly {
        let bytes = wat::parse_str(wat).unwrap();
        disassemble(&bytes, &AtomicBool::new(false), &mut |_| {}).unwrap()
    }

    #[test]
    fn lines_functions_and_search() {
        let listing =
            listing(r#"(module (func $first (result i32) i32.const 1) (func (export "second") (param i32) nop))"#);
        assert_eq!(listing.line(0), "(module");
        let labels: Vec<_> = listing.functions.iter().map(|f| f.label.as_str()).collect();
        assert_eq!(labels, ["$first (;0;)", "(;1;)"]);
        assert!(listing.line(listing.functions[0].line).contains("func $first"));
        let found = listing.find("I32.CONST", 0, true).unwrap();
        assert!(listing.line(found).contains("i32.const 1"));
        assert_eq!(listing.find("i32.const", found, true), Some(found), "search wraps around");
        assert_eq!(listing.find("nowhere", 0, true), None);
        assert_eq!(listing.line(10_000), "");
    }

    #[test]
    fn cancelling_stops_the_listing() {
        let mut wat = String::from("(module");
        for i in 0..20_000 {
            wat.push_str(&format!(" (func $f{i} nop nop)"));
        }
        wat.push(')');
        let bytes = wat::parse_str(&wat).unwrap();
        let cancel = AtomicBool::new(true);
        assert_eq!(disassemble(&bytes, &cancel, &mut |_| {}).unwrap_err(), DisassemblyError::Cancelled);
    }
}
