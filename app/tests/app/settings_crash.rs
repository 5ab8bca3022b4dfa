//! A crash in the middle of saving leaves the previous file whole: a child
//! process starts writing a large file atomically and is killed mid-write.

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

const CHILD: &str = "WASMSCOPE_CRASH_CHILD_TARGET";

/// The child's part: writes slowly, forever, into the target's temporary file.
#[test]
fn child_writer() {
    let Ok(target) = std::env::var(CHILD) else { return };
    let _ = wasmscope::persist::atomic_write_with(&PathBuf::from(target), |file| {
        loop {
            file.write_all(&[b'x'; 4096])?;
            file.flush()?;
            std::thread::sleep(Duration::from_millis(5));
        }
    });
}

#[test]
fn a_crash_mid_write_leaves_the_previous_settings_intact() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("settings.toml");
    wasmscope::persist::atomic_write(&target, b"zoom = 1.5\n").unwrap();

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "settings_crash::child_writer", "--nocapture", "--test-threads=1"])
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
