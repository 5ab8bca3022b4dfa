//! Anything a user can drop on the window: loading (binary or text),
//! inspecting, and listing it must never panic.

#![no_main]

use std::sync::atomic::AtomicBool;

use libfuzzer_sys::fuzz_target;
use runtime_worker::inspect::{self, disassembly, load};

fuzz_target!(|data: &[u8]| {
    let inspection = inspect::inspect_bytes(data);
    if let Ok(module) = load::load("fuzz.wasm", data) {
        let _ = inspect::inspect(&module);
        // Listing is bounded to modules that load: the printer's own input
        // is a valid module.
        if module.bytes.len() < 64 * 1024 {
            let _ = disassembly::disassemble(&module.bytes, &AtomicBool::new(false), &mut |_| {});
        }
    }
    let _ = serde_json::to_string(&inspection);
});
