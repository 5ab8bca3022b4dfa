//! `wasmscope run` against the reference: what the `wasmtime` 48.0.8 CLI did
//! with the same files and flags, recorded in `samples/*/expected/*.json` by
//! each folder's `record-expected.sh` (CI needs no wasmtime CLI). Output and
//! exit code must be the same; where Wasmscope differs on purpose, the
//! difference is named here with its reason.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::cli_run::text;

/// One recorded command: the arguments after `wasmtime`, and what it did.
struct Case {
    file: PathBuf,
    name: String,
    args: Vec<String>,
    stdout: String,
    stderr: String,
    exit_code: i32,
}

fn cases(folder: &str) -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("samples").join(folder).join("expected");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        // Either a list of cases, or an object with a `cases` list.
        let list = json.get("cases").unwrap_or(&json).as_array().cloned().unwrap_or_default();
        for case in list {
            // A served request (no command line of its own) is checked by
            // the serve tests.
            let Some(args) = case["wasmtime_args"].as_array() else { continue };
            out.push(Case {
                file: file.clone(),
                name: case["name"].as_str().unwrap_or_default().to_string(),
                args: args.iter().map(|a| a.as_str().unwrap().to_string()).collect(),
                stdout: case["stdout"].as_str().unwrap_or_default().to_string(),
                stderr: case["stderr"].as_str().unwrap_or_default().to_string(),
                exit_code: case["exit_code"].as_i64().unwrap() as i32,
            });
        }
    }
    out
}

/// Runs `wasmscope ARGS` from the sample folder, as the case was recorded.
fn wasmscope_in(folder: &Path, args: &[String]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_wasmscope"))
        .args(args)
        .current_dir(folder)
        .env("XDG_CACHE_HOME", Path::new(env!("CARGO_TARGET_TMPDIR")).join("conformance-cache"))
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .output()
        .expect("wasmscope starts")
}

/// A difference from wasmtime that is Wasmscope's on purpose, and what
/// Wasmscope does instead.
struct Deliberate {
    /// The case's name in the recorded file.
    case: &'static str,
    why: &'static str,
    /// What Wasmscope's run must show instead: exit code, a piece of stderr.
    exit_code: i32,
    stderr_has: &'static str,
}

const DELIBERATE: &[Deliberate] = &[
    Deliberate {
        case: "HTTP granted, network not",
        why: "wasmtime 48 lets every outgoing wasi:http request out once `-S http` is given; Wasmscope puts \
              requests through the network policy like sockets, and the network is off",
        exit_code: 1,
        stderr_has: "denied",
    },
    Deliberate {
        case: "no HTTP, no network: the import is missing",
        why: "Wasmscope always links wasi:http (so the guest starts), and refuses the request: the network is off",
        exit_code: 1,
        stderr_has: "denied",
    },
    Deliberate {
        case: "an hour's sleep under -W timeout=1s: ended after 1 s",
        why: "both end the guest awaiting its hour's wait-for after 1 s; Wasmscope exits with its own status for a \
              run past its time limit, 142 (128 + SIGALRM), and says so, where wasmtime aborts (134) with its trap",
        exit_code: 142,
        stderr_has: "passed its --timeout",
    },
    Deliberate {
        case: "WASI 0.3 switched off (-S p3=n): the 0.3 imports are missing",
        why: "Wasmscope always links WASI 0.3 and does not take `-S p3=n`: it says so and runs nothing",
        exit_code: 126,
        stderr_has: "-S p3=n",
    },
];

/// Placeholders the recording put where a run differs by machine or moment:
/// `{PORT}`-like ones this test fills in, the rest (`{WALL_CLOCK_UTC}`)
/// stand for any text of one line.
fn matches_recorded(recorded: &str, actual: &str, fill: &[(&str, String)]) -> bool {
    let mut recorded = recorded.to_string();
    for (placeholder, value) in fill {
        recorded = recorded.replace(placeholder, value);
    }
    // The literal pieces between placeholders, in order.
    let mut pieces = Vec::new();
    let mut rest = recorded.as_str();
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').map(|c| open + c);
        match close {
            Some(close)
                if close > open + 1 && rest[open + 1..close].chars().all(|c| c.is_ascii_uppercase() || c == '_') =>
            {
                pieces.push(&rest[..open]);
                rest = &rest[close + 1..];
            }
            _ => break,
        }
    }
    pieces.push(rest);
    if pieces.len() == 1 {
        return recorded == actual;
    }
    let Some(mut tail) = actual.strip_prefix(pieces[0]) else { return false };
    for (i, piece) in pieces.iter().enumerate().skip(1) {
        let last = i == pieces.len() - 1;
        // A placeholder stands for some text, not a line break.
        let found = if last {
            tail.strip_suffix(piece).map(|t| (t, ""))
        } else {
            tail.find(piece).map(|at| (&tail[..at], &tail[at + piece.len()..]))
        };
        let Some((filled, after)) = found else { return false };
        if filled.is_empty() || filled.contains('\n') {
            return false;
        }
        tail = after;
    }
    true
}

fn check(folder: &str, fill: &[(&str, String)]) {
    check_with(folder, fill, &[]);
}

/// `check`, with `extra` flags after `run`.
fn check_with(folder: &str, fill: &[(&str, String)], extra: &[String]) {
    let cases = cases(folder);
    assert!(!cases.is_empty(), "no recorded cases in samples/{folder}/expected");
    let mut failures = Vec::new();
    for case in &cases {
        let sample_dir = case.file.parent().unwrap().parent().unwrap();
        let mut args = case.args.clone();
        for arg in &mut args {
            for (placeholder, value) in fill {
                *arg = arg.replace(placeholder, value);
            }
        }
        // `wasmtime FILE` means `wasmtime run FILE`; `wasmscope FILE` opens the window.
        if args.first().map(String::as_str) != Some("run") {
            args.insert(0, "run".to_string());
        }
        args.splice(1..1, extra.iter().cloned());
        let out = wasmscope_in(sample_dir, &args);
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        let code = out.status.code().unwrap_or(-1);
        let label = format!("{} / {}", case.file.file_name().unwrap().to_string_lossy(), case.name);
        if let Some(deliberate) = DELIBERATE.iter().find(|d| d.case == case.name) {
            if code != deliberate.exit_code || !stderr.contains(deliberate.stderr_has) {
                failures.push(format!(
                    "{label}: differs from wasmtime on purpose ({}), but Wasmscope gave exit {code} and {stderr:?}",
                    deliberate.why
                ));
            }
            continue;
        }
        if case.exit_code != 0 && case.stderr.starts_with("Error: failed to run main module") {
            // wasmtime could not start the module (it exits 1 with its
            // linker's text); Wasmscope exits 126, as a shell does for a
            // command it cannot execute, and says what is missing.
            if code != 126 || !stderr.starts_with("error: ") || !stdout.is_empty() {
                failures.push(format!("{label}: expected exit 126 and an error, got {code}: {stderr}"));
            }
            continue;
        }
        if !matches_recorded(&case.stdout, &stdout, fill) {
            failures.push(format!("{label}: stdout differs\n  wasmtime:  {:?}\n  wasmscope: {stdout:?}", case.stdout));
        }
        if code != case.exit_code {
            failures.push(format!("{label}: exit {code}, wasmtime {} (stderr: {stderr})", case.exit_code));
        }
        if !matches_recorded(&case.stderr, &stderr, fill) {
            failures.push(format!("{label}: stderr differs\n  wasmtime:  {:?}\n  wasmscope: {stderr:?}", case.stderr));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

/// A port nothing listens on (the recorded connection-refused case): one
/// the system gave out and took back; another test could take it in between,
/// which no test here does.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `python3 -m http.server`, as the recording used (its headers and pages
/// are in the recorded output), on a free port; killed when dropped.
struct FileServer(std::process::Child);

impl FileServer {
    /// The server picks a free port (0) and says which on its first line.
    fn start(dir: &Path) -> (FileServer, u16) {
        use std::io::BufRead;
        let mut child = Command::new("python3")
            .args(["-u", "-m", "http.server", "--bind", "127.0.0.1", "--directory"])
            .arg(dir)
            .arg("0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 starts");
        let mut first = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        // "Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ..."
        let port = first.split(" port ").nth(1).and_then(|p| p.split_whitespace().next()?.parse().ok());
        let port = port.unwrap_or_else(|| panic!("no port in {first:?}"));
        (FileServer(child), port)
    }
}

impl Drop for FileServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn components_behave_as_under_wasmtime() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples");
    let (_server, port) = FileServer::start(&samples.join("data"));
    let closed = free_port();
    check("components", &[("{PORT}", port.to_string()), ("{CLOSED_PORT}", closed.to_string())]);
}

#[test]
fn composed_components_behave_as_under_wasmtime() {
    check("composition", &[]);
}

/// Traced, a composed command runs part by part (its parts instantiated on
/// their own and linked through the host): still what wasmtime does.
#[test]
fn composed_components_run_part_by_part_behave_as_under_wasmtime() {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace.jsonl");
    let extra = ["--trace".to_string(), "json".to_string(), "-o".to_string(), trace.display().to_string()];
    check_with("composition", &[], &extra);
    // And the Python provider's crossings are in the trace.
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/composition");
    let args = ["run", "--dir", "data::/data", "client_python.wasm"].map(String::from);
    let mut traced = vec![args[0].clone()];
    traced.extend(extra.iter().cloned());
    traced.extend(args[1..].iter().cloned());
    assert_eq!(wasmscope_in(&folder, &traced).status.code(), Some(0));
    let text = std::fs::read_to_string(&trace).unwrap();
    let crossings = text.lines().filter(|l| l.contains(r##""callee":"#0 database-connector""##)).count();
    assert_eq!(crossings, 3, "{text}");
}

/// `wasmscope serve` of a recorded `wasmtime serve` (its `wasmtime_args`,
/// `{PORT}` made 0 so the server picks one), killed when dropped.
struct Served {
    child: std::process::Child,
    port: u16,
}

impl Served {
    fn start(folder: &Path, wasmtime_args: &[String]) -> Served {
        use std::io::BufRead;
        let args: Vec<String> = wasmtime_args.iter().map(|a| a.replace("{PORT}", "0")).collect();
        let mut child = Command::new(env!("CARGO_BIN_EXE_wasmscope"))
            .args(&args)
            .current_dir(folder)
            .env("XDG_CACHE_HOME", Path::new(env!("CARGO_TARGET_TMPDIR")).join("conformance-cache"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("wasmscope serve starts");
        let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
        // "Serving HTTP on http://127.0.0.1:41234/", once the handler compiled.
        let port = loop {
            let line = lines.next().and_then(Result::ok).unwrap_or_else(|| panic!("wasmscope {args:?} ended"));
            if let Some(url) = line.strip_prefix("Serving HTTP on ") {
                break url.trim_end_matches('/').rsplit(':').next().and_then(|p| p.parse().ok()).expect("a port");
            }
        };
        // Keep draining stderr, so that the server never blocks on it.
        std::thread::spawn(move || lines.for_each(drop));
        Served { child, port }
    }

    /// One request as the recording's curl sent it (`user-agent`, `accept`,
    /// and for a body `content-type` and `content-length`); the status and
    /// the body, de-chunked.
    fn request(&self, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
        use std::io::{BufRead, Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.set_read_timeout(Some(std::time::Duration::from_secs(60))).unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nhost: 127.0.0.1:{}\r\nuser-agent: wasmscope-record\r\naccept: */*\r\n\
             connection: close\r\n",
            self.port
        );
        if let Some(body) = body {
            head.push_str(&format!("content-type: text/plain\r\ncontent-length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body.unwrap_or_default().as_bytes()).unwrap();
        let mut reader = std::io::BufReader::new(stream);
        let mut status_line = String::new();
        reader.read_line(&mut status_line).unwrap();
        let status = status_line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("a status line");
        let mut chunked = false;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                chunked |= name.eq_ignore_ascii_case("transfer-encoding") && value.trim() == "chunked";
            }
        }
        let mut raw = Vec::new();
        reader.read_to_end(&mut raw).unwrap();
        let body = if chunked { dechunk(&raw) } else { raw };
        (status, String::from_utf8_lossy(&body).into_owned())
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP/1.1 chunked body, whole.
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let end = raw.windows(2).position(|w| w == b"\r\n").expect("a chunk size line");
        let size_text = String::from_utf8_lossy(&raw[..end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).expect("a chunk size");
        raw = &raw[end + 2..];
        if size == 0 {
            return body;
        }
        body.extend_from_slice(&raw[..size]);
        raw = &raw[size + 2..];
    }
}

/// The WASI 0.3 handler (`wasi:http/handler@0.3.0`) served as the recording
/// served it, with the same flags: every recorded request answered the same.
#[test]
fn a_0_3_handler_answers_as_under_wasmtime_serve() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/components");
    let recorded: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("expected/http_hello_p3.json")).unwrap()).unwrap();
    let args: Vec<String> =
        recorded["wasmtime_args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect();
    let server = Served::start(&folder, &args);
    let cases = recorded["cases"].as_array().unwrap();
    assert!(cases.len() >= 6, "the recording has the cases");
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let (method, path) = (case["method"].as_str().unwrap(), case["path"].as_str().unwrap());
        let (status, body) = server.request(method, path, case["body"].as_str());
        let expected = case["response_body"].as_str().unwrap();
        if i64::from(status) != case["status"].as_i64().unwrap() {
            failures.push(format!("{name}: status {status}, wasmtime {} ({body:?})", case["status"]));
        } else if status == 500 {
            // wasmtime answers a trap with its own HTML page; Wasmscope with
            // a line saying what happened.
            if !body.contains("trapped") {
                failures.push(format!("{name}: a 500 that does not say the handler trapped: {body:?}"));
            }
        } else if !matches_recorded(expected, &body, &[]) {
            failures.push(format!("{name}: body differs\n  wasmtime:  {expected:?}\n  wasmscope: {body:?}"));
        }
    }
    // After the trap, the next request still works.
    assert_eq!(server.request("GET", "/", None).0, 200);
    assert!(failures.is_empty(), "{} of {} requests differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
}
