//! Turning a file's bytes into a WebAssembly binary, or into an error a
//! person can act on: what the file is instead, where the module is broken.

use std::path::Path;
use std::sync::Arc;

use sha2::{Digest, Sha256};

/// A core module or a component, as bytes, with what we know of it.
#[derive(Clone, Debug)]
pub struct LoadedModule {
    /// File name (or sample name) the module came from.
    pub name: String,
    /// The binary (`.wat` input is already converted).
    pub bytes: Arc<[u8]>,
    pub kind: ModuleKind,
    /// The input was WebAssembly text.
    pub from_text: bool,
    /// SHA-256 of `bytes`.
    pub sha256: [u8; 32],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModuleKind {
    /// A core WebAssembly module (WASI preview1 programs are these).
    Core,
    /// A Component Model component (WASI 0.2 programs are these).
    Component,
}

impl ModuleKind {
    pub fn name(self) -> &'static str {
        match self {
            ModuleKind::Core => "core module",
            ModuleKind::Component => "component",
        }
    }
}

impl LoadedModule {
    pub fn sha256_hex(&self) -> String {
        hex(&self.sha256)
    }
}

/// SHA-256 of `bytes`, in hexadecimal.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Larger inputs are refused before any parsing: wasmtime itself caps a
/// module's sections well below this, and reading more would only spend memory.
pub const MAX_INPUT_BYTES: u64 = 1 << 30;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is {size} bytes, more than the {limit}-byte limit for a module")]
    TooLarge { size: u64, limit: u64 },
    #[error("this is {what}, not WebAssembly")]
    NotWasm { what: &'static str },
    #[error("the file starts with the WebAssembly magic but is cut short after {len} bytes")]
    TruncatedHeader { len: usize },
    #[error(
        "unsupported WebAssembly version {version:#x} (layer {layer}); expected a core module (version 1) or a component"
    )]
    UnknownVersion { version: u16, layer: u16 },
    #[error("invalid WebAssembly text:\n{message}")]
    Wat { message: String },
    #[error("invalid module at offset {offset:#x}: {message}")]
    Invalid { offset: u64, message: String },
    #[error("cannot read {path}: {message}")]
    Io { path: String, message: String },
}

/// Reads and loads a `.wasm` or `.wat` file.
pub fn load_file(path: &Path) -> Result<LoadedModule, LoadError> {
    let io_error = |e: std::io::Error| LoadError::Io { path: path.display().to_string(), message: e.to_string() };
    let size = std::fs::metadata(path).map_err(io_error)?.len();
    if size > MAX_INPUT_BYTES {
        return Err(LoadError::TooLarge { size, limit: MAX_INPUT_BYTES });
    }
    let bytes = std::fs::read(path).map_err(io_error)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
    load(&name, &bytes)
}

/// Loads a module from bytes: WebAssembly binary, or WebAssembly text.
///
/// The binary is validated with every proposal `wasmparser` knows enabled, so
/// a structurally broken file is reported here with its byte offset. A module
/// that needs a proposal the engine leaves off still loads, so that the
/// Inspector can say which (`proposals::check`); a run of it fails to compile.
pub fn load(name: &str, data: &[u8]) -> Result<LoadedModule, LoadError> {
    if data.is_empty() {
        return Err(LoadError::Empty);
    }
    if data.len() as u64 > MAX_INPUT_BYTES {
        return Err(LoadError::TooLarge { size: data.len() as u64, limit: MAX_INPUT_BYTES });
    }
    let (bytes, from_text) = if data.starts_with(b"\0asm") {
        (data.to_vec(), false)
    } else if let Some(what) = sniff_other_format(data) {
        return Err(LoadError::NotWasm { what });
    } else {
        let text = wat::Parser::new()
            .parse_bytes(Some(Path::new(name)), data)
            .map_err(|e| LoadError::Wat { message: shorten_lines(&e.to_string()) })?;
        (text.into_owned(), true)
    };
    let kind = kind_of(&bytes)?;
    validate(&bytes)?;
    let sha256 = Sha256::digest(&bytes).into();
    Ok(LoadedModule { name: name.to_string(), bytes: Arc::from(bytes), kind, from_text, sha256 })
}

fn kind_of(bytes: &[u8]) -> Result<ModuleKind, LoadError> {
    if bytes.len() < 8 {
        return Err(LoadError::TruncatedHeader { len: bytes.len() });
    }
    let version = u16::from_le_bytes([bytes[4], bytes[5]]);
    let layer = u16::from_le_bytes([bytes[6], bytes[7]]);
    match (layer, version) {
        (0, 1) => Ok(ModuleKind::Core),
        (1, _) => Ok(ModuleKind::Component),
        _ => Err(LoadError::UnknownVersion { version, layer }),
    }
}

fn validate(bytes: &[u8]) -> Result<(), LoadError> {
    let mut validator = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all());
    validator
        .validate_all(bytes)
        .map(drop)
        .map_err(|e| LoadError::Invalid { offset: e.offset() as u64, message: e.message().to_string() })
}

/// Recognises common non-WebAssembly files by their first bytes, so that
/// dropping a PNG says "this is a PNG image", not a WAT syntax error.
fn sniff_other_format(data: &[u8]) -> Option<&'static str> {
    const MAGICS: &[(&[u8], &str)] = &[
        (b"\x7fELF", "an ELF executable or library"),
        (b"MZ", "a Windows executable"),
        (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
        (b"\xca\xfe\xba\xbe", "a Mach-O universal binary or Java class file"),
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"%PDF", "a PDF document"),
        (b"PK\x03\x04", "a ZIP archive"),
        (b"\x1f\x8b", "a gzip-compressed file"),
        (b"\x28\xb5\x2f\xfd", "a zstd-compressed file"),
        (b"BZh", "a bzip2-compressed file"),
        (b"\xfd7zXZ", "an xz-compressed file"),
        (b"#!", "a script"),
    ];
    if let Some((_, what)) = MAGICS.iter().find(|(magic, _)| data.starts_with(magic)) {
        return Some(what);
    }
    if data.len() > 262 && &data[257..262] == b"ustar" {
        return Some("a tar archive");
    }
    // Anything else that is not text cannot be WebAssembly text either.
    let head = &data[..data.len().min(4096)];
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        // A multi-byte character cut at the 4096-byte mark is still text.
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or(""),
        // Text that starts like a module but has a bad byte further on is
        // broken WebAssembly text: the text parser says where.
        Err(e) if looks_like_wat(&head[..e.valid_up_to()]) => return None,
        Err(_) => return Some("a binary file"),
    };
    // Text files hold no NULs or other control bytes besides whitespace.
    if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}')) {
        return Some("a binary file");
    }
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return Some("a JSON document");
    }
    if trimmed.starts_with('<') {
        return Some("an XML or HTML document");
    }
    None
}

fn looks_like_wat(valid_prefix: &[u8]) -> bool {
    std::str::from_utf8(valid_prefix).is_ok_and(|text| text.trim_start().starts_with('('))
}

/// Cuts each line of a message to a readable length: a parser's snippet of a
/// one-line file can otherwise be the whole file.
fn shorten_lines(message: &str) -> String {
    const MAX_LINE: usize = 160;
    message
        .lines()
        .map(|line| match line.char_indices().nth(MAX_LINE) {
            Some((cut, _)) => format!("{}…", &line[..cut]),
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_binary_both_load() {
        let from_text = load("t.wat", b"(module (func (export \"f\")))").unwrap();
        assert!(from_text.from_text);
        assert_eq!(from_text.kind, ModuleKind::Core);
        let from_binary = load("t.wasm", &from_text.bytes).unwrap();
        assert!(!from_binary.from_text);
        assert_eq!(from_binary.sha256, from_text.sha256);
    }

    #[test]
    fn components_are_recognised() {
        let component = load("c.wat", b"(component)").unwrap();
        assert_eq!(component.kind, ModuleKind::Component);
    }

    #[test]
    fn other_formats_are_named() {
        assert_eq!(load("x", b"\x89PNG\r\n\x1a\n....").unwrap_err(), LoadError::NotWasm { what: "a PNG image" });
        assert_eq!(load("x", b"{\"a\": 1}").unwrap_err(), LoadError::NotWasm { what: "a JSON document" });
        assert_eq!(load("x", b"").unwrap_err(), LoadError::Empty);
        assert_eq!(load("x", b"\0asm\x01").unwrap_err(), LoadError::TruncatedHeader { len: 5 });
    }

    #[test]
    fn text_errors_give_line_and_column() {
        let LoadError::Wat { message } = load("bad.wat", b"(module\n  (func (i32.bogus)))").unwrap_err() else {
            panic!("expected a WAT error");
        };
        assert!(message.contains("bad.wat:2:"), "{message}");
    }

    #[test]
    fn a_huge_one_line_text_error_stays_short() {
        let line = format!("(module {})", "x".repeat(1 << 20));
        let LoadError::Wat { message } = load("long.wat", line.as_bytes()).unwrap_err() else { panic!() };
        assert!(message.len() < 2000, "{} bytes", message.len());
    }

    #[test]
    fn broken_binaries_give_an_offset() {
        let good = load("t.wat", b"(module (func (export \"f\") (result i32) i32.const 7))").unwrap();
        let truncated = &good.bytes[..good.bytes.len() - 3];
        let err = load("t.wasm", truncated).unwrap_err();
        assert!(matches!(err, LoadError::Invalid { offset, .. } if offset > 8), "{err}");
    }
}
