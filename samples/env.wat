;; List the environment the host passed in and print GREETING=<value>; exits 1 if GREETING was not granted.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  ;; environ_sizes_get(&count, &buf_size)
  (import "wasi_snapshot_preview1" "environ_sizes_get"
    (func $environ_sizes_get (param i32 i32) (result i32)))
  ;; environ_get(environ: *mut *mut u8, environ_buf: *mut u8)
  (import "wasi_snapshot_preview1" "environ_get"
    (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit"
    (func $proc_exit (param i32)))

  (memory (export "memory") 1)

  ;; Memory map:
  ;;   0..8     iovec used by $write
  ;;   8..12    nwritten
  ;;   16..36   digit scratch for $write_u64
  ;;   64..68   environment count (u32)
  ;;   68..72   environment buffer size (u32)
  ;;   256..    strings
  ;;   1024..   pointer array (count * u32), directly followed by the NUL-terminated "NAME=value" strings
  (data (i32.const 256) "GREETING=")                     ;; 9
  (data (i32.const 272) "environment: ")                 ;; 13
  (data (i32.const 288) " variables\n")                  ;; 11
  (data (i32.const 304) "GREETING is not set\n")         ;; 20
  (data (i32.const 336) "\n")                            ;; 1
  (data (i32.const 352) "environ unavailable: errno ")   ;; 27

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

  (func $print_u64 (param $n i64)
    (call $write_u64 (i32.const 1) (local.get $n)))

  ;; stderr: environ unavailable: errno <N>\n, then proc_exit(1).
  (func $environ_failed (param $errno i32)
    (call $eprint (i32.const 352) (i32.const 27))
    (call $write_u64 (i32.const 2) (i64.extend_i32_u (local.get $errno)))
    (call $eprint (i32.const 336) (i32.const 1))
    (call $proc_exit (i32.const 1)))

  ;; Length of the NUL-terminated string at s.
  (func $strlen (param $s i32) (result i32)
    (local $end i32)
    (local.set $end (local.get $s))
    (block $done
      (loop $scan
        (br_if $done (i32.eqz (i32.load8_u (local.get $end))))
        (local.set $end (i32.add (local.get $end) (i32.const 1)))
        (br $scan)))
    (i32.sub (local.get $end) (local.get $s)))

  ;; 1 if the string at s starts with the len bytes at prefix. Stops at the first
  ;; mismatch, so it never reads past the NUL of a shorter string.
  (func $has_prefix (param $s i32) (param $prefix i32) (param $len i32) (result i32)
    (local $k i32)
    (loop $cmp
      (if (i32.eq (local.get $k) (local.get $len))
        (then (return (i32.const 1))))
      (if (i32.ne (i32.load8_u (i32.add (local.get $s) (local.get $k)))
                  (i32.load8_u (i32.add (local.get $prefix) (local.get $k))))
        (then (return (i32.const 0))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $cmp))
    (unreachable))

  (func $_start (export "_start")
    (local $errno i32)
    (local $count i32)
    (local $strings i32)
    (local $end i32)
    (local $i i32)
    (local $entry i32)

    (local.set $errno (call $environ_sizes_get (i32.const 64) (i32.const 68)))
    (if (local.get $errno) (then (call $environ_failed (local.get $errno))))
    (local.set $count (i32.load (i32.const 64)))

    ;; Strings go right after the pointer array; grow memory if a large environment would not fit.
    (local.set $strings (i32.add (i32.const 1024) (i32.shl (local.get $count) (i32.const 2))))
    (local.set $end (i32.add (local.get $strings) (i32.load (i32.const 68))))
    (if (i32.gt_u (local.get $end) (i32.shl (memory.size) (i32.const 16)))
      (then
        (drop (memory.grow
          (i32.sub (i32.shr_u (i32.add (local.get $end) (i32.const 65535)) (i32.const 16))
                   (memory.size))))))

    ;; (Skipped for an empty environment: some hosts reject environ_get with nothing to copy.)
    (if (local.get $count)
      (then
        (local.set $errno (call $environ_get (i32.const 1024) (local.get $strings)))
        (if (local.get $errno) (then (call $environ_failed (local.get $errno))))))

    ;; environment: <count> variables\n
    (call $print (i32.const 272) (i32.const 13))
    (call $print_u64 (i64.extend_i32_u (local.get $count)))
    (call $print (i32.const 288) (i32.const 11))

    ;; Look for an entry starting with "GREETING=" and print it whole.
    (block $not_found
      (loop $next
        (br_if $not_found (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $entry
          (i32.load (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 2)))))
        (if (call $has_prefix (local.get $entry) (i32.const 256) (i32.const 9))
          (then
            (call $print (local.get $entry) (call $strlen (local.get $entry)))
            (call $print (i32.const 336) (i32.const 1))
            (return)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))

    (call $eprint (i32.const 304) (i32.const 20))
    (call $proc_exit (i32.const 1))))
