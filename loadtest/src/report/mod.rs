//! The report: one serialisable structure (the JSON schema, `schema_version` bumps on any breaking
//! change) from which the terminal table, the Markdown and the SVG chart are rendered.

mod markdown;
mod svg;
mod table;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use serde::{Deserialize, Serialize};

pub use markdown::markdown;
pub use svg::svg;
pub use table::table;

use crate::integrity::IntegrityReport;
use crate::seed::SeedReport;
use crate::slo::{Slo, Verdict, evaluate};
use crate::stages::Stage;
use crate::stats::Recorder;
use crate::summary::ms;
pub use crate::summary::{EndpointSummary, Percentiles, Summary};

/// Version of the JSON layout below.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: String,
    pub run: RunInfo,
    pub seed: Option<SeedInfo>,
    pub summary: Summary,
    pub timeline: Vec<TimelinePoint>,
    pub integrity: Option<IntegrityReport>,
    pub slo: Option<Verdict>,
    /// SLO passed (or none given) and integrity passed (or not run).
    pub passed: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunInfo {
    pub run_tag: String,
    pub target: String,
    pub scenario: String,
    pub kind: String,
    pub create_share: f64,
    pub stages: Vec<Stage>,
    pub warmup_secs: f64,
    pub max_in_flight: usize,
    pub rng_seed: u64,
    pub started_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SeedInfo {
    pub contents: u64,
    pub comments: u64,
    pub secs: f64,
}

impl From<&SeedReport> for SeedInfo {
    fn from(s: &SeedReport) -> Self {
        Self {
            contents: s.contents,
            comments: s.comments,
            secs: s.took.as_secs_f64(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WindowLatency {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

/// One second of the run by intended start time; `warmup` seconds are not in the summary.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TimelinePoint {
    pub second: u64,
    pub warmup: bool,
    pub target: u64,
    pub ok: u64,
    pub errors: u64,
    pub dropped: u64,
    pub latency_ms: BTreeMap<String, WindowLatency>,
}

pub fn timeline(recorder: &Recorder, warmup: Duration) -> Vec<TimelinePoint> {
    recorder
        .windows
        .iter()
        .enumerate()
        .map(|(second, w)| TimelinePoint {
            second: second as u64,
            warmup: (second as f64) < warmup.as_secs_f64(),
            target: w.scheduled,
            ok: w.ok,
            errors: w.errors,
            dropped: w.dropped,
            latency_ms: w
                .latency
                .iter()
                .map(|(e, h)| {
                    let q = |q| ms(h.value_at_quantile(q));
                    (
                        e.name().to_owned(),
                        WindowLatency {
                            p50: q(0.5),
                            p95: q(0.95),
                            p99: q(0.99),
                        },
                    )
                })
                .collect(),
        })
        .collect()
}

impl Report {
    /// Assembles a run's report; the verdict is the SLO's (when one is given) on `summary`.
    pub fn new(
        run: RunInfo,
        seed: Option<SeedInfo>,
        summary: Summary,
        timeline: Vec<TimelinePoint>,
        integrity: Option<IntegrityReport>,
        slo: Option<&Slo>,
    ) -> Self {
        let verdict = slo.map(|slo| evaluate(slo, &summary));
        let mut report = Self {
            schema_version: SCHEMA_VERSION,
            tool: format!("loadtest {}", env!("CARGO_PKG_VERSION")),
            run,
            seed,
            timeline,
            summary,
            integrity,
            slo: verdict,
            passed: false,
        };
        report.compute_passed();
        report
    }

    pub fn compute_passed(&mut self) {
        self.passed = self.slo.as_ref().is_none_or(|v| v.passed)
            && self.integrity.as_ref().is_none_or(|i| i.passed);
    }

    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let report: Self =
            serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        anyhow::ensure!(
            report.schema_version == SCHEMA_VERSION,
            "report schema_version {} is not {SCHEMA_VERSION}",
            report.schema_version
        );
        Ok(report)
    }

    /// Writes report.json, report.md, report.txt and latency.svg into `dir`.
    pub fn write(&self, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let files = [
            ("report.json", serde_json::to_string_pretty(self)? + "\n"),
            ("report.md", markdown(self)),
            ("report.txt", table(self)),
            ("latency.svg", svg(self)),
        ];
        files
            .into_iter()
            .map(|(name, content)| {
                let path = dir.join(name);
                std::fs::write(&path, content)
                    .with_context(|| format!("writing {}", path.display()))?;
                Ok(path)
            })
            .collect()
    }
}
