;; Leave with a non-zero status through proc_exit(3) instead of returning from _start.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit"
    (func $proc_exit (param i32)))

  (memory (export "memory") 1)

  ;; Memory map:
  ;;   0..8     iovec used by $print
  ;;   8..12    nwritten
  ;;   256..    message
  (data (i32.const 256) "exiting with 3\n")  ;; 15

  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func $_start (export "_start")
    (call $print (i32.const 256) (i32.const 15))
    (call $proc_exit (i32.const 3))))
