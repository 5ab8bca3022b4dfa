;; Make a million WASI calls (clock_time_get on the monotonic clock), then say how long they took: a stress test for the trace and the Calls table.
(module
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)

  ;; Memory map:
  ;;   0..8      iovec for $print
  ;;   8..12     nwritten
  ;;   16..24    timestamp written by clock_time_get
  ;;   32..56    digits scratch for $print_u64 (written backwards from 56)
  ;;   64..      strings
  (data (i32.const 64) "1000000 calls in ")   ;; 17 bytes
  (data (i32.const 96) " ns\n")                ;; 4 bytes

  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  ;; Prints `n` in decimal.
  (func $print_u64 (param $n i64)
    (local $at i32)
    (local.set $at (i32.const 56))
    (loop $digit
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i64.store8 (local.get $at) (i64.add (i64.const 48) (i64.rem_u (local.get $n) (i64.const 10))))
      (local.set $n (i64.div_u (local.get $n) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $n) (i64.const 0))))
    (call $print (local.get $at) (i32.sub (i32.const 56) (local.get $at))))

  (func $now (result i64)
    (drop (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 16)))
    (i64.load (i32.const 16)))

  (func (export "_start")
    (local $i i32)
    (local $start i64)
    (local.set $start (call $now))
    (loop $again
      (drop (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 16)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const 1000000))))
    (call $print (i32.const 64) (i32.const 17))
    (call $print_u64 (i64.sub (call $now) (local.get $start)))
    (call $print (i32.const 96) (i32.const 4))))
