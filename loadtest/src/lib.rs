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
use crate::integrity::{Ledger, retry_scenario, verify};
use crate::progress::Progress;
use crate::report::{Report, RunInfo, SCHEMA_VERSION, SeedInfo, timeline};
use crate::scenario::Scenario;
use crate::slo::{Slo, evaluate};
use crate::stages::Schedule;
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
    scenario.validate()?;
    let stages = scenario.parsed_stages()?;
    let schedule = Schedule::new(stages.clone())?;
    ensure!(
        scenario.warmup < schedule.total_duration(),
        "warm-up {:?} must be shorter than the run {:?}",
        scenario.warmup,
        schedule.total_duration()
    );
    let run_tag = run_tag();
    let connections = scenario.max_in_flight.max(scenario.seed_concurrency);
    let api = Api::new(&options.target, connections, scenario.timeout)?;
    let data = DataGen::new(scenario.data.clone(), run_tag.clone());
    let workload = Arc::new(Workload::new(
        scenario.kind,
        scenario.create_share,
        scenario.get_path.clone(),
        data,
    ));
    let ledger = Arc::new(Ledger::default());
    let progress = Progress::new(options.progress);
    let started_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);

    let seeding = scenario.uses_comments_api()
        && scenario.data.seeded_contents > 0
        && scenario.data.seed_comments_per_content > 0;
    let seed = if seeding {
        progress.phase("seeding");
        Some(
            seed::seed(
                &api,
                &workload,
                &ledger,
                scenario.seed_concurrency,
                scenario.rng_seed,
            )
            .await?,
        )
    } else {
        None
    };

    progress.phase("load");
    let plan = LoadPlan {
        schedule: schedule.clone(),
        warmup: scenario.warmup,
        max_in_flight: scenario.max_in_flight,
        late_after: scenario.late_after,
        drain_timeout: scenario.timeout + std::time::Duration::from_secs(2),
        rng_seed: scenario.rng_seed,
    };
    let recorder = run_load(
        api.clone(),
        &plan,
        Arc::clone(&workload),
        Arc::clone(&ledger),
        &progress,
    )
    .await?;
    let measured = schedule.total_duration().saturating_sub(scenario.warmup);
    let summary = Summary::build(&recorder, measured, scenario.late_after);

    let integrity = if scenario.uses_comments_api() && scenario.integrity.enabled {
        progress.phase("integrity check");
        let cfg = &scenario.integrity;
        let retry = retry_scenario(
            &api,
            &workload.data,
            cfg.retry_rounds,
            cfg.retry_copies,
            &ledger,
            || workload.seq(),
        )
        .await;
        Some(verify(&api, &ledger, cfg.concurrency, retry).await)
    } else {
        None
    };
    progress.finish();

    let verdict = options.slo.as_ref().map(|slo| evaluate(slo, &summary));
    let mut report = Report {
        schema_version: SCHEMA_VERSION,
        tool: format!("loadtest {}", env!("CARGO_PKG_VERSION")),
        run: RunInfo {
            run_tag,
            target: api.base().to_owned(),
            scenario: scenario.name.clone(),
            kind: format!("{:?}", scenario.kind).to_lowercase(),
            create_share: scenario.create_share,
            stages,
            warmup_secs: scenario.warmup.as_secs_f64(),
            max_in_flight: scenario.max_in_flight,
            rng_seed: scenario.rng_seed,
            started_at,
        },
        seed: seed.as_ref().map(SeedInfo::from),
        timeline: timeline(&recorder, scenario.warmup),
        summary,
        integrity,
        slo: verdict,
        passed: false,
    };
    report.compute_passed();
    Ok(report)
}
