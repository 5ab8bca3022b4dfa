//! The loops the `component-calls` section times: WASI 0.2 and 0.3 command
//! components, written in WAT, whose `wasi:cli/run` makes one kind of host
//! call a given number of times.

/// Host calls each loop makes.
pub const COMPONENT_CALLS: u32 = 1_000_000;

/// What the loop calls.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum HostLoop {
    /// `wasi:io/streams` `[method]output-stream.blocking-write-and-flush` of
    /// 16 bytes to `wasi:cli/stdout` (the counterpart of preview1's `fd_write`).
    Write,
    /// `wasi:clocks/monotonic-clock` `now`.
    Clock,
}

/// A command component whose `run` makes `calls` host calls of one kind
/// (stdout is fetched once, before the loop, in both kinds).
pub fn component_loop(what: HostLoop, calls: u32) -> Vec<u8> {
    let body = match what {
        HostLoop::Write => {
            "(call $write (local.get $out) (i32.const 64) (i32.const 16) (i32.const 128))
             (if (i32.load8_u (i32.const 128)) (then (return (i32.const 1))))"
        }
        HostLoop::Clock => "(drop (call $now))",
    };
    let wat = format!(
        r#"(component
  (import "wasi:io/error@0.2.0" (instance $error (export "error" (type (sub resource)))))
  (alias export $error "error" (type $error-type))
  (import "wasi:io/streams@0.2.0" (instance $streams
    (alias outer 1 $error-type (type $err))
    (export "error" (type $error (eq $err)))
    (export "output-stream" (type $output-stream (sub resource)))
    (type $own-error (own $error))
    (type $stream-error-type (variant (case "last-operation-failed" $own-error) (case "closed")))
    (export "stream-error" (type $stream-error (eq $stream-error-type)))
    (type $borrow-out (borrow $output-stream))
    (export "[method]output-stream.blocking-write-and-flush"
      (func (param "self" $borrow-out) (param "contents" (list u8)) (result (result (error $stream-error)))))))
  (alias export $streams "output-stream" (type $output-stream-type))
  (import "wasi:cli/stdout@0.2.0" (instance $stdout
    (alias outer 1 $output-stream-type (type $os))
    (export "output-stream" (type $output-stream (eq $os)))
    (type $own-out (own $output-stream))
    (export "get-stdout" (func (result $own-out)))))
  (import "wasi:clocks/monotonic-clock@0.2.0" (instance $monotonic
    (export "now" (func (result u64)))))
  (core module $libc
    (memory (export "memory") 1)
    (data (i32.const 64) "0123456789abcdef"))
  (core instance $libc (instantiate $libc))
  (core func $get-stdout (canon lower (func $stdout "get-stdout")))
  (core func $write (canon lower (func $streams "[method]output-stream.blocking-write-and-flush")
    (memory (core memory $libc "memory"))))
  (core func $now (canon lower (func $monotonic "now")))
  (core module $guest
    (import "host" "get-stdout" (func $get-stdout (result i32)))
    (import "host" "write" (func $write (param i32 i32 i32 i32)))
    (import "host" "now" (func $now (result i64)))
    (import "libc" "memory" (memory 1))
    (func (export "run") (result i32) (local $i i32) (local $out i32)
      (local.set $out (call $get-stdout))
      (block $done
        (br_if $done (i32.eqz (i32.const {calls})))
        (loop $again
          {body}
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $again (i32.lt_u (local.get $i) (i32.const {calls})))))
      (i32.const 0)))
  (core instance $guest (instantiate $guest
    (with "host" (instance
      (export "get-stdout" (func $get-stdout))
      (export "write" (func $write))
      (export "now" (func $now))))
    (with "libc" (instance $libc))))
  (func $run (result (result)) (canon lift (core func $guest "run")))
  (instance $run-instance (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run-instance)))"#
    );
    wat::parse_str(&wat).unwrap_or_else(|e| panic!("component loop: {e}"))
}

/// A WASI 0.3 command component whose `run` (an `async func`, lifted with a
/// callback it never needs: it returns its result with `task.return` and
/// exits at once) reads `wasi:clocks/monotonic-clock@0.3.0` `now` once, then
/// `calls` times.
pub fn component_loop_p3_clock(calls: u32) -> Vec<u8> {
    let wat = format!(
        r#"(component
  (import "wasi:clocks/monotonic-clock@0.3.0" (instance $monotonic
    (export "now" (func (result u64)))))
  (core func $now (canon lower (func $monotonic "now")))
  (core func $task-return (canon task.return (result (result))))
  (core module $guest
    (import "host" "now" (func $now (result i64)))
    (import "host" "task-return" (func $task-return (param i32)))
    (func (export "run") (result i32) (local $i i32)
      ;; One read before the loop, as the 0.2 loops fetch stdout: the
      ;; run's first host call, timed even in the empty loop.
      (drop (call $now))
      (block $done
        (br_if $done (i32.eqz (i32.const {calls})))
        (loop $again
          (drop (call $now))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $again (i32.lt_u (local.get $i) (i32.const {calls})))))
      ;; `Ok(())`, then EXIT (0): the callback is never called.
      (call $task-return (i32.const 0))
      (i32.const 0))
    (func (export "callback") (param i32 i32 i32) (result i32) unreachable))
  (core instance $guest (instantiate $guest
    (with "host" (instance
      (export "now" (func $now))
      (export "task-return" (func $task-return))))))
  (func $run async (result (result))
    (canon lift (core func $guest "run") async (callback (core func $guest "callback"))))
  (instance $run-instance (export "run" (func $run)))
  (export "wasi:cli/run@0.3.0" (instance $run-instance)))"#
    );
    wat::parse_str(&wat).unwrap_or_else(|e| panic!("0.3 component loop: {e}"))
}
