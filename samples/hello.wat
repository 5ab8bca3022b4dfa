;; The smallest WASI command: write "Hello, WASI!" to stdout and return from _start (exit status 0).
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))

  (memory (export "memory") 1)

  ;; Memory map:
  ;;   0..8    iovec {ptr u32, len u32} used by $print
  ;;   8..12   nwritten (u32)
  ;;   256..   message
  (data (i32.const 256) "Hello, WASI!\n") ;; 13 bytes

  ;; Write len bytes at ptr to stdout (fd 1).
  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func $_start (export "_start")
    (call $print (i32.const 256) (i32.const 13))))
