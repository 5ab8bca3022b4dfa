//! `wasmscope serve` against `wasmtime serve` 48.0.8 on the same handler
//! (samples/components/http_hello.wasm), with the same client: sequential
//! `GET /` requests over one keep-alive connection each round, rounds
//! alternating between the two servers, so that both see the same machine.
//! Prints the median time per request of each and their ratio.
//!
//! `cargo bench -p wasmscope --bench serve`. Needs the wasmtime CLI on `PATH`
//! or in `~/.cargo/bin` (`cargo install --locked wasmtime-cli --version
//! 48.0.8`); without it, only Wasmscope's figure is printed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const WASMSCOPE: &str = env!("CARGO_BIN_EXE_wasmscope");
const REQUESTS: usize = 200;
const ROUNDS: usize = 7;

struct Server {
    name: &'static str,
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/components")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start(name: &'static str, program: &Path, args: &[&str], port: u16) -> Server {
    let child = Command::new(program)
        .args(args)
        .current_dir(samples())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    let server = Server { name, child, port };
    // Both compile the handler first (the Python sample: seconds).
    let deadline = Instant::now() + Duration::from_secs(300);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{name} did not start listening");
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

/// `count` requests, one after another, on one connection: the time each took.
fn round(port: u16, count: usize) -> Vec<Duration> {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_nodelay(true).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let request = format!("GET / HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\nuser-agent: bench\r\naccept: */*\r\n\r\n");
    let mut times = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        writer.write_all(request.as_bytes()).unwrap();
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert!(line.starts_with("HTTP/1.1 200"), "{line:?}");
        let (mut length, mut chunked) = (0, false);
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            if line.trim_end().is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap();
                }
                chunked |= name.eq_ignore_ascii_case("transfer-encoding") && value.contains("chunked");
            }
        }
        if chunked {
            // Chunks of `SIZE\r\n DATA\r\n`, until one of size 0.
            loop {
                line.clear();
                reader.read_line(&mut line).unwrap();
                let size = usize::from_str_radix(line.trim_end(), 16).unwrap();
                let mut chunk = vec![0; size + 2];
                reader.read_exact(&mut chunk).unwrap();
                if size == 0 {
                    break;
                }
            }
        } else {
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
        }
        times.push(started.elapsed());
    }
    times
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn wasmtime_cli() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo/bin/wasmtime"));
    let candidates = std::iter::once(PathBuf::from("wasmtime")).chain(home);
    candidates.into_iter().find(|p| {
        Command::new(p).arg("--version").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("48.0.8"))
    })
}

fn main() {
    let wasmscope_port = free_port();
    let addr = format!("127.0.0.1:{wasmscope_port}");
    let mut servers = vec![start(
        "wasmscope serve",
        Path::new(WASMSCOPE),
        &["serve", "-S", "cli", "--addr", &addr, "http_hello.wasm"],
        wasmscope_port,
    )];
    match wasmtime_cli() {
        Some(wasmtime) => {
            let port = free_port();
            let addr = format!("127.0.0.1:{port}");
            servers.push(start(
                "wasmtime serve",
                &wasmtime,
                &["serve", "-S", "cli", "--addr", &addr, "http_hello.wasm"],
                port,
            ));
        }
        None => println!("wasmtime 48.0.8 not found: printing wasmscope serve only"),
    }
    // Warm both (caches, first instantiation), then measure.
    for server in &servers {
        round(server.port, 20);
    }
    let mut medians: Vec<Vec<Duration>> = vec![Vec::new(); servers.len()];
    for _ in 0..ROUNDS {
        for (i, server) in servers.iter().enumerate() {
            medians[i].push(median(round(server.port, REQUESTS)));
        }
    }
    println!("serve: {REQUESTS} sequential GET / per round, {ROUNDS} rounds, median of round medians");
    let per: Vec<Duration> = medians.into_iter().map(median).collect();
    for (server, time) in servers.iter().zip(&per) {
        println!("  {:<16} {:>8.1} µs per request", server.name, time.as_secs_f64() * 1e6);
    }
    if per.len() == 2 {
        println!("  ratio (wasmscope / wasmtime): {:.2}x", per[0].as_secs_f64() / per[1].as_secs_f64());
    }
}
