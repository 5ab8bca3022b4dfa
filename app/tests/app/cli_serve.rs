//! `wasmscope serve` as a user runs it: the HTTP handler sample answers the
//! requests recorded from `wasmtime serve` 48.0.8 the same way, a trapping
//! request gets a 500 and the next one still works, and every request gets
//! its line (and, with `--trace`, its host calls).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// `wasmscope serve ARGS` from samples/components, with its stderr lines
/// passed on through a channel; killed when dropped.
struct Server {
    child: Child,
    lines: mpsc::Receiver<String>,
    port: u16,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        // Port 0: the server picks a free port and says which.
        let addr = "127.0.0.1:0";
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/components");
        let mut child = Command::new(env!("CARGO_BIN_EXE_wasmscope"))
            .args(["serve", "--addr", addr])
            .args(extra)
            .arg("http_hello.wasm")
            .current_dir(dir)
            .env("XDG_CACHE_HOME", Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-serve-cache"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("wasmscope serve starts");
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server { child, lines, port: 0 };
        // Compiling the Python handler takes a while in a debug build.
        let line = server.wait_for_line(|l| l.starts_with("Serving HTTP on"), Duration::from_secs(300));
        server.port = line.rsplit(':').next().and_then(|p| p.trim_end_matches('/').parse().ok()).expect("a port");
        server
    }

    fn wait_for_line(&self, wanted: impl Fn(&str) -> bool, timeout: Duration) -> String {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if wanted(&line) => return line,
                Ok(_) => {}
                Err(e) => panic!("no such line from wasmscope serve: {e}"),
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends one request as curl does (`user-agent`, `accept`, and for a body
/// `content-type` and `content-length`) and returns status and body.
fn request(port: u16, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\nuser-agent: wasmscope-record\r\naccept: */*\r\n"
    );
    if !body.is_empty() {
        head.push_str(&format!("content-type: text/plain\r\ncontent-length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    let status: u16 = status_line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("a status line");
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[test]
fn the_handler_answers_as_under_wasmtime_serve_and_survives_a_trap() {
    let recorded: serde_json::Value = serde_json::from_slice(
        &std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/components/expected/http_hello.json"))
            .unwrap(),
    )
    .unwrap();
    let server = Server::start(&["-S", "cli"]);
    let mut answered = 0;
    for case in recorded["cases"].as_array().unwrap() {
        let (method, path) = (case["method"].as_str().unwrap(), case["path"].as_str().unwrap());
        let body = case["body"].as_str().unwrap_or_default();
        let (status, got) = request(server.port, method, path, body);
        let name = case["name"].as_str().unwrap();
        assert_eq!(i64::from(status), case["status"].as_i64().unwrap(), "{name}: {got}");
        let expected = case["response_body"].as_str().unwrap();
        if status == 500 {
            // wasmtime answers a trap with its own HTML page; Wasmscope with
            // a line saying what happened.
            assert!(got.contains("trapped"), "{name}: {got}");
        } else if let Some((before, after)) = expected.split_once("{SECONDS}") {
            assert!(got.starts_with(before) && got.ends_with(after), "{name}: {got:?}");
        } else {
            assert_eq!(got, expected, "{name}");
        }
        let line =
            server.wait_for_line(|l| l.contains(&format!("{method} {path} -> {status}")), Duration::from_secs(60));
        assert!(line.contains("instantiate") && line.contains("handler"), "{line}");
        answered += 1;
    }
    assert!(answered >= 5, "the recording has the cases");
    // After the trap, the next request still works.
    assert_eq!(request(server.port, "GET", "/", "").0, 200);
}

#[test]
fn traced_requests_show_their_host_calls_tagged_with_the_request() {
    let server = Server::start(&["-S", "cli", "--trace", "text"]);
    assert_eq!(request(server.port, "GET", "/echo?x=1", "").0, 200);
    let call = server.wait_for_line(|l| l.contains("incoming-request.path-with-query"), Duration::from_secs(60));
    assert!(call.starts_with("[0] wasi:http/types#"), "{call}");
    assert!(call.contains(r#"Ok(Some("/echo?x=1"))"#), "{call}");
    server.wait_for_line(|l| l.starts_with("[0] GET /echo?x=1 -> 200"), Duration::from_secs(60));
}

#[test]
fn a_command_is_not_served() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples");
    let out = Command::new(env!("CARGO_BIN_EXE_wasmscope"))
        .args(["serve", "--addr", "127.0.0.1:0", "hello.wat"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(126));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is not an HTTP handler"), "{stderr}");
}
