;; Create and write out.txt in the mounted directory: succeeds with --dir, fails with an errno under --dir-readonly.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close"
    (func $fd_close (param i32) (result i32)))
  ;; path_open(dirfd, lookupflags, path, path_len, oflags, rights_base, rights_inheriting, fdflags, &fd)
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit"
    (func $proc_exit (param i32)))

  (memory (export "memory") 1)

  ;; Memory map:
  ;;   0..8     iovec used by $write
  ;;   8..12    nwritten
  ;;   16..36   digit scratch for $write_u64
  ;;   64..68   opened fd (u32)
  ;;   72..80   iovec for the file write {320, 16}
  ;;   80..84   nwritten for the file write
  ;;   256..    strings
  (data (i32.const 256) "out.txt")                           ;; 7
  (data (i32.const 272) "cannot create out.txt: errno ")     ;; 29
  (data (i32.const 304) "\n")                                ;; 1
  (data (i32.const 320) "written by wasm\n")                 ;; 16
  (data (i32.const 336) "wrote out.txt\n")                   ;; 14
  (data (i32.const 352) "cannot write out.txt: errno ")      ;; 28

  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))

  ;; Write n in decimal to fd. Digits are built right-to-left in 16..36 (u64 has at most 20).
  (func $write_u64 (param $fd i32) (param $n i64)
    (local $p i32)
    (local.set $p (i32.const 36))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $n) (i64.const 10)))))
      (local.set $n (i64.div_u (local.get $n) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $n) (i64.const 0))))
    (call $write (local.get $fd) (local.get $p) (i32.sub (i32.const 36) (local.get $p))))

  ;; stderr: <msg><errno>\n, then proc_exit(1).
  (func $die (param $msg i32) (param $len i32) (param $errno i32)
    (call $write (i32.const 2) (local.get $msg) (local.get $len))
    (call $write_u64 (i32.const 2) (i64.extend_i32_u (local.get $errno)))
    (call $write (i32.const 2) (i32.const 304) (i32.const 1))
    (call $proc_exit (i32.const 1)))

  (func $_start (export "_start")
    (local $errno i32)
    (local $fd i32)
    (local.set $errno
      (call $path_open
        (i32.const 3)                  ;; dirfd: the preopened directory
        (i32.const 0)                  ;; lookupflags: none
        (i32.const 256) (i32.const 7)  ;; "out.txt"
        (i32.const 9)                  ;; oflags: CREAT (1) | TRUNC (8)
        (i64.const 64)                 ;; rights_base: FD_WRITE (1 << 6)
        (i64.const 0)                  ;; rights_inheriting
        (i32.const 0)                  ;; fdflags
        (i32.const 64)))               ;; -> opened fd
    (if (local.get $errno)
      (then (call $die (i32.const 272) (i32.const 29) (local.get $errno))))
    (local.set $fd (i32.load (i32.const 64)))

    (i32.store (i32.const 72) (i32.const 320))
    (i32.store (i32.const 76) (i32.const 16))
    (local.set $errno (call $fd_write (local.get $fd) (i32.const 72) (i32.const 1) (i32.const 80)))
    (if (local.get $errno)
      (then (call $die (i32.const 352) (i32.const 28) (local.get $errno))))
    (drop (call $fd_close (local.get $fd)))

    (call $write (i32.const 1) (i32.const 336) (i32.const 14))))
