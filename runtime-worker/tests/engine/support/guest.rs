//! Small guests written in the test: a `_start` that makes the WASI calls a
//! case needs, with strings placed in memory for it.

#![allow(dead_code)]

use std::fmt::Write as _;

/// Every preview1 import, with its wasm signature.
const IMPORTS: &[(&str, &str)] = &[
    ("args_get", "(param i32 i32) (result i32)"),
    ("environ_sizes_get", "(param i32 i32) (result i32)"),
    ("environ_get", "(param i32 i32) (result i32)"),
    ("clock_res_get", "(param i32 i32) (result i32)"),
    ("clock_time_get", "(param i32 i64 i32) (result i32)"),
    ("fd_close", "(param i32) (result i32)"),
    ("fd_filestat_set_size", "(param i32 i64) (result i32)"),
    ("fd_filestat_set_times", "(param i32 i64 i64 i32) (result i32)"),
    ("fd_prestat_dir_name", "(param i32 i32 i32) (result i32)"),
    ("fd_read", "(param i32 i32 i32 i32) (result i32)"),
    ("fd_renumber", "(param i32 i32) (result i32)"),
    ("fd_write", "(param i32 i32 i32 i32) (result i32)"),
    ("fd_readdir", "(param i32 i32 i32 i64 i32) (result i32)"),
    ("fd_allocate", "(param i32 i64 i64) (result i32)"),
    ("path_create_directory", "(param i32 i32 i32) (result i32)"),
    ("path_filestat_set_times", "(param i32 i32 i32 i32 i64 i64 i32) (result i32)"),
    ("path_link", "(param i32 i32 i32 i32 i32 i32 i32) (result i32)"),
    ("path_open", "(param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)"),
    ("path_readlink", "(param i32 i32 i32 i32 i32 i32) (result i32)"),
    ("path_remove_directory", "(param i32 i32 i32) (result i32)"),
    ("path_rename", "(param i32 i32 i32 i32 i32 i32) (result i32)"),
    ("path_symlink", "(param i32 i32 i32 i32 i32) (result i32)"),
    ("path_unlink_file", "(param i32 i32 i32) (result i32)"),
    ("sock_send", "(param i32 i32 i32 i32 i32) (result i32)"),
    ("sock_recv", "(param i32 i32 i32 i32 i32 i32) (result i32)"),
    ("sock_accept", "(param i32 i32 i32) (result i32)"),
    ("sock_shutdown", "(param i32 i32) (result i32)"),
];

/// Scratch addresses every guest has.
pub const OUT_FD: u32 = 16; // u32 written by path_open
pub const IOVEC: u32 = 32; // {ptr, len} for reads and writes
pub const NBYTES: u32 = 40; // bytes read or written
pub const BUFFER: u32 = 1024; // 4 KiB buffer
const STRINGS: u32 = 8192;

pub const RIGHT_READ: u64 = 1 << 1;
pub const RIGHT_WRITE: u64 = 1 << 6;
pub const OFLAG_CREAT: u32 = 1;
pub const OFLAG_DIRECTORY: u32 = 2;
pub const OFLAG_TRUNC: u32 = 8;
pub const FOLLOW: u32 = 1;

#[derive(Default)]
pub struct Guest {
    data: Vec<(u32, Vec<u8>)>,
    next: u32,
    body: String,
}

impl Guest {
    pub fn new() -> Guest {
        Guest { next: STRINGS, ..Guest::default() }
    }

    /// `(i32.const ptr) (i32.const len)` for a string placed in memory.
    pub fn s(&mut self, text: &str) -> String {
        let at = self.next;
        self.data.push((at, text.as_bytes().to_vec()));
        self.next += text.len() as u32 + 8;
        format!("(i32.const {at}) (i32.const {})", text.len())
    }

    /// Calls `func` with `args` (WAT operands), dropping its errno.
    pub fn call(&mut self, func: &str, args: &str) -> &mut Self {
        let _ = writeln!(self.body, "(drop (call ${func} {args}))");
        self
    }

    /// Opens `path` under `dir` (following symlinks) with `rights` and
    /// `oflags`; the new fd lands at `OUT_FD`.
    pub fn open(&mut self, dir: u32, path: &str, oflags: u32, rights: u64) -> &mut Self {
        let path = self.s(path);
        self.call(
            "path_open",
            &format!("(i32.const {dir}) (i32.const {FOLLOW}) {path} (i32.const {oflags}) (i64.const {rights}) (i64.const 0) (i32.const 0) (i32.const {OUT_FD})"),
        )
    }

    /// Reads up to 4 KiB from the fd at `OUT_FD` (if an open succeeded) and
    /// prints what it read: a leak shows up on stdout.
    pub fn print_opened(&mut self) -> &mut Self {
        let _ = writeln!(
            self.body,
            "(if (i32.ne (i32.load (i32.const {OUT_FD})) (i32.const -1)) (then
                (i32.store (i32.const {IOVEC}) (i32.const {BUFFER}))
                (i32.store (i32.const {}) (i32.const 4096))
                (drop (call $fd_read (i32.load (i32.const {OUT_FD})) (i32.const {IOVEC}) (i32.const 1) (i32.const {NBYTES})))
                (i32.store (i32.const {}) (i32.load (i32.const {NBYTES})))
                (drop (call $fd_write (i32.const 1) (i32.const {IOVEC}) (i32.const 1) (i32.const {NBYTES})))))",
            IOVEC + 4,
            IOVEC + 4
        );
        self
    }

    /// Writes `text` to the fd at `OUT_FD`.
    pub fn write_opened(&mut self, text: &str) -> &mut Self {
        let at = self.next;
        self.data.push((at, text.as_bytes().to_vec()));
        self.next += text.len() as u32 + 8;
        let _ = writeln!(
            self.body,
            "(i32.store (i32.const {IOVEC}) (i32.const {at}))
             (i32.store (i32.const {}) (i32.const {}))
             (drop (call $fd_write (i32.load (i32.const {OUT_FD})) (i32.const {IOVEC}) (i32.const 1) (i32.const {NBYTES})))",
            IOVEC + 4,
            text.len()
        );
        self
    }

    /// Raw WAT for the body.
    pub fn wat(&mut self, code: &str) -> &mut Self {
        self.body.push_str(code);
        self.body.push('\n');
        self
    }

    pub fn build(&self) -> String {
        let mut wat = String::from("(module\n");
        for (name, signature) in IMPORTS {
            let _ = writeln!(wat, "(import \"wasi_snapshot_preview1\" \"{name}\" (func ${name} {signature}))");
        }
        wat.push_str("(memory (export \"memory\") 1)\n");
        for (at, bytes) in &self.data {
            let escaped: String = bytes.iter().map(|b| format!("\\{b:02x}")).collect();
            let _ = writeln!(wat, "(data (i32.const {at}) \"{escaped}\")");
        }
        let _ = writeln!(
            wat,
            "(func (export \"_start\")\n(i32.store (i32.const {OUT_FD}) (i32.const -1))\n{}\n))",
            self.body
        );
        wat
    }
}
