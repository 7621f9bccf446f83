//! A scenario: what to send, how fast and for how long. Read from a TOML file; command-line flags
//! override single fields.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::data::DataConfig;
use crate::engine::ScenarioKind;
use crate::stages::{Stages, humantime_serde_compat};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Scenario {
    pub name: String,
    pub kind: ScenarioKind,
    /// Share of creates in the `mixed` scenario.
    pub create_share: f64,
    /// E.g. `"100/s:10s,1000/s:30s"`; a ramp is `"100..1000/s:30s"`.
    pub stages: String,
    /// The first part of the run, excluded from the figures (still shown on the chart).
    #[serde(with = "humantime_serde_compat")]
    pub warmup: Duration,
    pub max_in_flight: usize,
    #[serde(with = "humantime_serde_compat")]
    pub late_after: Duration,
    #[serde(with = "humantime_serde_compat")]
    pub timeout: Duration,
    pub seed_concurrency: usize,
    pub rng_seed: u64,
    /// Path requested by the `get` scenario.
    pub get_path: String,
    pub data: DataConfig,
    pub integrity: IntegrityConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IntegrityConfig {
    pub enabled: bool,
    /// Rounds of the retry scenario, each sending `retry_copies` identical comments at once.
    pub retry_rounds: u64,
    pub retry_copies: u64,
    /// Contents listed concurrently by the check.
    pub concurrency: usize,
}

impl Default for IntegrityConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            retry_rounds: 20,
            retry_copies: 8,
            concurrency: 16,
        }
    }
}

impl Default for Scenario {
    fn default() -> Self {
        Self {
            name: "custom".into(),
            kind: ScenarioKind::Mixed,
            create_share: 0.2,
            stages: "100/s:10s".into(),
            warmup: Duration::from_secs(2),
            max_in_flight: 256,
            late_after: Duration::from_millis(10),
            timeout: Duration::from_secs(10),
            seed_concurrency: 16,
            rng_seed: 1,
            get_path: "/".into(),
            data: DataConfig::default(),
            integrity: IntegrityConfig::default(),
        }
    }
}

impl Scenario {
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("parsing scenario {}", path.display()))
    }

    /// Checks the scenario and returns its stages, parsed here once for the whole run.
    pub fn validate(&self) -> anyhow::Result<Stages> {
        let stages = Stages::parse(&self.stages)?;
        self.data.validate()?;
        anyhow::ensure!(
            (0.0..=1.0).contains(&self.create_share),
            "create_share must be within 0..=1"
        );
        anyhow::ensure!(self.max_in_flight >= 1, "max_in_flight must be at least 1");
        anyhow::ensure!(
            self.kind != ScenarioKind::List && self.kind != ScenarioKind::Mixed
                || self.data.seeded_contents > 0,
            "list traffic needs seeded content (data.seeded_contents > 0; with \
             seed_comments_per_content = 0 that content must already have comments)"
        );
        Ok(stages)
    }

    /// Whether the run talks to the comments API (seeding and integrity make sense).
    pub fn uses_comments_api(&self) -> bool {
        self.kind != ScenarioKind::Get
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_scenarios_are_valid() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            Scenario::load(&path)
                .unwrap()
                .validate()
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            seen += 1;
        }
        assert!(seen >= 1);
    }

    #[test]
    fn unknown_keys_are_rejected() {
        assert!(toml::from_str::<Scenario>("ratee = 3").is_err());
        let s: Scenario =
            toml::from_str("kind = 'create'\nstages = '5/s:1s'\n[data]\ncontents = 7").unwrap();
        assert_eq!(
            (s.kind, s.data.contents, s.data.seeded_contents),
            (ScenarioKind::Create, 7, 100)
        );
    }
}
