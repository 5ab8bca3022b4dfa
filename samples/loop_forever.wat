;; Print one line, then spin forever in $spin without making any call: only a timeout or the user can stop it.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))

  (memory (export "memory") 1)

  ;; Memory map:
  ;;   0..8     iovec used by $print
  ;;   8..12    nwritten
  ;;   256..    message
  (data (i32.const 256) "spinning forever…\n")  ;; 20 bytes: the ellipsis is 3 bytes of UTF-8

  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  ;; A tight loop with no calls and no memory access.
  (func $spin
    (loop $forever
      (br $forever)))

  (func $_start (export "_start")
    (call $print (i32.const 256) (i32.const 20))
    (call $spin)))
