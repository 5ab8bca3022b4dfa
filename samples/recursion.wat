;; Unbounded recursion: $recurse calls itself until the engine's call stack is exhausted and the run traps.
(module
  ;; No imports are needed: the crash needs no WASI call.
  (memory (export "memory") 1)

  ;; Not a tail call: the result of the inner call is returned through this
  ;; frame, so every level keeps a frame alive.
  (func $recurse (param $depth i32) (result i32)
    (call $recurse (i32.add (local.get $depth) (i32.const 1))))

  (func $_start (export "_start")
    (drop (call $recurse (i32.const 0)))))
