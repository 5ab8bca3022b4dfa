//! Which calls were refused for lack of a capability, and why, in one line.
//!
//! wasmtime-wasi 48 answers most refusals with `perm` (paths that leave a
//! preopen, absolute paths, writes on a read-only preopen all end in
//! cap-std's or wasmtime-wasi's `NotPermitted`), `badf` for descriptors the
//! guest was never given, and nothing at all for the environment (the guest
//! just sees fewer variables). The errno alone cannot tell these apart, so the
//! classifier looks at the call's arguments and at the profile.

use std::collections::VecDeque;
use std::path::{Component, Path, PathBuf};

use crate::boundary::denial::{Denial, DenialKind, Guest, Within};
use crate::boundary::profile::{ClockPolicy, SandboxProfile};
use crate::trace::fds::{FdTable, escapes_with_dotdot};
use crate::wasi::abi::{Errno, OFLAG_CREAT, OFLAG_TRUNC, RIGHT_FD_WRITE, WasiFunc};

/// The parts of the profile the classifier needs.
#[derive(Debug)]
pub(crate) struct DenialContext {
    mounts: Vec<MountView>,
    clocks_denied: bool,
    env_withheld: bool,
    host_env_count: usize,
    network_off: bool,
}

#[derive(Debug)]
struct MountView {
    guest: String,
    /// The host directory, canonical (symlinks resolved), to tell whether a
    /// refused path really left it; `None` when it cannot be resolved.
    host: Option<PathBuf>,
    read_only: bool,
}

/// A call as the classifier sees it.
pub(crate) struct CallView<'a> {
    pub func: WasiFunc,
    pub errno: Option<Errno>,
    pub params: &'a [u64],
    pub strings: &'a [Box<str>],
}

impl DenialContext {
    pub(crate) fn new(profile: &SandboxProfile) -> DenialContext {
        DenialContext {
            mounts: profile
                .mounts
                .iter()
                .map(|m| MountView { guest: m.guest.clone(), host: m.host.canonicalize().ok(), read_only: m.read_only })
                .collect(),
            clocks_denied: profile.clocks == ClockPolicy::Denied,
            env_withheld: profile.env.is_empty(),
            host_env_count: std::env::vars_os().count(),
            network_off: profile.network.is_off(),
        }
    }

    pub(crate) fn clocks_denied(&self) -> bool {
        self.clocks_denied
    }

    /// Cheap test for the hot path: could `classify` find anything?
    pub(crate) fn may_deny(&self, func: WasiFunc, errno: Option<Errno>) -> bool {
        errno.is_some() || (self.env_withheld && matches!(func, WasiFunc::EnvironGet | WasiFunc::EnvironSizesGet))
    }

    pub(crate) fn classify(&self, call: &CallView<'_>, fds: &FdTable) -> Option<Denial> {
        use WasiFunc::*;
        let deny = |kind| Some(Denial::new(kind));
        match call.func {
            ClockTimeGet | ClockResGet if self.clocks_denied => {
                return deny(DenialKind::ClockDenied { guest: Guest::CoreModule });
            }
            EnvironGet | EnvironSizesGet if self.env_withheld => {
                return deny(DenialKind::EnvNotGranted { host_vars: self.host_env_count });
            }
            SockAccept | SockRecv | SockSend | SockShutdown if self.network_off => {
                return deny(DenialKind::NoSockets);
            }
            _ => {}
        }
        let errno = call.errno?;
        if call.func.takes_path() && matches!(errno, Errno::PERM | Errno::NOTCAPABLE | Errno::ROFS) {
            return self.classify_path(call, fds);
        }
        if matches!(errno, Errno::PERM | Errno::NOTCAPABLE | Errno::ROFS)
            && call.func.mutates_files()
            && let Some(mount) = self.mount_of(fds, first_fd(call)?)
            && mount.read_only
        {
            return deny(DenialKind::ReadOnlyMount { mount: mount.guest.clone(), needed_by: None });
        }
        if errno == Errno::BADF && !matches!(call.func, FdPrestatGet | FdPrestatDirName) {
            let closed = fd_params(call).find(|fd| !fds.is_open(*fd))?;
            return deny(DenialKind::FdNotOpen { fd: closed });
        }
        None
    }

    fn classify_path(&self, call: &CallView<'_>, fds: &FdTable) -> Option<Denial> {
        let mut dir_fds = fd_params(call);
        let first_fd = dir_fds.next()?;
        let second_fd = dir_fds.next();
        let deny = |kind| Some(Denial::new(kind));

        let read_only = [Some(first_fd), second_fd]
            .into_iter()
            .flatten()
            .filter_map(|fd| self.mount_of(fds, fd))
            .find(|m| m.read_only);
        if self.call_writes(call)
            && let Some(m) = read_only
        {
            return deny(DenialKind::ReadOnlyMount { mount: m.guest.clone(), needed_by: Some(call.func.name()) });
        }
        if let Some(path) = call.strings.iter().find(|p| p.starts_with('/')) {
            return deny(DenialKind::AbsolutePath { path: path.to_string(), guest: Guest::CoreModule });
        }
        // Paths pair with descriptors in order (`path_symlink`'s first path is
        // the link's contents, not a lookup, and is skipped).
        let lookups: Vec<(u64, &str)> = match call.func {
            WasiFunc::PathSymlink => vec![(first_fd, call.strings.get(1)?)],
            _ => [Some(first_fd), second_fd].into_iter().flatten().zip(call.strings.iter().map(|s| &**s)).collect(),
        };
        for (fd, path) in lookups {
            let within = || match (fds.label(fd), self.mount_of(fds, fd)) {
                (Some(label), Some(mount)) if *label == *mount.guest => Within::Mount(label.to_string()),
                (Some(label), _) => Within::Dir(label.to_string()),
                (None, _) => Within::UnknownDir,
            };
            let path = path.to_string();
            match self.escape(fds, fd, &path) {
                Some(Escape::DotDot) => return deny(DenialKind::EscapeByDotDot { path, within: within() }),
                Some(Escape::Symlink { link, target }) => {
                    return deny(DenialKind::EscapeBySymlink { path, within: within(), link, target });
                }
                None => {}
            }
        }
        // Inside the mount all along: the host itself refused (a hard link to
        // a directory, say), which no profile could change.
        None
    }

    /// How `path`, looked up from descriptor `fd`, leaves the directory that
    /// descriptor names, if it does (cap-std refuses both ways out). Symbolic
    /// links are followed as the host would, chains included; the link named
    /// in the answer is the first one on the guest's own path.
    fn escape(&self, fds: &FdTable, fd: u64, path: &str) -> Option<Escape> {
        /// Links followed before giving up on a loop (as Linux's ELOOP).
        const MAX_HOPS: usize = 40;
        if escapes_with_dotdot(path) {
            return Some(Escape::DotDot);
        }
        let mount = self.mount_of(fds, fd)?;
        let label = fds.label(fd)?;
        let inside = label.strip_prefix(mount.guest.as_str()).unwrap_or("").trim_start_matches('/');
        let base = normalize(&mount.host.as_ref()?.join(inside));
        let mut current = base.clone();
        // (component, typed by the guest?) still to resolve.
        let mut queue: VecDeque<(String, bool)> =
            path.split('/').filter(|p| !p.is_empty() && *p != ".").map(|p| (p.to_string(), true)).collect();
        let mut shown = String::new();
        let mut first_link: Option<(String, String)> = None;
        let mut hops = 0;
        while let Some((part, typed)) = queue.pop_front() {
            if typed {
                if !shown.is_empty() {
                    shown.push('/');
                }
                shown.push_str(&part);
            }
            if part == ".." {
                current.pop();
            } else {
                let next = current.join(&part);
                match std::fs::symlink_metadata(&next) {
                    Ok(meta) if meta.file_type().is_symlink() => {
                        hops += 1;
                        let target = std::fs::read_link(&next).ok()?;
                        let link = first_link.get_or_insert_with(|| (shown.clone(), target.display().to_string()));
                        if target.is_absolute() || hops > MAX_HOPS {
                            return Some(Escape::Symlink { link: link.0.clone(), target: link.1.clone() });
                        }
                        let expanded = target.to_string_lossy().into_owned();
                        for piece in expanded.split('/').filter(|p| !p.is_empty() && *p != ".").rev() {
                            queue.push_front((piece.to_string(), false));
                        }
                        continue;
                    }
                    _ => current = next,
                }
            }
            if !current.starts_with(&base) {
                return Some(match first_link {
                    Some((link, target)) => Escape::Symlink { link, target },
                    None => Escape::DotDot,
                });
            }
        }
        None
    }

    /// Whether the call would create, change or delete something.
    fn call_writes(&self, call: &CallView<'_>) -> bool {
        if call.func == WasiFunc::PathOpen {
            // params: fd, dirflags, oflags, rights, fdflags
            let oflags = call.params.get(2).copied().unwrap_or(0);
            let rights = call.params.get(3).copied().unwrap_or(0);
            return oflags & (OFLAG_CREAT | OFLAG_TRUNC) != 0 || rights & RIGHT_FD_WRITE != 0;
        }
        call.func.mutates_files()
    }

    fn mount_of(&self, fds: &FdTable, fd: u64) -> Option<&MountView> {
        self.mounts.get(fds.mount(fd)?)
    }
}

enum Escape {
    DotDot,
    Symlink { link: String, target: String },
}

/// Resolves `.` and `..` without touching the filesystem.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The values of the call's descriptor parameters, in order.
fn fd_params<'a>(call: &'a CallView<'_>) -> impl Iterator<Item = u64> + 'a {
    call.func.fd_params().into_iter().map_while(|at| call.params.get(usize::from(at?)).copied())
}

fn first_fd(call: &CallView<'_>) -> Option<u64> {
    fd_params(call).next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boundary::profile::Mount;

    fn context(mounts: Vec<Mount>) -> (DenialContext, FdTable) {
        let profile = SandboxProfile { mounts: mounts.clone(), ..SandboxProfile::default() };
        (DenialContext::new(&profile), FdTable::new(&mounts))
    }

    fn classify(func: WasiFunc, errno: Errno, params: &[u64], strings: &[&str], mounts: Vec<Mount>) -> Option<Denial> {
        let (ctx, fds) = context(mounts);
        let strings: Vec<Box<str>> = strings.iter().map(|s| Box::from(*s)).collect();
        ctx.classify(&CallView { func, errno: Some(errno), params, strings: &strings }, &fds)
    }

    #[test]
    fn explains_each_kind_of_path_refusal() {
        let root = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("/etc", root.path().join("abs")).unwrap();
        std::os::unix::fs::symlink("../..", root.path().join("up")).unwrap();
        std::os::unix::fs::symlink("sub", root.path().join("inside")).unwrap();
        std::fs::create_dir(root.path().join("sub")).unwrap();
        let data = || vec![Mount::read_write(root.path(), "/data")];
        let open = |path| classify(WasiFunc::PathOpen, Errno::PERM, &[3, 1, 0, 2, 0], &[path], data());
        assert_eq!(open("../secret.txt").unwrap().reason, "`../secret.txt` climbs out of the mount `/data` with `..`");
        assert!(open("/etc/passwd").unwrap().reason.contains("absolute path"));
        assert_eq!(
            open("abs/passwd").unwrap().reason,
            "`abs/passwd` leaves the mount `/data` through the symbolic link `abs` (pointing to `/etc`)"
        );
        assert!(open("up/x").unwrap().reason.contains("through the symbolic link `up`"));
        assert_eq!(open("inside/x"), None, "a link that stays inside is not an escape: the host refused");
    }

    #[test]
    fn writes_on_a_read_only_mount_name_the_mount() {
        let ro = vec![Mount::read_only("/tmp", "/data")];
        let create = classify(
            WasiFunc::PathOpen,
            Errno::PERM,
            &[3, 0, OFLAG_CREAT, RIGHT_FD_WRITE, 0],
            &["out.txt"],
            ro.clone(),
        );
        assert_eq!(create.unwrap().reason, "`/data` is mounted read-only: path_open needs write access");
        let unlink = classify(WasiFunc::PathUnlinkFile, Errno::PERM, &[3], &["hello.txt"], ro.clone());
        assert!(unlink.unwrap().reason.contains("read-only"));
        let truncate = classify(WasiFunc::FdFilestatSetSize, Errno::PERM, &[4, 0], &[], ro);
        assert!(truncate.is_none(), "fd 4 was never opened, so no mount is known");
    }

    #[test]
    fn guessed_descriptors_are_denied_but_preopen_probing_is_not() {
        let none = || vec![];
        let guess = classify(WasiFunc::FdRead, Errno::BADF, &[7, 1], &[], none()).unwrap();
        assert_eq!(guess.reason, "fd 7 is not open: the guest holds no descriptor with that number");
        assert!(classify(WasiFunc::FdPrestatGet, Errno::BADF, &[3], &[], none()).is_none());
        assert!(classify(WasiFunc::PathOpen, Errno::NOENT, &[3, 0, 0, 2, 0], &["x"], none()).is_none());
    }
}
