//! The escape battery: guests that try every way out of their sandbox. Each
//! case checks the host (no file outside touched, no secret byte printed) and
//! the trace (the refused call is marked denied, with the right reason).
//! Zero escapes.

use std::os::unix::fs::symlink;
use std::path::PathBuf;

use crate::support::Report;
use crate::support::guest::{
    FOLLOW, Guest, OFLAG_CREAT, OFLAG_DIRECTORY, OFLAG_TRUNC, OUT_FD, RIGHT_READ, RIGHT_WRITE,
};
use runtime_worker::inspect::load;
use runtime_worker::{
    Capability, ClockPolicy, Entry, Environment, Errno, Mount, RunOutcome, RunRequest, SandboxProfile, WasiFunc,
};

const SECRET: &str = "TOP-SECRET-HOST-FILE";
const DATA: u32 = 3; // /data, read-write
const RO: u32 = 4; // /ro, read-only
const OTHER: u32 = 5; // /other, read-write

/// A host tree with a secret outside every mount:
/// `secret.txt`, `data/` (→ /data), `ro/` (→ /ro, read-only), `other/` (→ /other).
struct Host {
    root: tempfile::TempDir,
}

impl Host {
    fn new() -> Host {
        let root = tempfile::tempdir().unwrap();
        let p = root.path();
        std::fs::write(p.join("secret.txt"), SECRET).unwrap();
        for dir in ["data/sub", "ro/dir", "other"] {
            std::fs::create_dir_all(p.join(dir)).unwrap();
        }
        std::fs::write(p.join("data/hello.txt"), "hello").unwrap();
        std::fs::write(p.join("ro/keep.txt"), "keep me").unwrap();
        Host { root }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.root.path().join(relative)
    }

    fn profile(&self) -> SandboxProfile {
        SandboxProfile {
            mounts: vec![
                Mount::read_write(self.path("data"), "/data"),
                Mount::read_only(self.path("ro"), "/ro"),
                Mount::read_write(self.path("other"), "/other"),
            ],
            ..SandboxProfile::default()
        }
    }

    fn run(&self, guest: &Guest) -> Report {
        self.run_with(guest, self.profile())
    }

    fn run_with(&self, guest: &Guest, profile: SandboxProfile) -> Report {
        let module = load::load("case.wat", guest.build().as_bytes()).expect("the case compiles");
        let report =
            Report { events: crate::support::runtime().start(RunRequest::new(module, profile, Entry::Start)).wait() };
        assert_eq!(report.outcome(), &RunOutcome::Exited { code: 0 }, "the guest runs to the end");
        assert!(!report.stdout().contains(SECRET), "the secret leaked to stdout");
        assert_eq!(std::fs::read_to_string(self.path("secret.txt")).unwrap(), SECRET, "the secret was changed");
        assert_eq!(
            std::fs::read_to_string(self.path("ro/keep.txt")).unwrap(),
            "keep me",
            "the read-only mount changed"
        );
        report
    }

    fn unchanged_outside(&self) {
        let names: Vec<String> = std::fs::read_dir(self.root.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let mut names = names;
        names.sort();
        assert_eq!(names, ["data", "other", "ro", "secret.txt"], "something appeared outside the mounts");
    }
}

/// The single call to `func` must be denied for a reason containing `reason`.
fn assert_denied(report: &Report, func: WasiFunc, capability: Capability, reason: &str) {
    let calls = report.calls_to(func);
    let denied: Vec<_> = calls.iter().filter(|c| c.denial.is_some()).collect();
    assert!(
        !denied.is_empty(),
        "{} was not denied: {:?}",
        func.name(),
        calls.iter().map(|c| c.to_text()).collect::<Vec<_>>()
    );
    let denial = denied[0].denial.as_ref().unwrap();
    assert_eq!(denial.capability, capability);
    assert!(denial.reason.contains(reason), "reason `{}` lacks `{reason}`", denial.reason);
}

fn open_and_print(dir: u32, path: &str) -> Guest {
    let mut guest = Guest::new();
    guest.open(dir, path, 0, RIGHT_READ).print_opened();
    guest
}

// ---- Paths out of a mount ----

#[test]
fn dotdot_out_of_a_mount() {
    let host = Host::new();
    let report = host.run(&open_and_print(DATA, "../secret.txt"));
    assert_denied(&report, WasiFunc::PathOpen, Capability::Files, "climbs out of the mount `/data` with `..`");
}

#[test]
fn dotdot_after_a_detour() {
    let host = Host::new();
    let report = host.run(&open_and_print(DATA, "sub/../../secret.txt"));
    assert_denied(&report, WasiFunc::PathOpen, Capability::Files, "with `..`");
}

#[test]
fn dotdot_from_a_subdirectory_descriptor() {
    let host = Host::new();
    let mut guest = Guest::new();
    // Open /data/sub as a directory (fd 6), then climb two levels from it.
    guest.open(DATA, "sub", OFLAG_DIRECTORY, RIGHT_READ);
    let path = guest.s("../../secret.txt");
    guest.call(
        "path_open",
        &format!("(i32.load (i32.const {OUT_FD})) (i32.const {FOLLOW}) {path} (i32.const 0) (i64.const {RIGHT_READ}) (i64.const 0) (i32.const 0) (i32.const {OUT_FD})"),
    );
    let report = host.run(&guest);
    let escape = report.calls_to(WasiFunc::PathOpen)[1];
    assert_eq!(escape.fd_labels[0].as_deref(), Some("/data/sub"));
    assert!(escape.denial.as_ref().unwrap().reason.contains("climbs out of `/data/sub`"));
}

#[test]
fn absolute_path_to_a_host_file() {
    let host = Host::new();
    let secret = host.path("secret.txt").display().to_string();
    let report = host.run(&open_and_print(DATA, &secret));
    assert_denied(&report, WasiFunc::PathOpen, Capability::Files, "absolute path");
}

#[test]
fn absolute_path_to_etc_passwd() {
    let host = Host::new();
    let report = host.run(&open_and_print(DATA, "/etc/passwd"));
    assert!(!report.stdout().contains("root:"));
    assert_denied(&report, WasiFunc::PathOpen, Capability::Files, "absolute path");
}

// ---- Symbolic links ----

#[test]
fn symlink_planted_by_the_host_with_an_absolute_target() {
    let host = Host::new();
    symlink(host.path("secret.txt"), host.path("data/abs_link")).unwrap();
    let report = host.run(&open_and_print(DATA, "abs_link"));
    assert_denied(&report, WasiFunc::PathOpen, Capability::Files, "through the symbolic link `abs_link`");
}

#[test]
fn symlink_planted_by_the_host_climbing_out() {
    let host = Host::new();
    symlink("../secret.txt", host.path("data/rel_link")).unwrap();
    let report = host.run(&open_and_print(DATA, "rel_link"));
    assert_denied(&report, WasiFunc::PathOpen, Capability::Files, "through the symbolic link `rel_link`");
}

#[test]
fn a_chain_of_symlinks_that_ends_outside() {
    let host = Host::new();
    symlink("../../secret.txt", host.path("data/sub/out")).unwrap();
    symlink("sub/out", host.path("data/chain")).unwrap();
    let report = host.run(&open_and_print(DATA, "chain"));
    assert_eq!(report.calls_to(WasiFunc::PathOpen)[0].errno, Some(Errno::PERM));
    assert_denied(&report, WasiFunc::PathOpen, Capability::Files, "symbolic link");
}

#[test]
fn a_symlinked_directory_pointing_outside() {
    let host = Host::new();
    symlink(host.root.path(), host.path("data/rootdir")).unwrap();
    let report = host.run(&open_and_print(DATA, "rootdir/secret.txt"));
    assert_denied(&report, WasiFunc::PathOpen, Capability::Files, "through the symbolic link `rootdir`");
}

#[test]
fn symlink_created_by_the_guest_then_followed() {
    let host = Host::new();
    let mut guest = Guest::new();
    let (target, link) = (guest.s("../secret.txt"), guest.s("made_by_guest"));
    guest.call("path_symlink", &format!("{target} (i32.const {DATA}) {link}"));
    guest.open(DATA, "made_by_guest", 0, RIGHT_READ).print_opened();
    let report = host.run(&guest);
    assert_denied(&report, WasiFunc::PathOpen, Capability::Files, "through the symbolic link `made_by_guest`");
}

#[test]
fn absolute_symlink_created_by_the_guest() {
    let host = Host::new();
    let mut guest = Guest::new();
    let (target, link) = (guest.s("/etc/passwd"), guest.s("abs"));
    guest.call("path_symlink", &format!("{target} (i32.const {DATA}) {link}"));
    guest.open(DATA, "abs", 0, RIGHT_READ).print_opened();
    let report = host.run(&guest);
    assert!(!report.stdout().contains("root:"));
    // wasmtime-wasi refuses to create a link to an absolute path at all.
    assert!(!host.path("data/abs").exists());
    assert_denied(&report, WasiFunc::PathSymlink, Capability::Files, "`/etc/passwd` is an absolute path");
    assert_eq!(report.calls_to(WasiFunc::PathOpen)[0].errno, Some(Errno::NOENT));
}

#[test]
fn readlink_does_not_resolve_outside() {
    let host = Host::new();
    symlink("../secret.txt", host.path("data/rel_link")).unwrap();
    let mut guest = Guest::new();
    let link = guest.s("rel_link");
    guest.call("path_readlink", &format!("(i32.const {DATA}) {link} (i32.const 1024) (i32.const 256) (i32.const 40)"));
    let report = host.run(&guest);
    // Reading a link's text is allowed; it names the target, it does not open it.
    let readlink = report.calls_to(WasiFunc::PathReadlink)[0];
    assert_eq!(readlink.errno, None);
    assert_eq!(readlink.strings[1].as_ref(), "../secret.txt");
}

// ---- Links and renames ----

#[test]
fn hard_link_to_a_name_outside() {
    let host = Host::new();
    let mut guest = Guest::new();
    let (old, new) = (guest.s("hello.txt"), guest.s("../stolen.txt"));
    guest.call("path_link", &format!("(i32.const {DATA}) (i32.const 0) {old} (i32.const {DATA}) {new}"));
    let report = host.run(&guest);
    host.unchanged_outside();
    assert_denied(&report, WasiFunc::PathLink, Capability::Files, "`../stolen.txt` climbs out");
}

#[test]
fn hard_link_of_a_file_outside() {
    let host = Host::new();
    let mut guest = Guest::new();
    let (old, new) = (guest.s("../secret.txt"), guest.s("copy.txt"));
    guest.call("path_link", &format!("(i32.const {DATA}) (i32.const 0) {old} (i32.const {DATA}) {new}"));
    guest.open(DATA, "copy.txt", 0, RIGHT_READ).print_opened();
    let report = host.run(&guest);
    assert!(!host.path("data/copy.txt").exists());
    assert_denied(&report, WasiFunc::PathLink, Capability::Files, "climbs out");
}

#[test]
fn rename_into_a_read_only_mount() {
    let host = Host::new();
    let mut guest = Guest::new();
    let (old, new) = (guest.s("hello.txt"), guest.s("moved.txt"));
    guest.call("path_rename", &format!("(i32.const {DATA}) {old} (i32.const {RO}) {new}"));
    let report = host.run(&guest);
    assert!(host.path("data/hello.txt").exists() && !host.path("ro/moved.txt").exists());
    assert_denied(&report, WasiFunc::PathRename, Capability::Files, "`/ro` is mounted read-only");
}

#[test]
fn rename_out_of_every_mount() {
    let host = Host::new();
    let mut guest = Guest::new();
    let (old, new) = (guest.s("hello.txt"), guest.s("../../hello.txt"));
    guest.call("path_rename", &format!("(i32.const {DATA}) {old} (i32.const {OTHER}) {new}"));
    let report = host.run(&guest);
    host.unchanged_outside();
    assert_denied(&report, WasiFunc::PathRename, Capability::Files, "climbs out of the mount `/other`");
}

// ---- Read-only mounts ----

#[test]
fn creating_a_file_on_a_read_only_mount() {
    let host = Host::new();
    let mut guest = Guest::new();
    guest.open(RO, "new.txt", OFLAG_CREAT, RIGHT_WRITE).write_opened("written");
    let report = host.run(&guest);
    assert!(!host.path("ro/new.txt").exists());
    assert_denied(&report, WasiFunc::PathOpen, Capability::Files, "`/ro` is mounted read-only");
}

#[test]
fn truncating_a_file_on_a_read_only_mount() {
    let host = Host::new();
    let mut guest = Guest::new();
    guest.open(RO, "keep.txt", OFLAG_TRUNC, RIGHT_WRITE);
    let report = host.run(&guest);
    assert_denied(&report, WasiFunc::PathOpen, Capability::Files, "`/ro` is mounted read-only");
}

#[test]
fn writing_to_a_file_on_a_read_only_mount() {
    let host = Host::new();
    let mut guest = Guest::new();
    guest.open(RO, "keep.txt", 0, RIGHT_WRITE).write_opened("overwritten");
    let report = host.run(&guest);
    assert_denied(&report, WasiFunc::PathOpen, Capability::Files, "read-only");
}

#[test]
fn shrinking_a_read_only_file_through_its_descriptor() {
    let host = Host::new();
    let mut guest = Guest::new();
    guest.open(RO, "keep.txt", 0, RIGHT_READ);
    guest.call("fd_filestat_set_size", &format!("(i32.load (i32.const {OUT_FD})) (i64.const 0)"));
    guest.call("fd_allocate", &format!("(i32.load (i32.const {OUT_FD})) (i64.const 0) (i64.const 4096)"));
    let report = host.run(&guest);
    assert_denied(&report, WasiFunc::FdFilestatSetSize, Capability::Files, "`/ro` is mounted read-only");
}

#[test]
fn deleting_and_making_directories_on_a_read_only_mount() {
    let host = Host::new();
    let mut guest = Guest::new();
    let (file, dir, new_dir) = (guest.s("keep.txt"), guest.s("dir"), guest.s("newdir"));
    guest.call("path_unlink_file", &format!("(i32.const {RO}) {file}"));
    guest.call("path_remove_directory", &format!("(i32.const {RO}) {dir}"));
    guest.call("path_create_directory", &format!("(i32.const {RO}) {new_dir}"));
    let report = host.run(&guest);
    assert!(host.path("ro/dir").is_dir() && !host.path("ro/newdir").exists());
    for func in [WasiFunc::PathUnlinkFile, WasiFunc::PathRemoveDirectory, WasiFunc::PathCreateDirectory] {
        assert_denied(&report, func, Capability::Files, "`/ro` is mounted read-only");
    }
}

#[test]
fn changing_times_on_a_read_only_mount() {
    let host = Host::new();
    let before = std::fs::metadata(host.path("ro/keep.txt")).unwrap().modified().unwrap();
    let mut guest = Guest::new();
    let file = guest.s("keep.txt");
    // fst_flags 0b1010: set atim and mtim to "now".
    guest.call(
        "path_filestat_set_times",
        &format!("(i32.const {RO}) (i32.const 0) {file} (i64.const 0) (i64.const 0) (i32.const 10)"),
    );
    let report = host.run(&guest);
    assert_eq!(std::fs::metadata(host.path("ro/keep.txt")).unwrap().modified().unwrap(), before);
    assert_denied(&report, WasiFunc::PathFilestatSetTimes, Capability::Files, "`/ro` is mounted read-only");
}

#[test]
fn opening_a_directory_for_writing() {
    let host = Host::new();
    let mut guest = Guest::new();
    guest.open(RO, "dir", 0, RIGHT_WRITE);
    guest.open(DATA, "sub", 0, RIGHT_WRITE);
    let report = host.run(&guest);
    let opens = report.calls_to(WasiFunc::PathOpen);
    // On the read-only mount it is a denial; on a writable one the host
    // refuses it (a directory is not writable), which no grant changes.
    assert!(opens[0].denial.as_ref().unwrap().reason.contains("read-only"));
    assert_eq!(opens[1].errno, Some(Errno(31)), "isdir: {}", opens[1].to_text());
    assert!(opens[1].denial.is_none());
}

// ---- Environment, clocks, descriptors, sockets ----

#[test]
fn environment_variables_not_granted_stay_on_the_host() {
    // SAFETY: a variable of this test only, set before the run.
    unsafe { std::env::set_var("WASMSCOPE_BATTERY_SECRET", SECRET) };
    let host = Host::new();
    let mut guest = Guest::new();
    guest.call("environ_sizes_get", "(i32.const 48) (i32.const 52)");
    guest.call("environ_get", "(i32.const 2048) (i32.const 4096)");
    guest.wat("(i32.store (i32.const 32) (i32.const 4096)) (i32.store (i32.const 36) (i32.load (i32.const 52)))");
    guest.call("fd_write", "(i32.const 1) (i32.const 32) (i32.const 1) (i32.const 40)");
    let report = host.run(&guest);
    assert_denied(&report, WasiFunc::EnvironSizesGet, Capability::EnvArgs, "grants no environment variables");

    // Granting another variable still does not pass the secret.
    let mut profile = host.profile();
    profile.env = Environment { inherit_host: false, vars: vec![("PUBLIC".into(), "yes".into())] };
    let report = host.run_with(&guest, profile);
    assert!(report.stdout().contains("PUBLIC=yes"));
    assert_eq!(report.calls_to(WasiFunc::EnvironGet)[0].strings, vec![Box::from("PUBLIC")]);
}

#[test]
fn denied_clocks_refuse_time_and_resolution() {
    let host = Host::new();
    let mut guest = Guest::new();
    guest.call("clock_time_get", "(i32.const 0) (i64.const 1) (i32.const 48)");
    guest.call("clock_res_get", "(i32.const 1) (i32.const 48)");
    guest.wat("(i32.store (i32.const 32) (i32.const 48)) (i32.store (i32.const 36) (i32.const 8))");
    guest.call("fd_write", "(i32.const 1) (i32.const 32) (i32.const 1) (i32.const 40)");
    let profile = SandboxProfile { clocks: ClockPolicy::Denied, ..host.profile() };
    let report = host.run_with(&guest, profile);
    assert_eq!(report.stdout().as_bytes(), &[0u8; 8], "no time reached guest memory");
    assert_denied(&report, WasiFunc::ClockTimeGet, Capability::Clocks, "denies clocks");
    assert_denied(&report, WasiFunc::ClockResGet, Capability::Clocks, "denies clocks");
}

#[test]
fn guessing_descriptor_numbers() {
    let host = Host::new();
    let mut guest = Guest::new();
    guest.wat("(i32.store (i32.const 32) (i32.const 1024)) (i32.store (i32.const 36) (i32.const 64))");
    for fd in [6, 7, 42, 1000] {
        guest.call("fd_read", &format!("(i32.const {fd}) (i32.const 32) (i32.const 1) (i32.const 40)"));
    }
    let report = host.run(&guest);
    let reads = report.calls_to(WasiFunc::FdRead);
    assert_eq!(reads.len(), 4);
    for read in reads {
        assert_eq!(read.errno, Some(Errno::BADF));
        assert!(read.denial.as_ref().unwrap().reason.contains("is not open"));
    }
}

#[test]
fn renumbering_onto_or_from_unopened_descriptors() {
    let host = Host::new();
    let mut guest = Guest::new();
    guest.call("fd_renumber", "(i32.const 9) (i32.const 3)");
    guest.call("fd_renumber", "(i32.const 3) (i32.const 17)");
    let report = host.run(&guest);
    let renumbers = report.calls_to(WasiFunc::FdRenumber);
    assert!(renumbers[0].denial.as_ref().unwrap().reason.contains("fd 9 is not open"));
    assert!(renumbers[1].denial.as_ref().unwrap().reason.contains("fd 17 is not open"));
    // fd 3 is still the mount: nothing was stolen or lost.
    assert!(host.path("data").is_dir());
}

#[test]
fn sockets_with_the_network_off() {
    let host = Host::new();
    let mut guest = Guest::new();
    guest.call("sock_accept", "(i32.const 3) (i32.const 0) (i32.const 48)");
    guest.call("sock_send", "(i32.const 1) (i32.const 32) (i32.const 1) (i32.const 0) (i32.const 48)");
    guest.call("sock_recv", "(i32.const 0) (i32.const 32) (i32.const 1) (i32.const 0) (i32.const 48) (i32.const 52)");
    guest.call("sock_shutdown", "(i32.const 3) (i32.const 3)");
    let report = host.run(&guest);
    for func in [WasiFunc::SockAccept, WasiFunc::SockSend, WasiFunc::SockRecv, WasiFunc::SockShutdown] {
        let call = report.calls_to(func)[0];
        assert!(call.errno.is_some(), "{} succeeded", func.name());
        assert_denied(&report, func, Capability::Network, "no network access");
    }
}

#[test]
fn a_mount_is_only_the_directory_granted() {
    // Reading inside works: the battery's refusals are not blanket refusals.
    let host = Host::new();
    let report = host.run(&open_and_print(DATA, "hello.txt"));
    assert_eq!(report.stdout(), "hello");
    assert!(report.denied().is_empty());
}
