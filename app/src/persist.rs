//! Files that must never be half-written: settings, saved profiles, exported
//! traces. Each is written to a temporary file beside its target, flushed to
//! disk, and renamed over the target, so a crash at any moment leaves either
//! the old file or the new one, whole.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Writes `bytes` to `path` atomically (see the module docs).
pub fn atomic_write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    atomic_write_with(path, |file| file.write_all(bytes))
}

/// Like `atomic_write`, with the content produced by `write` (which may
/// fail, leaving the target untouched).
pub fn atomic_write_with(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    static UNIQUE: AtomicU64 = AtomicU64::new(0);
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.{}.tmp", std::process::id(), UNIQUE.fetch_add(1, Ordering::Relaxed)));
    let result = (|| {
        // A new file or nothing: never through a link someone planted at
        // the temporary name.
        let mut file = std::fs::File::options().write(true).create_new(true).open(&temp)?;
        write(&mut file)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)?;
        // Make the rename itself durable.
        if let Ok(dir) = std::fs::File::open(dir) {
            let _ = dir.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// The runtime for the window and the command line: compiled modules are
/// kept on disk (`~/.cache/wasmscope/modules` on Linux), so a module opened
/// again starts without compiling. Without a cache folder, memory only.
pub fn runtime() -> Result<runtime_worker::Runtime, runtime_worker::EngineError> {
    use runtime_worker::module_cache::{DEFAULT_CAP_BYTES, ModuleCache};
    match directories_next::ProjectDirs::from("", "", "wasmscope") {
        Some(dirs) => runtime_worker::Runtime::with_module_cache(ModuleCache::new(
            dirs.cache_dir().join("modules"),
            DEFAULT_CAP_BYTES,
        )),
        None => runtime_worker::Runtime::new(),
    }
}

/// Where the window keeps its settings.
pub fn settings_path() -> Option<PathBuf> {
    eframe::storage_dir("wasmscope").map(|dir| dir.join("settings.toml"))
}

/// Saves `value` as TOML, atomically.
pub fn save_toml<T: Serialize>(path: &Path, value: &T) -> Result<(), String> {
    let text = toml::to_string_pretty(value).map_err(|e| format!("cannot write settings: {e}"))?;
    atomic_write(path, text.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// What loading a TOML file found.
pub enum Loaded<T> {
    Value(T),
    Missing,
    /// The file exists but cannot be read as `T`; it was moved aside to
    /// `kept_as` so that nothing is lost.
    Unreadable {
        error: String,
        kept_as: Option<PathBuf>,
    },
}

pub fn load_toml<T: DeserializeOwned>(path: &Path) -> Loaded<T> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Loaded::Missing,
        Err(e) => return Loaded::Unreadable { error: e.to_string(), kept_as: None },
    };
    match toml::from_str(&text) {
        Ok(value) => Loaded::Value(value),
        Err(e) => {
            let aside = path.with_extension("toml.unreadable");
            let kept_as = std::fs::rename(path, &aside).ok().map(|()| aside);
            Loaded::Unreadable { error: e.to_string(), kept_as }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_litter() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        atomic_write(&path, b"old = 1\n").unwrap();
        let failed = atomic_write_with(&path, |file| {
            file.write_all(b"new = ")?;
            Err(std::io::Error::other("the disk is full"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old = 1\n");
        let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(files, ["settings.toml"]);
    }

    #[test]
    fn an_unreadable_settings_file_is_kept_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        std::fs::write(&path, "this is = = not toml").unwrap();
        match load_toml::<std::collections::BTreeMap<String, i32>>(&path) {
            Loaded::Unreadable { kept_as: Some(aside), .. } => {
                assert_eq!(std::fs::read_to_string(aside).unwrap(), "this is = = not toml");
            }
            _ => panic!("expected an unreadable file moved aside"),
        }
        assert!(matches!(load_toml::<std::collections::BTreeMap<String, i32>>(&path), Loaded::Missing));
    }
}
