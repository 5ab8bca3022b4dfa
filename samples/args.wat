;; Print each command-line argument the guest was given, one per line, argv[0] first.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)

  ;; Memory map:
  ;;   0..8      iovec for $print
  ;;   8..12     nwritten
  ;;   16..24    argc, argv_buf_size
  ;;   1024..    argv pointer array (up to 1024 arguments)
  ;;   8192..    argv string buffer
  (data (i32.const 32) "\n")

  ;; Writes `len` bytes at `ptr` to stdout.
  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  ;; Length of the NUL-terminated string at `ptr`.
  (func $strlen (param $ptr i32) (result i32)
    (local $end i32)
    (local.set $end (local.get $ptr))
    (block $done
      (loop $scan
        (br_if $done (i32.eqz (i32.load8_u (local.get $end))))
        (local.set $end (i32.add (local.get $end) (i32.const 1)))
        (br $scan)))
    (i32.sub (local.get $end) (local.get $ptr)))

  (func (export "_start")
    (local $i i32)
    (local $arg i32)
    (drop (call $args_sizes_get (i32.const 16) (i32.const 20)))
    ;; Refuse to read more than fits in the pointer array or the string buffer.
    (if (i32.or (i32.gt_u (i32.load (i32.const 16)) (i32.const 1024))
                (i32.gt_u (i32.load (i32.const 20)) (i32.const 57344)))
      (then (return)))
    (drop (call $args_get (i32.const 1024) (i32.const 8192)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (i32.load (i32.const 16))))
        (local.set $arg (i32.load (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 2)))))
        (call $print (local.get $arg) (call $strlen (local.get $arg)))
        (call $print (i32.const 32) (i32.const 1))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each)))))
