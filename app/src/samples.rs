//! The bundled samples: embedded in the binary so the window works from any
//! folder, each with its story and the profile that tells it.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use runtime_worker::{ClockPolicy, Entry, Limits, Mount, NetworkPolicy, SandboxProfile, StdinSource};

pub struct Sample {
    pub file: &'static str,
    pub title: &'static str,
    /// One paragraph: what it does, what to toggle, what you will see.
    pub story: &'static str,
    pub source: Source,
    /// The profile the gallery sets up with the sample (the one that tells
    /// its story; the story says what to change).
    pub profile: fn(&SampleData) -> SandboxProfile,
    pub entry: fn() -> Entry,
}

/// Where a sample's bytes come from.
pub enum Source {
    /// Built into the binary.
    Embedded(&'static [u8]),
    /// A file of the repository's `samples/` folder (a path relative to it),
    /// read when opened: the Python components are 18-22 MB each, too big
    /// to build into every binary (the two that were made it 35 MiB larger).
    InRepository(&'static str),
}

impl Sample {
    /// The sample's bytes, or why they cannot be had.
    pub fn bytes(&self) -> Result<std::borrow::Cow<'static, [u8]>, String> {
        match self.source {
            Source::Embedded(bytes) => Ok(std::borrow::Cow::Borrowed(bytes)),
            Source::InRepository(relative) => {
                let built_from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples").join(relative);
                let beside_binary =
                    std::env::current_exe().ok().and_then(|exe| Some(exe.parent()?.join("samples").join(relative)));
                for path in std::iter::once(built_from).chain(beside_binary) {
                    if let Ok(bytes) = std::fs::read(&path) {
                        return Ok(std::borrow::Cow::Owned(bytes));
                    }
                }
                Err(format!(
                    "{} is not built into Wasmscope (it is large); it is in the repository's samples/{relative}",
                    self.file
                ))
            }
        }
    }
}

/// The sample data directory, unpacked on first use.
pub struct SampleData {
    /// Mounted as `/data`: holds `hello.txt`.
    pub data: PathBuf,
    /// Mounted as `/data` for the composed samples: holds `users.csv`.
    pub users: PathBuf,
}

macro_rules! source {
    ($file:literal) => {
        include_bytes!(concat!("../../samples/", $file))
    };
}

macro_rules! real {
    ($file:literal) => {
        include_bytes!(concat!("../../samples/real/", $file))
    };
}

macro_rules! component {
    ($file:literal) => {
        include_bytes!(concat!("../../samples/components/", $file))
    };
}

fn command() -> Entry {
    Entry::Start
}

fn data_mount(data: &SampleData, read_only: bool) -> SandboxProfile {
    let mount = Mount { host: data.data.clone(), guest: "/data".into(), read_only };
    SandboxProfile { mounts: vec![mount], ..SandboxProfile::default() }
}

pub const SAMPLES: &[Sample] = &[
    Sample {
        file: "hello_file_rust.wasm",
        title: "Rust: read hello.txt (the article's program)",
        story: "The article's Rust program: fs::read_to_string(\"hello.txt\") and print it. With no folder granted it \
                panics with \"failed to find a pre-opened file descriptor\" — inside the guest, before the host ever \
                sees a path_open. Run it, open Why?, and apply the fix: the sample folder mounted as `.`.",
        source: Source::Embedded(real!("hello_file_rust.wasm")),
        profile: |_| SandboxProfile::default(),
        entry: command,
    },
    Sample {
        file: "hello_file_go.wasm",
        title: "Go: the same program, a different mount",
        story: "The same program in Go, with the folder mounted as `.`, exactly as Rust wants it — and it fails: Go \
                resolves hello.txt from `/`. Why? explains it and offers to mount the folder at `/` instead.",
        source: Source::Embedded(real!("hello_file_go.wasm")),
        profile: |data| SandboxProfile {
            mounts: vec![Mount::read_only(data.data.clone(), ".")],
            ..SandboxProfile::default()
        },
        entry: command,
    },
    Sample {
        file: "ls_escape.wasm",
        title: "C: list a folder, then try to escape",
        story: "A C program lists /data, then tries ../secret.txt, /etc/passwd and a symbolic link that points out of \
                the folder. The `..` and the link reach the host and are denied: Why? offers no fix for them, they are \
                the sandbox working. /etc/passwd is refused by wasi-libc inside the guest, as no folder covers it: the \
                only way to it is to mount /etc, and Why? says so.",
        source: Source::Embedded(real!("ls_escape.wasm")),
        profile: |data| data_mount(data, true),
        entry: command,
    },
    Sample {
        file: "env_secret.wasm",
        title: "C: read HOME and SECRET",
        story: "Prints HOME and SECRET. The profile grants no environment, so neither reaches the guest. Why? names \
                both; apply its fixes one at a time and watch each variable appear.",
        source: Source::Embedded(real!("env_secret.wasm")),
        profile: |_| SandboxProfile::default(),
        entry: command,
    },
    Sample {
        file: "what_time.wasm",
        title: "C: what time is it?",
        story: "Prints the date and time. Clocks are denied here: clock_gettime fails with \"Capabilities \
                insufficient\". Allow them, or freeze them at an instant for a repeatable run.",
        source: Source::Embedded(real!("what_time.wasm")),
        profile: |_| SandboxProfile { clocks: ClockPolicy::Denied, ..SandboxProfile::default() },
        entry: command,
    },
    Sample {
        file: "write_log.wasm",
        title: "C: append to a log on a read-only mount",
        story: "Appends a line to /data/log.txt. The folder is mounted read-only, so fopen fails with \"Operation not \
                permitted\" and the trace shows the denied path_open. Make the mount writable and run again.",
        source: Source::Embedded(real!("write_log.wasm")),
        profile: |data| data_mount(data, true),
        entry: command,
    },
    Sample {
        file: "alloc_until_cap.wasm",
        title: "C: allocate until the cap",
        story: "mallocs 1 MiB at a time, up to 1 GiB. The profile caps memory at 16 MiB: malloc fails at 15 MiB. Why? \
                offers a higher cap; the Memory tab shows each growth and the refusal.",
        source: Source::Embedded(real!("alloc_until_cap.wasm")),
        profile: |_| SandboxProfile {
            limits: Limits { max_memory_bytes: Some(16 << 20), ..Limits::default() },
            ..SandboxProfile::default()
        },
        entry: command,
    },
    Sample {
        file: "read_file.wat",
        title: "Read a granted file",
        story: "Opens hello.txt in the directory the host granted and prints it. The sample data folder is mounted \
                read-only at /data: run it and watch path_open receive the path as text. Remove the mount and run \
                again: the program finds no preopened directory and gives up before it ever asks the host.",
        source: Source::Embedded(source!("read_file.wat")),
        profile: |data| data_mount(data, true),
        entry: command,
    },
    Sample {
        file: "hello.wat",
        title: "Hello, WASI",
        story: "The smallest WASI command: one fd_write to stdout. It needs no capability at all: the sandbox grants \
                nothing, and it still prints.",
        source: Source::Embedded(source!("hello.wat")),
        profile: |_| SandboxProfile::default(),
        entry: command,
    },
    Sample {
        file: "escape.wat",
        title: "Try to escape the mount",
        story: "Asks for ../secret.txt (a real file right next to the mounted folder) and /etc/passwd. Both requests \
                reach the host and both are refused: the Calls table marks them denied and says why. No grant can \
                make them succeed — that is the point of capability security.",
        source: Source::Embedded(source!("escape.wat")),
        profile: |data| data_mount(data, true),
        entry: command,
    },
    Sample {
        file: "readonly_write.wat",
        title: "Write to a read-only mount",
        story: "Creates out.txt in /data. The folder is mounted read-only, so path_open is denied and the program \
                exits 1. Untick read-only on the mount and run again: the file is created.",
        source: Source::Embedded(source!("readonly_write.wat")),
        profile: |data| data_mount(data, true),
        entry: command,
    },
    Sample {
        file: "env.wat",
        title: "Read an environment variable",
        story: "Looks for GREETING in its environment. The profile grants no variables, so the guest sees none — \
                not even the host's secrets. Add GREETING=hello under Environment and run again.",
        source: Source::Embedded(source!("env.wat")),
        profile: |_| SandboxProfile::default(),
        entry: command,
    },
    Sample {
        file: "clock.wat",
        title: "Tell the time",
        story: "Reads the wall clock and the monotonic clock. Deny clocks and the first clock_time_get fails with \
                notcapable; freeze them and the guest reads the instant you chose.",
        source: Source::Embedded(source!("clock.wat")),
        profile: |_| SandboxProfile::default(),
        entry: command,
    },
    Sample {
        file: "grow_memory.wat",
        title: "Grow memory until the cap",
        story: "Grows linear memory one MiB at a time towards 256 MiB. The profile caps memory at 16 MiB: watch the \
                Memory plot climb, hit the cap line, and the guest's memory.grow fail.",
        source: Source::Embedded(source!("grow_memory.wat")),
        profile: |_| SandboxProfile {
            limits: Limits { max_memory_bytes: Some(16 << 20), ..Limits::default() },
            ..SandboxProfile::default()
        },
        entry: command,
    },
    Sample {
        file: "loop_forever.wat",
        title: "Loop forever",
        story: "Prints one line, then spins without calling the host. The window stays responsive; press Stop \
                (Shift+F5) and the guest ends at once, or set a timeout or fuel limit and let the sandbox end it.",
        source: Source::Embedded(source!("loop_forever.wat")),
        profile: |_| SandboxProfile::default(),
        entry: command,
    },
    Sample {
        file: "stdin_echo.wat",
        title: "Echo stdin",
        story: "Reads stdin and echoes it. Stdin is interactive: type a line in the console box and press Enter; \
                Close stdin sends end-of-file and the program ends. Stop works while it waits for you.",
        source: Source::Embedded(source!("stdin_echo.wat")),
        profile: |_| SandboxProfile { stdin: StdinSource::Interactive, ..SandboxProfile::default() },
        entry: command,
    },
    Sample {
        file: "sleep.wat",
        title: "Sleep for an hour",
        story: "Asks poll_oneoff to sleep for an hour. The guest is blocked inside a host call, and Stop still ends \
                it immediately; the profile's 5-second timeout would too.",
        source: Source::Embedded(source!("sleep.wat")),
        profile: |_| SandboxProfile {
            limits: Limits { timeout: Some(Duration::from_secs(5)), ..Limits::default() },
            ..SandboxProfile::default()
        },
        entry: command,
    },
    Sample {
        file: "reactor.wat",
        title: "Call a reactor's exports",
        story: "A library-style module: no _start, just exports. Wasmscope runs _initialize and then the export you \
                choose — add(2, 3) returns 105 because _initialize set a base of 100. Try fib or hello too.",
        source: Source::Embedded(source!("reactor.wat")),
        profile: |_| SandboxProfile::default(),
        entry: || Entry::Invoke { name: "add".into(), args: vec!["2".into(), "3".into()] },
    },
    Sample {
        file: "args.wat",
        title: "Print the arguments",
        story: "Prints argv, one argument per line. Edit the arguments in the Capabilities panel and run again.",
        source: Source::Embedded(source!("args.wat")),
        profile: |_| SandboxProfile { args: vec!["hello".into(), "world".into()], ..SandboxProfile::default() },
        entry: command,
    },
    Sample {
        file: "fs_tour.wat",
        title: "A tour of the filesystem calls",
        story: "Creates a directory and a file, writes, stats, renames, and cleans up — every step a different path \
                call, each shown with its path. Mounted read-write here; make it read-only and every step is denied.",
        source: Source::Embedded(source!("fs_tour.wat")),
        profile: |data| data_mount(data, false),
        entry: command,
    },
    Sample {
        file: "many_calls.wat",
        title: "A million calls",
        story: "Calls clock_time_get a million times, then prints how long that took. Every call is traced and \
                lands in the Calls table; press F12 to see the frame time and ingest rate while they pour in, and \
                filter or scroll the million rows while the guest runs.",
        source: Source::Embedded(source!("many_calls.wat")),
        profile: |_| SandboxProfile::default(),
        entry: command,
    },
    Sample {
        file: "trap.wat",
        title: "Trap with a backtrace",
        story: "Hits an unreachable instruction three calls deep. The console shows the trap and the wasm backtrace \
                with the function names from the module's name section.",
        source: Source::Embedded(source!("trap.wat")),
        profile: |_| SandboxProfile::default(),
        entry: command,
    },
    Sample {
        file: "exit_code.wat",
        title: "Exit with a code",
        story: "Calls proc_exit(3): the run ends with exit code 3, and the call shows as the last in the table.",
        source: Source::Embedded(source!("exit_code.wat")),
        profile: |_| SandboxProfile::default(),
        entry: command,
    },
    Sample {
        file: "recursion.wat",
        title: "Overflow the stack",
        story: "Recurses without end. wasmtime catches the stack overflow and the run ends with a trap instead of \
                crashing anything.",
        source: Source::Embedded(source!("recursion.wat")),
        profile: |_| SandboxProfile::default(),
        entry: command,
    },
    Sample {
        file: "divide_by_zero.wasm",
        title: "C: divide by zero (a trap with source lines)",
        story: "Divides by zero two calls below main. Built with -g, so the trap's backtrace in the Console names \
                the file, line and column of each frame, as `wasmtime run` does with WASMTIME_BACKTRACE_DETAILS=1.",
        source: Source::Embedded(real!("divide_by_zero.wasm")),
        profile: |_| SandboxProfile::default(),
        entry: command,
    },
    Sample {
        file: "hello_component.wasm",
        title: "Component: a C program as a WASI 0.2 command",
        story: "A C program built for preview1 and wrapped into a component with the preview1 adapter: the same \
                program, now speaking WASI 0.2. Calls shows its host calls by interface — wasi:cli, wasi:io, \
                wasi:filesystem — with arguments and results. The sample folder is mounted as `.`; remove the mount \
                and run again to see it fail without ever asking the host for the file.",
        source: Source::Embedded(component!("hello_component.wasm")),
        profile: |data| SandboxProfile {
            mounts: vec![Mount::read_only(data.data.clone(), ".")],
            args: vec!["workshop".into()],
            ..SandboxProfile::default()
        },
        entry: command,
    },
    Sample {
        file: "tcp_connect.wasm",
        title: "Component: a TCP client (Python) and the allow-list",
        story: "A Python component that connects to the address it is given (127.0.0.1:8080), sends a line and \
                prints the reply. The allow-list grants only 10.0.0.1:80, so the connection is refused by the \
                sandbox: Calls marks it with the address and the rule, and Why? offers to allow exactly \
                127.0.0.1:8080. Start a server first (`nc -l 127.0.0.1 8080`) to see it get through. \
                The first run compiles CPython: about ten seconds.",
        source: Source::InRepository("components/tcp_connect.wasm"),
        profile: |_| SandboxProfile {
            network: NetworkPolicy::AllowList(vec!["10.0.0.1:80".into()]),
            args: vec!["127.0.0.1:8080".into()],
            ..SandboxProfile::default()
        },
        entry: command,
    },
    Sample {
        file: "database_connector.wasm",
        title: "Component: the article's database-connector (Python)",
        story: "The article's WIT contract, implemented in Python: execute-query(sql: string) returns \
                result<list<query-result>, string>. The Call tab builds a form from those types; call it and the \
                records come back typed, shown as a table. It needs no capability at all: Calls shows the few \
                host calls CPython makes as it starts. The first call compiles CPython: about ten seconds.",
        source: Source::InRepository("components/database_connector.wasm"),
        profile: |_| SandboxProfile::default(),
        entry: || Entry::Invoke {
            name: "wasmscope:db/database-connector#execute-query".into(),
            args: vec!["select * from users".into()],
        },
    },
    Sample {
        file: "p3_tour.wasm",
        title: "Component: WASI 0.3, async (Python)",
        story: "A WASI 0.3 command: its run is an async func, its output goes through a stream<u8> \
                (write-via-stream), it reads hello.txt through read-via-stream and waits on the monotonic clock. \
                Calls shows each 0.3 call with the stream or future it returns. /data is granted read-only and \
                GREETING is set; take the mount away and the program says it cannot open hello.txt. \
                The first run compiles CPython: about ten seconds.",
        source: Source::InRepository("components/p3_tour.wasm"),
        profile: |data| SandboxProfile {
            env: runtime_worker::Environment { vars: vec![("GREETING".into(), "hi".into())], inherit_host: false },
            args: vec!["a".into(), "b".into()],
            ..data_mount(data, true)
        },
        entry: command,
    },
    Sample {
        file: "http_hello.wasm",
        title: "Component: an HTTP handler (wasi:http, Python)",
        story: "A wasi:http/proxy handler, as serverless platforms run them. Its entry point is an HTTP request: \
                fill in the method, path, headers and body in the module panel and press Run; a fresh instance \
                answers it, and Calls shows every wasi:http call it made. Try /, /echo?x=1, a POST to /echo, \
                /slow, /nope and /trap (a trap answers 500; the next request still works). From a terminal: \
                wasmscope serve -S cli samples/components/http_hello.wasm. The first request compiles CPython.",
        source: Source::InRepository("components/http_hello.wasm"),
        profile: |_| SandboxProfile::default(),
        entry: || Entry::Http(runtime_worker::HttpRequest::new("GET", "/echo?from=wasmscope")),
    },
    Sample {
        file: "async_greeter.wasm",
        title: "Component: async exports (WASI 0.3, Python)",
        story: "A WASI 0.3 component that is not a command: it exports greet, greet-all and sleep, each an async \
                func that awaits the 0.3 monotonic clock's wait-for. Call greet from the Call tab: it awaits 5 ms \
                and returns its greeting. greet-all greets several names at once, and Calls shows their waits \
                overlapping. Then call sleep with 3600000 (an hour): the guest awaits, running no code, and Stop \
                (Shift+F5) ends it at once; so does a time limit (Limits: Timeout). From a terminal: \
                wasmscope call samples/components/async_greeter.wasm greet '\"ada\"'. The first call compiles \
                CPython: about ten seconds.",
        source: Source::InRepository("components/async_greeter.wasm"),
        // No time limit: it would count the first call's compile too.
        profile: |_| SandboxProfile::default(),
        entry: || Entry::Invoke { name: "wasmscope:samples/greeter#greet".into(), args: vec!["ada".into()] },
    },
    Sample {
        file: "http_hello_p3.wasm",
        title: "Component: an HTTP handler on WASI 0.3 (Python)",
        story: "The WASI 0.3 counterpart of the wasi:http handler: it exports wasi:http/handler@0.3.0, whose handle \
                is an async func, and its bodies are stream<u8>s. The request is GET /count: handle returns the \
                response at once and keeps writing its body, a line every 100 ms, after it returned; Calls shows \
                the four waits that come after. Try /, a POST to /echo (the body read from its stream), /slow (it \
                awaits 2 s: Stop ends it), /nope and /trap. From a terminal: wasmscope serve samples/components/\
                http_hello_p3.wasm. The first request compiles CPython: about ten seconds.",
        source: Source::InRepository("components/http_hello_p3.wasm"),
        profile: |_| SandboxProfile::default(),
        entry: || Entry::Http(runtime_worker::HttpRequest::new("GET", "/count")),
    },
    Sample {
        file: "http_fetch.wasm",
        title: "Component: an outgoing HTTP request (wasi:http, Python)",
        story: "A command that GETs the URL it is given and prints the status and the start of the body. The \
                request leaves through wasi:http, and Wasmscope puts it through the network policy like a socket: \
                the allow-list grants 10.0.0.1:80 only, so the request to 127.0.0.1:8000 is refused, and Why? \
                names the URL and offers to allow exactly that address. Serve a folder first \
                (python3 -m http.server 8000) to see it get through. The first run compiles CPython.",
        source: Source::InRepository("components/http_fetch.wasm"),
        profile: |_| SandboxProfile {
            network: NetworkPolicy::AllowList(vec!["10.0.0.1:80".into()]),
            args: vec!["http://127.0.0.1:8000/".into()],
            ..SandboxProfile::default()
        },
        entry: command,
    },
    Sample {
        file: "client_rust.wasm",
        title: "Composed: a C client and a Rust provider (the article's contract)",
        story: "Two components in one file, composed with wac: a C client imports the article's database-connector \
                interface and a Rust provider exports it, reading its rows from /data/users.csv. The Inspector \
                shows the parts, their languages and the wiring. Run it: the client prints three queries' rows. \
                Take the /data mount away and the provider answers with an error row instead.",
        source: Source::Embedded(include_bytes!("../../samples/composition/client_rust.wasm")),
        profile: |data| SandboxProfile {
            mounts: vec![Mount { host: data.users.clone(), guest: "/data".into(), read_only: true }],
            ..SandboxProfile::default()
        },
        entry: command,
    },
    Sample {
        file: "client_python.wasm",
        title: "Composed: the same C client with a Python provider",
        story: "The same client as client_rust.wasm, plugged into a provider written in Python (componentize-py): \
                the same WIT contract, the same rows, a different language behind it. Compare a run of each. \
                The first run compiles CPython: about ten seconds.",
        source: Source::InRepository("composition/client_python.wasm"),
        profile: |data| SandboxProfile {
            mounts: vec![Mount { host: data.users.clone(), guest: "/data".into(), read_only: true }],
            ..SandboxProfile::default()
        },
        entry: command,
    },
];

/// The sample that the window opens with on first start.
pub fn default_sample() -> &'static Sample {
    by_file("read_file.wat").expect("read_file.wat is bundled")
}

pub fn by_file(file: &str) -> Option<&'static Sample> {
    SAMPLES.iter().find(|s| s.file == file)
}

const HELLO_TXT: &[u8] = include_bytes!("../../samples/data/hello.txt");
const SECRET_TXT: &[u8] = include_bytes!("../../samples/secret.txt");
const USERS_CSV: &[u8] = include_bytes!("../../samples/composition/data/users.csv");

/// Unpacks the sample data (once per process) into `base`: `base/data/hello.txt`
/// and, outside the mount, `base/secret.txt`.
pub fn sample_data() -> &'static SampleData {
    static DATA: OnceLock<SampleData> = OnceLock::new();
    DATA.get_or_init(|| {
        let base = eframe::storage_dir("wasmscope")
            .map(|dir| dir.join("sample-data"))
            .unwrap_or_else(|| std::env::temp_dir().join("wasmscope-sample-data"));
        unpack(&base);
        SampleData { data: base.join("data"), users: base.join("users") }
    })
}

fn unpack(base: &Path) {
    let data = base.join("data");
    let _ = std::fs::create_dir_all(&data);
    // Restore the files the samples read, whatever a run did to them.
    let _ = std::fs::write(data.join("hello.txt"), HELLO_TXT);
    let _ = std::fs::write(base.join("secret.txt"), SECRET_TXT);
    let _ = std::fs::create_dir_all(base.join("users"));
    let _ = std::fs::write(base.join("users").join("users.csv"), USERS_CSV);
    // A link that leads out of the mount, for the escape samples.
    #[cfg(unix)]
    {
        let link = data.join("escape_link");
        if std::fs::symlink_metadata(&link).is_err() {
            let _ = std::os::unix::fs::symlink("../secret.txt", link);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_loads_and_every_wat_in_samples_is_in_the_gallery() {
        for sample in SAMPLES {
            let bytes = sample.bytes().unwrap_or_else(|e| panic!("{e}"));
            runtime_worker::inspect::load::load(sample.file, &bytes).unwrap_or_else(|e| panic!("{}: {e}", sample.file));
            assert!(!sample.story.is_empty());
        }
        for dir in ["../samples", "../samples/real"] {
            for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)).unwrap() {
                let name = entry.unwrap().file_name().to_string_lossy().into_owned();
                if name.ends_with(".wat") || name.ends_with(".wasm") {
                    assert!(by_file(&name).is_some(), "{name} is not in the gallery");
                }
            }
        }
    }
}
