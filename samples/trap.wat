;; Crash on purpose: _start -> $parse_config -> $check_header hits `unreachable`, so the trap shows a three-frame backtrace.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))

  (memory (export "memory") 1)

  ;; Memory map:
  ;;   0..8     iovec used by $print
  ;;   8..12    nwritten
  ;;   256..    message
  (data (i32.const 256) "about to trap\n")  ;; 14

  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  ;; Pretends the header is corrupt.
  (func $check_header
    (unreachable))

  (func $parse_config
    (call $check_header))

  (func $_start (export "_start")
    (call $print (i32.const 256) (i32.const 14))
    (call $parse_config)))
