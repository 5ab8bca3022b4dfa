//! `wasmscope run --part NAME=FLAGS`: capabilities per inner component of a
//! composed component, on the command line.

use std::path::Path;
use std::process::Command;

use super::cli_run::text;

fn wasmscope(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_wasmscope"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/composition"))
        .env("XDG_CACHE_HOME", Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-parts-cache"))
        .output()
        .expect("wasmscope starts")
}

#[test]
fn the_provider_alone_reads_data_and_the_client_gets_nothing() {
    let out = wasmscope(&[
        "run",
        "--trace",
        "json",
        "--part",
        "database-connector=--dir-readonly data::/data",
        "--part",
        "command=",
        "client_go.wasm",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("3\tname=linus;lang=go"), "{}", text(&out.stdout));
    let calls: Vec<serde_json::Value> =
        text(&out.stderr).lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let directories = |part: &str| -> Vec<String> {
        calls
            .iter()
            .filter(|c| c["part"] == part && c["func"] == "get-directories")
            .map(|c| c["result"].as_str().unwrap().to_string())
            .collect()
    };
    let provider = directories("#0 database-connector");
    assert!(!provider.is_empty() && provider.iter().all(|r| r == r#"["/data"]"#), "{provider:?}");
    let client = directories("#1 command");
    assert!(!client.is_empty() && client.iter().all(|r| r == "[]"), "{client:?}");
}

#[test]
fn a_folder_the_run_grants_but_a_part_lacks_is_explained_as_that_parts_and_its_fix_works() {
    let out = wasmscope(&[
        "run",
        "--dir-readonly",
        "data::/data",
        "--part",
        "database-connector=",
        "--explain",
        "client_rust.wasm",
    ]);
    let stderr = text(&out.stderr);
    assert!(text(&out.stdout).contains("error: cannot open /data/users.csv"), "{}", text(&out.stdout));
    assert!(
        stderr.contains("why [files]: In the part `database-connector`, the program asked for `/data/users.csv`"),
        "{stderr}"
    );
    let fix = "--part 'database-connector=… --dir-readonly data::/data'";
    assert!(stderr.contains(fix), "{stderr}");

    // The flag the fix spells, with the part's other flags (none) in place of `…`.
    let fixed = wasmscope(&[
        "run",
        "--dir-readonly",
        "data::/data",
        "--part",
        "database-connector=--dir-readonly data::/data",
        "client_rust.wasm",
    ]);
    assert_eq!(fixed.status.code(), Some(0), "{}", text(&fixed.stderr));
    assert!(text(&fixed.stdout).contains("2\tname=grace;lang=rust"), "{}", text(&fixed.stdout));
}

#[test]
fn a_part_that_is_not_there_or_a_flag_that_is_not_a_flag_is_an_error() {
    let out = wasmscope(&["run", "--part", "storage=--dir data", "client_rust.wasm"]);
    assert_eq!(out.status.code(), Some(126));
    assert!(text(&out.stderr).contains("no part `storage`"), "{}", text(&out.stderr));
    let out = wasmscope(&["run", "--part", "command=--bogus", "client_rust.wasm"]);
    assert_eq!(out.status.code(), Some(126));
    assert!(text(&out.stderr).contains("--part command: unexpected argument '--bogus'"), "{}", text(&out.stderr));
    // A component that is not composed has no parts to give capabilities to.
    let out = wasmscope(&["run", "--part", "command=", "../components/hello_component.wasm"]);
    assert_eq!(out.status.code(), Some(126));
    assert!(text(&out.stderr).contains("capabilities per part need a composed command"), "{}", text(&out.stderr));
}
