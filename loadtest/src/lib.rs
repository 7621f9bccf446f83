//! Open-model load generator for the comments service: scheduled arrivals (no coordinated
//! omission), checked answers, an integrity check, SLO gates and reports.

pub mod client;
pub mod data;
pub mod engine;
pub mod hello;
pub mod integrity;
pub mod progress;
pub mod report;
pub mod scenario;
pub mod seed;
pub mod slo;
pub mod stages;
pub mod stats;
pub mod summary;

use std::sync::Arc;

use anyhow::ensure;

use crate::client::Api;
use crate::data::DataGen;
use crate::engine::{LoadPlan, Workload, run_load};
use crate::integrity::{IntegrityReport, Ledger, retry_scenario, verify};
use crate::progress::Progress;
use crate::report::{Report, RunInfo, SeedInfo, timeline};
use crate::scenario::Scenario;
use crate::seed::SeedReport;
use crate::slo::Slo;
use crate::stages::{Schedule, Stages};
use crate::stats::Recorder;
use crate::summary::Summary;

/// Everything one run needs.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Public origin of the service, e.g. `http://127.0.0.1:8080`.
    pub target: String,
    pub scenario: Scenario,
    pub slo: Option<Slo>,
    pub progress: bool,
}

/// A tag unique to this run, carried in every generated email and comment.
fn run_tag() -> String {
    format!("r{:08x}", rand::random::<u32>())
}

/// Seeds, runs the load, checks integrity and evaluates the SLO. Errors mean the run could not be
/// carried out; a failed gate is `report.passed == false`.
pub async fn run(options: &RunOptions) -> anyhow::Result<Report> {
    let scenario = &options.scenario;
    let stages = scenario.validate()?;
    let schedule = Schedule::new(stages.clone());
    ensure!(
        scenario.warmup < schedule.total_duration(),
        "warm-up {:?} must be shorter than the run {:?}",
        scenario.warmup,
        schedule.total_duration()
    );
    let run_tag = run_tag();
    let phases = Phases::new(options, &run_tag)?;
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let seed = phases.seed().await?;
    let recorder = phases.load(&schedule).await?;
    let measured = schedule.total_duration().saturating_sub(scenario.warmup);
    let summary = Summary::build(&recorder, measured, scenario.late_after);
    let integrity = phases.check_integrity().await;
    phases.progress.finish();

    let info = run_info(scenario, phases.api.base(), run_tag, stages, started_at);
    Ok(Report::new(
        info,
        seed.as_ref().map(SeedInfo::from),
        summary,
        timeline(&recorder, scenario.warmup),
        integrity,
        options.slo.as_ref(),
    ))
}

/// The client, the workload and the ledger that the seeding, load and integrity phases share.
struct Phases<'a> {
    scenario: &'a Scenario,
    api: Api,
    workload: Arc<Workload>,
    ledger: Arc<Ledger>,
    progress: Progress,
}

impl<'a> Phases<'a> {
    fn new(options: &'a RunOptions, run_tag: &str) -> anyhow::Result<Self> {
        let scenario = &options.scenario;
        let connections = scenario.max_in_flight.max(scenario.seed_concurrency);
        let api = Api::new(&options.target, connections, scenario.timeout)?;
        let data = DataGen::new(scenario.data.clone(), run_tag.to_owned());
        let workload = Workload::new(
            scenario.kind,
            scenario.create_share,
            scenario.get_path.clone(),
            data,
        );
        Ok(Self {
            scenario,
            api,
            workload: Arc::new(workload),
            ledger: Arc::new(Ledger::default()),
            progress: Progress::new(options.progress),
        })
    }

    /// Pre-seeds the contents that lists read, when the scenario lists and asks for seeding.
    async fn seed(&self) -> anyhow::Result<Option<SeedReport>> {
        let scenario = self.scenario;
        let seeding = scenario.uses_comments_api()
            && scenario.data.seeded_contents > 0
            && scenario.data.seed_comments_per_content > 0;
        if !seeding {
            return Ok(None);
        }
        self.progress.phase("seeding");
        let report = seed::seed(
            &self.api,
            &self.workload,
            &self.ledger,
            scenario.seed_concurrency,
            scenario.rng_seed,
        )
        .await?;
        Ok(Some(report))
    }

    async fn load(&self, schedule: &Schedule) -> anyhow::Result<Recorder> {
        self.progress.phase("load");
        let scenario = self.scenario;
        let plan = LoadPlan {
            schedule: schedule.clone(),
            warmup: scenario.warmup,
            max_in_flight: scenario.max_in_flight,
            late_after: scenario.late_after,
            drain_timeout: scenario.timeout + std::time::Duration::from_secs(2),
            rng_seed: scenario.rng_seed,
        };
        run_load(
            self.api.clone(),
            &plan,
            Arc::clone(&self.workload),
            Arc::clone(&self.ledger),
            &self.progress,
        )
        .await
    }

    /// The retry scenario, then every acknowledged comment listed exactly once.
    async fn check_integrity(&self) -> Option<IntegrityReport> {
        let cfg = &self.scenario.integrity;
        if !(self.scenario.uses_comments_api() && cfg.enabled) {
            return None;
        }
        self.progress.phase("integrity check");
        let retry = retry_scenario(
            &self.api,
            &self.workload.data,
            cfg.retry_rounds,
            cfg.retry_copies,
            &self.ledger,
            || self.workload.seq(),
        )
        .await;
        Some(verify(&self.api, &self.ledger, cfg.concurrency, retry).await)
    }
}

fn run_info(
    scenario: &Scenario,
    target: &str,
    run_tag: String,
    stages: Stages,
    started_at: String,
) -> RunInfo {
    RunInfo {
        run_tag,
        target: target.to_owned(),
        scenario: scenario.name.clone(),
        kind: format!("{:?}", scenario.kind).to_lowercase(),
        create_share: scenario.create_share,
        stages: stages.as_slice().to_vec(),
        warmup_secs: scenario.warmup.as_secs_f64(),
        max_in_flight: scenario.max_in_flight,
        rng_seed: scenario.rng_seed,
        started_at,
    }
}
