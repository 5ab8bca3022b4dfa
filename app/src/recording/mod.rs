//! Recordings: a whole run in a file (`wasmscope run --record FILE`), to be
//! opened in the window elsewhere, later (`wasmscope FILE.wsrec`). A run on a
//! server, in CI or in a cluster is looked at on a desktop this way.
//!
//! A recording holds the run's `WorkerEvent`s as the engine sent them, so
//! the window takes them in as it takes in a live run's, and every tab works
//! on a recorded run as on a live one. The format is ours, compact, and
//! written as the run goes: each batch of events is written and flushed as
//! it arrives, so a process killed mid-run leaves a readable beginning.
//!
//! # Layout, byte by byte (format 1)
//!
//! Numbers are LEB128 varints unless a width is given; signed ones are
//! zigzagged first (0, -1, 1, -2 → 0, 1, 2, 3). Text is a varint length and
//! UTF-8 bytes. "opt" is a byte 0 (none) or 1 followed by the value.
//!
//! ```text
//! 0   8 bytes   magic: `WSREC` CR LF 0x1a
//! 8   2 bytes   format version, little-endian (1). A reader refuses a newer one.
//! 10  1 byte    length n of the next field
//! 11  n bytes   the version of wasmscope that wrote the file (`0.1.0`)
//!     varint    length of the header, then the header:
//!                 text     module name
//!                 32 bytes module SHA-256
//!                 1 byte   0 core module, 1 component
//!                 opt text the module's language (from `producers`)
//!                 varint   when the run started, ms since the Unix epoch
//!                 text     the entry point (`Entry`) as JSON
//!                 text     the sandbox profile (`SandboxProfile`) as JSON
//!                 opt text argv[0], when not the module's name
//!                 opt text the inner part whose export was called
//!                 varint   parts swapped, then each: text part, text component
//!     frames, to the end of the file: 1 byte tag, varint payload length, payload
//! ```
//!
//! Frames (tags in `events::tag`; a call's layout in `EventEncoder::call`):
//!
//! | tag | frame | payload |
//! |---|---|---|
//! | 1 | text | UTF-8 bytes; the text table's next entry (numbered from 0) |
//! | 2 | compile progress | done, total |
//! | 3 | phase | 1 byte phase (compile, instantiate, first call, total), nanoseconds, 1 byte cached |
//! | 4 | preview1 call | function (table), seq − (previous seq + 1), start − previous start, duration, 1 byte (params \| results << 4), each param, each result, errno + 1 (0: none), 1 byte abrupt (0 none, 1 exit + code, 2 trap, 3 unfinished), strings (count, each text), preview (bytes), 2 descriptor labels (table + 1, 0: none), denial |
//! | 5 | component host call | interface (table), function (table), seq and start as above, duration, arguments (count, each name (table) and value text), result text, error, part, callee (each table + 1), denial |
//! | 6 | memory | nanoseconds, 1 byte change: 0 initial (bytes, opt maximum), 1 grew (from, to), 2 refused (from, requested, cap) |
//! | 7 | output | 1 byte stream (1 stdout, 2 stderr), the bytes to the frame's end |
//! | 8 | output dropped | 1 byte stream, total |
//! | 9 | finished | the `RunOutcome`: 1 byte kind, then its fields |
//! | 255 | end | the number of events; nothing follows |
//!
//! A denial is a byte 0 (none), or 1, the `DenialKind` (1 byte kind and its
//! fields) and its sentence as it was written.
//!
//! A file without its end frame was cut (the process was killed, the disk
//! filled): everything before the cut is read and shown, with a sentence
//! saying where it stops. A frame that cannot be read stops the reading the
//! same way; nothing in a file makes the reader panic or allocate more
//! than the file's size.

mod events;
pub mod wire;

use std::fmt;
use std::io::{self, Write};
use std::path::Path;

use runtime_worker::{Entry, ModuleKind, SandboxProfile, WorkerEvent};

use events::{Decoded, EventDecoder, EventEncoder, put_frame, tag};
use wire::{Cursor, WireError, put_bytes, put_opt_str, put_str, put_u64};

/// The first bytes of every recording.
pub const MAGIC: [u8; 8] = *b"WSREC\r\n\x1a";
/// The format this build writes, and the newest it reads.
pub const FORMAT_VERSION: u16 = 1;
/// The file name extension recordings take.
pub const EXTENSION: &str = "wsrec";

/// What a recording says about its run before the events.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    /// The wasmscope version that wrote the file.
    pub writer: String,
    pub module_name: String,
    pub module_sha256: [u8; 32],
    pub kind: ModuleKind,
    pub language: Option<String>,
    /// When the run started, in milliseconds since the Unix epoch.
    pub started_unix_ms: u64,
    pub entry: Entry,
    pub profile: SandboxProfile,
    pub program_name: Option<String>,
    pub part: Option<String>,
    /// Inner parts swapped for the run: the part, and the component (by name).
    pub swaps: Vec<(String, String)>,
}

impl Header {
    fn encode(&self) -> io::Result<Vec<u8>> {
        let json = |what: &str, value: Result<String, serde_json::Error>| {
            value.map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("cannot write the {what}: {e}")))
        };
        let mut out = Vec::new();
        put_str(&mut out, &self.module_name);
        out.extend_from_slice(&self.module_sha256);
        out.push(match self.kind {
            ModuleKind::Core => 0,
            ModuleKind::Component => 1,
        });
        put_opt_str(&mut out, self.language.as_deref());
        put_u64(&mut out, self.started_unix_ms);
        put_str(&mut out, &json("entry point", serde_json::to_string(&self.entry))?);
        put_str(&mut out, &json("sandbox profile", serde_json::to_string(&self.profile))?);
        put_opt_str(&mut out, self.program_name.as_deref());
        put_opt_str(&mut out, self.part.as_deref());
        put_u64(&mut out, self.swaps.len() as u64);
        for (part, with) in &self.swaps {
            put_str(&mut out, part);
            put_str(&mut out, with);
        }
        Ok(out)
    }

    fn decode(writer: String, bytes: &[u8]) -> Result<Header, WireError> {
        let mut cursor = Cursor::new(bytes);
        let module_name = cursor.string()?;
        let module_sha256 = cursor.array()?;
        let kind = match cursor.u8()? {
            0 => ModuleKind::Core,
            1 => ModuleKind::Component,
            other => return wire::invalid(format!("{other} is not a kind of module")),
        };
        let language = cursor.opt_string()?;
        let started_unix_ms = cursor.u64()?;
        let entry = serde_json::from_str(cursor.str()?)
            .map_err(|e| WireError::Invalid(format!("the entry point does not read: {e}")))?;
        let profile = serde_json::from_str(cursor.str()?)
            .map_err(|e| WireError::Invalid(format!("the sandbox profile does not read: {e}")))?;
        let program_name = cursor.opt_string()?;
        let part = cursor.opt_string()?;
        let swaps =
            (0..cursor.count()?).map(|_| Ok((cursor.string()?, cursor.string()?))).collect::<Result<_, WireError>>()?;
        if !cursor.is_empty() {
            return wire::invalid(format!("{} bytes too many in the header", cursor.remaining()));
        }
        Ok(Header {
            writer,
            module_name,
            module_sha256,
            kind,
            language,
            started_unix_ms,
            entry,
            profile,
            program_name,
            part,
            swaps,
        })
    }
}

/// Writes a recording as the run goes: the header at once, each batch of
/// events when it arrives, the end frame last.
pub struct RecordingWriter<W: Write> {
    out: W,
    encoder: EventEncoder,
    /// One batch's bytes, written out whole (one `write` per batch).
    buf: Vec<u8>,
    events: u64,
}

impl<W: Write> RecordingWriter<W> {
    /// Writes the preamble and `header` to `out`, and flushes it.
    pub fn new(mut out: W, header: &Header) -> io::Result<RecordingWriter<W>> {
        let mut buf = Vec::with_capacity(64 * 1024);
        buf.extend_from_slice(&MAGIC);
        buf.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        let writer = env!("CARGO_PKG_VERSION").as_bytes();
        buf.push(writer.len() as u8);
        buf.extend_from_slice(writer);
        put_bytes(&mut buf, &header.encode()?);
        out.write_all(&buf)?;
        out.flush()?;
        buf.clear();
        Ok(RecordingWriter { out, encoder: EventEncoder::default(), buf, events: 0 })
    }

    /// Writes a batch of events and flushes them, so that what the run did
    /// so far survives the process.
    pub fn write_batch<'a>(&mut self, events: impl IntoIterator<Item = &'a WorkerEvent>) -> io::Result<()> {
        self.buf.clear();
        for event in events {
            self.encoder.encode(event, &mut self.buf);
            self.events += 1;
        }
        self.out.write_all(&self.buf)?;
        self.out.flush()
    }

    /// Writes the end frame: the recording is complete.
    pub fn finish(mut self) -> io::Result<W> {
        self.buf.clear();
        let mut count = Vec::new();
        put_u64(&mut count, self.events);
        put_frame(&mut self.buf, tag::END, &count);
        self.out.write_all(&self.buf)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Why a file cannot be opened as a recording at all.
#[derive(Debug)]
pub enum RecordingError {
    Io(io::Error),
    /// The file does not start as a recording does.
    NotARecording,
    /// A newer wasmscope wrote it, in a format this one does not know.
    NewerFormat {
        format: u16,
        writer: String,
    },
    /// The file stops (or is damaged) before its events begin.
    BadHeader(String),
}

impl fmt::Display for RecordingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordingError::Io(e) => write!(f, "{e}"),
            RecordingError::NotARecording => f.write_str("not a Wasmscope recording (it does not start with `WSREC`)"),
            RecordingError::NewerFormat { format, writer } => write!(
                f,
                "recorded by wasmscope {writer} in format {format}; this wasmscope ({}) reads formats up to \
                 {FORMAT_VERSION}: open it with wasmscope {writer} or newer",
                env!("CARGO_PKG_VERSION")
            ),
            RecordingError::BadHeader(why) => write!(f, "the recording's header does not read: {why}"),
        }
    }
}

impl std::error::Error for RecordingError {}

/// How the events of a recording end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ending {
    /// With the end frame: the whole run is there.
    Complete,
    /// Before the end frame: cut off or damaged `at_byte`; the events
    /// before it were read. `why` is a sentence for people.
    Incomplete { at_byte: u64, why: String },
}

/// Reads a recording's events one by one, after its header.
pub struct RecordingReader<'a> {
    bytes: &'a [u8],
    /// Where the next frame starts.
    at: usize,
    decoder: EventDecoder,
    events: u64,
    /// Set once the reading stopped.
    ending: Option<Ending>,
}

/// Reads the preamble and header of `bytes`; the events follow from the
/// reader.
pub fn open(bytes: &[u8]) -> Result<(Header, RecordingReader<'_>), RecordingError> {
    if bytes.len() < MAGIC.len() {
        return Err(if MAGIC.starts_with(bytes) {
            RecordingError::BadHeader("the file stops before its header".to_string())
        } else {
            RecordingError::NotARecording
        });
    }
    if bytes[..MAGIC.len()] != MAGIC {
        return Err(RecordingError::NotARecording);
    }
    let mut cursor = Cursor::new(&bytes[MAGIC.len()..]);
    let cut = |e: WireError| match e {
        WireError::Truncated => RecordingError::BadHeader("the file stops before its events begin".to_string()),
        WireError::Invalid(why) => RecordingError::BadHeader(why),
    };
    let format = u16::from_le_bytes(cursor.array().map_err(cut)?);
    let writer_len = cursor.u8().map_err(cut)?;
    let writer = String::from_utf8_lossy(cursor.take(usize::from(writer_len)).map_err(cut)?).into_owned();
    if format > FORMAT_VERSION {
        return Err(RecordingError::NewerFormat { format, writer });
    }
    if format == 0 {
        return Err(RecordingError::BadHeader("format 0 does not exist".to_string()));
    }
    let header = Header::decode(writer, cursor.bytes().map_err(cut)?).map_err(cut)?;
    let at = bytes.len() - cursor.remaining();
    Ok((header, RecordingReader { bytes, at, decoder: EventDecoder::default(), events: 0, ending: None }))
}

impl RecordingReader<'_> {
    /// How the events ended; `None` until they have all been read.
    pub fn ending(&self) -> Option<&Ending> {
        self.ending.as_ref()
    }

    fn stop(&mut self, why: String) -> Option<WorkerEvent> {
        self.ending = Some(Ending::Incomplete { at_byte: self.at as u64, why });
        None
    }
}

impl Iterator for RecordingReader<'_> {
    type Item = WorkerEvent;

    fn next(&mut self) -> Option<WorkerEvent> {
        loop {
            if self.ending.is_some() {
                return None;
            }
            let mut cursor = Cursor::new(&self.bytes[self.at..]);
            if cursor.is_empty() {
                let events = self.events;
                return self.stop(format!(
                    "the recording stops after {events} events, without its end: the recording process was \
                     killed or the file was copied while being written"
                ));
            }
            let frame = cursor.u8().and_then(|tag| Ok((tag, cursor.bytes()?)));
            let (tag, payload) = match frame {
                Ok(frame) => frame,
                Err(WireError::Truncated) => {
                    let events = self.events;
                    return self.stop(format!(
                        "the recording is cut off in the middle of event {}, after {events} whole events: the \
                         recording process was killed or the file was copied while being written",
                        events + 1
                    ));
                }
                Err(WireError::Invalid(why)) => return self.stop(format!("the recording is damaged: {why}")),
            };
            let next = self.bytes.len() - cursor.remaining();
            match self.decoder.decode(tag, payload) {
                Ok(Decoded::String) => self.at = next,
                Ok(Decoded::Event(event)) => {
                    self.at = next;
                    self.events += 1;
                    return Some(event);
                }
                Ok(Decoded::End { events }) if events != self.events => {
                    return self.stop(format!(
                        "the recording is damaged: its end counts {events} events, {} were read",
                        self.events
                    ));
                }
                Ok(Decoded::End { .. }) if next != self.bytes.len() => {
                    self.at = next;
                    return self.stop(format!("{} bytes follow the recording's end", self.bytes.len() - next));
                }
                Ok(Decoded::End { .. }) => {
                    self.at = next;
                    self.ending = Some(Ending::Complete);
                }
                Err(e) => return self.stop(format!("the recording is damaged: event {}: {e}", self.events + 1)),
            }
        }
    }
}

/// A recording read whole.
pub struct Recording {
    pub header: Header,
    pub events: Vec<WorkerEvent>,
    pub ending: Ending,
}

/// Reads a whole recording from bytes.
pub fn read(bytes: &[u8]) -> Result<Recording, RecordingError> {
    let (header, mut reader) = open(bytes)?;
    let events: Vec<WorkerEvent> = reader.by_ref().collect();
    let ending = reader.ending().cloned().unwrap_or(Ending::Complete);
    Ok(Recording { header, events, ending })
}

/// Reads a whole recording from a file.
pub fn read_file(path: &Path) -> Result<Recording, RecordingError> {
    read(&std::fs::read(path).map_err(RecordingError::Io)?)
}

/// Whether the file at `path` is a recording: its name ends in `.wsrec`, or
/// it starts with the magic bytes.
pub fn is_recording(path: &Path) -> bool {
    if path.extension().is_some_and(|e| e == EXTENSION) {
        return true;
    }
    let mut start = [0u8; MAGIC.len()];
    std::fs::File::open(path).and_then(|mut f| io::Read::read_exact(&mut f, &mut start)).is_ok() && start == MAGIC
}

#[cfg(test)]
mod tests;
