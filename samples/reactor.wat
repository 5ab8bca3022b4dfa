;; A WASI reactor (library-style module): _initialize sets up state, then the host calls exports such as add, mul_f64, fib and hello.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))

  (memory (export "memory") 1)

  ;; Set by _initialize. add() folds it in, so add(2, 3) returns 105 after
  ;; _initialize ran, and 5 if the host forgot to call it.
  (global $base (mut i32) (i32.const 0))

  ;; Memory map:
  ;;   0..8     iovec used by $print
  ;;   8..12    nwritten
  ;;   256..    message
  (data (i32.const 256) "hello from a reactor\n")  ;; 21

  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  ;; Reactor constructor: the host calls this once, before any other export.
  (func $_initialize (export "_initialize")
    (global.set $base (i32.const 100)))

  ;; a + b + $base: after _initialize, add(2, 3) = 105.
  (func $add (export "add") (param $a i32) (param $b i32) (result i32)
    (i32.add (i32.add (local.get $a) (local.get $b)) (global.get $base)))

  (func $mul_f64 (export "mul_f64") (param $a f64) (param $b f64) (result f64)
    (f64.mul (local.get $a) (local.get $b)))

  ;; Iterative Fibonacci: fib(0) = 0, fib(1) = 1, fib(10) = 55; fib(92) is the largest that fits in an i64.
  (func $fib (export "fib") (param $n i64) (result i64)
    (local $a i64)
    (local $b i64)
    (local $next i64)
    (local.set $b (i64.const 1))
    (block $done
      (loop $step
        (br_if $done (i64.eqz (local.get $n)))
        (local.set $next (i64.add (local.get $a) (local.get $b)))
        (local.set $a (local.get $b))
        (local.set $b (local.get $next))
        (local.set $n (i64.sub (local.get $n) (i64.const 1)))
        (br $step)))
    (local.get $a))

  (func $hello (export "hello")
    (call $print (i32.const 256) (i32.const 21))))
