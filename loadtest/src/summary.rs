//! The run's figures over the measured phase: what the SLO gate judges and the reports show. Its own
//! module so that the gate (`slo`) and the reports both build on it without importing each other.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::stats::{Endpoint, EndpointStats, Recorder};

/// Latency percentiles in milliseconds (microsecond resolution).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    pub min: f64,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
    pub mean: f64,
}

pub(crate) fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

impl From<&Histogram<u64>> for Percentiles {
    fn from(h: &Histogram<u64>) -> Self {
        if h.is_empty() {
            return Self::default();
        }
        Self {
            min: ms(h.min()),
            p50: ms(h.value_at_quantile(0.50)),
            p90: ms(h.value_at_quantile(0.90)),
            p95: ms(h.value_at_quantile(0.95)),
            p99: ms(h.value_at_quantile(0.99)),
            p999: ms(h.value_at_quantile(0.999)),
            max: ms(h.max()),
            mean: h.mean() / 1000.0,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EndpointSummary {
    pub route: String,
    pub requests: u64,
    pub ok: u64,
    pub errors: u64,
    /// Successful responses per second of the measured phase.
    pub rate: f64,
    pub latency_ms: Percentiles,
}

impl EndpointSummary {
    fn build(endpoint: Endpoint, stats: &EndpointStats, measured_secs: f64) -> Self {
        Self {
            route: endpoint.route().to_owned(),
            requests: stats.ok + stats.errors,
            ok: stats.ok,
            errors: stats.errors,
            rate: stats.ok as f64 / measured_secs,
            latency_ms: Percentiles::from(&stats.latency),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    pub measured_secs: f64,
    pub scheduled: u64,
    pub sent: u64,
    pub ok: u64,
    pub errors: u64,
    /// Not sent: the in-flight cap was reached at their intended start.
    pub dropped: u64,
    /// Sent later than `late_after_ms` after their intended start (generator lag).
    pub late: u64,
    pub late_after_ms: f64,
    pub target_rate: f64,
    pub achieved_rate: f64,
    pub achieved_fraction: f64,
    /// (errors + dropped) / scheduled.
    pub error_rate: f64,
    pub dispatch_lag_ms: Percentiles,
    pub endpoints: BTreeMap<String, EndpointSummary>,
    pub error_kinds: BTreeMap<String, u64>,
    pub error_samples: Vec<String>,
}

impl Summary {
    pub fn build(recorder: &Recorder, measured: Duration, late_after: Duration) -> Self {
        let secs = measured.as_secs_f64().max(1e-9);
        let ok = recorder.ok();
        let errors = recorder.errors();
        let scheduled = recorder.scheduled;
        let ratio = |n: u64| {
            if scheduled == 0 {
                0.0
            } else {
                n as f64 / scheduled as f64
            }
        };
        let endpoints = recorder
            .endpoints
            .iter()
            .map(|(endpoint, stats)| {
                let summary = EndpointSummary::build(*endpoint, stats, secs);
                (endpoint.name().to_owned(), summary)
            })
            .collect();
        Self {
            measured_secs: measured.as_secs_f64(),
            scheduled,
            sent: scheduled - recorder.dropped,
            ok,
            errors,
            dropped: recorder.dropped,
            late: recorder.late,
            late_after_ms: late_after.as_secs_f64() * 1000.0,
            target_rate: scheduled as f64 / secs,
            achieved_rate: ok as f64 / secs,
            achieved_fraction: ratio(ok),
            error_rate: if scheduled == 0 {
                1.0
            } else {
                ratio(errors + recorder.dropped)
            },
            dispatch_lag_ms: Percentiles::from(&recorder.dispatch_lag),
            endpoints,
            error_kinds: recorder.error_kinds.clone(),
            error_samples: recorder.error_samples.clone(),
        }
    }
}
