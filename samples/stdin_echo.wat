;; Echo stdin back to stdout chunk by chunk until end of input, then say "stdin closed".
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit"
    (func $proc_exit (param i32)))

  (memory (export "memory") 1)

  ;; Memory map:
  ;;   0..8       iovec used by $write
  ;;   8..12      nwritten
  ;;   16..36     digit scratch for $write_u64
  ;;   64..72     iovec for fd_read {1024, 4096}
  ;;   72..76     nread (u32)
  ;;   256..      strings
  ;;   1024..5120 read buffer
  (data (i32.const 256) "echo: ")               ;; 6
  (data (i32.const 272) "stdin closed\n")       ;; 13
  (data (i32.const 288) "read error: errno ")   ;; 18
  (data (i32.const 320) "\n")                   ;; 1

  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func $print (param $ptr i32) (param $len i32)
    (call $write (i32.const 1) (local.get $ptr) (local.get $len)))

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

  (func $_start (export "_start")
    (local $errno i32)
    (local $n i32)
    (i32.store (i32.const 64) (i32.const 1024))
    (i32.store (i32.const 68) (i32.const 4096))
    (loop $chunk
      (local.set $errno (call $fd_read (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 72)))
      (if (local.get $errno)
        (then
          ;; stderr: read error: errno <N>\n
          (call $write (i32.const 2) (i32.const 288) (i32.const 18))
          (call $write_u64 (i32.const 2) (i64.extend_i32_u (local.get $errno)))
          (call $write (i32.const 2) (i32.const 320) (i32.const 1))
          (call $proc_exit (i32.const 1))))
      (local.set $n (i32.load (i32.const 72)))
      (if (i32.eqz (local.get $n))
        (then
          ;; 0 bytes read: end of input.
          (call $print (i32.const 272) (i32.const 13))
          (return)))
      (call $print (i32.const 256) (i32.const 6))
      (call $print (i32.const 1024) (local.get $n))
      (br $chunk))))
