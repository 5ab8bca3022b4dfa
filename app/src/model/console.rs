//! A run's stdout and stderr as lines, in the order they were written.

use runtime_worker::Stream;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsoleLine {
    pub stream: Stream,
    pub text: String,
    /// The line ended with a newline (more output starts a new line).
    pub complete: bool,
}

/// Lines beyond this are not kept (the worker already caps bytes per stream;
/// this bounds a stream of empty lines).
const MAX_LINES: usize = 1_000_000;

#[derive(Debug, Default)]
pub struct Console {
    lines: Vec<ConsoleLine>,
    dropped: [u64; 2],
    lines_dropped: u64,
}

impl Console {
    pub fn push(&mut self, stream: Stream, bytes: &[u8]) {
        let text = String::from_utf8_lossy(bytes);
        for piece in text.split_inclusive('\n') {
            let (body, complete) = match piece.strip_suffix('\n') {
                Some(body) => (body, true),
                None => (piece, false),
            };
            let full = self.lines.len() >= MAX_LINES;
            match self.lines.last_mut() {
                Some(last) if last.stream == stream && !last.complete => {
                    last.text.push_str(body);
                    last.complete = complete;
                }
                _ if full => self.lines_dropped += 1,
                _ => self.lines.push(ConsoleLine { stream, text: body.to_string(), complete }),
            }
        }
    }

    pub fn set_dropped(&mut self, stream: Stream, total: u64) {
        self.dropped[index(stream)] = total;
    }

    /// Bytes the guest wrote beyond the output cap, per stream.
    pub fn dropped(&self, stream: Stream) -> u64 {
        self.dropped[index(stream)]
    }

    pub fn lines(&self) -> &[ConsoleLine] {
        &self.lines
    }

    /// One stream's text, as written.
    pub fn text(&self, stream: Stream) -> String {
        let mut out = String::new();
        for line in self.lines.iter().filter(|l| l.stream == stream) {
            out.push_str(&line.text);
            if line.complete {
                out.push('\n');
            }
        }
        out
    }
}

fn index(stream: Stream) -> usize {
    match stream {
        Stream::Stdout => 0,
        Stream::Stderr => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_become_lines_and_streams_stay_apart() {
        let mut console = Console::default();
        console.push(Stream::Stdout, b"read: ");
        console.push(Stream::Stdout, b"hello\nsecond");
        console.push(Stream::Stderr, b"warning\n");
        console.push(Stream::Stdout, b" line\n");
        let lines: Vec<_> = console.lines().iter().map(|l| (l.stream, l.text.as_str())).collect();
        assert_eq!(
            lines,
            [
                (Stream::Stdout, "read: hello"),
                (Stream::Stdout, "second"),
                (Stream::Stderr, "warning"),
                (Stream::Stdout, " line")
            ]
        );
        assert_eq!(console.text(Stream::Stdout), "read: hello\nsecond line\n");
    }
}
