//! `wasmscope run` as a user calls it: flags, output, trace, exit status.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub(crate) fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples")
}

pub(crate) fn wasmscope(args: &[&str]) -> Output {
    wasmscope_with_stdin(args, b"")
}

/// `wasmscope ARGS…` as a user starts it from the workspace's folder, every
/// stream piped.
pub(crate) fn wasmscope_command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_wasmscope"));
    command
        .args(args)
        .current_dir(samples().join(".."))
        // Compiled modules are cached here, not in the user's cache folder.
        .env("XDG_CACHE_HOME", Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-run-cache"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

fn wasmscope_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = wasmscope_command(args).spawn().expect("wasmscope starts");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().expect("wasmscope ends")
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_escape_shows_as_a_denied_path_open_in_json() {
    let out = wasmscope(&["run", "--dir", "samples/data::/data", "--trace", "json", "samples/escape.wat"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let calls: Vec<serde_json::Value> =
        text(&out.stderr).lines().map(|l| serde_json::from_str(l).expect("one JSON object per line")).collect();
    let escape = calls.iter().find(|c| c["func"] == "path_open").expect("a path_open line");
    assert_eq!(escape["args"]["path"], "../secret.txt");
    assert_eq!(escape["denied"], true);
    assert_eq!(escape["errno"], "perm");
    assert!(escape["dur_ns"].as_u64().is_some());
    let write = calls.iter().find(|c| c["func"] == "fd_write").unwrap();
    assert_eq!(write["errno"], serde_json::Value::Null);
    assert_eq!(write["denied"], false);
}

#[test]
fn the_text_trace_reads_like_strace() {
    let out = wasmscope(&["run", "--dir-readonly", "samples/data::/data", "--trace", "text", "samples/read_file.wat"]);
    assert_eq!(text(&out.stdout), "read: Hello from the host filesystem!\n");
    let trace = text(&out.stderr);
    assert!(
        trace.contains("path_open(fd=3</data>, dirflags=symlink_follow, path=\"hello.txt\", oflags=0, rights=fd_read, fdflags=0) = ok opened_fd=4"),
        "{trace}"
    );
    assert!(trace.contains("fd_read(fd=4</data/hello.txt>"), "{trace}");
}

#[test]
fn the_trace_file_gets_the_trace_and_stderr_stays_clean() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trace.jsonl");
    let out = wasmscope(&["run", "--trace", "json", "--trace-file", file.to_str().unwrap(), "samples/hello.wat"]);
    assert_eq!(text(&out.stdout), "Hello, WASI!\n");
    assert_eq!(text(&out.stderr), "");
    let trace = std::fs::read_to_string(&file).unwrap();
    let call: serde_json::Value = serde_json::from_str(trace.lines().next().unwrap()).unwrap();
    assert_eq!(call["func"], "fd_write");
}

#[test]
fn exit_statuses_tell_how_the_run_ended() {
    assert_eq!(wasmscope(&["run", "samples/exit_code.wat"]).status.code(), Some(3));
    let trap = wasmscope(&["run", "samples/trap.wat"]);
    assert_eq!(trap.status.code(), Some(134));
    let stderr = text(&trap.stderr);
    assert!(stderr.contains("wasm `unreachable` instruction executed") && stderr.contains("check_header"), "{stderr}");
    assert_eq!(wasmscope(&["run", "--timeout", "200ms", "samples/loop_forever.wat"]).status.code(), Some(142));
    assert_eq!(wasmscope(&["run", "--fuel", "100000", "samples/loop_forever.wat"]).status.code(), Some(135));
    let missing = wasmscope(&["run", "samples/does-not-exist.wasm"]);
    assert_eq!(missing.status.code(), Some(126));
    assert!(text(&missing.stderr).contains("does-not-exist.wasm"));
}

#[test]
fn words_after_the_file_reach_the_guest() {
    let out = wasmscope(&["run", "samples/args.wat", "--dir", "-x", "two words"]);
    assert_eq!(text(&out.stdout), "args.wat\n--dir\n-x\ntwo words\n");
    let renamed = wasmscope(&["run", "--argv0", "tool", "samples/args.wat"]);
    assert_eq!(text(&renamed.stdout), "tool\n");
    let invoked = wasmscope(&["run", "--invoke", "add", "samples/reactor.wat", "-2", "3"]);
    assert_eq!(text(&invoked.stdout), "101\n");
}

#[test]
fn stdin_is_passed_through_by_default_and_from_a_file_on_request() {
    let piped = wasmscope_with_stdin(&["run", "samples/stdin_echo.wat"], b"piped\n");
    assert_eq!(text(&piped.stdout), "echo: piped\nstdin closed\n");
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input.txt");
    std::fs::write(&input, "from a file").unwrap();
    let from_file = wasmscope(&["run", "--stdin", input.to_str().unwrap(), "samples/stdin_echo.wat"]);
    assert_eq!(text(&from_file.stdout), "echo: from a filestdin closed\n");
}

#[test]
fn wasmscope_log_shows_the_engines_own_logs_on_stderr() {
    let run = |filter: Option<&str>| {
        let mut command = wasmscope_command(&["run", "samples/hello.wat"]);
        match filter {
            Some(filter) => command.env("WASMSCOPE_LOG", filter),
            None => command.env_remove("WASMSCOPE_LOG"),
        };
        command.output().expect("wasmscope runs")
    };
    let quiet = run(None);
    assert_eq!(text(&quiet.stderr), "");
    let logged = run(Some("wasmtime=debug"));
    assert_eq!(logged.status.code(), Some(0));
    assert_eq!(text(&logged.stdout), "Hello, WASI!\n", "the guest's output is untouched");
    let stderr = text(&logged.stderr);
    assert!(stderr.lines().any(|l| l.contains("DEBUG") && l.contains("wasmtime::")), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "no colours into a pipe: {stderr}");
    let bad = run(Some("[[nonsense"));
    assert_eq!(bad.status.code(), Some(0));
    assert!(
        text(&bad.stderr).starts_with("warning: WASMSCOPE_LOG=[[nonsense is not a log filter"),
        "{}",
        text(&bad.stderr)
    );
}

#[test]
fn timings_are_printed_on_request() {
    let out = wasmscope(&["run", "--timings", "samples/hello.wat"]);
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("timings: compile "), "{stderr}");
    for phase in ["instantiate", "first call", "total"] {
        assert!(stderr.contains(phase), "{stderr}");
    }
}

#[test]
fn denied_clocks_and_granted_env_work_from_flags() {
    let clock = wasmscope(&["run", "--clock", "deny", "--trace", "text", "samples/clock.wat"]);
    assert_eq!(clock.status.code(), Some(1));
    assert!(text(&clock.stderr).contains("= notcapable"), "{}", text(&clock.stderr));
    let env = wasmscope(&["run", "--env", "GREETING=hi", "samples/env.wat"]);
    assert_eq!(text(&env.stdout), "environment: 1 variables\nGREETING=hi\n");
}

/// Each real sample, headless: under its failing profile `--explain` names
/// the fix as flags; with those flags (a real folder where the fix says
/// FOLDER, values for the variables it names) the program succeeds.
#[test]
fn each_real_sample_fails_explains_and_succeeds_with_the_fix() {
    let log_dir = tempfile::tempdir().unwrap();
    let log = format!("{}::/data", log_dir.path().display());
    /// (file, failing flags, the fix `--explain` names, fixed flags, expected stdout)
    type Case<'a> = (&'a str, &'a [&'a str], &'a str, &'a [&'a str], &'a str);
    let cases: &[Case] = &[
        (
            "hello_file_rust.wasm",
            &[],
            "add `--dir-readonly FOLDER::.`",
            &["--dir-readonly", "samples/data::."],
            "WASM Read: Hello from the host filesystem!",
        ),
        (
            "hello_file_go.wasm",
            &["--dir-readonly", "samples/data::."],
            "Mount the folder now at `.` as `/` instead",
            &["--dir-readonly", "samples/data::/"],
            "WASM Read: Hello from the host filesystem!",
        ),
        (
            "env_secret.wasm",
            &[],
            "add `--env HOME=",
            &["--env", "HOME=/home/guest", "--env", "SECRET=swordfish"],
            "SECRET=swordfish",
        ),
        ("what_time.wasm", &["--clock", "deny"], "add `--clock real`", &["--clock", "real"], "It is "),
        ("write_log.wasm", &["--dir-readonly", &log], "Make `/data` writable", &["--dir", &log], "appended a line"),
    ];
    for (file, failing, fix, fixed, expected) in cases {
        let module = format!("samples/real/{file}");
        let failed = wasmscope(&[&["run", "--explain"], *failing, &[module.as_str()]].concat());
        assert_ne!(failed.status.code(), Some(0), "{file} fails under {failing:?}");
        let why = text(&failed.stderr);
        assert!(why.contains(fix), "{file}: {why}");

        let succeeded = wasmscope(&[&["run", "--explain"], *fixed, &[module.as_str()]].concat());
        let (out, err) = (text(&succeeded.stdout), text(&succeeded.stderr));
        assert_eq!(succeeded.status.code(), Some(0), "{file} under {fixed:?}: {out}{err}");
        assert!(out.contains(expected), "{file}: {out}");
        assert!(err.contains("explain: nothing was refused"), "{file}: {err}");
    }
    assert!(std::fs::read_to_string(log_dir.path().join("log.txt")).unwrap().lines().count() == 1);
}

/// The program wants a gigabyte; each `--explain` offers a higher cap, and
/// following them the program gets there.
#[test]
fn following_the_memory_fixes_lets_the_allocator_finish() {
    let mut cap = "16M".to_string();
    for round in 0..4 {
        let run = wasmscope(&["run", "--explain", "--max-memory", &cap, "samples/real/alloc_until_cap.wasm"]);
        if run.status.code() == Some(0) {
            assert!(text(&run.stdout).contains("after 1024 MiB"), "{}", text(&run.stdout));
            assert!(round >= 2, "16 MiB cannot hold a gigabyte in fewer rounds");
            return;
        }
        let why = text(&run.stderr);
        let offered = why.split("add `--max-memory ").nth(1).and_then(|rest| rest.split('`').next());
        cap = offered.unwrap_or_else(|| panic!("round {round} under {cap}: no memory fix offered\n{why}")).to_string();
    }
    panic!("still failing at --max-memory {cap}");
}

#[test]
fn density_starts_n_sandboxes_and_reports_per_instance_figures() {
    let out = wasmscope(&["density", "-n", "50", "--json", "samples/hello.wat"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["started"], 50);
    assert_eq!(report["linear_bytes_per_instance"], 65536);
    assert!(report["median_ns"].as_u64().unwrap() > 0);

    let plain = text(&wasmscope(&["density", "-n", "5", "--threads", "2", "samples/hello.wat"]).stdout);
    assert!(plain.starts_with("5 instances alive, started in"), "{plain}");
    assert!(plain.lines().next().unwrap().ends_with("on 2 threads"), "{plain}");
    let no_threads = wasmscope(&["density", "-n", "5", "--threads", "0", "samples/hello.wat"]);
    assert_eq!(no_threads.status.code(), Some(2), "a usage error");
    let too_many = wasmscope(&["density", "-n", "10001", "samples/hello.wat"]);
    assert_eq!(too_many.status.code(), Some(2), "a usage error");
    // A real wasi-libc program: instantiating needs no grant at all.
    let c_program = wasmscope(&["density", "-n", "5", "samples/real/write_log.wasm"]);
    assert_eq!(c_program.status.code(), Some(0), "{}", text(&c_program.stderr));
}

#[test]
fn call_lists_a_components_functions_and_calls_one_with_wave_arguments() {
    let db = "samples/components/database_connector.wasm";
    let out = wasmscope(&["call", db]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let listing = text(&out.stdout);
    assert!(listing.contains("wasmscope:db/database-connector:"), "{listing}");
    assert!(listing.contains("  execute-query: func(sql: string) -> result<list<query-result>, string>"), "{listing}");

    let out = wasmscope(&["call", db, "execute-query", "\"select * from users where id = 3\""]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "ok([{id: 3, name: \"linus\", score: 67.25}])\n");

    let out = wasmscope(&["call", db, "execute-query", "3"]);
    assert_eq!(out.status.code(), Some(126));
    assert!(text(&out.stderr).contains("argument `sql` of `execute-query`: `3` is not a string value"));
}

#[test]
fn call_on_a_core_export_takes_exactly_its_arguments() {
    let out = wasmscope(&["call", "samples/reactor.wat", "add", "2", "3"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains('5'), "{}", text(&out.stdout));
    // Unlike `run --invoke`, a typed call does not pass extra words as argv.
    let out = wasmscope(&["call", "samples/reactor.wat", "add", "2", "3", "4"]);
    assert_eq!(out.status.code(), Some(126), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("takes 2 argument(s), 3 given"), "{}", text(&out.stderr));
}

#[test]
fn a_refused_connection_is_a_denied_line_in_the_json_trace_and_never_reaches_the_server() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let out = wasmscope(&[
        "run",
        "--allow-net",
        "10.0.0.1:80",
        "--trace",
        "json",
        "--explain",
        "samples/components/tcp_connect.wasm",
        &addr,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    let denied: Vec<serde_json::Value> = stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|c| c["denied"] == true)
        .collect();
    assert_eq!(denied.len(), 1, "{stderr}");
    assert_eq!(denied[0]["interface"], "wasi:sockets/tcp");
    assert_eq!(denied[0]["errno"], "access-denied");
    assert_eq!(denied[0]["capability"], "network");
    let reason = denied[0]["reason"].as_str().unwrap();
    assert!(reason.contains(&addr) && reason.contains("`10.0.0.1:80`"), "{reason}");
    assert!(stderr.contains(&format!("fix: Allow {addr} in the network allow-list (add `--allow-net {addr}`)")));
    assert_eq!(listener.accept().unwrap_err().kind(), std::io::ErrorKind::WouldBlock, "nothing connected");
}

#[test]
fn inspect_prints_what_it_read_on_stdout_and_the_fault_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let truncated = dir.path().join("truncated.wasm");
    // The header, then a type section that says 5 bytes follow and ends.
    std::fs::write(&truncated, b"\0asm\x01\0\0\0\x01\x05").unwrap();
    let out = wasmscope(&["inspect", truncated.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(stdout.contains("core module, 10 bytes"), "{stdout}");
    assert!(!stdout.contains("error"), "{stdout}");
    assert!(stderr.starts_with("error: ") && stderr.contains("malformed at offset 0xa"), "{stderr}");

    let not_wasm = dir.path().join("notes.txt");
    std::fs::write(&not_wasm, "garbage").unwrap();
    let out = wasmscope(&["inspect", not_wasm.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
    assert!(text(&out.stderr).contains("neither WebAssembly nor valid WebAssembly text"));
}
