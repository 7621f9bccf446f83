//! `loadtest run` drives load against the service and gates it on an SLO; `loadtest check`
//! re-gates a saved report; `loadtest hello` serves a trivial endpoint for the ceiling measurement.
//! Exit status: 0 passed, 1 gate failed (SLO or integrity), 2 the run could not be carried out.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use loadtest::engine::ScenarioKind;
use loadtest::report::{Report, table};
use loadtest::scenario::Scenario;
use loadtest::slo::{Slo, evaluate};
use loadtest::{RunOptions, run};

#[derive(Parser)]
#[command(
    version,
    about = "Open-model load generator and SLO gate for the comments service"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Seed, run the load, check integrity, write reports and gate on an SLO.
    Run(Box<RunArgs>),
    /// Evaluate a saved report.json against an SLO file.
    Check {
        #[arg(long)]
        report: PathBuf,
        #[arg(long)]
        slo: PathBuf,
    },
    /// Serve "ok" on every GET (a trivial endpoint for measuring the generator's ceiling).
    Hello {
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: String,
        /// Runtime worker threads (1 = single-threaded).
        #[arg(long, default_value_t = 1)]
        threads: usize,
        /// Stop after this long.
        #[arg(long, default_value = "10m", value_parser = humantime::parse_duration)]
        run_for: Duration,
    },
}

#[derive(Args)]
struct RunArgs {
    /// Public origin of the service.
    #[arg(long, env = "LOADTEST_TARGET", default_value = "http://127.0.0.1:8080")]
    target: String,
    /// Scenario TOML file (flags below override its fields).
    #[arg(long)]
    scenario: Option<PathBuf>,
    #[arg(long, value_enum)]
    kind: Option<ScenarioKind>,
    /// Stages, e.g. "100/s:10s,1000/s:30s" (ramp: "100..1000/s:30s").
    #[arg(long, conflicts_with_all = ["rate", "duration"])]
    stages: Option<String>,
    /// Constant rate (requests per second); with --duration, shorthand for one stage.
    #[arg(long, requires = "duration")]
    rate: Option<f64>,
    #[arg(long, requires = "rate", value_parser = humantime::parse_duration)]
    duration: Option<Duration>,
    #[arg(long, value_parser = humantime::parse_duration)]
    warmup: Option<Duration>,
    /// Share of creates in the mixed scenario (0..=1).
    #[arg(long)]
    create_share: Option<f64>,
    #[arg(long)]
    max_in_flight: Option<usize>,
    /// Number of pre-seeded contents (listed during the run).
    #[arg(long)]
    seed_contents: Option<u64>,
    /// Comments per pre-seeded content (0: the seeded contents already have comments).
    #[arg(long)]
    seed_per_content: Option<u32>,
    /// First content id of the generated data (separates runs against one database).
    #[arg(long)]
    first_content_id: Option<u64>,
    /// Path for the `get` scenario.
    #[arg(long)]
    get_path: Option<String>,
    #[arg(long)]
    rng_seed: Option<u64>,
    /// Skip the integrity check (benchmark runs only; the gate always checks).
    #[arg(long)]
    no_integrity: bool,
    /// SLO TOML file to gate on.
    #[arg(long)]
    slo: Option<PathBuf>,
    /// Report directory (default: target/loadtest/<UTC time>-<scenario>).
    #[arg(long, env = "LOADTEST_OUT")]
    out: Option<PathBuf>,
    /// Runtime worker threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Never draw the progress bar (it is already off when stderr is not a terminal).
    #[arg(long)]
    no_progress: bool,
}

impl RunArgs {
    fn scenario(&self) -> anyhow::Result<Scenario> {
        let mut s = match &self.scenario {
            Some(path) => Scenario::load(path)?,
            None => Scenario::default(),
        };
        if let Some(kind) = self.kind {
            s.kind = kind;
        }
        if let Some(stages) = &self.stages {
            s.stages.clone_from(stages);
        }
        if let (Some(rate), Some(duration)) = (self.rate, self.duration) {
            s.stages = format!("{rate}/s:{}", humantime::format_duration(duration));
        }
        if let Some(w) = self.warmup {
            s.warmup = w;
        }
        if let Some(v) = self.create_share {
            s.create_share = v;
        }
        if let Some(v) = self.max_in_flight {
            s.max_in_flight = v;
        }
        if let Some(v) = self.seed_contents {
            s.data.seeded_contents = v;
            s.data.contents = s.data.contents.max(v);
        }
        if let Some(v) = self.seed_per_content {
            s.data.seed_comments_per_content = v;
        }
        if let Some(v) = self.first_content_id {
            s.data.first_content_id = v;
        }
        if let Some(v) = &self.get_path {
            s.get_path.clone_from(v);
        }
        if let Some(v) = self.rng_seed {
            s.rng_seed = v;
        }
        if self.no_integrity {
            s.integrity.enabled = false;
        }
        Ok(s)
    }
}

/// Threads are named `loadtest` so a system-wide profile (`just bench`) tells them from the service's.
fn runtime(threads: Option<usize>) -> std::io::Result<tokio::runtime::Runtime> {
    let mut builder = match threads {
        Some(1) => tokio::runtime::Builder::new_current_thread(),
        Some(n) => {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.worker_threads(n);
            b
        }
        None => tokio::runtime::Builder::new_multi_thread(),
    };
    builder.thread_name("loadtest").enable_all().build()
}

fn default_out(scenario: &str) -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    Path::new("target")
        .join("loadtest")
        .join(format!("{stamp}-{scenario}"))
}

fn gate_outcome(report: &Report) -> ExitCode {
    if report.passed {
        return ExitCode::SUCCESS;
    }
    if let Some(verdict) = &report.slo {
        for check in verdict.failures() {
            eprintln!("SLO {} breached: {}", verdict.slo, check.describe());
        }
    }
    if let Some(integrity) = report.integrity.as_ref().filter(|i| !i.passed) {
        eprintln!(
            "integrity check failed: {} missing, {} duplicate ids, {} duplicate rows, {} mismatched, \
             {} list errors, {} failed retry rounds",
            integrity.missing,
            integrity.duplicate_ids,
            integrity.duplicate_rows,
            integrity.mismatched,
            integrity.list_errors,
            integrity.retry.failed_rounds
        );
    }
    ExitCode::from(1)
}

fn run_command(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let scenario = args.scenario()?;
    let slo = args.slo.as_deref().map(Slo::load).transpose()?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(&scenario.name));
    let options = RunOptions {
        target: args.target.clone(),
        scenario,
        slo,
        progress: !args.no_progress && std::io::stderr().is_terminal(),
    };
    let report = runtime(args.threads)?.block_on(run(&options))?;
    report.write(&out)?;
    print!("{}", table(&report));
    println!("\nreports: {}", out.display());
    Ok(gate_outcome(&report))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match &cli.command {
        Command::Run(args) => run_command(args),
        Command::Check { report, slo } => (|| {
            let mut report = Report::load(report)?;
            report.slo = Some(evaluate(&Slo::load(slo)?, &report.summary));
            report.compute_passed();
            print!("{}", table(&report));
            Ok(gate_outcome(&report))
        })(),
        Command::Hello {
            listen,
            threads,
            run_for,
        } => runtime(Some(*threads))
            .map_err(anyhow::Error::from)
            .and_then(|rt| rt.block_on(loadtest::hello::serve(listen, *run_for)))
            .map(|()| ExitCode::SUCCESS),
    };
    outcome.unwrap_or_else(|e| {
        eprintln!("loadtest: {e:#}");
        ExitCode::from(2)
    })
}
