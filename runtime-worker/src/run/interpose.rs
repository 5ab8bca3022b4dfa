//! Every `wasi_snapshot_preview1` import, traced.
//!
//! Each function reads what its pointers point at (paths as text, buffer
//! sizes, the first bytes written), delegates to wasmtime-wasi's own
//! implementation of that function, reads what it wrote back, and records
//! the call. The behaviour the guest sees is wasmtime-wasi's, byte for byte,
//! except where the profile denies something wasmtime-wasi cannot (clocks).
//!
//! The delegates are the ABI functions wasmtime-wasi generates with wiggle
//! (`wasmtime_wasi::p1::wasi_snapshot_preview1::*`). They are public but not a
//! stable API: the workspace pins wasmtime-wasi to an exact version, and the
//! integration tests exercise every function so that a change shows.
//! Functions that are `async` there are registered with `func_wrap_async`,
//! the others with `func_wrap`, as wasmtime-wasi's own async linker does.

use wasmtime::{AsContextMut, Caller, Extern, Linker, WasmBacktrace};
use wasmtime_wasi::p1::wasi_snapshot_preview1 as p1;
use wasmtime_wasi::p1::wasi_snapshot_preview1::WasiSnapshotPreview1 as _;
use wiggle::GuestMemory;

use crate::boundary::event::Abrupt;
use crate::run::module_host::Host;
use crate::trace::guest_memory as gm;
use crate::trace::recorder::PendingCall;
use crate::wasi::abi::{Errno, WasiFunc};

const MODULE: &str = "wasi_snapshot_preview1";

type Ret = wasmtime::Result<i32>;

/// The guest's memory and the host state, for one call.
/// `func` is the call about to be made: its stack is walked if `-k` asks
/// for it.
fn split<'a>(caller: &'a mut Caller<'_, Host>, func: WasiFunc) -> wasmtime::Result<(GuestMemory<'a>, &'a mut Host)> {
    let fuel = caller.as_context_mut().hostcall_fuel();
    let memory = match caller.data().memory {
        Some(memory) => memory,
        None => {
            let memory = match caller.get_export("memory") {
                Some(Extern::Memory(memory)) => memory,
                Some(Extern::SharedMemory(_)) => wasmtime::bail!(
                    "this module exports a shared memory (the threads proposal); \
                     Wasmscope traces single-threaded WASI modules only"
                ),
                _ => wasmtime::bail!("the module calls WASI but exports no `memory`"),
            };
            caller.data_mut().memory = Some(memory);
            memory
        }
    };
    // strace's -k: the guest's frames, walked while the caller is at hand.
    let stack = caller.data().trace.wants_stack(func).then(|| WasmBacktrace::capture(&*caller));
    let (bytes, host) = memory.data_and_store_mut(caller);
    let stack = stack.map(|backtrace| host.stacks.stack(&backtrace));
    host.wasi.set_hostcall_fuel(fuel);
    host.trace.next_stack = stack;
    Ok((GuestMemory::Unshared(bytes), host))
}

/// The guest's memory and the host state, with the call of `func` begun
/// (its stack walked first, if asked for, so that the walk is not timed).
#[inline]
fn enter<'a>(
    caller: &'a mut Caller<'_, Host>,
    func: WasiFunc,
) -> wasmtime::Result<(GuestMemory<'a>, &'a mut Host, PendingCall)> {
    let (mem, host) = split(caller, func)?;
    let call = host.trace.begin(func);
    Ok((mem, host, call))
}

/// Records the call's end and passes wasmtime-wasi's answer on unchanged.
fn done(host: &mut Host, call: PendingCall, ret: Ret) -> Ret {
    match &ret {
        Ok(errno) => host.trace.returned(call, *errno),
        Err(_) => host.trace.abrupt(call, Abrupt::Trap),
    }
    ret
}

/// Records a call the profile refuses without asking wasmtime-wasi.
fn refuse(host: &mut Host, call: PendingCall, errno: Errno) -> Ret {
    host.trace.returned(call, i32::from(errno.0));
    Ok(i32::from(errno.0))
}

fn ok(ret: &Ret) -> bool {
    matches!(ret, Ok(0))
}

macro_rules! sync_fn {
    ($linker:ident, $name:literal, |$caller:ident $(, $arg:ident: $ty:ty)*| $body:block) => {
        $linker.func_wrap(MODULE, $name, move |mut $caller: Caller<'_, Host> $(, $arg: $ty)*| -> Ret { $body })?;
    };
}

macro_rules! async_fn {
    ($linker:ident, $name:literal, |$caller:ident $(, $arg:ident: $ty:ty)*| $body:block) => {
        $linker.func_wrap_async(
            MODULE,
            $name,
            move |mut $caller: Caller<'_, Host>, ($($arg,)*): ($($ty,)*)| Box::new(async move { let r: Ret = $body; r }),
        )?;
    };
}

/// Defines every preview1 function in `linker`.
pub(crate) fn add_to_linker(linker: &mut Linker<Host>) -> wasmtime::Result<()> {
    add_args_env(linker)?;
    add_clocks_random_process(linker)?;
    add_fd(linker)?;
    add_path(linker)?;
    add_poll_sock(linker)?;
    #[cfg(feature = "fault-injection")]
    linker.func_wrap("wasmscope_fault", "panic", |_: Caller<'_, Host>| -> wasmtime::Result<()> {
        panic!("a host function panicked (fault injection)")
    })?;
    Ok(())
}

fn add_args_env(linker: &mut Linker<Host>) -> wasmtime::Result<()> {
    sync_fn!(linker, "args_get", |caller, argv: i32, buf: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::ArgsGet)?;
        call.strings = host.trace.argv.clone();
        let r = p1::args_get(&mut host.wasi, &mut mem, argv, buf);
        done(host, call, r)
    });
    sync_fn!(linker, "args_sizes_get", |caller, argc: i32, size: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::ArgsSizesGet)?;
        let r = p1::args_sizes_get(&mut host.wasi, &mut mem, argc, size);
        if ok(&r) {
            call.result(u64::from(gm::u32_at(&mem, argc).unwrap_or(0)));
            call.result(u64::from(gm::u32_at(&mem, size).unwrap_or(0)));
        }
        done(host, call, r)
    });
    sync_fn!(linker, "environ_get", |caller, environ: i32, buf: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::EnvironGet)?;
        // Names only: values may be secrets the user granted to the guest,
        // not to whoever reads an exported trace.
        call.strings = host.trace.env_names.clone();
        let r = p1::environ_get(&mut host.wasi, &mut mem, environ, buf);
        done(host, call, r)
    });
    sync_fn!(linker, "environ_sizes_get", |caller, count: i32, size: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::EnvironSizesGet)?;
        let r = p1::environ_sizes_get(&mut host.wasi, &mut mem, count, size);
        if ok(&r) {
            call.result(u64::from(gm::u32_at(&mem, count).unwrap_or(0)));
            call.result(u64::from(gm::u32_at(&mem, size).unwrap_or(0)));
        }
        done(host, call, r)
    });
    Ok(())
}

fn add_clocks_random_process(linker: &mut Linker<Host>) -> wasmtime::Result<()> {
    sync_fn!(linker, "clock_res_get", |caller, id: i32, out: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::ClockResGet)?;
        call.param(id);
        if host.trace.denials.clocks_denied() {
            return refuse(host, call, Errno::NOTCAPABLE);
        }
        let r = p1::clock_res_get(&mut host.wasi, &mut mem, id, out);
        if ok(&r) {
            call.result(gm::u64_at(&mem, out).unwrap_or(0));
        }
        done(host, call, r)
    });
    sync_fn!(linker, "clock_time_get", |caller, id: i32, precision: i64, out: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::ClockTimeGet)?;
        call.param(id).param(precision);
        if host.trace.denials.clocks_denied() {
            return refuse(host, call, Errno::NOTCAPABLE);
        }
        let r = p1::clock_time_get(&mut host.wasi, &mut mem, id, precision, out);
        if ok(&r) {
            call.result(gm::u64_at(&mem, out).unwrap_or(0));
        }
        done(host, call, r)
    });
    sync_fn!(linker, "random_get", |caller, buf: i32, len: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::RandomGet)?;
        call.param(len);
        let r = p1::random_get(&mut host.wasi, &mut mem, buf, len);
        done(host, call, r)
    });
    sync_fn!(linker, "sched_yield", |caller| {
        let (mut mem, host, call) = enter(&mut caller, WasiFunc::SchedYield)?;
        let r = p1::sched_yield(&mut host.wasi, &mut mem);
        done(host, call, r)
    });
    sync_fn!(linker, "proc_raise", |caller, sig: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::ProcRaise)?;
        call.param(sig);
        let r = p1::proc_raise(&mut host.wasi, &mut mem, sig);
        done(host, call, r)
    });
    linker.func_wrap(MODULE, "proc_exit", |mut caller: Caller<'_, Host>, code: i32| -> wasmtime::Result<()> {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::ProcExit)?;
        call.param(code);
        let r = p1::proc_exit(&mut host.wasi, &mut mem, code);
        let how = match &r {
            Err(e) => match e.downcast_ref::<wasmtime_wasi::I32Exit>() {
                Some(exit) => Abrupt::Exit(exit.0),
                None => Abrupt::Trap,
            },
            Ok(()) => Abrupt::Exit(code),
        };
        host.trace.abrupt(call, how);
        r
    })?;
    Ok(())
}

fn add_fd(linker: &mut Linker<Host>) -> wasmtime::Result<()> {
    async_fn!(linker, "fd_advise", |caller, fd: i32, offset: i64, len: i64, advice: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::FdAdvise)?;
        call.param(fd).param(offset).param(len).param(advice);
        let r = p1::fd_advise(&mut host.wasi, &mut mem, fd, offset, len, advice).await;
        done(host, call, r)
    });
    sync_fn!(linker, "fd_allocate", |caller, fd: i32, offset: i64, len: i64| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::FdAllocate)?;
        call.param(fd).param(offset).param(len);
        let r = p1::fd_allocate(&mut host.wasi, &mut mem, fd, offset, len);
        done(host, call, r)
    });
    async_fn!(linker, "fd_close", |caller, fd: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::FdClose)?;
        call.param(fd);
        let r = p1::fd_close(&mut host.wasi, &mut mem, fd).await;
        let r = done(host, call, r);
        if ok(&r) {
            host.trace.fds.closed(u64::from(fd as u32));
        }
        r
    });
    async_fn!(linker, "fd_datasync", |caller, fd: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::FdDatasync)?;
        call.param(fd);
        let r = p1::fd_datasync(&mut host.wasi, &mut mem, fd).await;
        done(host, call, r)
    });
    async_fn!(linker, "fd_fdstat_get", |caller, fd: i32, out: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::FdFdstatGet)?;
        call.param(fd);
        let r = p1::fd_fdstat_get(&mut host.wasi, &mut mem, fd, out).await;
        if ok(&r) {
            call.result(u64::from(gm::u8_at(&mem, out).unwrap_or(0)));
            call.result(u64::from(gm::u16_at(&mem, out.wrapping_add(2)).unwrap_or(0)));
        }
        done(host, call, r)
    });
    sync_fn!(linker, "fd_fdstat_set_flags", |caller, fd: i32, flags: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::FdFdstatSetFlags)?;
        call.param(fd).param(flags);
        let r = p1::fd_fdstat_set_flags(&mut host.wasi, &mut mem, fd, flags);
        done(host, call, r)
    });
    sync_fn!(linker, "fd_fdstat_set_rights", |caller, fd: i32, base: i64, inheriting: i64| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::FdFdstatSetRights)?;
        call.param(fd).param(base).param(inheriting);
        let r = p1::fd_fdstat_set_rights(&mut host.wasi, &mut mem, fd, base, inheriting);
        done(host, call, r)
    });
    async_fn!(linker, "fd_filestat_get", |caller, fd: i32, out: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::FdFilestatGet)?;
        call.param(fd);
        let r = p1::fd_filestat_get(&mut host.wasi, &mut mem, fd, out).await;
        if ok(&r) {
            filestat_results(&mem, out, &mut call);
        }
        done(host, call, r)
    });
    async_fn!(linker, "fd_filestat_set_size", |caller, fd: i32, size: i64| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::FdFilestatSetSize)?;
        call.param(fd).param(size);
        let r = p1::fd_filestat_set_size(&mut host.wasi, &mut mem, fd, size).await;
        done(host, call, r)
    });
    async_fn!(linker, "fd_filestat_set_times", |caller, fd: i32, atim: i64, mtim: i64, flags: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::FdFilestatSetTimes)?;
        call.param(fd).param(atim).param(mtim).param(flags);
        let r = p1::fd_filestat_set_times(&mut host.wasi, &mut mem, fd, atim, mtim, flags).await;
        done(host, call, r)
    });
    async_fn!(linker, "fd_pread", |caller, fd: i32, iovs: i32, iovs_len: i32, offset: i64, out: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::FdPread)?;
        call.param(fd).param(iovs_len).param(offset);
        let r = p1::fd_pread(&mut host.wasi, &mut mem, fd, iovs, iovs_len, offset, out).await;
        if ok(&r) {
            read_results(&mem, iovs, iovs_len, out, &mut call);
        }
        done(host, call, r)
    });
    sync_fn!(linker, "fd_prestat_get", |caller, fd: i32, out: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::FdPrestatGet)?;
        call.param(fd);
        let r = p1::fd_prestat_get(&mut host.wasi, &mut mem, fd, out);
        if ok(&r) {
            call.result(u64::from(gm::u32_at(&mem, out.wrapping_add(4)).unwrap_or(0)));
        }
        done(host, call, r)
    });
    sync_fn!(linker, "fd_prestat_dir_name", |caller, fd: i32, path: i32, len: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::FdPrestatDirName)?;
        call.param(fd);
        let r = p1::fd_prestat_dir_name(&mut host.wasi, &mut mem, fd, path, len);
        if ok(&r) {
            call.string(gm::string(&mem, path, len));
        }
        done(host, call, r)
    });
    async_fn!(linker, "fd_pwrite", |caller, fd: i32, iovs: i32, iovs_len: i32, offset: i64, out: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::FdPwrite)?;
        let data = gm::iovecs(&mem, iovs, iovs_len, None);
        call.param(fd).param(data.total).param(offset);
        call.preview = data.preview;
        let r = p1::fd_pwrite(&mut host.wasi, &mut mem, fd, iovs, iovs_len, offset, out).await;
        if ok(&r) {
            call.result(u64::from(gm::u32_at(&mem, out).unwrap_or(0)));
        }
        done(host, call, r)
    });
    async_fn!(linker, "fd_read", |caller, fd: i32, iovs: i32, iovs_len: i32, out: i32| {
        if fd == 0 {
            // Reading stdin may wait for a person: show everything so far first.
            caller.data_mut().trace.flush();
        }
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::FdRead)?;
        call.param(fd).param(iovs_len);
        if fd == 0 {
            host.trace.waiting_in(&call);
        }
        let r = p1::fd_read(&mut host.wasi, &mut mem, fd, iovs, iovs_len, out).await;
        if ok(&r) {
            read_results(&mem, iovs, iovs_len, out, &mut call);
        }
        done(host, call, r)
    });
    async_fn!(linker, "fd_readdir", |caller, fd: i32, buf: i32, buf_len: i32, cookie: i64, out: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::FdReaddir)?;
        call.param(fd).param(buf_len).param(cookie);
        let r = p1::fd_readdir(&mut host.wasi, &mut mem, fd, buf, buf_len, cookie, out).await;
        if ok(&r) {
            let used = gm::u32_at(&mem, out).unwrap_or(0).min(buf_len as u32);
            call.result(u64::from(used));
            call.strings = gm::dirent_names(&mem, buf, used);
        }
        done(host, call, r)
    });
    async_fn!(linker, "fd_renumber", |caller, fd: i32, to: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::FdRenumber)?;
        call.param(fd).param(to);
        let r = p1::fd_renumber(&mut host.wasi, &mut mem, fd, to).await;
        let r = done(host, call, r);
        if ok(&r) {
            host.trace.fds.renumbered(u64::from(fd as u32), u64::from(to as u32));
        }
        r
    });
    async_fn!(linker, "fd_seek", |caller, fd: i32, offset: i64, whence: i32, out: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::FdSeek)?;
        call.param(fd).param(offset).param(whence);
        let r = p1::fd_seek(&mut host.wasi, &mut mem, fd, offset, whence, out).await;
        if ok(&r) {
            call.result(gm::u64_at(&mem, out).unwrap_or(0));
        }
        done(host, call, r)
    });
    async_fn!(linker, "fd_sync", |caller, fd: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::FdSync)?;
        call.param(fd);
        let r = p1::fd_sync(&mut host.wasi, &mut mem, fd).await;
        done(host, call, r)
    });
    sync_fn!(linker, "fd_tell", |caller, fd: i32, out: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::FdTell)?;
        call.param(fd);
        let r = p1::fd_tell(&mut host.wasi, &mut mem, fd, out);
        if ok(&r) {
            call.result(gm::u64_at(&mem, out).unwrap_or(0));
        }
        done(host, call, r)
    });
    async_fn!(linker, "fd_write", |caller, fd: i32, iovs: i32, iovs_len: i32, out: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::FdWrite)?;
        let data = gm::iovecs(&mem, iovs, iovs_len, None);
        call.param(fd).param(data.total);
        call.preview = data.preview;
        let r = p1::fd_write(&mut host.wasi, &mut mem, fd, iovs, iovs_len, out).await;
        if ok(&r) {
            call.result(u64::from(gm::u32_at(&mem, out).unwrap_or(0)));
        }
        done(host, call, r)
    });
    Ok(())
}

/// `nread` and a preview of the bytes read.
fn read_results(mem: &GuestMemory<'_>, iovs: i32, iovs_len: i32, out: i32, call: &mut PendingCall) {
    let nread = u64::from(gm::u32_at(mem, out).unwrap_or(0));
    call.result(nread);
    call.preview = gm::iovecs(mem, iovs, iovs_len, Some(nread)).preview;
}

/// Filetype and size from a 64-byte `filestat`.
fn filestat_results(mem: &GuestMemory<'_>, out: i32, call: &mut PendingCall) {
    call.result(u64::from(gm::u8_at(mem, out.wrapping_add(16)).unwrap_or(0)));
    call.result(gm::u64_at(mem, out.wrapping_add(32)).unwrap_or(0));
}

fn add_path(linker: &mut Linker<Host>) -> wasmtime::Result<()> {
    async_fn!(linker, "path_create_directory", |caller, fd: i32, path: i32, len: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::PathCreateDirectory)?;
        call.param(fd).string(gm::string(&mem, path, len));
        let r = p1::path_create_directory(&mut host.wasi, &mut mem, fd, path, len).await;
        done(host, call, r)
    });
    async_fn!(linker, "path_filestat_get", |caller, fd: i32, flags: i32, path: i32, len: i32, out: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::PathFilestatGet)?;
        call.param(fd).param(flags).string(gm::string(&mem, path, len));
        let r = p1::path_filestat_get(&mut host.wasi, &mut mem, fd, flags, path, len, out).await;
        if ok(&r) {
            filestat_results(&mem, out, &mut call);
        }
        done(host, call, r)
    });
    async_fn!(linker, "path_filestat_set_times", |caller,
                                                  fd: i32,
                                                  flags: i32,
                                                  path: i32,
                                                  len: i32,
                                                  atim: i64,
                                                  mtim: i64,
                                                  fst_flags: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::PathFilestatSetTimes)?;
        call.param(fd).param(flags).param(atim).param(mtim).param(fst_flags);
        call.string(gm::string(&mem, path, len));
        let r =
            p1::path_filestat_set_times(&mut host.wasi, &mut mem, fd, flags, path, len, atim, mtim, fst_flags).await;
        done(host, call, r)
    });
    async_fn!(linker, "path_link", |caller,
                                    old_fd: i32,
                                    old_flags: i32,
                                    old_path: i32,
                                    old_len: i32,
                                    new_fd: i32,
                                    new_path: i32,
                                    new_len: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::PathLink)?;
        call.param(old_fd).param(old_flags).param(new_fd);
        call.string(gm::string(&mem, old_path, old_len)).string(gm::string(&mem, new_path, new_len));
        let r =
            p1::path_link(&mut host.wasi, &mut mem, old_fd, old_flags, old_path, old_len, new_fd, new_path, new_len)
                .await;
        done(host, call, r)
    });
    async_fn!(linker, "path_open", |caller,
                                    fd: i32,
                                    dirflags: i32,
                                    path: i32,
                                    len: i32,
                                    oflags: i32,
                                    rights: i64,
                                    inheriting: i64,
                                    fdflags: i32,
                                    out: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::PathOpen)?;
        call.param(fd).param(dirflags).param(oflags).param(rights).param(fdflags);
        call.string(gm::string(&mem, path, len));
        let r =
            p1::path_open(&mut host.wasi, &mut mem, fd, dirflags, path, len, oflags, rights, inheriting, fdflags, out)
                .await;
        let opened = if ok(&r) { gm::u32_at(&mem, out) } else { None };
        if let Some(new_fd) = opened {
            call.result(u64::from(new_fd));
            let path = call.strings[0].clone();
            host.trace.fds.opened(u64::from(fd as u32), &path, u64::from(new_fd));
        }
        done(host, call, r)
    });
    async_fn!(linker, "path_readlink", |caller, fd: i32, path: i32, len: i32, buf: i32, buf_len: i32, out: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::PathReadlink)?;
        call.param(fd).param(buf_len).string(gm::string(&mem, path, len));
        let r = p1::path_readlink(&mut host.wasi, &mut mem, fd, path, len, buf, buf_len, out).await;
        if ok(&r) {
            let used = gm::u32_at(&mem, out).unwrap_or(0).min(buf_len as u32);
            call.string(gm::string(&mem, buf, used as i32));
        }
        done(host, call, r)
    });
    async_fn!(linker, "path_remove_directory", |caller, fd: i32, path: i32, len: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::PathRemoveDirectory)?;
        call.param(fd).string(gm::string(&mem, path, len));
        let r = p1::path_remove_directory(&mut host.wasi, &mut mem, fd, path, len).await;
        done(host, call, r)
    });
    async_fn!(linker, "path_rename", |caller,
                                      fd: i32,
                                      old_path: i32,
                                      old_len: i32,
                                      new_fd: i32,
                                      new_path: i32,
                                      new_len: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::PathRename)?;
        call.param(fd).param(new_fd);
        call.string(gm::string(&mem, old_path, old_len)).string(gm::string(&mem, new_path, new_len));
        let r = p1::path_rename(&mut host.wasi, &mut mem, fd, old_path, old_len, new_fd, new_path, new_len).await;
        done(host, call, r)
    });
    async_fn!(linker, "path_symlink", |caller, old_path: i32, old_len: i32, fd: i32, new_path: i32, new_len: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::PathSymlink)?;
        call.param(fd);
        call.string(gm::string(&mem, old_path, old_len)).string(gm::string(&mem, new_path, new_len));
        let r = p1::path_symlink(&mut host.wasi, &mut mem, old_path, old_len, fd, new_path, new_len).await;
        done(host, call, r)
    });
    async_fn!(linker, "path_unlink_file", |caller, fd: i32, path: i32, len: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::PathUnlinkFile)?;
        call.param(fd).string(gm::string(&mem, path, len));
        let r = p1::path_unlink_file(&mut host.wasi, &mut mem, fd, path, len).await;
        done(host, call, r)
    });
    Ok(())
}

fn add_poll_sock(linker: &mut Linker<Host>) -> wasmtime::Result<()> {
    async_fn!(linker, "poll_oneoff", |caller, subs: i32, events: i32, count: i32, out: i32| {
        // Polling may sleep: show everything so far first.
        caller.data_mut().trace.flush();
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::PollOneoff)?;
        call.strings = gm::subscriptions(&mem, subs, count);
        host.trace.waiting_in(&call);
        let r = p1::poll_oneoff(&mut host.wasi, &mut mem, subs, events, count, out).await;
        if ok(&r) {
            call.result(u64::from(gm::u32_at(&mem, out).unwrap_or(0)));
        }
        done(host, call, r)
    });
    sync_fn!(linker, "sock_accept", |caller, fd: i32, flags: i32, out: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::SockAccept)?;
        call.param(fd).param(flags);
        let r = p1::sock_accept(&mut host.wasi, &mut mem, fd, flags, out);
        if ok(&r) {
            call.result(u64::from(gm::u32_at(&mem, out).unwrap_or(0)));
        }
        done(host, call, r)
    });
    sync_fn!(linker, "sock_recv", |caller, fd: i32, iovs: i32, iovs_len: i32, flags: i32, nread: i32, roflags: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::SockRecv)?;
        call.param(fd).param(iovs_len).param(flags);
        let r = p1::sock_recv(&mut host.wasi, &mut mem, fd, iovs, iovs_len, flags, nread, roflags);
        if ok(&r) {
            read_results(&mem, iovs, iovs_len, nread, &mut call);
            call.result(u64::from(gm::u16_at(&mem, roflags).unwrap_or(0)));
        }
        done(host, call, r)
    });
    sync_fn!(linker, "sock_send", |caller, fd: i32, iovs: i32, iovs_len: i32, flags: i32, out: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::SockSend)?;
        let data = gm::iovecs(&mem, iovs, iovs_len, None);
        call.param(fd).param(data.total).param(flags);
        call.preview = data.preview;
        let r = p1::sock_send(&mut host.wasi, &mut mem, fd, iovs, iovs_len, flags, out);
        if ok(&r) {
            call.result(u64::from(gm::u32_at(&mem, out).unwrap_or(0)));
        }
        done(host, call, r)
    });
    sync_fn!(linker, "sock_shutdown", |caller, fd: i32, how: i32| {
        let (mut mem, host, mut call) = enter(&mut caller, WasiFunc::SockShutdown)?;
        call.param(fd).param(how);
        let r = p1::sock_shutdown(&mut host.wasi, &mut mem, fd, how);
        done(host, call, r)
    });
    Ok(())
}
