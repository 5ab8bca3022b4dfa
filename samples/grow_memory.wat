;; Grow linear memory 1 MiB at a time up to 256 MiB, reporting progress; a memory cap makes memory.grow fail and the guest exit 1.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit"
    (func $proc_exit (param i32)))

  ;; 1 page (64 KiB) to start, no maximum: only the host can say no.
  (memory (export "memory") 1)

  ;; Memory map:
  ;;   0..8     iovec used by $write
  ;;   8..12    nwritten
  ;;   16..36   digit scratch for $write_u64
  ;;   256..    strings
  (data (i32.const 256) "memory: ")                 ;; 8
  (data (i32.const 272) " pages\n")                 ;; 7
  (data (i32.const 288) "reached ")                 ;; 8
  (data (i32.const 304) "memory.grow refused at ")  ;; 23

  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))

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

  ;; Writes "<pages> pages\n" to fd.
  (func $write_pages (param $fd i32) (param $pages i32)
    (call $write_u64 (local.get $fd) (i64.extend_i32_u (local.get $pages)))
    (call $write (local.get $fd) (i32.const 272) (i32.const 7)))

  (func $_start (export "_start")
    (local $pages i32)
    (block $done
      (loop $grow
        (local.set $pages (memory.size))
        (br_if $done (i32.ge_u (local.get $pages) (i32.const 4096)))   ;; 4096 pages = 256 MiB
        ;; Grow by 16 pages (1 MiB). The first step grows by 15 so that the size
        ;; goes 1 -> 16 -> 32 -> ... and lands exactly on 4096.
        (if (i32.eq (memory.grow (i32.sub (i32.const 16) (i32.and (local.get $pages) (i32.const 15))))
                    (i32.const -1))
          (then
            ;; stderr: memory.grow refused at <pages> pages\n
            (call $write (i32.const 2) (i32.const 304) (i32.const 23))
            (call $write_pages (i32.const 2) (local.get $pages))
            (call $proc_exit (i32.const 1))))
        (local.set $pages (memory.size))
        ;; Report every 64 pages (4 MiB): memory: <pages> pages\n
        (if (i32.eqz (i32.and (local.get $pages) (i32.const 63)))
          (then
            (call $write (i32.const 1) (i32.const 256) (i32.const 8))
            (call $write_pages (i32.const 1) (local.get $pages))))
        (br $grow)))
    ;; reached <pages> pages\n
    (call $write (i32.const 1) (i32.const 288) (i32.const 8))
    (call $write_pages (i32.const 1) (local.get $pages))))
