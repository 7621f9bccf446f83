//! SLO gate: thresholds from a TOML file, checked against a run's summary. Every threshold becomes
//! one check with its limit, the measured value and the margin, so a breach says what failed and by
//! how much.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::summary::Summary;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Slo {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Failed requests (errors plus requests dropped at the in-flight cap) over scheduled requests.
    pub max_error_rate: f64,
    /// Achieved successful rate over the target rate of the measured phase.
    pub min_achieved_fraction: f64,
    /// Latency limits per endpoint (`create`, `list`, `get`), in milliseconds.
    #[serde(default)]
    pub endpoints: BTreeMap<String, LatencyLimits>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LatencyLimits {
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

impl Slo {
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading SLO {}", path.display()))?;
        let slo: Self =
            toml::from_str(&text).with_context(|| format!("parsing SLO {}", path.display()))?;
        anyhow::ensure!(
            (0.0..=1.0).contains(&slo.max_error_rate),
            "max_error_rate must be within 0..=1"
        );
        anyhow::ensure!(
            (0.0..=1.0).contains(&slo.min_achieved_fraction),
            "min_achieved_fraction must be within 0..=1"
        );
        for name in slo.endpoints.keys() {
            anyhow::ensure!(
                ["create", "list", "get"].contains(&name.as_str()),
                "unknown endpoint {name:?} in SLO (create, list, get)"
            );
        }
        Ok(slo)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bound {
    Max,
    Min,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    pub bound: Bound,
    pub limit: f64,
    /// `None` when the run produced no sample for it (which fails the check).
    pub actual: Option<f64>,
    pub unit: String,
    pub passed: bool,
}

impl Check {
    fn new(name: String, bound: Bound, limit: f64, actual: Option<f64>, unit: &str) -> Self {
        let passed = actual.is_some_and(|a| match bound {
            Bound::Max => a <= limit,
            Bound::Min => a >= limit,
        });
        Self {
            name,
            bound,
            limit,
            actual,
            unit: unit.to_owned(),
            passed,
        }
    }

    /// One line: "list p99 latency: 23.40 ms > max 10.00 ms (over by 13.40 ms, +134%)".
    pub fn describe(&self) -> String {
        let (op, word) = match self.bound {
            Bound::Max => ("<=", "max"),
            Bound::Min => (">=", "min"),
        };
        let Some(actual) = self.actual else {
            return format!(
                "{}: no samples (limit {word} {})",
                self.name,
                fmt(self.limit, &self.unit)
            );
        };
        if self.passed {
            return format!(
                "{}: {} {op} {word} {}",
                self.name,
                fmt(actual, &self.unit),
                fmt(self.limit, &self.unit)
            );
        }
        let by = (actual - self.limit).abs();
        let relative = if self.limit > 0.0 {
            format!(", {:+.0}%", (actual / self.limit - 1.0) * 100.0)
        } else {
            String::new()
        };
        let (cmp, dir) = match self.bound {
            Bound::Max => (">", "over"),
            Bound::Min => ("<", "under"),
        };
        format!(
            "{}: {} {cmp} {word} {} ({dir} by {}{relative})",
            self.name,
            fmt(actual, &self.unit),
            fmt(self.limit, &self.unit),
            fmt(by, &self.unit)
        )
    }
}

fn fmt(value: f64, unit: &str) -> String {
    match unit {
        "%" => format!("{:.2}%", value * 100.0),
        "ms" => format!("{value:.2} ms"),
        _ => format!("{value:.3}{unit}"),
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Verdict {
    pub slo: String,
    pub passed: bool,
    pub checks: Vec<Check>,
}

impl Verdict {
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.passed)
    }
}

pub fn evaluate(slo: &Slo, summary: &Summary) -> Verdict {
    let mut checks = vec![
        Check::new(
            "error rate".into(),
            Bound::Max,
            slo.max_error_rate,
            Some(summary.error_rate),
            "%",
        ),
        Check::new(
            "achieved rate / target".into(),
            Bound::Min,
            slo.min_achieved_fraction,
            Some(summary.achieved_fraction),
            "%",
        ),
    ];
    for (endpoint, limits) in &slo.endpoints {
        let latency = summary
            .endpoints
            .get(endpoint)
            .filter(|e| e.requests > 0)
            .map(|e| &e.latency_ms);
        for (label, limit, actual) in [
            ("p50", limits.p50_ms, latency.map(|l| l.p50)),
            ("p95", limits.p95_ms, latency.map(|l| l.p95)),
            ("p99", limits.p99_ms, latency.map(|l| l.p99)),
        ] {
            if let Some(limit) = limit {
                checks.push(Check::new(
                    format!("{endpoint} {label} latency"),
                    Bound::Max,
                    limit,
                    actual,
                    "ms",
                ));
            }
        }
    }
    let passed = checks.iter().all(|c| c.passed);
    Verdict {
        slo: slo.name.clone(),
        passed,
        checks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breach_names_threshold_and_margin() {
        let c = Check::new(
            "list p99 latency".into(),
            Bound::Max,
            10.0,
            Some(23.4),
            "ms",
        );
        assert!(!c.passed);
        assert_eq!(
            c.describe(),
            "list p99 latency: 23.40 ms > max 10.00 ms (over by 13.40 ms, +134%)"
        );
        let r = Check::new(
            "achieved rate / target".into(),
            Bound::Min,
            0.95,
            Some(0.5),
            "%",
        );
        assert_eq!(
            r.describe(),
            "achieved rate / target: 50.00% < min 95.00% (under by 45.00%, -47%)"
        );
    }

    #[test]
    fn missing_samples_fail() {
        let c = Check::new("create p99 latency".into(), Bound::Max, 10.0, None, "ms");
        assert!(!c.passed);
        assert!(c.describe().contains("no samples"));
    }

    #[test]
    fn shipped_slo_files_parse() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("slo");
        for name in ["pr", "dev", "staging", "prod"] {
            let slo = Slo::load(&dir.join(format!("{name}.toml"))).unwrap();
            assert_eq!(slo.name, name);
            assert!(slo.endpoints.contains_key("create") && slo.endpoints.contains_key("list"));
        }
    }

    #[test]
    fn rejects_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.toml");
        std::fs::write(
            &path,
            "name='x'\nmax_error_rate=0.1\nmin_achieved_fraction=0.9\np99=3\n",
        )
        .unwrap();
        assert!(Slo::load(&path).is_err());
    }
}
