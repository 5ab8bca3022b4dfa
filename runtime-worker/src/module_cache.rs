//! Compiled modules kept on disk, so that reopening a large module skips
//! Cranelift: a 20 MB module that takes half a minute to compile loads from
//! here in a few milliseconds.
//!
//! An entry is named by the module's SHA-256 and a fingerprint of the engine
//! (wasmtime's version and every setting that changes the code), so one
//! cache serves engines with different settings side by side. Loading
//! compiled code skips validation, so nothing reaches
//! `Module::deserialize` unchecked: each file carries a SHA-256 of its
//! payload, written by us after `Module::serialize`, and a file whose magic,
//! length or hash is wrong (truncated, corrupted, from another program) is
//! deleted and the module compiled as if there were no cache. wasmtime then
//! checks that the payload was compiled for this engine, and refuses it
//! otherwise; that too falls back to compiling.
//!
//! The cache is bounded: after each write the oldest entries (by last use)
//! are removed until the total fits the cap, and temporary files left by an
//! interrupted write are removed once they are an hour old.

use std::fs;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};
use wasmtime::{Engine, Module};

/// The cache's size cap unless one is given.
pub const DEFAULT_CAP_BYTES: u64 = 512 << 20;

const MAGIC: &[u8; 16] = b"wasmscope-cwasm1";
const HEADER: usize = MAGIC.len() + 32 + 8;
const EXTENSION: &str = "cwasm";
/// A temporary file older than this is left from an interrupted write.
const STALE_TEMP: Duration = Duration::from_secs(3600);

/// A directory of compiled modules.
#[derive(Clone, Debug)]
pub struct ModuleCache {
    dir: PathBuf,
    cap_bytes: u64,
}

/// Compiled code the cache can hold: core modules and components.
pub trait Artifact: Sized {
    fn serialize(&self) -> wasmtime::Result<Vec<u8>>;
    /// # Safety
    /// `bytes` must be the unaltered output of `serialize` (see `get`).
    unsafe fn deserialize(engine: &Engine, bytes: &[u8]) -> wasmtime::Result<Self>;
}

impl Artifact for Module {
    fn serialize(&self) -> wasmtime::Result<Vec<u8>> {
        Module::serialize(self)
    }

    unsafe fn deserialize(engine: &Engine, bytes: &[u8]) -> wasmtime::Result<Self> {
        // SAFETY: passed on from the caller.
        unsafe { Module::deserialize(engine, bytes) }
    }
}

impl Artifact for wasmtime::component::Component {
    fn serialize(&self) -> wasmtime::Result<Vec<u8>> {
        wasmtime::component::Component::serialize(self)
    }

    unsafe fn deserialize(engine: &Engine, bytes: &[u8]) -> wasmtime::Result<Self> {
        // SAFETY: passed on from the caller.
        unsafe { wasmtime::component::Component::deserialize(engine, bytes) }
    }
}

/// What a lookup found.
pub enum Lookup<A = Module> {
    Hit(A),
    Miss,
    /// An entry existed and was unusable; it has been removed.
    Rejected(String),
}

impl ModuleCache {
    pub fn new(dir: impl Into<PathBuf>, cap_bytes: u64) -> ModuleCache {
        ModuleCache { dir: dir.into(), cap_bytes }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file for `sha256` compiled by `engine`.
    pub fn entry_path(&self, engine: &Engine, sha256: &[u8; 32]) -> PathBuf {
        // SHA-256 rather than std's hasher, whose output may change from one
        // Rust release to the next and would orphan every entry.
        let mut hasher = ShaHasher(Sha256::new());
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let fingerprint = hasher.0.finalize();
        self.dir.join(format!(
            "{}-{}.{EXTENSION}",
            crate::inspect::load::hex(sha256),
            crate::inspect::load::hex(&fingerprint[..8])
        ))
    }

    pub fn get<A: Artifact>(&self, engine: &Engine, sha256: &[u8; 32]) -> Lookup<A> {
        let path = self.entry_path(engine, sha256);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(_) => return Lookup::Miss,
        };
        let rejected = |why: String| {
            let _ = fs::remove_file(&path);
            Lookup::Rejected(format!("{}: {why}", path.display()))
        };
        let payload = match check_envelope(&bytes) {
            Ok(payload) => payload,
            Err(why) => return rejected(why),
        };
        // SAFETY: `Module::deserialize` requires bytes produced by
        // `Module::serialize` that have not been altered. The payload's
        // SHA-256 matches the one written beside it when this cache stored
        // the output of `Module::serialize`, so these are those bytes; and
        // wasmtime itself refuses code compiled by a different version or
        // configuration. (Whoever can write this directory can also replace
        // the program itself; the hash guards against damage, not against
        // the user's own account.)
        match unsafe { A::deserialize(engine, payload) } {
            Ok(module) => {
                // Mark it used, for eviction by last use.
                if let Ok(file) = fs::File::options().append(true).open(&path) {
                    let _ = file.set_modified(SystemTime::now());
                }
                Lookup::Hit(module)
            }
            Err(e) => rejected(format!("{e:#}")),
        }
    }

    /// Stores `module`, then trims the cache to its cap. Errors are returned
    /// for reporting; a cache that cannot be written is only slower.
    pub fn put<A: Artifact>(&self, engine: &Engine, sha256: &[u8; 32], module: &A) -> Result<(), String> {
        let payload = module.serialize().map_err(|e| format!("cannot serialise the compiled module: {e:#}"))?;
        if payload.len() as u64 + HEADER as u64 > self.cap_bytes {
            return Ok(());
        }
        fs::create_dir_all(&self.dir).map_err(|e| format!("cannot create {}: {e}", self.dir.display()))?;
        let path = self.entry_path(engine, sha256);
        let temp = path.with_extension(format!("{EXTENSION}.tmp{}", std::process::id()));
        let written = (|| {
            let mut file = fs::File::create(&temp)?;
            file.write_all(MAGIC)?;
            file.write_all(&Sha256::digest(&payload))?;
            file.write_all(&(payload.len() as u64).to_le_bytes())?;
            file.write_all(&payload)?;
            file.sync_all()?;
            fs::rename(&temp, &path)
        })();
        if let Err(e) = written {
            let _ = fs::remove_file(&temp);
            return Err(format!("cannot write {}: {e}", path.display()));
        }
        self.trim();
        Ok(())
    }

    /// Removes the least recently used entries until the rest fit the cap,
    /// and stale temporary files.
    fn trim(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else { return };
        let entries: Vec<fs::DirEntry> = entries.flatten().collect();
        for entry in &entries {
            let stale = entry.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
            if entry.file_name().to_string_lossy().contains(&format!(".{EXTENSION}.tmp"))
                && stale.is_some_and(|age| age > STALE_TEMP)
            {
                let _ = fs::remove_file(entry.path());
            }
        }
        let mut files: Vec<(SystemTime, u64, PathBuf)> = entries
            .iter()
            .filter(|e| e.path().extension().is_some_and(|x| x == EXTENSION))
            .filter_map(|e| {
                let meta = e.metadata().ok()?;
                Some((meta.modified().unwrap_or(SystemTime::UNIX_EPOCH), meta.len(), e.path()))
            })
            .collect();
        let mut total: u64 = files.iter().map(|f| f.1).sum();
        files.sort();
        for (_, len, path) in files {
            if total <= self.cap_bytes {
                break;
            }
            if fs::remove_file(&path).is_ok() {
                total -= len;
            }
        }
    }
}

/// Feeds what `Hash` writes into SHA-256.
struct ShaHasher(Sha256);

impl Hasher for ShaHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        unreachable!("only the digest is read")
    }
}

/// The payload of a well-formed entry.
fn check_envelope(bytes: &[u8]) -> Result<&[u8], String> {
    if bytes.len() < HEADER || &bytes[..MAGIC.len()] != MAGIC {
        return Err("not a Wasmscope cache entry".into());
    }
    let hash = &bytes[MAGIC.len()..MAGIC.len() + 32];
    let len_bytes: [u8; 8] = bytes[MAGIC.len() + 32..HEADER].try_into().expect("eight bytes");
    let payload = &bytes[HEADER..];
    if u64::from_le_bytes(len_bytes) != payload.len() as u64 {
        return Err(format!("truncated: {} of {} bytes", payload.len(), u64::from_le_bytes(len_bytes)));
    }
    if Sha256::digest(payload).as_slice() != hash {
        return Err("damaged: the contents do not match their checksum".into());
    }
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine(fuel: bool) -> Engine {
        let mut config = wasmtime::Config::new();
        config.consume_fuel(fuel);
        Engine::new(&config).unwrap()
    }

    fn module(engine: &Engine, body: &str) -> (Module, [u8; 32]) {
        let wat = format!(r#"(module (func (export "f") (result i32) {body}))"#);
        let bytes = wat::parse_str(&wat).unwrap();
        (Module::new(engine, &bytes).unwrap(), Sha256::digest(&bytes).into())
    }

    fn call_f(engine: &Engine, module: &Module) -> i32 {
        let mut store = wasmtime::Store::new(engine, ());
        // Fails on an engine without fuel, which needs none.
        let _ = store.set_fuel(1_000);
        let instance = wasmtime::Instance::new(&mut store, module, &[]).unwrap();
        instance.get_typed_func::<(), i32>(&mut store, "f").unwrap().call(&mut store, ()).unwrap()
    }

    #[test]
    fn a_stored_component_comes_back_and_its_export_runs() {
        use wasmtime::component::{Component, Linker};
        let dir = tempfile::tempdir().unwrap();
        let cache = ModuleCache::new(dir.path(), DEFAULT_CAP_BYTES);
        let engine = engine(false);
        let wat = r#"(component
            (core module $m (func (export "f") (result i32) i32.const 42))
            (core instance $i (instantiate $m))
            (func (export "answer") (result u32) (canon lift (core func $i "f"))))"#;
        let bytes = wat::parse_str(wat).unwrap();
        let sha: [u8; 32] = Sha256::digest(&bytes).into();
        assert!(matches!(cache.get::<Component>(&engine, &sha), Lookup::Miss));
        cache.put(&engine, &sha, &Component::new(&engine, &bytes).unwrap()).unwrap();
        let Lookup::Hit(component) = cache.get::<Component>(&engine, &sha) else { panic!("no hit") };
        let mut store = wasmtime::Store::new(&engine, ());
        let instance = Linker::new(&engine).instantiate(&mut store, &component).unwrap();
        let answer = instance.get_typed_func::<(), (u32,)>(&mut store, "answer").unwrap();
        assert_eq!(answer.call(&mut store, ()).unwrap(), (42,));
        // A component's entry is not taken for a module, nor the reverse.
        assert!(matches!(cache.get::<Module>(&engine, &sha), Lookup::Rejected(_)));
    }

    #[test]
    fn a_stored_module_comes_back_and_runs() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ModuleCache::new(dir.path(), DEFAULT_CAP_BYTES);
        let engine = engine(false);
        let (module, sha) = module(&engine, "i32.const 42");
        assert!(matches!(cache.get::<Module>(&engine, &sha), Lookup::Miss));
        cache.put(&engine, &sha, &module).unwrap();
        let Lookup::Hit(loaded) = cache.get::<Module>(&engine, &sha) else { panic!("a hit") };
        assert_eq!(call_f(&engine, &loaded), 42);
    }

    /// Damage of every kind is caught before wasmtime sees the bytes: the
    /// entry is removed and the lookup says why.
    #[test]
    fn corrupt_truncated_and_foreign_files_are_rejected_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ModuleCache::new(dir.path(), DEFAULT_CAP_BYTES);
        let engine = engine(false);
        let (module, sha) = module(&engine, "i32.const 7");
        let path = cache.entry_path(&engine, &sha);
        type Damage = fn(&mut Vec<u8>);
        let damages: [(&str, Damage); 5] = [
            ("a flipped byte in the code", |b| {
                let at = b.len() - 100;
                b[at] ^= 0x40;
            }),
            ("truncated", |b| b.truncate(b.len() / 2)),
            ("truncated inside the header", |b| b.truncate(20)),
            ("empty", Vec::clear),
            ("another program's file", |b| *b = b"\x7fELF not ours at all".repeat(64)),
        ];
        for (what, damage) in damages {
            cache.put(&engine, &sha, &module).unwrap();
            let mut bytes = fs::read(&path).unwrap();
            damage(&mut bytes);
            fs::write(&path, &bytes).unwrap();
            match cache.get::<Module>(&engine, &sha) {
                Lookup::Rejected(why) => assert!(why.contains(&path.display().to_string()), "{what}: {why}"),
                Lookup::Hit(_) => panic!("{what}: loaded a damaged entry"),
                Lookup::Miss => panic!("{what}: not even looked at"),
            }
            assert!(!path.exists(), "{what}: the damaged entry is removed");
        }
    }

    /// An intact entry compiled by an engine with other settings, put where
    /// this engine looks: wasmtime's own check refuses it.
    #[test]
    fn code_for_another_engine_configuration_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ModuleCache::new(dir.path(), DEFAULT_CAP_BYTES);
        let (plain, fueled) = (engine(false), engine(true));
        let (module, sha) = module(&fueled, "i32.const 1");
        cache.put(&fueled, &sha, &module).unwrap();
        let (theirs, ours) = (cache.entry_path(&fueled, &sha), cache.entry_path(&plain, &sha));
        assert_ne!(theirs, ours, "engines with different settings use different entries");
        fs::copy(&theirs, &ours).unwrap();
        assert!(matches!(cache.get::<Module>(&plain, &sha), Lookup::Rejected(_)));
        // The fueled engine still finds its own.
        let Lookup::Hit(loaded) = cache.get::<Module>(&fueled, &sha) else { panic!("a hit") };
        assert_eq!(call_f(&fueled, &loaded), 1);
    }

    #[test]
    fn the_least_recently_used_entries_go_when_the_cap_is_passed() {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine(false);
        let modules: Vec<(Module, [u8; 32])> = (0..3).map(|i| module(&engine, &format!("i32.const {i}"))).collect();
        let one = {
            let probe = ModuleCache::new(dir.path(), DEFAULT_CAP_BYTES);
            probe.put(&engine, &modules[0].1, &modules[0].0).unwrap();
            fs::metadata(probe.entry_path(&engine, &modules[0].1)).unwrap().len()
        };
        // Room for two entries, not three.
        let cache = ModuleCache::new(dir.path(), one * 2 + one / 2);
        let past = SystemTime::now() - std::time::Duration::from_secs(60);
        fs::File::options()
            .append(true)
            .open(cache.entry_path(&engine, &modules[0].1))
            .unwrap()
            .set_modified(past)
            .unwrap();
        cache.put(&engine, &modules[1].1, &modules[1].0).unwrap();
        // The second is older than now but newer than the first was; using
        // the first makes it the newest, so the second is evicted instead.
        fs::File::options()
            .append(true)
            .open(cache.entry_path(&engine, &modules[1].1))
            .unwrap()
            .set_modified(past + std::time::Duration::from_secs(30))
            .unwrap();
        assert!(matches!(cache.get::<Module>(&engine, &modules[0].1), Lookup::Hit(_)));
        cache.put(&engine, &modules[2].1, &modules[2].0).unwrap();
        let present: Vec<bool> = modules.iter().map(|(_, sha)| cache.entry_path(&engine, sha).exists()).collect();
        assert_eq!(present, [true, false, true]);
    }

    #[test]
    fn temporary_files_of_interrupted_writes_are_removed_once_stale() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ModuleCache::new(dir.path(), DEFAULT_CAP_BYTES);
        let engine = engine(false);
        let (module, sha) = module(&engine, "i32.const 3");
        let (stale, fresh) = (dir.path().join("a.cwasm.tmp1"), dir.path().join("b.cwasm.tmp2"));
        fs::write(&stale, b"half an entry").unwrap();
        fs::write(&fresh, b"a write in progress").unwrap();
        fs::File::options()
            .append(true)
            .open(&stale)
            .unwrap()
            .set_modified(SystemTime::now() - STALE_TEMP * 2)
            .unwrap();
        cache.put(&engine, &sha, &module).unwrap();
        assert!(!stale.exists(), "an old temporary file is removed");
        assert!(fresh.exists(), "a recent one may belong to a write in progress");
    }
}
