//! `wasmscope run` as a drop-in for `wasmtime run`: its `-S`/`-W` options,
//! `--invoke` on a core module, and a sentence for what is not taken.

use super::cli_run::{text, wasmscope};

#[test]
fn s_and_w_options_map_onto_the_sandbox() {
    let env = wasmscope(&["run", "-S", "inherit-env", "--env", "GREETING=hi", "samples/env.wat"]);
    let stdout = text(&env.stdout);
    assert!(stdout.contains("GREETING=hi"), "{stdout}");
    let listed = stdout.lines().next().unwrap();
    assert_ne!(listed, "environment: 1 variables", "-S inherit-env passes the host's variables too");

    let fuel = wasmscope(&["run", "-W", "fuel=100000", "samples/loop_forever.wat"]);
    assert_eq!(fuel.status.code(), Some(135), "{}", text(&fuel.stderr));
    let timeout = wasmscope(&["run", "-W", "timeout=200ms", "samples/loop_forever.wat"]);
    assert_eq!(timeout.status.code(), Some(142), "{}", text(&timeout.stderr));
    // Several options in one word, and the ones that are always on here.
    let many = wasmscope(&["run", "-S", "cli,tcp,udp", "-W", "max-memory-size=1M,fuel=100000", "samples/hello.wat"]);
    assert_eq!(many.status.code(), Some(0), "{}", text(&many.stderr));
    assert_eq!(text(&many.stdout), "Hello, WASI!\n");
}

#[test]
fn an_option_wasmscope_does_not_take_is_refused_by_name() {
    for (flag, option) in [("-S", "preview2"), ("-S", "tcp=n"), ("-W", "relaxed-simd"), ("-W", "inherit-env")] {
        let out = wasmscope(&["run", flag, option, "samples/hello.wat"]);
        assert_eq!(out.status.code(), Some(126), "{flag} {option}");
        assert!(
            text(&out.stderr).contains(&format!("`{flag} {option}` is a wasmtime run option")),
            "{}",
            text(&out.stderr)
        );
        assert_eq!(text(&out.stdout), "", "{flag} {option}: the guest did not run");
    }
    let bad_value = wasmscope(&["run", "-W", "fuel=lots", "samples/hello.wat"]);
    assert_eq!(bad_value.status.code(), Some(126));
    assert!(text(&bad_value.stderr).contains("fuel=lots"), "{}", text(&bad_value.stderr));
}

/// `wasmtime run --invoke argc m.wasm a b c`: the export takes no
/// parameters, and the guest's argv is the module and all three words.
#[test]
fn invoke_on_a_core_module_gives_the_words_as_argv_and_the_first_as_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("argc.wat");
    std::fs::write(
        &module,
        r#"(module
          (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "argc") (result i32)
            (drop (call $sizes (i32.const 0) (i32.const 4)))
            (i32.load (i32.const 0)))
          (func (export "argc_plus") (param i32) (result i32)
            (drop (call $sizes (i32.const 0) (i32.const 4)))
            (i32.add (i32.load (i32.const 0)) (local.get 0))))"#,
    )
    .unwrap();
    let module = module.to_str().unwrap();
    let argc = wasmscope(&["run", "--invoke", "argc", module, "a", "b", "c"]);
    assert_eq!(argc.status.code(), Some(0), "{}", text(&argc.stderr));
    assert_eq!(text(&argc.stdout), "4\n");
    // One parameter: it takes the first word; argv still has them all.
    let plus = wasmscope(&["run", "--invoke", "argc_plus", module, "10", "b"]);
    assert_eq!(text(&plus.stdout), "13\n", "{}", text(&plus.stderr));
    let too_few = wasmscope(&["run", "--invoke", "argc_plus", module]);
    assert_eq!(too_few.status.code(), Some(126));
}
