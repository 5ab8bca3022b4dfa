;; Ask to sleep for an hour with poll_oneoff on the monotonic clock; a --timeout ends the run long before it wakes.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  ;; poll_oneoff(in: *const subscription, out: *mut event, nsubscriptions, &nevents)
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit"
    (func $proc_exit (param i32)))

  (memory (export "memory") 1)

  ;; Memory map:
  ;;   0..8      iovec used by $write
  ;;   8..12     nwritten
  ;;   16..36    digit scratch for $write_u64
  ;;   128..176  subscription (48 bytes, 8-aligned):
  ;;               @0  userdata u64
  ;;               @8  tag u8 (0 = clock)
  ;;               @16 clock id u32        (subscription_clock starts at @16)
  ;;               @24 timeout u64 (ns)
  ;;               @32 precision u64 (ns)
  ;;               @40 flags u16 (0 = relative, 1 = abstime)
  ;;   192..224  event (32 bytes): @0 userdata u64, @8 error u16, @10 type u8, @16 fd_readwrite
  ;;   224..228  nevents (u32)
  ;;   256..     strings
  (data (i32.const 256) "sleeping for an hour\n")       ;; 21
  (data (i32.const 288) "woke up\n")                    ;; 8
  (data (i32.const 304) "poll_oneoff failed: errno ")   ;; 26
  (data (i32.const 336) "\n")                           ;; 1

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
    (call $print (i32.const 256) (i32.const 21))

    ;; One clock subscription: monotonic, relative, 1 hour.
    (i64.store (i32.const 128) (i64.const 42))                ;; userdata (echoed back in the event)
    (i32.store8 (i32.const 136) (i32.const 0))                ;; tag: clock
    (i32.store (i32.const 144) (i32.const 1))                 ;; clock id: monotonic
    (i64.store (i32.const 152) (i64.const 3600000000000))     ;; timeout: 3600 s in ns
    (i64.store (i32.const 160) (i64.const 0))                 ;; precision
    (i32.store16 (i32.const 168) (i32.const 0))               ;; flags: relative

    (local.set $errno
      (call $poll_oneoff (i32.const 128) (i32.const 192) (i32.const 1) (i32.const 224)))
    ;; The call itself can fail, or succeed with an error in the event.
    (if (i32.eqz (local.get $errno))
      (then (local.set $errno (i32.load16_u (i32.const 200)))))
    (if (local.get $errno)
      (then
        ;; stderr: poll_oneoff failed: errno <N>\n
        (call $write (i32.const 2) (i32.const 304) (i32.const 26))
        (call $write_u64 (i32.const 2) (i64.extend_i32_u (local.get $errno)))
        (call $write (i32.const 2) (i32.const 336) (i32.const 1))
        (call $proc_exit (i32.const 1))))

    (call $print (i32.const 288) (i32.const 8))))
