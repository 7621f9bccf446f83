//! What a run measured: per-endpoint HDR histograms (microseconds, 3 significant digits) of the
//! measured phase, and one-second windows over the whole run (warm-up included) for the chart.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

use crate::client::CallError;

/// Highest latency the histograms track exactly; anything slower saturates here.
pub const MAX_TRACKED: Duration = Duration::from_secs(120);
const MAX_ERROR_SAMPLES: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Endpoint {
    Create,
    List,
    Get,
}

impl Endpoint {
    pub fn name(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::List => "list",
            Self::Get => "get",
        }
    }

    pub fn route(self) -> &'static str {
        match self {
            Self::Create => "POST /api/comment/new",
            Self::List => "GET /api/comment/list/{content_id}",
            Self::Get => "GET (plain)",
        }
    }
}

pub fn new_histogram(sigfig: u8) -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_TRACKED.as_micros() as u64, sigfig)
        .expect("valid histogram bounds")
}

fn micros(d: Duration) -> u64 {
    (d.as_micros() as u64).max(1)
}

#[derive(Debug, Clone)]
pub struct EndpointStats {
    pub latency: Histogram<u64>,
    pub ok: u64,
    pub errors: u64,
}

impl Default for EndpointStats {
    fn default() -> Self {
        Self {
            latency: new_histogram(3),
            ok: 0,
            errors: 0,
        }
    }
}

/// One second of the run, by intended start time.
#[derive(Debug, Clone, Default)]
pub struct Window {
    pub scheduled: u64,
    pub dropped: u64,
    pub ok: u64,
    pub errors: u64,
    pub latency: BTreeMap<Endpoint, Histogram<u64>>,
}

/// Everything recorded; the dispatcher and the request tasks write into it.
#[derive(Debug, Clone)]
pub struct Recorder {
    pub endpoints: BTreeMap<Endpoint, EndpointStats>,
    pub windows: Vec<Window>,
    /// Measured phase only.
    pub scheduled: u64,
    pub dropped: u64,
    pub late: u64,
    /// Intended start to actual dispatch: the generator's own lag.
    pub dispatch_lag: Histogram<u64>,
    pub error_kinds: BTreeMap<String, u64>,
    pub error_samples: Vec<String>,
}

impl Default for Recorder {
    fn default() -> Self {
        Self {
            endpoints: BTreeMap::new(),
            windows: Vec::new(),
            scheduled: 0,
            dropped: 0,
            late: 0,
            dispatch_lag: new_histogram(3),
            error_kinds: BTreeMap::new(),
            error_samples: Vec::new(),
        }
    }
}

impl Recorder {
    fn window(&mut self, second: usize) -> &mut Window {
        if self.windows.len() <= second {
            self.windows.resize_with(second + 1, Window::default);
        }
        &mut self.windows[second]
    }

    pub fn scheduled(
        &mut self,
        second: usize,
        measured: bool,
        dropped: bool,
        lag: Duration,
        late: bool,
    ) {
        let window = self.window(second);
        window.scheduled += 1;
        window.dropped += u64::from(dropped);
        if measured {
            self.scheduled += 1;
            self.dropped += u64::from(dropped);
            self.late += u64::from(late);
            self.dispatch_lag.saturating_record(micros(lag));
        }
    }

    pub fn completed(
        &mut self,
        endpoint: Endpoint,
        second: usize,
        measured: bool,
        latency: Duration,
        error: Option<&CallError>,
    ) {
        let us = micros(latency);
        let window = self.window(second);
        if error.is_some() {
            window.errors += 1;
        } else {
            window.ok += 1;
        }
        window
            .latency
            .entry(endpoint)
            .or_insert_with(|| new_histogram(2))
            .saturating_record(us);
        if !measured {
            return;
        }
        let stats = self.endpoints.entry(endpoint).or_default();
        stats.latency.saturating_record(us);
        match error {
            None => stats.ok += 1,
            Some(error) => {
                stats.errors += 1;
                *self
                    .error_kinds
                    .entry(format!("{}: {}", endpoint.name(), error.kind()))
                    .or_default() += 1;
                if self.error_samples.len() < MAX_ERROR_SAMPLES {
                    self.error_samples
                        .push(format!("{}: {error}", endpoint.name()));
                }
            }
        }
    }

    /// Adds what a dispatcher recorded on its own (scheduling counts and lag) into this recorder.
    pub fn merge_dispatch(&mut self, dispatch: &Recorder) {
        for (second, w) in dispatch.windows.iter().enumerate() {
            let window = self.window(second);
            window.scheduled += w.scheduled;
            window.dropped += w.dropped;
        }
        self.scheduled += dispatch.scheduled;
        self.dropped += dispatch.dropped;
        self.late += dispatch.late;
        self.dispatch_lag
            .add(&dispatch.dispatch_lag)
            .expect("same histogram bounds");
    }

    pub fn ok(&self) -> u64 {
        self.endpoints.values().map(|e| e.ok).sum()
    }

    pub fn errors(&self) -> u64 {
        self.endpoints.values().map(|e| e.errors).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warmup_counts_in_windows_only() {
        let mut r = Recorder::default();
        r.scheduled(0, false, false, Duration::ZERO, false);
        r.completed(Endpoint::List, 0, false, Duration::from_millis(3), None);
        r.scheduled(2, true, false, Duration::from_micros(10), false);
        r.completed(
            Endpoint::List,
            2,
            true,
            Duration::from_millis(5),
            Some(&CallError::Status {
                got: 500,
                body: "boom".into(),
            }),
        );
        assert_eq!(r.windows.len(), 3);
        assert_eq!(r.scheduled, 1);
        assert_eq!((r.ok(), r.errors()), (0, 1));
        assert_eq!(r.error_kinds.get("list: status 500"), Some(&1));
        assert_eq!(r.endpoints[&Endpoint::List].latency.len(), 1);
        assert_eq!(r.windows[0].ok, 1);
    }

    #[test]
    fn microsecond_resolution() {
        let mut r = Recorder::default();
        r.completed(Endpoint::Create, 0, true, Duration::from_micros(1234), None);
        let h = &r.endpoints[&Endpoint::Create].latency;
        assert!(h.equivalent(h.value_at_quantile(0.5), 1234));
    }
}
