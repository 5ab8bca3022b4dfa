//! provider_rust: the article's `database-connector`, in Rust, with no crates.
//!
//! Built with Debian's rustc 1.63 for wasm32-wasi as a `cdylib` (a reactor: no
//! `_start`), then embedded with the WIT world `provider` and wrapped into a
//! component with wasmtime 48.0.8's preview1 reactor adapter (see ../../build.sh).
//! Instead of generated bindings, this file writes the canonical ABI of the one
//! function by hand. For
//!
//!     execute-query: func(sql: string) -> list<query-result>;
//!     record query-result { id: u64, payload: string }
//!
//! the core export is
//!
//!     "wasmscope:article/database-connector#execute-query": (ptr: i32, len: i32) -> i32
//!
//! - `sql` arrives as (ptr, len) of UTF-8 bytes that the host wrote into memory
//!   it got from our `cabi_realloc` (align 1); we own them and free them.
//! - A `list<T>` result does not fit in one core value, so the function returns
//!   a pointer to a "return area" of 8 bytes: (list ptr: u32, list len: u32).
//! - The list is `len` records, each laid out as in memory by the canonical ABI:
//!   `id` u64 at offset 0, `payload` as (ptr: u32, len: u32) at offsets 8 and
//!   12; 16 bytes, alignment 8 (the u64). On wasm32 this is exactly
//!   `#[repr(C)] struct { u64, *mut u8, usize }`.
//! - After the host has copied the result out, it calls
//!   "cabi_post_wasmscope:article/database-connector#execute-query" with the same
//!   return-area pointer, and we free the list and its strings.
//!
//! The query rules and the CSV format are the same as in the Python and Go
//! providers (see ../provider_python/app.py).

// Blocks from cabi_realloc and from Box/Vec come from the same global allocator,
// so dropping a Box frees what the host allocated and the other way round.
use std::alloc::{alloc, realloc, Layout};
use std::io::Read;

const PATH: &str = "/data/users.csv";
const SELECT_ALL: &[u8] = b"select * from users";
const SELECT_ID: &[u8] = b"select * from users where id = ";

/// One `query-result` as the canonical ABI lays it out in linear memory.
#[repr(C)]
pub struct QueryResult {
    id: u64,
    payload_ptr: *mut u8,
    payload_len: usize,
}

/// The return area: where the (ptr, len) of the returned list is written.
#[repr(C)]
pub struct RetArea {
    list_ptr: *mut QueryResult,
    list_len: usize,
}
static mut RET_AREA: RetArea = RetArea { list_ptr: std::ptr::null_mut(), list_len: 0 };

/// A reactor's initializer. Referencing `__wasm_call_ctors` here also tells
/// wasm-ld that this module runs its constructors itself: otherwise (rustc 1.63
/// links a cdylib with neither `_start` nor `_initialize`) wasm-ld treats it as
/// a command and wraps every export, `cabi_realloc` included, in a call to the
/// constructors. wasi-libc's constructors read the environment, a WASI call,
/// and the component model forbids calls out of a component while the host is
/// inside its `cabi_realloc` ("cannot leave component instance").
/// wit-component makes the component call `_initialize` once, when it is
/// instantiated.
#[no_mangle]
pub extern "C" fn _initialize() {
    extern "C" {
        fn __wasm_call_ctors();
    }
    unsafe { __wasm_call_ctors() }
}

/// Memory the host uses for arguments (here: the bytes of `sql`).
/// Same contract as realloc: old_size 0 means a new block.
#[no_mangle]
pub unsafe extern "C" fn cabi_realloc(old_ptr: *mut u8, old_size: usize, align: usize, new_size: usize) -> *mut u8 {
    if new_size == 0 {
        return align as *mut u8; // a dangling, aligned pointer: nothing to allocate
    }
    let ptr = if old_size == 0 {
        alloc(Layout::from_size_align_unchecked(new_size, align))
    } else {
        realloc(old_ptr, Layout::from_size_align_unchecked(old_size, align), new_size)
    };
    if ptr.is_null() {
        std::process::abort();
    }
    ptr
}

#[export_name = "wasmscope:article/database-connector#execute-query"]
pub unsafe extern "C" fn execute_query(sql_ptr: *mut u8, sql_len: usize) -> *mut RetArea {
    // Take ownership of the argument bytes (allocated above with align 1).
    let sql = Vec::from_raw_parts(sql_ptr, sql_len, sql_len);
    let rows = run_query(&sql);
    drop(sql);

    // Lower the result: strings and the array become heap blocks that stay
    // alive until the post-return function frees them.
    let records: Vec<QueryResult> = rows
        .into_iter()
        .map(|(id, payload)| {
            let bytes: Box<[u8]> = payload.into_bytes().into_boxed_slice();
            let payload_len = bytes.len();
            QueryResult { id, payload_ptr: Box::into_raw(bytes) as *mut u8, payload_len }
        })
        .collect();
    let records: Box<[QueryResult]> = records.into_boxed_slice();
    let list_len = records.len();
    RET_AREA = RetArea { list_ptr: Box::into_raw(records) as *mut QueryResult, list_len };
    &mut RET_AREA
}

#[export_name = "cabi_post_wasmscope:article/database-connector#execute-query"]
pub unsafe extern "C" fn execute_query_post_return(ret: *mut RetArea) {
    let ret = &mut *ret;
    let records = Box::from_raw(std::ptr::slice_from_raw_parts_mut(ret.list_ptr, ret.list_len));
    for r in records.iter() {
        drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(r.payload_ptr, r.payload_len)));
    }
    drop(records);
    ret.list_len = 0;
}

/// The query rules shared by the three providers.
fn run_query(sql: &[u8]) -> Vec<(u64, String)> {
    let query = trim_ascii(sql).to_ascii_lowercase();
    let wanted = if query == SELECT_ALL {
        None
    } else if query.starts_with(SELECT_ID) {
        match parse_id(&query[SELECT_ID.len()..]) {
            Some(id) => Some(id),
            None => return Vec::new(),
        }
    } else {
        return Vec::new();
    };
    match read_rows() {
        Err(message) => vec![(0, message)],
        Ok(rows) => rows.into_iter().filter(|(id, _)| wanted.map_or(true, |w| *id == w)).collect(),
    }
}

fn trim_ascii(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t' | b'\r' | b'\n', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t' | b'\r' | b'\n'] = s {
        s = rest;
    }
    s
}

/// An u64 written with 1-20 ASCII digits.
fn parse_id(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 20 || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(text).ok()?.parse().ok()
}

/// WASI errno -> text. The same table is in the Python and Go providers.
fn reason(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(2) => "Permission denied".into(),
        Some(8) => "Bad file descriptor".into(),
        Some(28) => "Invalid argument".into(),
        Some(31) => "Is a directory".into(),
        Some(44) => "No such file or directory".into(),
        Some(54) => "Not a directory".into(),
        Some(63) => "Operation not permitted".into(),
        Some(76) => "Capabilities insufficient".into(),
        Some(n) => format!("errno {}", n),
        // Rust 1.63's std looks up the preopened directory itself and, when
        // none holds the path, returns its own error without an errno
        // ("failed to find a pre-opened file descriptor ..."). wasi-libc (the
        // Python provider) says ENOENT there, so say the same.
        None => "No such file or directory".into(),
    }
}

fn read_rows() -> Result<Vec<(u64, String)>, String> {
    let error = |reason: String| format!("error: cannot open {}: {}", PATH, reason);
    let mut file = std::fs::File::open(PATH).map_err(|e| error(reason(&e)))?;
    // Opening a directory works in WASI and reading it fails with EBADF;
    // CPython checks first and says EISDIR, so do the same here.
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(error("Is a directory".into()));
    }
    let mut data = Vec::new();
    file.read_to_end(&mut data).map_err(|e| error(reason(&e)))?;
    let mut lines = data
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.is_empty());
    let header: Vec<&[u8]> = match lines.next() {
        Some(h) => h.split(|&b| b == b',').collect(),
        None => return Ok(Vec::new()),
    };
    let mut rows = Vec::new();
    for line in lines {
        let fields: Vec<&[u8]> = line.split(|&b| b == b',').collect();
        let id = match parse_id(fields[0]) {
            Some(id) => id,
            None => continue,
        };
        let pairs: Vec<Vec<u8>> = (1..header.len().min(fields.len()))
            .map(|i| [header[i], b"=", fields[i]].concat())
            .collect();
        rows.push((id, String::from_utf8_lossy(&pairs.join(&b";"[..])).into_owned()));
    }
    Ok(rows)
}
