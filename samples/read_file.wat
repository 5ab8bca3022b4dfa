;; Read hello.txt from the first preopened directory (fd 3); without a granted directory it says how to grant one and exits 2.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close"
    (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get"
    (func $fd_prestat_get (param i32 i32) (result i32)))
  ;; path_open(dirfd, lookupflags, path, path_len, oflags, rights_base, rights_inheriting, fdflags, &fd)
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit"
    (func $proc_exit (param i32)))

  (memory (export "memory") 1)

  ;; Memory map:
  ;;   0..8       iovec used by $write
  ;;   8..12      nwritten
  ;;   16..36     digit scratch for $write_u64
  ;;   64..72     prestat {tag u8 @0, name_len u32 @4}
  ;;   72..76     opened fd (u32)
  ;;   80..88     iovec for fd_read {1024, 256}
  ;;   88..92     nread (u32)
  ;;   256..      strings
  ;;   1024..1280 read buffer
  (data (i32.const 256) "hello.txt")                                ;; 9
  (data (i32.const 272) "read: ")                                   ;; 6
  (data (i32.const 288) "cannot open hello.txt: errno ")            ;; 29
  (data (i32.const 320) "\n")                                       ;; 1
  (data (i32.const 336) "cannot read hello.txt: errno ")            ;; 29
  (data (i32.const 384)
    "no preopened directory: grant one, e.g. --dir samples/data::/data\n") ;; 66

  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func $print (param $ptr i32) (param $len i32)
    (call $write (i32.const 1) (local.get $ptr) (local.get $len)))

  (func $eprint (param $ptr i32) (param $len i32)
    (call $write (i32.const 2) (local.get $ptr) (local.get $len)))

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

  ;; stderr: <msg><errno>\n, then exit with code.
  (func $die (param $msg i32) (param $len i32) (param $errno i32) (param $code i32)
    (call $eprint (local.get $msg) (local.get $len))
    (call $write_u64 (i32.const 2) (i64.extend_i32_u (local.get $errno)))
    (call $eprint (i32.const 320) (i32.const 1))
    (call $proc_exit (local.get $code)))

  (func $_start (export "_start")
    (local $errno i32)
    (local $fd i32)
    ;; fd 3 is the first preopen, if the host granted any directory.
    (if (call $fd_prestat_get (i32.const 3) (i32.const 64))
      (then
        (call $eprint (i32.const 384) (i32.const 66))
        (call $proc_exit (i32.const 2))))

    (local.set $errno
      (call $path_open
        (i32.const 3)                  ;; dirfd: the preopened directory
        (i32.const 1)                  ;; lookupflags: symlink_follow
        (i32.const 256) (i32.const 9)  ;; "hello.txt"
        (i32.const 0)                  ;; oflags: none (open existing)
        (i64.const 2)                  ;; rights_base: FD_READ (1 << 1)
        (i64.const 0)                  ;; rights_inheriting
        (i32.const 0)                  ;; fdflags
        (i32.const 72)))               ;; -> opened fd
    (if (local.get $errno)
      (then (call $die (i32.const 288) (i32.const 29) (local.get $errno) (i32.const 1))))
    (local.set $fd (i32.load (i32.const 72)))

    ;; A single fd_read of up to 256 bytes into 1024..1280.
    (i32.store (i32.const 80) (i32.const 1024))
    (i32.store (i32.const 84) (i32.const 256))
    (local.set $errno (call $fd_read (local.get $fd) (i32.const 80) (i32.const 1) (i32.const 88)))
    (if (local.get $errno)
      (then (call $die (i32.const 336) (i32.const 29) (local.get $errno) (i32.const 1))))

    (call $print (i32.const 272) (i32.const 6))
    (call $print (i32.const 1024) (i32.load (i32.const 88)))
    (drop (call $fd_close (local.get $fd)))))
