//! Live progress on stderr; indicatif draws nothing when stderr is not a terminal (CI logs stay clean).

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::stats::Recorder;

pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    pub fn new(enabled: bool) -> Self {
        let target = if enabled {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(0), target);
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len}s {msg}")
                .expect("static template")
                .progress_chars("=> "),
        );
        Self { bar }
    }

    pub fn phase(&self, message: &str) {
        self.bar.set_message(message.to_owned());
        self.bar.tick();
    }

    pub fn update(&self, elapsed: Duration, total: Duration, recorder: &Recorder, dropped: u64) {
        self.bar.set_length(total.as_secs());
        self.bar.set_position(elapsed.as_secs());
        let last_full = recorder.windows.len().saturating_sub(2);
        let (rate, p99) = recorder.windows.get(last_full).map_or((0, 0.0), |w| {
            let p99 = w
                .latency
                .values()
                .map(|h| h.value_at_quantile(0.99))
                .max()
                .unwrap_or(0);
            (w.ok + w.errors, p99 as f64 / 1000.0)
        });
        self.bar.set_message(format!(
            "{rate} req/s, p99 {p99:.1} ms, {} errors, {} dropped",
            recorder.errors(),
            dropped
        ));
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
