//! What each guest file descriptor refers to, followed call by call, so that
//! the trace can say `fd=4 (/data/hello.txt)` and tell which mount a call used.

use std::sync::Arc;

use crate::boundary::profile::Mount;

#[derive(Clone, Debug)]
pub(crate) struct FdEntry {
    /// The guest path the descriptor was opened as (`/data/hello.txt`);
    /// `None` for stdio.
    pub label: Option<Arc<str>>,
    /// Index of the mount the descriptor lives under.
    pub mount: Option<usize>,
}

/// The open descriptors, indexed by fd number.
#[derive(Debug)]
pub(crate) struct FdTable {
    // Invariant: mirrors wasmtime-wasi's table: 0-2 are stdio, preopens follow
    // in mount order, and every successful open/renumber/close is applied.
    entries: Vec<Option<FdEntry>>,
}

/// Above this, fd numbers are not tracked (a guest that opens this many files
/// still runs; its later descriptors just show without a path).
const MAX_TRACKED_FD: usize = 1 << 16;

impl FdTable {
    pub(crate) fn new(mounts: &[Mount]) -> FdTable {
        let stdio = FdEntry { label: None, mount: None };
        let mut entries = vec![Some(stdio.clone()), Some(stdio.clone()), Some(stdio)];
        for (i, mount) in mounts.iter().enumerate() {
            entries.push(Some(FdEntry { label: Some(Arc::from(mount.guest.as_str())), mount: Some(i) }));
        }
        FdTable { entries }
    }

    pub(crate) fn get(&self, fd: u64) -> Option<&FdEntry> {
        self.entries.get(usize::try_from(fd).ok()?)?.as_ref()
    }

    pub(crate) fn is_open(&self, fd: u64) -> bool {
        self.get(fd).is_some()
    }

    pub(crate) fn label(&self, fd: u64) -> Option<Arc<str>> {
        self.get(fd)?.label.clone()
    }

    pub(crate) fn mount(&self, fd: u64) -> Option<usize> {
        self.get(fd)?.mount
    }

    /// Records `new_fd`, opened through directory `dir_fd` at `path`.
    pub(crate) fn opened(&mut self, dir_fd: u64, path: &str, new_fd: u64) {
        let (base, mount) = match self.get(dir_fd) {
            Some(entry) => (entry.label.clone(), entry.mount),
            None => (None, None),
        };
        let label = join_guest_path(base.as_deref().unwrap_or(""), path);
        self.set(new_fd, Some(FdEntry { label: Some(Arc::from(label)), mount }));
    }

    pub(crate) fn closed(&mut self, fd: u64) {
        self.set(fd, None);
    }

    pub(crate) fn renumbered(&mut self, from: u64, to: u64) {
        let entry = self.get(from).cloned();
        self.set(from, None);
        self.set(to, entry);
    }

    fn set(&mut self, fd: u64, entry: Option<FdEntry>) {
        let Ok(fd) = usize::try_from(fd) else { return };
        if fd >= MAX_TRACKED_FD {
            return;
        }
        if fd >= self.entries.len() {
            self.entries.resize(fd + 1, None);
        }
        self.entries[fd] = entry;
    }
}

/// Joins a guest directory path and a relative path for display, resolving
/// `.` and `..` lexically (a `..` that would climb above the base is kept).
pub(crate) fn join_guest_path(base: &str, path: &str) -> String {
    if path.starts_with('/') || base.is_empty() {
        return path.to_string();
    }
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    let rooted = base.starts_with('/');
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if !parts.is_empty() && parts.last() != Some(&"..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    if rooted {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".to_string()
    } else {
        joined
    }
}

/// True when `path`, taken relative to a directory, climbs out of it with
/// `..` (lexically, without following symlinks).
pub(crate) fn escapes_with_dotdot(path: &str) -> bool {
    let mut depth: i64 = 0;
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            _ => depth += 1,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_like_the_guest_sees_them() {
        assert_eq!(join_guest_path("/data", "hello.txt"), "/data/hello.txt");
        assert_eq!(join_guest_path("/data", "./a/../b.txt"), "/data/b.txt");
        assert_eq!(join_guest_path(".", "hello.txt"), "hello.txt");
        assert_eq!(join_guest_path("/data", "/etc/passwd"), "/etc/passwd");
    }

    #[test]
    fn dotdot_escapes_are_found_lexically() {
        assert!(escapes_with_dotdot("../secret.txt"));
        assert!(escapes_with_dotdot("a/../../secret.txt"));
        assert!(!escapes_with_dotdot("a/../b.txt"));
        assert!(!escapes_with_dotdot("./hello.txt"));
    }

    #[test]
    fn descriptors_follow_open_renumber_and_close() {
        let mut fds = FdTable::new(&[Mount::read_only("/tmp", "/data")]);
        assert_eq!(fds.label(3).as_deref(), Some("/data"));
        fds.opened(3, "hello.txt", 4);
        assert_eq!(fds.label(4).as_deref(), Some("/data/hello.txt"));
        assert_eq!(fds.mount(4), Some(0));
        fds.renumbered(4, 9);
        assert!(!fds.is_open(4));
        assert_eq!(fds.label(9).as_deref(), Some("/data/hello.txt"));
        fds.closed(9);
        assert!(!fds.is_open(9));
        assert!(fds.is_open(1));
    }
}
