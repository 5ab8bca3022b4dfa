;; Try to break out of the mounted directory (../secret.txt, /etc/passwd); the sandbox should refuse both with an errno.
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
  ;;   0..8     iovec used by $print
  ;;   8..12    nwritten
  ;;   16..36   digit scratch for $print_u64
  ;;   64..68   opened fd (u32)
  ;;   256..    strings
  (data (i32.const 256) "../secret.txt")     ;; 13
  (data (i32.const 288) "/etc/passwd")       ;; 11
  (data (i32.const 320) "blocked ")          ;; 8
  (data (i32.const 336) " (errno ")          ;; 8
  (data (i32.const 352) ")\n")               ;; 2
  (data (i32.const 368) "ESCAPED: opened ")  ;; 16
  (data (i32.const 384) "\n")                ;; 1

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

  ;; Try to open path (relative to preopen fd 3) for reading and report the outcome.
  ;; Returns 1 if the open succeeded, i.e. the guest escaped its mount.
  (func $attempt (param $path i32) (param $len i32) (result i32)
    (local $errno i32)
    (local.set $errno
      (call $path_open
        (i32.const 3)                         ;; dirfd: the preopened directory
        (i32.const 1)                         ;; lookupflags: symlink_follow
        (local.get $path) (local.get $len)
        (i32.const 0)                         ;; oflags: none
        (i64.const 2)                         ;; rights_base: FD_READ (1 << 1)
        (i64.const 0)                         ;; rights_inheriting
        (i32.const 0)                         ;; fdflags
        (i32.const 64)))                      ;; -> opened fd
    (if (result i32) (local.get $errno)
      (then
        ;; blocked <path> (errno <N>)\n
        (call $print (i32.const 320) (i32.const 8))
        (call $print (local.get $path) (local.get $len))
        (call $print (i32.const 336) (i32.const 8))
        (call $print_u64 (i64.extend_i32_u (local.get $errno)))
        (call $print (i32.const 352) (i32.const 2))
        (i32.const 0))
      (else
        ;; ESCAPED: opened <path>\n
        (call $print (i32.const 368) (i32.const 16))
        (call $print (local.get $path) (local.get $len))
        (call $print (i32.const 384) (i32.const 1))
        (drop (call $fd_close (i32.load (i32.const 64))))
        (i32.const 1))))

  (func $_start (export "_start")
    (local $escaped i32)
    ;; Both attempts always run, so the trace shows both.
    (local.set $escaped (call $attempt (i32.const 256) (i32.const 13)))  ;; ../secret.txt
    (local.set $escaped
      (i32.or (local.get $escaped)
              (call $attempt (i32.const 288) (i32.const 11))))          ;; /etc/passwd
    (if (local.get $escaped)
      (then (call $proc_exit (i32.const 1))))))
