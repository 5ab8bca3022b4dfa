;; Read the realtime and monotonic clocks; with clocks denied the first call fails and the errno is reported.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  ;; clock_time_get(clock_id, precision: u64, &timestamp: u64)
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit"
    (func $proc_exit (param i32)))

  (memory (export "memory") 1)

  ;; Memory map:
  ;;   0..8     iovec used by $write
  ;;   8..12    nwritten
  ;;   16..36   digit scratch for $write_u64
  ;;   64..72   timestamp (u64, nanoseconds)
  ;;   256..    strings
  (data (i32.const 256) "realtime: ")             ;; 10
  (data (i32.const 272) " ns since 1970\n")       ;; 15
  (data (i32.const 288) "monotonic: ")            ;; 11
  (data (i32.const 304) " ns\n")                  ;; 4
  (data (i32.const 320) "clock denied: errno ")   ;; 20
  (data (i32.const 352) "\n")                     ;; 1

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

  (func $print_u64 (param $n i64)
    (call $write_u64 (i32.const 1) (local.get $n)))

  ;; Current time of clock id in ns; on error print "clock denied: errno <N>" to stderr and exit 1.
  (func $now (param $id i32) (result i64)
    (local $errno i32)
    (local.set $errno (call $clock_time_get (local.get $id) (i64.const 1) (i32.const 64)))
    (if (local.get $errno)
      (then
        (call $write (i32.const 2) (i32.const 320) (i32.const 20))
        (call $write_u64 (i32.const 2) (i64.extend_i32_u (local.get $errno)))
        (call $write (i32.const 2) (i32.const 352) (i32.const 1))
        (call $proc_exit (i32.const 1))))
    (i64.load (i32.const 64)))

  (func $_start (export "_start")
    (local $t i64)
    ;; Read each clock before printing, so a denial leaves no half-written line.
    (local.set $t (call $now (i32.const 0)))          ;; clock id 0: realtime
    (call $print (i32.const 256) (i32.const 10))      ;; realtime: <ns> ns since 1970\n
    (call $print_u64 (local.get $t))
    (call $print (i32.const 272) (i32.const 15))
    (local.set $t (call $now (i32.const 1)))          ;; clock id 1: monotonic
    (call $print (i32.const 288) (i32.const 11))      ;; monotonic: <ns> ns\n
    (call $print_u64 (local.get $t))
    (call $print (i32.const 304) (i32.const 4))))
