//! The window measuring itself: frame times and ingest rate for the F12
//! overlay, and `--measure-startup`'s first frame and idle memory.

use std::time::{Duration, Instant};

use super::startup::since_process_start;

/// `--measure-startup`: the first frame's time, then idle memory.
#[derive(Default)]
pub struct StartupProbe {
    first_frame: Option<(Duration, Instant)>,
    reported: bool,
}

impl StartupProbe {
    const IDLE: Duration = Duration::from_secs(2);

    pub fn frame(&mut self, ctx: &egui::Context) {
        let (first, at) = *self.first_frame.get_or_insert_with(|| (since_process_start(), Instant::now()));
        if self.reported {
            return;
        }
        if at.elapsed() < Self::IDLE {
            ctx.request_repaint_after(Self::IDLE.saturating_sub(at.elapsed()));
            return;
        }
        self.reported = true;
        let resident = runtime_worker::density::resident_bytes()
            .map_or("not measured on this platform".to_string(), |b| format!("{:.1} MiB", b as f64 / 1048576.0));
        // Anonymous memory is the program's own; file-backed pages are
        // mostly shared libraries (the GL driver's above all).
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let field = |name: &str| {
            status.lines().find(|l| l.starts_with(name)).map(|l| l[name.len()..].trim().to_string()).unwrap_or_default()
        };
        eprintln!(
            "first frame laid out {:.1} ms after main() began; resident memory after {} s idle: {resident} \
             (anonymous {}, file-backed {})",
            first.as_secs_f64() * 1e3,
            Self::IDLE.as_secs(),
            field("RssAnon:"),
            field("RssFile:")
        );
        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
    }
}

/// Frame-time and ingest figures for the debug overlay (F12).
#[derive(Default)]
pub struct FrameStats {
    recent_frames: std::collections::VecDeque<Duration>,
    ingested_calls: u64,
    ingest_time: Duration,
}

impl FrameStats {
    pub fn frame(&mut self, took: Duration) {
        self.recent_frames.push_back(took);
        if self.recent_frames.len() > 120 {
            self.recent_frames.pop_front();
        }
    }

    pub fn ingested(&mut self, calls: usize, took: Duration) {
        if calls > 0 {
            self.ingested_calls += calls as u64;
            self.ingest_time += took;
        }
    }

    pub fn summary(&self, run: Option<&crate::model::run_record::RunRecord>) -> String {
        let mut frames: Vec<Duration> = self.recent_frames.iter().copied().collect();
        frames.sort();
        let median = frames.get(frames.len() / 2).copied().unwrap_or_default();
        let worst = frames.last().copied().unwrap_or_default();
        let rate =
            if self.ingest_time.is_zero() { 0.0 } else { self.ingested_calls as f64 / self.ingest_time.as_secs_f64() };
        let (calls, bytes) = run.map_or((0, 0.0), |r| (r.calls.len(), r.calls.bytes_per_call()));
        format!(
            "frame {:.2} ms (worst {:.2}) · ingest {:.1}M calls/s · {calls} calls · {bytes:.0} B/call",
            median.as_secs_f64() * 1e3,
            worst.as_secs_f64() * 1e3,
            rate / 1e6
        )
    }
}
