//! Arrival schedule of the open model: stages of constant or linearly ramping rate, turned into the
//! intended start offset of every request. Offsets are computed from the request's index, never by
//! adding sleeps, so the schedule cannot drift.

use std::time::Duration;

use anyhow::{Context, bail, ensure};
use serde::{Deserialize, Serialize};

/// One stage: the rate goes from `from_rate` to `to_rate` (requests per second) linearly over `duration`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    pub from_rate: f64,
    pub to_rate: f64,
    #[serde(with = "humantime_serde_compat")]
    pub duration: Duration,
}

impl Stage {
    /// Expected number of arrivals in the first `t` of this stage.
    fn arrivals_by(&self, t: f64) -> f64 {
        let d = self.duration.as_secs_f64();
        self.from_rate * t + (self.to_rate - self.from_rate) * t * t / (2.0 * d)
    }

    fn expected_total(&self) -> f64 {
        self.arrivals_by(self.duration.as_secs_f64())
    }

    /// Offset of the `k`-th arrival (0-based) from the start of the stage: solves arrivals_by(t) = k.
    fn offset_of(&self, k: f64) -> f64 {
        let d = self.duration.as_secs_f64();
        let slope = (self.to_rate - self.from_rate) / d;
        if slope.abs() < 1e-12 {
            return k / self.from_rate;
        }
        let a = self.from_rate;
        (-a + (a * a + 2.0 * slope * k).sqrt()) / slope
    }
}

/// A run's stages, parsed and checked: at least one, each with a positive duration and rate. Only
/// [`Stages::parse`] builds one, so a [`Schedule`] never has to check its stages again.
#[derive(Debug, Clone, PartialEq)]
pub struct Stages(Vec<Stage>);

impl Stages {
    /// Parses `"100/s:10s,1000/s:30s"`; a ramp is written `"100..1000/s:30s"`; `/s` is optional.
    pub fn parse(spec: &str) -> anyhow::Result<Self> {
        let stages = spec
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|part| parse_stage(part).with_context(|| format!("stage {part:?}")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        ensure!(!stages.is_empty(), "no stages in {spec:?}");
        Ok(Self(stages))
    }

    pub fn as_slice(&self) -> &[Stage] {
        &self.0
    }
}

fn parse_stage(part: &str) -> anyhow::Result<Stage> {
    let Some((rate, duration)) = part.split_once(':') else {
        bail!("expected RATE/s:DURATION, e.g. 100/s:10s");
    };
    let rate = rate.trim().trim_end_matches("/s");
    let (from, to) = match rate.split_once("..") {
        Some((a, b)) => (parse_rate(a)?, parse_rate(b)?),
        None => (parse_rate(rate)?, parse_rate(rate)?),
    };
    let duration = humantime::parse_duration(duration.trim()).context("duration")?;
    let stage = Stage {
        from_rate: from,
        to_rate: to,
        duration,
    };
    validate(&stage)?;
    Ok(stage)
}

fn parse_rate(s: &str) -> anyhow::Result<f64> {
    let rate: f64 = s
        .trim()
        .parse()
        .with_context(|| format!("rate {s:?} is not a number"))?;
    Ok(rate)
}

fn validate(stage: &Stage) -> anyhow::Result<()> {
    ensure!(stage.duration > Duration::ZERO, "duration must be positive");
    for rate in [stage.from_rate, stage.to_rate] {
        ensure!(
            rate.is_finite() && rate >= 0.0,
            "rate {rate} must be a non-negative number"
        );
    }
    ensure!(
        stage.from_rate > 0.0 || stage.to_rate > 0.0,
        "a stage needs a positive rate"
    );
    Ok(())
}

/// Every intended start offset of a whole run, in order.
#[derive(Debug, Clone)]
pub struct Schedule {
    stages: Stages,
}

impl Schedule {
    pub fn new(stages: Stages) -> Self {
        Self { stages }
    }

    pub fn total_duration(&self) -> Duration {
        self.stages.0.iter().map(|s| s.duration).sum()
    }

    /// The intended start offsets from the beginning of the run.
    pub fn offsets(&self) -> impl Iterator<Item = Duration> + '_ {
        let mut stage_start = Duration::ZERO;
        self.stages.0.iter().flat_map(move |stage| {
            let start = stage_start;
            stage_start += stage.duration;
            let count = stage.expected_total().floor() as u64;
            let limit = stage.duration.as_secs_f64();
            (0..count).filter_map(move |k| {
                let t = stage.offset_of(k as f64);
                (t.is_finite() && t < limit).then(|| start + Duration::from_secs_f64(t))
            })
        })
    }
}

/// Serialises durations as humantime strings ("10s") in reports and scenario files.
pub mod humantime_serde_compat {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&humantime::format_duration(*d).to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(d)?;
        humantime::parse_duration(&text).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_constant_and_ramp_stages() {
        let stages = Stages::parse("100/s:10s, 10..1000/s:30s,5:1m").unwrap();
        let stages = stages.as_slice();
        assert_eq!(
            stages[0],
            Stage {
                from_rate: 100.0,
                to_rate: 100.0,
                duration: Duration::from_secs(10)
            }
        );
        assert_eq!(stages[1].from_rate, 10.0);
        assert_eq!(stages[1].to_rate, 1000.0);
        assert_eq!(stages[2].duration, Duration::from_secs(60));
    }

    #[test]
    fn rejects_nonsense() {
        for bad in [
            "",
            "100/s",
            "x/s:1s",
            "100/s:0s",
            "-5/s:1s",
            "0/s:1s",
            "100/s:soon",
        ] {
            assert!(Stages::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn constant_rate_offsets_are_evenly_spaced_without_drift() {
        let schedule = Schedule::new(Stages::parse("1000/s:2s").unwrap());
        let offsets: Vec<_> = schedule.offsets().collect();
        assert_eq!(offsets.len(), 2000);
        assert_eq!(offsets[0], Duration::ZERO);
        assert_eq!(offsets[1999], Duration::from_secs_f64(1.999));
        assert!(offsets.windows(2).all(|w| w[1] > w[0]));
    }

    #[test]
    fn stages_follow_each_other() {
        let schedule = Schedule::new(Stages::parse("10/s:1s,100/s:1s").unwrap());
        let offsets: Vec<_> = schedule.offsets().collect();
        assert_eq!(offsets.len(), 110);
        assert_eq!(offsets[10], Duration::from_secs(1));
        assert_eq!(schedule.total_duration(), Duration::from_secs(2));
    }

    #[test]
    fn ramp_accelerates() {
        let schedule = Schedule::new(Stages::parse("0..200/s:1s").unwrap());
        let offsets: Vec<_> = schedule.offsets().collect();
        // Expected arrivals: 200 * 1 / 2 = 100, most of them late in the second.
        assert_eq!(offsets.len(), 100);
        let first_half = offsets.iter().filter(|o| o.as_secs_f64() < 0.5).count();
        assert_eq!(first_half, 25);
    }
}
