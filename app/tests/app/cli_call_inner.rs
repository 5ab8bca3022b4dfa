//! `wasmscope call --inner PART`: an inner component's export, which the
//! composed unit does not export, listed and called from the command line.

use std::path::Path;
use std::process::Command;

use super::cli_run::text;

fn wasmscope(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_wasmscope"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/composition"))
        .env("XDG_CACHE_HOME", Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-call-inner-cache"))
        .output()
        .expect("wasmscope starts")
}

#[test]
fn the_listing_names_each_inner_component_and_its_functions() {
    let out = wasmscope(&["call", "client_rust.wasm"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let listing = text(&out.stdout);
    assert!(
        listing.contains("inner component #0 database-connector (call with --inner database-connector):"),
        "{listing}"
    );
    assert!(listing.contains("    execute-query: func(sql: string) -> list<query-result>"), "{listing}");

    let out = wasmscope(&["call", "--inner", "#0", "client_rust.wasm"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("wasmscope:article/database-connector:\n"), "{}", text(&out.stdout));
}

#[test]
fn an_inner_export_returns_the_rows_the_client_prints_with_its_calls_tagged() {
    let out = wasmscope(&[
        "call",
        "--dir-readonly",
        "data::/data",
        "--trace",
        "json",
        "--inner",
        "database-connector",
        "client_python.wasm",
        "execute-query",
        r#""select * from users where id = 2""#,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "[{id: 2, payload: \"name=grace;lang=rust\"}]\n");
    let calls: Vec<serde_json::Value> =
        text(&out.stderr).lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    assert!(!calls.is_empty(), "{}", text(&out.stderr));
    assert!(calls.iter().all(|c| c["part"] == "#0 database-connector"), "{}", text(&out.stderr));

    // The composed client prints that row for that query.
    let whole = wasmscope(&["run", "--dir-readonly", "data::/data", "client_python.wasm"]);
    assert!(text(&whole.stdout).contains("2\tname=grace;lang=rust\n"), "{}", text(&whole.stdout));
}

#[test]
fn a_part_that_is_not_there_is_an_error_naming_the_parts() {
    let out = wasmscope(&["call", "--inner", "storage", "client_rust.wasm", "execute-query", "\"x\""]);
    assert_eq!(out.status.code(), Some(126));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("no part `storage`") && stderr.contains("`#1 command`"), "{stderr}");
}
