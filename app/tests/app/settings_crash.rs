//! A crash in the middle of saving leaves the previous file whole: a child
//! process starts writing a large file atomically and is killed mid-write.

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// Set in the child's environment: the file it writes. The child is this
/// test's own binary, re-run on this very test, so no second test exists
/// only to do nothing when run on its own.
const CHILD: &str = "WASMSCOPE_CRASH_CHILD_TARGET";

/// The child's part: writes slowly, forever, into the target's temporary
/// file, until the parent kills it.
fn write_until_killed(target: PathBuf) -> ! {
    let result = wasmscope::persist::atomic_write_with(&target, |file| {
        loop {
            file.write_all(&[b'x'; 4096])?;
            file.flush()?;
            std::thread::sleep(Duration::from_millis(5));
        }
    });
    panic!("the child stopped writing {}: {result:?}", target.display())
}

#[test]
fn a_crash_mid_write_leaves_the_previous_settings_intact() {
    if let Ok(target) = std::env::var(CHILD) {
        write_until_killed(PathBuf::from(target));
    }
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("settings.toml");
    wasmscope::persist::atomic_write(&target, b"zoom = 1.5\n").unwrap();

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "settings_crash::a_crash_mid_write_leaves_the_previous_settings_intact", "--nocapture"])
        .env(CHILD, &target)
        .spawn()
        .unwrap();
    // Wait until the child is well into writing its temporary file.
    let started = Instant::now();
    loop {
        let temp_size: u64 = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .filter_map(|e| e.metadata().ok())
            .map(|m| m.len())
            .sum();
        if temp_size > 64 * 1024 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the child never started writing");
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    assert_eq!(std::fs::read_to_string(&target).unwrap(), "zoom = 1.5\n");
}
