//! Reading what a WASI call's pointers point at, for the trace.
//!
//! Every read is bounds-checked and fails soft: a bad pointer is the guest's
//! problem (wasmtime-wasi traps on it when it does its own read), never a
//! reason for the tracer to fail or panic.

use wiggle::{GuestMemory, GuestPtr};

use crate::boundary::event::Preview;

/// Paths and names longer than this are cut for the trace.
const MAX_TRACED_STRING: u32 = 4096;
/// At most this many iovecs are walked to total a call's buffer sizes.
const MAX_WALKED_IOVECS: u32 = 1024;

pub(crate) fn bytes<'m>(mem: &'m GuestMemory<'_>, ptr: i32, len: u32) -> Option<&'m [u8]> {
    mem.as_slice(GuestPtr::<[u8]>::new((ptr as u32, len))).ok().flatten()
}

pub(crate) fn u32_at(mem: &GuestMemory<'_>, ptr: i32) -> Option<u32> {
    let raw = bytes(mem, ptr, 4)?;
    Some(u32::from_le_bytes(raw.try_into().ok()?))
}

pub(crate) fn u64_at(mem: &GuestMemory<'_>, ptr: i32) -> Option<u64> {
    let raw = bytes(mem, ptr, 8)?;
    Some(u64::from_le_bytes(raw.try_into().ok()?))
}

pub(crate) fn u8_at(mem: &GuestMemory<'_>, ptr: i32) -> Option<u8> {
    bytes(mem, ptr, 1).map(|b| b[0])
}

pub(crate) fn u16_at(mem: &GuestMemory<'_>, ptr: i32) -> Option<u16> {
    let raw = bytes(mem, ptr, 2)?;
    Some(u16::from_le_bytes(raw.try_into().ok()?))
}

/// A guest string as text (invalid UTF-8 is replaced, long strings are cut).
pub(crate) fn string(mem: &GuestMemory<'_>, ptr: i32, len: i32) -> Box<str> {
    let len = (len as u32).min(MAX_TRACED_STRING);
    match bytes(mem, ptr, len) {
        Some(raw) => String::from_utf8_lossy(raw).into(),
        None => format!("<bad pointer {:#x}+{}>", ptr as u32, len).into(),
    }
}

/// The buffers of an iovec array: their total length and the first bytes of
/// the first non-empty one (the one wasmtime-wasi transfers), limited to
/// `limit` bytes when the call reports how many it actually used.
pub(crate) struct Iovecs {
    pub total: u64,
    pub preview: Preview,
}

pub(crate) fn iovecs(mem: &GuestMemory<'_>, iovs: i32, iovs_len: i32, limit: Option<u64>) -> Iovecs {
    let mut total = 0u64;
    let mut preview = Preview::EMPTY;
    let mut remaining = limit.unwrap_or(u64::MAX);
    for i in 0..(iovs_len as u32).min(MAX_WALKED_IOVECS) {
        let at = (iovs as u32).wrapping_add(i * 8) as i32;
        let (Some(buf), Some(len)) = (u32_at(mem, at), u32_at(mem, at.wrapping_add(4))) else { break };
        total += u64::from(len);
        if preview.as_bytes().is_empty() && len > 0 && remaining > 0 {
            let take = u64::from(len).min(remaining).min(Preview::CAP as u64) as u32;
            if let Some(data) = bytes(mem, buf as i32, take) {
                preview.extend(data);
                remaining -= u64::from(take);
            }
        }
    }
    Iovecs { total, preview }
}

/// Names in a `fd_readdir` buffer (dirent headers are 24 bytes, name after).
pub(crate) fn dirent_names(mem: &GuestMemory<'_>, buf: i32, used: u32) -> Vec<Box<str>> {
    const HEADER: u32 = 24;
    const MAX_NAMES: usize = 256;
    let mut names = Vec::new();
    let mut at = 0u32;
    while at + HEADER <= used && names.len() < MAX_NAMES {
        let Some(namlen) = u32_at(mem, (buf as u32 + at + 16) as i32) else { break };
        let name_at = at + HEADER;
        // A name cut off by the end of the buffer is shown as far as it goes.
        let shown = namlen.min(used.saturating_sub(name_at));
        names.push(string(mem, (buf as u32 + name_at) as i32, shown as i32));
        at = name_at.saturating_add(namlen);
    }
    names
}

/// `poll_oneoff` subscriptions, one line each (48-byte records).
pub(crate) fn subscriptions(mem: &GuestMemory<'_>, ptr: i32, count: i32) -> Vec<Box<str>> {
    const MAX_SHOWN: u32 = 16;
    let count = count as u32;
    let mut out = Vec::new();
    for i in 0..count.min(MAX_SHOWN) {
        let at = (ptr as u32).wrapping_add(i * 48) as i32;
        let Some(tag) = u8_at(mem, at.wrapping_add(8)) else { break };
        let line = match tag {
            0 => {
                let id = u32_at(mem, at.wrapping_add(16)).unwrap_or(u32::MAX);
                let timeout = u64_at(mem, at.wrapping_add(24)).unwrap_or(0);
                let flags = u16_at(mem, at.wrapping_add(40)).unwrap_or(0);
                let clock = crate::wasi::abi::enum_names(crate::wasi::abi::Kind::ClockId)
                    .and_then(|names| names.get(id as usize))
                    .copied()
                    .unwrap_or("?");
                let when = if flags & 1 != 0 { "until" } else { "for" };
                format!("clock {clock} {when} {}", crate::trace::describe::format_nanos(timeout))
            }
            1 | 2 => {
                let fd = u32_at(mem, at.wrapping_add(16)).unwrap_or(u32::MAX);
                let what = if tag == 1 { "fd_read" } else { "fd_write" };
                format!("{what} fd={fd}")
            }
            other => format!("unknown subscription {other}"),
        };
        out.push(line.into());
    }
    if count > MAX_SHOWN {
        out.push(format!("… {} more", count - MAX_SHOWN).into());
    }
    out
}
