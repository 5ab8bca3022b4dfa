//! Malformed and hostile inputs: every file of `tests/corpus/` (written by
//! its `generate.py`), a sample cut at every section boundary, a 0-byte and a
//! 200 MB file. Each is refused with an error a person can read (with the
//! byte offset where a binary has one), the inspector reads what it can, and
//! nothing panics.

use std::path::Path;

use runtime_worker::inspect::inspect_bytes;
use runtime_worker::inspect::load::{self, LoadError};

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_none_or(|e| e != "py"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    files
}

/// What `load` must say about one input.
fn check(name: &str, bytes: &[u8]) -> LoadError {
    let error = match load::load(name, bytes) {
        Err(error) => error,
        Ok(module) => panic!("{name} loaded as a {}", module.kind.name()),
    };
    let message = error.to_string();
    assert!(message.len() > 10, "{name}: a message too short to help: {message:?}");
    if bytes.starts_with(b"\0asm") && bytes.len() > 8 && !matches!(error, LoadError::UnknownVersion { .. }) {
        assert!(matches!(error, LoadError::Invalid { .. }), "{name}: {message}");
        assert!(message.contains("offset 0x"), "{name}: no offset in {message:?}");
    }
    // The inspector reads the same bytes without panicking, and says what is wrong.
    let inspection = inspect_bytes(bytes);
    if bytes.starts_with(b"\0asm") {
        assert!(inspection.error.is_some(), "{name}: the inspector found nothing wrong");
    }
    error
}

#[test]
fn every_corpus_file_is_refused_clearly() {
    let files = corpus();
    assert!(files.len() >= 30, "the corpus has {} files", files.len());
    for (name, bytes) in &files {
        let error = check(name, bytes);
        println!("{name:<40} {error}");
    }
}

#[test]
fn non_wasm_files_are_named_for_what_they_are() {
    let expected = [
        ("picture.png", "a PNG image"),
        ("photo.jpg", "a JPEG image"),
        ("document.pdf", "a PDF document"),
        ("program.elf", "an ELF executable"),
        ("program.exe", "a Windows executable"),
        ("archive.zip", "a ZIP archive"),
        ("module.wasm.gz", "gzip-compressed"),
        ("script.sh", "a script"),
        ("data.json", "a JSON document"),
        ("page.html", "an XML or HTML document"),
        ("noise.bin", "a binary file"),
    ];
    let files = corpus();
    for (file, what) in expected {
        let bytes = &files.iter().find(|(n, _)| n == file).unwrap().1;
        let message = check(file, bytes).to_string();
        assert!(message.contains(what), "{file}: {message}");
    }
}

#[test]
fn text_errors_point_at_the_line() {
    let files = corpus();
    let bytes = &files.iter().find(|(n, _)| n == "syntax_error.wat").unwrap().1;
    let message = check("syntax_error.wat", bytes).to_string();
    assert!(message.contains("syntax_error.wat:2:"), "{message}");
    let component = &files.iter().find(|(n, _)| n == "component_bad_canonical_options.wat").unwrap().1;
    let message = check("component_bad_canonical_options.wat", component).to_string();
    assert!(message.contains("memory"), "{message}");
}

#[test]
fn a_sample_cut_at_every_section_boundary_is_refused_with_an_offset() {
    let text = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../samples/fs_tour.wat")).unwrap();
    let bytes = wat::parse_bytes(&text).unwrap().into_owned();
    let sections = inspect_bytes(&bytes).sections;
    // Without sections there would be nothing to cut, and nothing checked.
    assert!(sections.len() >= 5, "fs_tour.wat has types, imports, functions, memory, code: {sections:?}");
    let mut cuts: Vec<usize> = Vec::new();
    for section in &sections {
        cuts.push(section.offset as usize - 1); // inside the section header
        cuts.push(section.offset as usize + (section.size as usize / 2)); // inside its contents
    }
    cuts.retain(|c| *c > 8 && *c < bytes.len());
    assert!(cuts.len() >= 2 * sections.len() - 1, "cuts {cuts:?} of {} bytes, sections {sections:?}", bytes.len());
    for cut in cuts {
        check(&format!("fs_tour cut at {cut}"), &bytes[..cut]);
    }
}

#[test]
fn a_zero_byte_and_a_200_mb_file_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.wasm");
    std::fs::write(&empty, b"").unwrap();
    assert_eq!(load::load_file(&empty).unwrap_err(), LoadError::Empty);

    let big = dir.path().join("big.bin");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(200 << 20).unwrap();
    let started = std::time::Instant::now();
    let error = load::load_file(&big).unwrap_err();
    assert_eq!(error, LoadError::NotWasm { what: "a binary file" });
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn a_200_mb_module_of_custom_data_loads_and_inspects() {
    // Valid, and huge: a custom section of 200 MB.
    let size: usize = 200 << 20;
    let mut bytes = b"\0asm\x01\0\0\0\0".to_vec();
    let mut len = size + 5;
    loop {
        let byte = (len & 0x7f) as u8;
        len >>= 7;
        bytes.push(if len > 0 { byte | 0x80 } else { byte });
        if len == 0 {
            break;
        }
    }
    bytes.extend_from_slice(b"\x04blob");
    bytes.resize(bytes.len() + size, 0);
    let module = load::load("huge.wasm", &bytes).expect("a valid module, however large");
    let inspection = inspect_bytes(&module.bytes);
    assert_eq!(inspection.custom.all, [("blob".to_string(), size as u64)]);
}
