;; A tour of path calls on the mount (mkdir, create, write, stat, rename, unlink, rmdir), one "<call>: errno <N>" line each, for the trace view.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close"
    (func $fd_close (param i32) (result i32)))
  ;; path_create_directory(dirfd, path, path_len)
  (import "wasi_snapshot_preview1" "path_create_directory"
    (func $path_create_directory (param i32 i32 i32) (result i32)))
  ;; path_open(dirfd, lookupflags, path, path_len, oflags, rights_base, rights_inheriting, fdflags, &fd)
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  ;; path_filestat_get(dirfd, lookupflags, path, path_len, &filestat)
  (import "wasi_snapshot_preview1" "path_filestat_get"
    (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  ;; path_rename(old_dirfd, old_path, old_len, new_dirfd, new_path, new_len)
  (import "wasi_snapshot_preview1" "path_rename"
    (func $path_rename (param i32 i32 i32 i32 i32 i32) (result i32)))
  ;; path_unlink_file(dirfd, path, path_len)
  (import "wasi_snapshot_preview1" "path_unlink_file"
    (func $path_unlink_file (param i32 i32 i32) (result i32)))
  ;; path_remove_directory(dirfd, path, path_len)
  (import "wasi_snapshot_preview1" "path_remove_directory"
    (func $path_remove_directory (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit"
    (func $proc_exit (param i32)))

  (memory (export "memory") 1)

  ;; Set to 1 by $step when any call fails.
  (global $failed (mut i32) (i32.const 0))

  ;; Memory map:
  ;;   0..8      iovec used by $print
  ;;   8..12     nwritten
  ;;   16..36    digit scratch for $print_u64
  ;;   64..68    opened fd (u32)
  ;;   72..80    iovec for the file write {320, 5}
  ;;   80..84    nwritten for the file write
  ;;   128..192  filestat (64 bytes)
  ;;   256..     strings
  (data (i32.const 256) "scratch")                 ;; 7
  (data (i32.const 272) "scratch/note.txt")        ;; 16
  (data (i32.const 288) "scratch/renamed.txt")     ;; 19
  (data (i32.const 320) "note\n")                  ;; 5
  (data (i32.const 336) ": errno ")                ;; 8
  (data (i32.const 352) "\n")                      ;; 1
  (data (i32.const 384) "path_create_directory")   ;; 21
  (data (i32.const 416) "path_open")               ;; 9
  (data (i32.const 432) "fd_write")                ;; 8
  (data (i32.const 448) "fd_close")                ;; 8
  (data (i32.const 464) "path_filestat_get")       ;; 17
  (data (i32.const 496) "path_rename")             ;; 11
  (data (i32.const 512) "path_unlink_file")        ;; 16
  (data (i32.const 544) "path_remove_directory")   ;; 21

  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  ;; Print n in decimal. Digits are built right-to-left in 16..36 (u64 has at most 20).
  (func $print_u64 (param $n i64)
    (local $p i32)
    (local.set $p (i32.const 36))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $n) (i64.const 10)))))
      (local.set $n (i64.div_u (local.get $n) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $n) (i64.const 0))))
    (call $print (local.get $p) (i32.sub (i32.const 36) (local.get $p))))

  ;; Print "<name>: errno <N>\n" and remember any failure.
  (func $step (param $name i32) (param $len i32) (param $errno i32)
    (call $print (local.get $name) (local.get $len))
    (call $print (i32.const 336) (i32.const 8))
    (call $print_u64 (i64.extend_i32_u (local.get $errno)))
    (call $print (i32.const 352) (i32.const 1))
    (if (local.get $errno)
      (then (global.set $failed (i32.const 1)))))

  (func $_start (export "_start")
    (local $fd i32)

    ;; 1. mkdir scratch
    (call $step (i32.const 384) (i32.const 21)
      (call $path_create_directory (i32.const 3) (i32.const 256) (i32.const 7)))

    ;; 2. create scratch/note.txt for writing. The fd slot starts as -1 so that,
    ;;    if the open fails, the next two steps fail cleanly with EBADF.
    (i32.store (i32.const 64) (i32.const -1))
    (call $step (i32.const 416) (i32.const 9)
      (call $path_open
        (i32.const 3)                  ;; dirfd: the preopened directory
        (i32.const 0)                  ;; lookupflags: none
        (i32.const 272) (i32.const 16) ;; "scratch/note.txt"
        (i32.const 1)                  ;; oflags: CREAT
        (i64.const 64)                 ;; rights_base: FD_WRITE (1 << 6)
        (i64.const 0)                  ;; rights_inheriting
        (i32.const 0)                  ;; fdflags
        (i32.const 64)))               ;; -> opened fd
    (local.set $fd (i32.load (i32.const 64)))

    ;; 3. write "note\n"
    (i32.store (i32.const 72) (i32.const 320))
    (i32.store (i32.const 76) (i32.const 5))
    (call $step (i32.const 432) (i32.const 8)
      (call $fd_write (local.get $fd) (i32.const 72) (i32.const 1) (i32.const 80)))

    ;; 4. close it
    (call $step (i32.const 448) (i32.const 8)
      (call $fd_close (local.get $fd)))

    ;; 5. stat scratch/note.txt (lookupflags: symlink_follow)
    (call $step (i32.const 464) (i32.const 17)
      (call $path_filestat_get (i32.const 3) (i32.const 1) (i32.const 272) (i32.const 16) (i32.const 128)))

    ;; 6. rename scratch/note.txt -> scratch/renamed.txt
    (call $step (i32.const 496) (i32.const 11)
      (call $path_rename (i32.const 3) (i32.const 272) (i32.const 16)
                         (i32.const 3) (i32.const 288) (i32.const 19)))

    ;; 7. rm scratch/renamed.txt
    (call $step (i32.const 512) (i32.const 16)
      (call $path_unlink_file (i32.const 3) (i32.const 288) (i32.const 19)))

    ;; 8. rmdir scratch
    (call $step (i32.const 544) (i32.const 21)
      (call $path_remove_directory (i32.const 3) (i32.const 256) (i32.const 7)))

    (if (global.get $failed)
      (then (call $proc_exit (i32.const 1))))))
