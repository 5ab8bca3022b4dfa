//! The WASI preview1 ABI as data: every function with its parameters, the
//! errno names, and the names of each flag bit. Calls are recorded as raw
//! numbers (cheap, fixed-size) and decoded into names through these tables
//! only when someone looks at them.

use crate::wasi::capability::Capability;

/// How a recorded scalar is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A file descriptor.
    Fd,
    /// A plain unsigned number (sizes, counts, offsets).
    Num,
    /// A signed number (`filedelta`).
    Signed,
    /// Nanoseconds (a timestamp or a precision).
    Nanos,
    /// Byte count of data whose first bytes are in the call's preview.
    Bytes,
    /// The next string of the call (a path, a name).
    Str,
    /// All remaining strings of the call, as a list.
    StrList,
    ClockId,
    Whence,
    Advice,
    Filetype,
    Signal,
    Lookupflags,
    Oflags,
    Fdflags,
    Rights,
    Fstflags,
    Riflags,
    Roflags,
    Sdflags,
    Siflags,
}

/// One parameter or result of a function, as recorded.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
}

const fn f(name: &'static str, kind: Kind) -> Field {
    Field { name, kind }
}

/// The places of the first two descriptors among `params`' numbers.
const fn fd_params(params: &[Field]) -> [Option<u8>; 2] {
    let mut found = [None, None];
    let (mut i, mut number, mut n) = (0, 0u8, 0);
    while i < params.len() {
        match params[i].kind {
            Kind::Str | Kind::StrList => {}
            Kind::Fd => {
                if n < found.len() {
                    found[n] = Some(number);
                    n += 1;
                }
                number += 1;
            }
            _ => number += 1,
        }
        i += 1;
    }
    found
}

macro_rules! wasi_funcs {
    ($( $variant:ident = $name:literal, $cap:ident, [$($param:expr),*], [$($result:expr),*]; )*) => {
        /// A `wasi_snapshot_preview1` function.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[repr(u8)]
        pub enum WasiFunc { $($variant),* }

        impl WasiFunc {
            pub const ALL: &'static [WasiFunc] = &[$(WasiFunc::$variant),*];

            pub fn name(self) -> &'static str {
                match self { $(WasiFunc::$variant => $name),* }
            }

            /// The capability this function belongs to when its descriptor
            /// (if any) is not known.
            pub fn capability(self) -> Capability {
                match self { $(WasiFunc::$variant => Capability::$cap),* }
            }

            /// Recorded parameters, in the order of `CallEvent::params`.
            /// Pointers are not listed: what they point at is recorded instead
            /// (strings in `CallEvent::strings`, data in `CallEvent::preview`).
            pub fn params(self) -> &'static [Field] {
                match self { $(WasiFunc::$variant => const { &[$($param),*] }),* }
            }

            /// Values the call wrote back on success, in the order of
            /// `CallEvent::results`.
            pub fn results(self) -> &'static [Field] {
                match self { $(WasiFunc::$variant => const { &[$($result),*] }),* }
            }

            /// Where the function's descriptors are among its recorded
            /// parameters (`CallEvent::params`, which leave strings out):
            /// the first two, worked out once, when this is compiled.
            pub fn fd_params(self) -> [Option<u8>; 2] {
                match self { $(WasiFunc::$variant => const { fd_params(&[$($param),*]) }),* }
            }

            pub fn from_name(name: &str) -> Option<WasiFunc> {
                match name { $($name => Some(WasiFunc::$variant),)* _ => None }
            }
        }
    };
}

use Kind::*;

wasi_funcs! {
    ArgsGet = "args_get", EnvArgs, [f("argv", StrList)], [];
    ArgsSizesGet = "args_sizes_get", EnvArgs, [], [f("argc", Num), f("argv_buf_size", Num)];
    EnvironGet = "environ_get", EnvArgs, [f("names", StrList)], [];
    EnvironSizesGet = "environ_sizes_get", EnvArgs, [], [f("count", Num), f("buf_size", Num)];
    ClockResGet = "clock_res_get", Clocks, [f("id", ClockId)], [f("resolution", Nanos)];
    ClockTimeGet = "clock_time_get", Clocks, [f("id", ClockId), f("precision", Nanos)], [f("time", Nanos)];
    FdAdvise = "fd_advise", Files, [f("fd", Fd), f("offset", Num), f("len", Num), f("advice", Advice)], [];
    FdAllocate = "fd_allocate", Files, [f("fd", Fd), f("offset", Num), f("len", Num)], [];
    FdClose = "fd_close", Files, [f("fd", Fd)], [];
    FdDatasync = "fd_datasync", Files, [f("fd", Fd)], [];
    FdFdstatGet = "fd_fdstat_get", Files, [f("fd", Fd)], [f("filetype", Filetype), f("flags", Fdflags)];
    FdFdstatSetFlags = "fd_fdstat_set_flags", Files, [f("fd", Fd), f("flags", Fdflags)], [];
    FdFdstatSetRights = "fd_fdstat_set_rights", Files, [f("fd", Fd), f("rights", Rights), f("inheriting", Rights)], [];
    FdFilestatGet = "fd_filestat_get", Files, [f("fd", Fd)], [f("filetype", Filetype), f("size", Num)];
    FdFilestatSetSize = "fd_filestat_set_size", Files, [f("fd", Fd), f("size", Num)], [];
    FdFilestatSetTimes = "fd_filestat_set_times", Files, [f("fd", Fd), f("atim", Nanos), f("mtim", Nanos), f("flags", Fstflags)], [];
    FdPread = "fd_pread", Files, [f("fd", Fd), f("iovs_len", Num), f("offset", Num)], [f("nread", Bytes)];
    FdPrestatGet = "fd_prestat_get", Files, [f("fd", Fd)], [f("name_len", Num)];
    FdPrestatDirName = "fd_prestat_dir_name", Files, [f("fd", Fd), f("name", Str)], [];
    FdPwrite = "fd_pwrite", Files, [f("fd", Fd), f("data", Bytes), f("offset", Num)], [f("nwritten", Num)];
    FdRead = "fd_read", Stdio, [f("fd", Fd), f("iovs_len", Num)], [f("nread", Bytes)];
    FdReaddir = "fd_readdir", Files, [f("fd", Fd), f("buf_len", Num), f("cookie", Num)], [f("bufused", Num), f("entries", StrList)];
    FdRenumber = "fd_renumber", Files, [f("fd", Fd), f("to", Fd)], [];
    FdSeek = "fd_seek", Files, [f("fd", Fd), f("offset", Signed), f("whence", Whence)], [f("newoffset", Num)];
    FdSync = "fd_sync", Files, [f("fd", Fd)], [];
    FdTell = "fd_tell", Files, [f("fd", Fd)], [f("offset", Num)];
    FdWrite = "fd_write", Stdio, [f("fd", Fd), f("data", Bytes)], [f("nwritten", Num)];
    PathCreateDirectory = "path_create_directory", Files, [f("fd", Fd), f("path", Str)], [];
    PathFilestatGet = "path_filestat_get", Files, [f("fd", Fd), f("flags", Lookupflags), f("path", Str)], [f("filetype", Filetype), f("size", Num)];
    PathFilestatSetTimes = "path_filestat_set_times", Files, [f("fd", Fd), f("flags", Lookupflags), f("path", Str), f("atim", Nanos), f("mtim", Nanos), f("fst_flags", Fstflags)], [];
    PathLink = "path_link", Files, [f("old_fd", Fd), f("old_flags", Lookupflags), f("old_path", Str), f("new_fd", Fd), f("new_path", Str)], [];
    PathOpen = "path_open", Files, [f("fd", Fd), f("dirflags", Lookupflags), f("path", Str), f("oflags", Oflags), f("rights", Rights), f("fdflags", Fdflags)], [f("opened_fd", Fd)];
    PathReadlink = "path_readlink", Files, [f("fd", Fd), f("path", Str), f("buf_len", Num)], [f("target", Str)];
    PathRemoveDirectory = "path_remove_directory", Files, [f("fd", Fd), f("path", Str)], [];
    PathRename = "path_rename", Files, [f("fd", Fd), f("old_path", Str), f("new_fd", Fd), f("new_path", Str)], [];
    PathSymlink = "path_symlink", Files, [f("old_path", Str), f("fd", Fd), f("new_path", Str)], [];
    PathUnlinkFile = "path_unlink_file", Files, [f("fd", Fd), f("path", Str)], [];
    PollOneoff = "poll_oneoff", Clocks, [f("subscriptions", StrList)], [f("nevents", Num)];
    ProcExit = "proc_exit", Process, [f("code", Num)], [];
    ProcRaise = "proc_raise", Process, [f("sig", Signal)], [];
    SchedYield = "sched_yield", Process, [], [];
    RandomGet = "random_get", Random, [f("buf_len", Num)], [];
    SockAccept = "sock_accept", Network, [f("fd", Fd), f("flags", Fdflags)], [f("fd", Fd)];
    SockRecv = "sock_recv", Network, [f("fd", Fd), f("iovs_len", Num), f("flags", Riflags)], [f("nread", Bytes), f("flags", Roflags)];
    SockSend = "sock_send", Network, [f("fd", Fd), f("data", Bytes), f("flags", Siflags)], [f("nwritten", Num)];
    SockShutdown = "sock_shutdown", Network, [f("fd", Fd), f("how", Sdflags)], [];
}

impl WasiFunc {
    /// True for calls that change the filesystem (or would obtain a handle
    /// that can), and so are refused on a read-only mount.
    pub fn mutates_files(self) -> bool {
        use WasiFunc::*;
        matches!(
            self,
            FdAllocate
                | FdFilestatSetSize
                | FdFilestatSetTimes
                | FdPwrite
                | PathCreateDirectory
                | PathFilestatSetTimes
                | PathLink
                | PathRemoveDirectory
                | PathRename
                | PathSymlink
                | PathUnlinkFile
        )
    }

    /// True for calls that take a path relative to a directory descriptor.
    pub fn takes_path(self) -> bool {
        self.params().iter().any(|p| p.kind == Kind::Str) && self != WasiFunc::FdPrestatDirName
    }
}

/// A WASI preview1 errno. `Errno::SUCCESS` is not used in recorded calls:
/// a successful call has no errno.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Errno(pub u16);

const ERRNO_NAMES: [&str; 77] = [
    "success",
    "2big",
    "acces",
    "addrinuse",
    "addrnotavail",
    "afnosupport",
    "again",
    "already",
    "badf",
    "badmsg",
    "busy",
    "canceled",
    "child",
    "connaborted",
    "connrefused",
    "connreset",
    "deadlk",
    "destaddrreq",
    "dom",
    "dquot",
    "exist",
    "fault",
    "fbig",
    "hostunreach",
    "idrm",
    "ilseq",
    "inprogress",
    "intr",
    "inval",
    "io",
    "isconn",
    "isdir",
    "loop",
    "mfile",
    "mlink",
    "msgsize",
    "multihop",
    "nametoolong",
    "netdown",
    "netreset",
    "netunreach",
    "nfile",
    "nobufs",
    "nodev",
    "noent",
    "noexec",
    "nolck",
    "nolink",
    "nomem",
    "nomsg",
    "noprotoopt",
    "nospc",
    "nosys",
    "notconn",
    "notdir",
    "notempty",
    "notrecoverable",
    "notsock",
    "notsup",
    "notty",
    "nxio",
    "overflow",
    "ownerdead",
    "perm",
    "pipe",
    "proto",
    "protonosupport",
    "prototype",
    "range",
    "rofs",
    "spipe",
    "srch",
    "stale",
    "timedout",
    "txtbsy",
    "xdev",
    "notcapable",
];

const ERRNO_TEXT: [&str; 77] = [
    "No error occurred",
    "Argument list too long",
    "Permission denied",
    "Address in use",
    "Address not available",
    "Address family not supported",
    "Resource unavailable, or operation would block",
    "Connection already in progress",
    "Bad file descriptor",
    "Bad message",
    "Device or resource busy",
    "Operation canceled",
    "No child processes",
    "Connection aborted",
    "Connection refused",
    "Connection reset",
    "Resource deadlock would occur",
    "Destination address required",
    "Mathematics argument out of domain of function",
    "Reserved",
    "File exists",
    "Bad address",
    "File too large",
    "Host is unreachable",
    "Identifier removed",
    "Illegal byte sequence",
    "Operation in progress",
    "Interrupted function",
    "Invalid argument",
    "I/O error",
    "Socket is connected",
    "Is a directory",
    "Too many levels of symbolic links",
    "File descriptor value too large",
    "Too many links",
    "Message too large",
    "Reserved",
    "Filename too long",
    "Network is down",
    "Connection aborted by network",
    "Network unreachable",
    "Too many files open in system",
    "No buffer space available",
    "No such device",
    "No such file or directory",
    "Executable file format error",
    "No locks available",
    "Reserved",
    "Not enough space",
    "No message of the desired type",
    "Protocol not available",
    "No space left on device",
    "Function not supported",
    "The socket is not connected",
    "Not a directory or a symbolic link to a directory",
    "Directory not empty",
    "State not recoverable",
    "Not a socket",
    "Not supported, or operation not supported on socket",
    "Inappropriate I/O control operation",
    "No such device or address",
    "Value too large to be stored in data type",
    "Previous owner died",
    "Operation not permitted",
    "Broken pipe",
    "Protocol error",
    "Protocol not supported",
    "Protocol wrong type for socket",
    "Result too large",
    "Read-only file system",
    "Invalid seek",
    "No such process",
    "Reserved",
    "Connection timed out",
    "Text file busy",
    "Cross-device link",
    "Capabilities insufficient",
];

impl Errno {
    pub const SUCCESS: Errno = Errno(0);
    pub const ACCES: Errno = Errno(2);
    pub const BADF: Errno = Errno(8);
    pub const INVAL: Errno = Errno(28);
    pub const NOENT: Errno = Errno(44);
    pub const NOTSUP: Errno = Errno(58);
    pub const PERM: Errno = Errno(63);
    pub const ROFS: Errno = Errno(69);
    pub const NOTCAPABLE: Errno = Errno(76);

    /// The lowercase WASI name (`perm`, `noent`, `notcapable`…), or the
    /// number for a value outside the table.
    pub fn name(self) -> std::borrow::Cow<'static, str> {
        match ERRNO_NAMES.get(usize::from(self.0)) {
            Some(name) => std::borrow::Cow::Borrowed(name),
            None => std::borrow::Cow::Owned(format!("errno{}", self.0)),
        }
    }

    /// What the errno means, in the words of the WASI specification.
    pub fn description(self) -> &'static str {
        ERRNO_TEXT.get(usize::from(self.0)).copied().unwrap_or("Unknown error")
    }

    pub fn from_name(name: &str) -> Option<Errno> {
        ERRNO_NAMES.iter().position(|n| *n == name).map(|i| Errno(i as u16))
    }

    /// Every errno, for filters and pickers.
    pub fn all() -> impl Iterator<Item = Errno> {
        (1..ERRNO_NAMES.len() as u16).map(Errno)
    }
}

impl std::fmt::Display for Errno {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// Names of the bits of a flags kind, lowest bit first; `None` for kinds that
/// are not flags.
pub fn flag_names(kind: Kind) -> Option<&'static [&'static str]> {
    Some(match kind {
        Kind::Lookupflags => &["symlink_follow"],
        Kind::Oflags => &["creat", "directory", "excl", "trunc"],
        Kind::Fdflags => &["append", "dsync", "nonblock", "rsync", "sync"],
        Kind::Fstflags => &["atim", "atim_now", "mtim", "mtim_now"],
        Kind::Riflags => &["recv_peek", "recv_waitall"],
        Kind::Roflags => &["recv_data_truncated"],
        Kind::Sdflags => &["rd", "wr"],
        Kind::Siflags => &[],
        Kind::Rights => &RIGHTS,
        _ => return None,
    })
}

/// Names of the values of an enum kind; `None` for kinds that are not enums.
pub fn enum_names(kind: Kind) -> Option<&'static [&'static str]> {
    Some(match kind {
        Kind::ClockId => &["realtime", "monotonic", "process_cputime_id", "thread_cputime_id"],
        Kind::Whence => &["set", "cur", "end"],
        Kind::Advice => &["normal", "sequential", "random", "willneed", "dontneed", "noreuse"],
        Kind::Filetype => &[
            "unknown",
            "block_device",
            "character_device",
            "directory",
            "regular_file",
            "socket_dgram",
            "socket_stream",
            "symbolic_link",
        ],
        Kind::Signal => &[
            "none", "hup", "int", "quit", "ill", "trap", "abrt", "bus", "fpe", "kill", "usr1", "segv", "usr2", "pipe",
            "alrm", "term", "chld", "cont", "stop", "tstp", "ttin", "ttou", "urg", "xcpu", "xfsz", "vtalrm", "prof",
            "winch", "poll", "pwr", "sys",
        ],
        _ => return None,
    })
}

/// The 30 preview1 rights, lowest bit first.
pub const RIGHTS: [&str; 30] = [
    "fd_datasync",
    "fd_read",
    "fd_seek",
    "fd_fdstat_set_flags",
    "fd_sync",
    "fd_tell",
    "fd_write",
    "fd_advise",
    "fd_allocate",
    "path_create_directory",
    "path_create_file",
    "path_link_source",
    "path_link_target",
    "path_open",
    "fd_readdir",
    "path_readlink",
    "path_rename_source",
    "path_rename_target",
    "path_filestat_get",
    "path_filestat_set_size",
    "path_filestat_set_times",
    "fd_filestat_get",
    "fd_filestat_set_size",
    "fd_filestat_set_times",
    "path_symlink",
    "path_remove_directory",
    "path_unlink_file",
    "poll_fd_readwrite",
    "sock_shutdown",
    "sock_accept",
];

pub const RIGHT_FD_READ: u64 = 1 << 1;
pub const RIGHT_FD_WRITE: u64 = 1 << 6;
pub const OFLAG_CREAT: u64 = 1 << 0;
pub const OFLAG_TRUNC: u64 = 1 << 3;

/// The names of the set bits of `bits`, lowest first; unknown bits are
/// shown as a hexadecimal remainder.
pub fn flags_to_names(kind: Kind, bits: u64) -> Vec<std::borrow::Cow<'static, str>> {
    let names = flag_names(kind).unwrap_or(&[]);
    let mut out = Vec::new();
    let mut unknown = bits;
    for (i, name) in names.iter().enumerate() {
        if bits & (1 << i) != 0 {
            out.push(std::borrow::Cow::Borrowed(*name));
            unknown &= !(1 << i);
        }
    }
    if unknown != 0 {
        out.push(std::borrow::Cow::Owned(format!("{unknown:#x}")));
    }
    out
}

/// The capability a `wasi_snapshot_preview1` import belongs to, by its name,
/// or `None` for a name that is not a preview1 function.
///
/// `fd_read`/`fd_write` and friends serve both stdio and files; statically they
/// are tagged `Stdio` when that is their only plausible use (`fd_write`,
/// `fd_read`) and `Files` otherwise. At run time the trace tags each call by
/// the descriptor it actually used.
pub fn capability_of_import(name: &str) -> Option<Capability> {
    WasiFunc::from_name(name).map(WasiFunc::capability)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preview1_function_is_listed_once() {
        assert_eq!(WasiFunc::ALL.len(), 46);
        for func in WasiFunc::ALL {
            assert_eq!(WasiFunc::from_name(func.name()), Some(*func));
        }
    }

    /// The table worked out at compile time agrees with the parameter
    /// lists read one by one: strings are not among the numbers.
    #[test]
    fn descriptors_are_found_among_the_numbers_strings_left_out() {
        use WasiFunc::*;
        assert_eq!(ClockTimeGet.fd_params(), [None, None]);
        assert_eq!(FdWrite.fd_params(), [Some(0), None]);
        assert_eq!(PathRename.fd_params(), [Some(0), Some(1)]);
        assert_eq!(PathSymlink.fd_params(), [Some(0), None]);
        assert_eq!(PathLink.fd_params(), [Some(0), Some(2)]);
        for func in WasiFunc::ALL {
            let numbers = func.params().iter().filter(|p| !matches!(p.kind, Kind::Str | Kind::StrList));
            let fds: Vec<u8> = (0..).zip(numbers).filter(|(_, p)| p.kind == Kind::Fd).map(|(i, _)| i).collect();
            // Two slots hold every descriptor: the denial rules look past none.
            assert!(fds.len() <= 2, "{func:?} takes {} descriptors", fds.len());
            let mut expected = [None, None];
            for (slot, at) in expected.iter_mut().zip(fds) {
                *slot = Some(at);
            }
            assert_eq!(func.fd_params(), expected, "{func:?}");
        }
    }

    #[test]
    fn errno_names_match_the_witx_numbering() {
        assert_eq!(Errno(63).name(), "perm");
        assert_eq!(Errno(76).name(), "notcapable");
        assert_eq!(Errno(44).name(), "noent");
        assert_eq!(Errno(48).name(), "nomem");
        assert_eq!(Errno::from_name("badf"), Some(Errno::BADF));
        assert_eq!(Errno(500).name(), "errno500");
    }

    #[test]
    fn flags_decode_by_name_with_unknown_bits_kept() {
        let names = flags_to_names(Kind::Oflags, OFLAG_CREAT | OFLAG_TRUNC | 0x100);
        assert_eq!(names, vec!["creat", "trunc", "0x100"]);
        assert!(flags_to_names(Kind::Lookupflags, 0).is_empty());
    }

    #[test]
    fn preview1_imports_are_tagged() {
        assert_eq!(capability_of_import("path_open"), Some(Capability::Files));
        assert_eq!(capability_of_import("fd_write"), Some(Capability::Stdio));
        assert_eq!(capability_of_import("clock_time_get"), Some(Capability::Clocks));
        assert_eq!(capability_of_import("environ_get"), Some(Capability::EnvArgs));
        assert_eq!(capability_of_import("args_get"), Some(Capability::EnvArgs));
        assert_eq!(capability_of_import("random_get"), Some(Capability::Random));
        assert_eq!(capability_of_import("proc_exit"), Some(Capability::Process));
        assert_eq!(capability_of_import("sock_send"), Some(Capability::Network));
        assert_eq!(capability_of_import("not_a_function"), None);
    }
}
