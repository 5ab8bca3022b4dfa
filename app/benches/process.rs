//! The figures that need whole processes: P3u, `wasmscope run` against
//! `wasmtime run` on the same loops; P3r, `--record` on those loops and what
//! it adds to the start-up of a larger module; P3k, what `-k` costs per
//! call; and P7, the window's start-up and idle memory.
//!
//! `cargo bench -p wasmscope --bench process` prints both. P3u needs the
//! wasmtime CLI on `PATH` (`cargo install wasmtime-cli --version 48.0.8
//! --locked`: about 25 minutes here; a bench-time tool, never CI). P7 needs a
//! display, or `xvfb-run`. Each part says so and is skipped when its tool is
//! missing.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const WASMSCOPE: &str = env!("CARGO_BIN_EXE_wasmscope");
const REPEATS: usize = 7;

#[path = "../../runtime-worker/benches/support/loops.rs"]
mod loops;
use loops::{CALLS, CLOCK, EMPTY, WRITE, loop_module};

/// One run of a command, output discarded: how long it took.
fn time_of(command: &mut Command) -> Duration {
    let started = Instant::now();
    let status = command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).status().unwrap();
    let took = started.elapsed();
    assert!(status.success(), "{command:?} failed: {status}");
    took
}

/// The CPU time (user and system, every thread) of the children waited for
/// so far: before and after a run, what the run's process used.
fn children_cpu() -> Duration {
    // SAFETY: `getrusage` fills the plain struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let time = |t: libc::timeval| Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64);
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// Per tool: start-up in ms (the empty loop), then ns per `fd_write` and per
/// `clock_time_get` ((loop - empty) / CALLS), from the medians.
fn per_call(samples: &[Vec<Vec<Duration>>]) -> Vec<[f64; 3]> {
    samples
        .iter()
        .map(|per_module| {
            let [empty, write, clock] = [0, 1, 2].map(|m| median(per_module[m].clone()).as_nanos() as f64);
            [empty / 1e6, (write - empty) / f64::from(CALLS), (clock - empty) / f64::from(CALLS)]
        })
        .collect()
}

/// `tool`'s time per call over the first tool's, within each repeat
/// ((loop - empty) / CALLS for both, `module` the loop): the median and the
/// range. A repeat's runs follow one another within a second, so a change in
/// the shared machine's speed between repeats cancels out, as it does not in
/// a ratio of two medians.
fn paired_ratios(samples: &[Vec<Vec<Duration>>], tool: usize, module: usize) -> (f64, f64, f64) {
    let per_call = |t: usize, r: usize| samples[t][module][r].as_secs_f64() - samples[t][0][r].as_secs_f64();
    let mut ratios: Vec<f64> = (0..samples[tool][module].len()).map(|r| per_call(tool, r) / per_call(0, r)).collect();
    ratios.sort_by(f64::total_cmp);
    (ratios[ratios.len() / 2], ratios[0], ratios[ratios.len() - 1])
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// A program's version line, if it is on `PATH`.
fn version_of(program: &str) -> Option<String> {
    let output = Command::new(program).arg("--version").output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// A tool's name, and the command that runs a module with it.
type Tool = (&'static str, fn(&Path) -> Command);

/// The empty, write and clock loops as modules in `dir`, by name.
fn loop_modules(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    [("empty", EMPTY), ("write", WRITE), ("clock", CLOCK)]
        .into_iter()
        .map(|(name, body)| {
            let path = dir.join(format!("{name}.wasm"));
            std::fs::write(&path, wat::parse_str(loop_module(body)).unwrap()).unwrap();
            (name, path)
        })
        .collect()
}

fn p3u(dir: &Path) {
    println!(
        "\nP3u: the command line against `wasmtime run`, per call ((loop - empty) / {CALLS}), median of {REPEATS}"
    );
    let Some(version) = version_of("wasmtime") else {
        println!("skipped: no `wasmtime` on PATH (cargo install wasmtime-cli --version 48.0.8 --locked)");
        return;
    };
    println!("{version}");
    let modules = loop_modules(dir);
    let tools: [Tool; 3] = [
        ("wasmtime", |m| {
            let mut c = Command::new("wasmtime");
            c.arg("run").arg(m);
            c
        }),
        ("wasmscope", |m| {
            let mut c = Command::new(WASMSCOPE);
            c.arg("run").arg(m);
            c
        }),
        ("wasmscope, traced", |m| {
            let mut c = Command::new(WASMSCOPE);
            c.args(["run", "--trace", "json", "--trace-file", "/dev/null"]).arg(m);
            c
        }),
    ];
    // Warm both tools' compiled-module caches, then interleave.
    for (_, module) in &modules {
        for (_, command) in &tools {
            time_of(&mut command(module));
        }
    }
    let mut samples = vec![vec![Vec::new(); modules.len()]; tools.len()];
    for _ in 0..REPEATS {
        for (m, (_, module)) in modules.iter().enumerate() {
            for (t, (_, command)) in tools.iter().enumerate() {
                samples[t][m].push(time_of(&mut command(module)));
            }
        }
    }
    let figures: Vec<[f64; 3]> = samples
        .into_iter()
        .map(|per_module| {
            let [empty, write, clock] = [0, 1, 2].map(|m| median(per_module[m].clone()).as_nanos() as f64);
            [empty / 1e6, (write - empty) / f64::from(CALLS), (clock - empty) / f64::from(CALLS)]
        })
        .collect();
    println!("{:<20} {:>12} {:>12} {:>12}", "tool", "start-up ms", "fd_write ns", "clock ns");
    for ((name, _), [startup, write, clock]) in tools.iter().zip(&figures) {
        println!("{name:<20} {startup:>12.1} {write:>12.1} {clock:>12.1}");
    }
    let ratio = |t: usize, column: usize| figures[t][column] / figures[0][column];
    println!(
        "ratios to wasmtime   untraced: fd_write {:.2}x, clock {:.2}x (target 1.1x); traced: fd_write {:.2}x \
         (target 1.5x), clock {:.2}x (target 3x)",
        ratio(1, 1),
        ratio(1, 2),
        ratio(2, 1),
        ratio(2, 2)
    );
}

/// A tool's name, and the command that runs a module with it (one that
/// captures, as the recording's path).
type BoxedTool = (&'static str, Box<dyn Fn(&Path) -> Command>);

/// P3r: `wasmscope run --record` against the same run untraced and traced
/// as JSON, and against `wasmtime run` when it is on `PATH`; the recording
/// goes to a real file, as it would on a server. Two more columns say where
/// the cost lies: `-c` has the engine record every call and the reader only
/// count them (the engine's part, no writer), `--record /dev/null` encodes
/// everything and writes nowhere (the encoder's part, no file).
fn p3r(dir: &Path) {
    println!("\nP3r: --record, per call ((loop - empty) / {CALLS}), median of {REPEATS}");
    let modules = loop_modules(dir);
    let recording = dir.join("run.wsrec");
    let mut tools: Vec<BoxedTool> = vec![
        (
            "wasmscope",
            Box::new(|m| {
                let mut c = Command::new(WASMSCOPE);
                c.arg("run").arg(m);
                c
            }),
        ),
        (
            "--trace json",
            Box::new(|m| {
                let mut c = Command::new(WASMSCOPE);
                c.args(["run", "--trace", "json", "--trace-file", "/dev/null"]).arg(m);
                c
            }),
        ),
        // Calls recorded by the engine and only counted here: what the
        // engine's events cost, without a writer.
        (
            "-c",
            Box::new(|m| {
                let mut c = Command::new(WASMSCOPE);
                c.args(["run", "-c"]).arg(m);
                c
            }),
        ),
        // Encoded, not written: what the writer costs without the file.
        (
            "--record /dev/null",
            Box::new(|m| {
                let mut c = Command::new(WASMSCOPE);
                c.args(["run", "--record", "/dev/null"]).arg(m);
                c
            }),
        ),
        (
            "--record",
            Box::new(move |m| {
                let mut c = Command::new(WASMSCOPE);
                c.arg("run").arg("--record").arg(&recording).arg(m);
                c
            }),
        ),
    ];
    match version_of("wasmtime") {
        Some(version) => {
            println!("{version}");
            tools.insert(
                0,
                (
                    "wasmtime",
                    Box::new(|m| {
                        let mut c = Command::new("wasmtime");
                        c.arg("run").arg(m);
                        c
                    }),
                ),
            );
        }
        None => println!("no `wasmtime` on PATH: ratios are to untraced `wasmscope run`"),
    }
    for (_, module) in &modules {
        for (_, command) in &tools {
            time_of(&mut command(module));
        }
    }
    let mut samples = vec![vec![Vec::new(); modules.len()]; tools.len()];
    let mut cpu_samples = samples.clone();
    let mut recording_bytes = [0u64; 3];
    for _ in 0..REPEATS {
        for (m, (_, module)) in modules.iter().enumerate() {
            for (t, (name, command)) in tools.iter().enumerate() {
                if *name == "--record" {
                    // Not timed: truncating the last run's recording (54 MB
                    // after the write loop) took 9 ms of the next run.
                    let _ = std::fs::remove_file(dir.join("run.wsrec"));
                }
                let cpu_before = children_cpu();
                samples[t][m].push(time_of(&mut command(module)));
                cpu_samples[t][m].push(children_cpu().saturating_sub(cpu_before));
                if *name == "--record" {
                    recording_bytes[m] = std::fs::metadata(dir.join("run.wsrec")).map_or(0, |m| m.len());
                }
            }
        }
    }
    let figures = per_call(&samples);
    let cpu = per_call(&cpu_samples);
    // CPU: user and system time of every thread of the process.
    println!(
        "{:<20} {:>12} {:>12} {:>12}  | CPU {:>12} {:>12}",
        "tool", "start-up ms", "fd_write ns", "clock ns", "fd_write ns", "clock ns"
    );
    for (((name, _), [startup, write, clock]), [_, cpu_write, cpu_clock]) in tools.iter().zip(&figures).zip(&cpu) {
        println!("{name:<20} {startup:>12.1} {write:>12.1} {clock:>12.1}  |     {cpu_write:>12.1} {cpu_clock:>12.1}");
    }
    let record = tools.iter().position(|(name, _)| *name == "--record").unwrap();
    let counted = tools.iter().position(|(name, _)| *name == "-c").unwrap();
    let ratio = |tool: usize, column: usize| figures[tool][column] / figures[0][column];
    println!(
        "--record to {}: fd_write {:.2}x, clock {:.2}x (target 1.2x to wasmtime run); -c (the engine's events, \
         no writer): fd_write {:.2}x, clock {:.2}x",
        tools[0].0,
        ratio(record, 1),
        ratio(record, 2),
        ratio(counted, 1),
        ratio(counted, 2)
    );
    let [(write, write_low, write_high), (clock, clock_low, clock_high)] =
        [1, 2].map(|module| paired_ratios(&samples, record, module));
    println!(
        "--record to {}, repeat by repeat: fd_write {write:.2}x ({write_low:.2}-{write_high:.2}x), clock \
         {clock:.2}x ({clock_low:.2}-{clock_high:.2}x), the median of {REPEATS} and their range",
        tools[0].0
    );
    println!(
        "recording size per call: fd_write {:.1} B (with its output), clock {:.1} B",
        (recording_bytes[1] - recording_bytes[0]) as f64 / f64::from(CALLS),
        (recording_bytes[2] - recording_bytes[0]) as f64 / f64::from(CALLS)
    );
}

/// P3k: what `-k` (the guest's stack with every call) costs per call, on a
/// loop of clock readings made from 2 and from 22 wasm frames deep, the
/// trace written as text to `/dev/null`.
fn p3k(dir: &Path) {
    const K_CALLS: u32 = 100_000;
    println!("\nP3k: -k, per call (clock loop {K_CALLS} calls, --trace text -o /dev/null), median of {REPEATS}");
    for depth in [0, 20] {
        let path = dir.join(format!("deep{depth}.wasm"));
        let wat = format!(
            r#"(module
                (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
                (memory (export "memory") 1)
                (func $down (param $depth i32) (local $i i32)
                    (if (i32.gt_u (local.get $depth) (i32.const 0))
                        (then (call $down (i32.sub (local.get $depth) (i32.const 1))) (return)))
                    (loop $again
                        (drop (call $clock (i32.const 1) (i64.const 1) (i32.const 16)))
                        (local.set $i (i32.add (local.get $i) (i32.const 1)))
                        (br_if $again (i32.lt_u (local.get $i) (i32.const {K_CALLS})))))
                (func (export "_start") (call $down (i32.const {depth}))))"#
        );
        std::fs::write(&path, wat::parse_str(wat).unwrap()).unwrap();
        // `-e trace=fd_write`: the clock calls are recorded but not shown,
        // and with `-k` their stacks are not walked.
        let command = |stacks: bool, only_writes: bool| {
            let mut c = Command::new(WASMSCOPE);
            c.args(["run", "--trace", "text", "-o", "/dev/null"]);
            if stacks {
                c.arg("-k");
            }
            if only_writes {
                c.args(["-e", "trace=fd_write"]);
            }
            c.arg(&path);
            c
        };
        let mut runs = [(); 4].map(|_| Vec::new());
        for _ in 0..REPEATS {
            for (i, (stacks, only_writes)) in
                [(false, false), (true, false), (false, true), (true, true)].into_iter().enumerate()
            {
                runs[i].push(time_of(&mut command(stacks, only_writes)));
            }
        }
        let [plain, stacks, filtered, filtered_stacks] =
            runs.map(|runs| median(runs).as_nanos() as f64 / f64::from(K_CALLS));
        println!(
            "{:>2} frames: --trace text {plain:>8.0} ns, with -k {stacks:>8.0} ns: -k adds {:>8.0} ns per call; \
             -e trace=fd_write {filtered:>6.0} ns, with -k {filtered_stacks:>6.0} ns: adds {:>6.0} ns",
            depth + 2,
            stacks - plain,
            filtered_stacks - filtered
        );
    }
}

/// P3r's start-up: what `--record` adds before the run of a module of some
/// size (its header names the module's language: that must not cost a whole
/// inspection of the module).
fn p3r_startup(dir: &Path) {
    println!("\nP3r start-up: `wasmscope run` without and with --record, median of {REPEATS} (module cache warm)");
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples");
    let data = samples.join("data");
    let cases = [
        ("real/hello_file_go.wasm", format!("{}::/", data.display()), "--dir-readonly"),
        ("components/p3_tour.wasm", format!("{}::/data", data.display()), "--dir"),
    ];
    let recording = dir.join("startup.wsrec");
    for (module, mount, flag) in cases {
        let module = samples.join(module);
        let command = |record: bool| {
            let mut c = Command::new(WASMSCOPE);
            c.arg("run").arg(flag).arg(&mount);
            if record {
                c.arg("--record").arg(&recording);
            }
            c.arg(&module);
            c
        };
        time_of(&mut command(false));
        time_of(&mut command(true));
        let (mut plain, mut recorded) = (Vec::new(), Vec::new());
        for _ in 0..REPEATS {
            plain.push(time_of(&mut command(false)));
            recorded.push(time_of(&mut command(true)));
        }
        let (plain, recorded) = (median(plain), median(recorded));
        println!(
            "{:<28} untraced {:>8.1} ms, --record {:>8.1} ms: adds {:>6.1} ms",
            module.file_name().unwrap().to_string_lossy(),
            plain.as_secs_f64() * 1e3,
            recorded.as_secs_f64() * 1e3,
            (recorded.as_secs_f64() - plain.as_secs_f64()) * 1e3
        );
    }
}

fn p7(dir: &Path) {
    println!("\nP7: the window, process start to first frame, and resident memory after 2 s idle");
    let has_display = std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    let mut command = if has_display {
        Command::new(WASMSCOPE)
    } else if Command::new("xvfb-run").arg("--help").output().is_ok() {
        let mut c = Command::new("xvfb-run");
        c.arg("-a").arg(WASMSCOPE);
        c
    } else {
        println!("skipped: no display, and no xvfb-run");
        return;
    };
    // A first start: no saved settings, nothing cached.
    command
        .arg("--measure-startup")
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CACHE_HOME", dir.join("cache"));
    for _ in 0..3 {
        let output = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        match stderr.lines().find(|l| l.starts_with("first frame")) {
            Some(line) => println!("{line}"),
            None => {
                println!("the window did not report its start-up: {}", stderr.trim());
                return;
            }
        }
    }
    println!("targets: first frame within 300 ms; 120 MB resident");
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    // The runs' module caches stay out of the user's.
    // SAFETY: set before any thread starts.
    unsafe { std::env::set_var("XDG_CACHE_HOME", dir.path().join("cache")) };
    // `cargo bench -p wasmscope --bench process -- p3r` runs the parts
    // whose names contain a word given (p3u, p3r, start-up, p3k, p7); none, all.
    let words: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let wanted = |part: &str| words.is_empty() || words.iter().any(|w| part.contains(w.to_lowercase().as_str()));
    if wanted("p3u") {
        p3u(dir.path());
    }
    if wanted("p3r") {
        p3r(dir.path());
    }
    if wanted("p3r start-up") {
        p3r_startup(dir.path());
    }
    if wanted("p3k") {
        p3k(dir.path());
    }
    if wanted("p7") {
        p7(dir.path());
    }
}
