//! End-to-end runs against the in-memory fake API: a healthy service passes, and each kind of
//! misbehaviour (slow, queueing, losing writes, duplicating, empty answers) fails the gate it should.

mod support;

use std::path::Path;
use std::time::Duration;

use loadtest::engine::ScenarioKind;
use loadtest::report::Report;
use loadtest::scenario::Scenario;
use loadtest::slo::Slo;
use loadtest::{RunOptions, run};
use support::{FakeApi, Faults};

fn scenario(kind: ScenarioKind, stages: &str) -> Scenario {
    let mut s = Scenario {
        name: "test".into(),
        kind,
        stages: stages.into(),
        ..Scenario::default()
    };
    s.warmup = Duration::from_millis(500);
    s.data.contents = 200;
    s.data.seeded_contents = 10;
    s.data.seed_comments_per_content = 5;
    s.integrity.retry_rounds = 3;
    s.integrity.retry_copies = 6;
    s
}

fn slo(file: &str) -> Slo {
    Slo::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("slo").join(file)).unwrap()
}

/// The gate's p95/p99 limits widened to 2 s: the tails of a debug build on a shared 2-core machine are
/// the scheduler's stalls (seen here: p95 130 ms while another build ran), not the pass path this test
/// proves. The tail checks' failing side is proven by the injected-delay and queueing tests.
fn with_wide_tails(mut slo: Slo) -> Slo {
    for limits in slo.endpoints.values_mut() {
        limits.p95_ms = limits.p95_ms.map(|_| 2000.0);
        limits.p99_ms = limits.p99_ms.map(|_| 2000.0);
    }
    slo
}

async fn run_against(api: &FakeApi, scenario: Scenario, slo: Option<Slo>) -> Report {
    run(&RunOptions {
        target: api.url(),
        scenario,
        slo,
        progress: false,
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthy_service_passes_the_pr_gate_and_writes_every_report() {
    let api = FakeApi::start(Faults::default()).await;
    let report = run_against(
        &api,
        scenario(ScenarioKind::Mixed, "200/s:2.5s"),
        Some(with_wide_tails(slo("pr.toml"))),
    )
    .await;

    let s = &report.summary;
    assert!(report.passed, "{}", loadtest::report::table(&report));
    assert_eq!(s.scheduled, 400, "2 s measured at 200/s");
    assert_eq!((s.errors, s.dropped), (0, 0));
    assert!(s.endpoints["create"].requests > 50 && s.endpoints["list"].requests > 200);
    let integrity = report.integrity.as_ref().unwrap();
    // 50 seeded + every create of the load (~20% of 500, warm-up included) + one per retry round.
    assert!(integrity.acknowledged > 50 + 60, "{integrity:?}");
    assert_eq!(integrity.listed_exactly_once, integrity.acknowledged);
    assert_eq!(integrity.retry.statuses.get("201"), Some(&3));
    assert_eq!(integrity.retry.statuses.get("200"), Some(&15));
    assert_eq!(report.timeline.len(), 3);
    assert!(report.timeline[0].warmup && !report.timeline[1].warmup);

    let dir = tempfile::tempdir().unwrap();
    report.write(dir.path()).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("report.json")).unwrap())
            .unwrap();
    assert_eq!(json["schema_version"], 1);
    assert!(
        json["summary"]["endpoints"]["list"]["latency_ms"]["p99"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(md.contains("### SLO `pr`: ✅ pass") && md.contains("| `list` GET"));
    let svg = std::fs::read_to_string(dir.path().join("latency.svg")).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("<polyline") && svg.trim_end().ends_with("</svg>")
    );
    assert_eq!(
        Report::load(&dir.path().join("report.json"))
            .unwrap()
            .summary
            .ok,
        s.ok
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_delay_fails_the_pr_gate_naming_each_threshold() {
    let api = FakeApi::start(Faults {
        delay: Duration::from_millis(120),
        ..Faults::default()
    })
    .await;
    let report = run_against(
        &api,
        scenario(ScenarioKind::Mixed, "100/s:2s"),
        Some(slo("pr.toml")),
    )
    .await;
    let verdict = report.slo.as_ref().unwrap();
    assert!(!report.passed && !verdict.passed);
    let failed: Vec<_> = verdict.failures().map(|c| c.name.as_str()).collect();
    for endpoint in ["create", "list"] {
        for percentile in ["p50", "p95", "p99"] {
            let expected = format!("{endpoint} {percentile} latency");
            assert!(
                failed.contains(&expected.as_str()),
                "{expected} not in {failed:?}"
            );
        }
    }
    let p99 = verdict
        .checks
        .iter()
        .find(|c| c.name == "list p99 latency")
        .unwrap();
    assert!(
        p99.describe().contains("> max 100.00 ms (over by"),
        "{}",
        p99.describe()
    );
    assert!(
        report.integrity.as_ref().unwrap().passed,
        "slow but correct"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queueing_server_shows_up_as_latency_not_as_a_slower_generator() {
    // One request at a time, 100 ms each, 20 arrivals per second: the server can do 10/s, so a
    // queue builds. A closed-loop generator would report ~100 ms; measured from the intended start
    // the late requests waited ~2 s.
    let api = FakeApi::start(Faults {
        delay: Duration::from_millis(100),
        serialise: true,
        ..Faults::default()
    })
    .await;
    let mut s = scenario(ScenarioKind::Create, "20/s:2s");
    s.warmup = Duration::ZERO;
    s.data.seeded_contents = 0;
    s.integrity.enabled = false;
    let report = run_against(&api, s, None).await;
    let latency = &report.summary.endpoints["create"].latency_ms;
    // Request k (due at 50k ms) cannot finish before 100(k+1) ms: its latency is at least 50k+100 ms
    // however slow the machine is, so these lower bounds cannot flake.
    assert!(latency.p50 > 900.0, "queueing must be visible: {latency:?}");
    assert!(
        latency.max > 1900.0,
        "queueing must be visible: {latency:?}"
    );
    assert_eq!(report.summary.scheduled, 40);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_over_the_in_flight_cap_are_dropped_and_counted() {
    let api = FakeApi::start(Faults {
        delay: Duration::from_millis(300),
        ..Faults::default()
    })
    .await;
    let mut s = scenario(ScenarioKind::List, "50/s:2s");
    s.max_in_flight = 2;
    s.integrity.enabled = false;
    let report = run_against(&api, s, Some(slo("pr.toml"))).await;
    let sum = &report.summary;
    assert!(sum.dropped > 50, "{sum:?}");
    assert_eq!(sum.sent + sum.dropped, sum.scheduled);
    let failed: Vec<_> = report
        .slo
        .as_ref()
        .unwrap()
        .failures()
        .map(|c| c.name.clone())
        .collect();
    assert!(
        failed.contains(&"error rate".to_owned())
            && failed.contains(&"achieved rate / target".to_owned())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_writes_fail_the_integrity_check() {
    let api = FakeApi::start(Faults {
        lose_every: Some(7),
        ..Faults::default()
    })
    .await;
    let report = run_against(&api, scenario(ScenarioKind::Create, "100/s:1.5s"), None).await;
    let i = report.integrity.as_ref().unwrap();
    assert!(!i.passed && !report.passed);
    assert!(i.missing >= 20, "{i:?}");
    assert!(i.problems.iter().any(|p| p.contains("is not listed")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_that_does_not_deduplicate_fails_the_retry_scenario() {
    let api = FakeApi::start(Faults {
        no_dedup: true,
        ..Faults::default()
    })
    .await;
    let report = run_against(&api, scenario(ScenarioKind::Create, "50/s:1s"), None).await;
    let i = report.integrity.as_ref().unwrap();
    assert!(!i.passed);
    assert_eq!(i.retry.failed_rounds, 3, "{:?}", i.retry);
    assert!(
        i.duplicate_rows >= 15,
        "each round stored 6 identical rows: {i:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_lists_are_errors_not_fast_answers() {
    let api = FakeApi::start(Faults {
        empty_lists: true,
        ..Faults::default()
    })
    .await;
    let mut s = scenario(ScenarioKind::List, "100/s:1.5s");
    s.integrity.enabled = false;
    let report = run_against(&api, s, Some(slo("pr.toml"))).await;
    assert_eq!(report.summary.ok, 0);
    assert_eq!(
        report.summary.error_kinds.get("list: bad body"),
        Some(&report.summary.errors)
    );
    assert!(!report.passed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_exits_non_zero_and_names_the_breach() {
    let api = FakeApi::start(Faults {
        delay: Duration::from_millis(60),
        ..Faults::default()
    })
    .await;
    let out = tempfile::tempdir().unwrap();
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let args = [
        "run".to_owned(),
        "--target".to_owned(),
        api.url(),
        "--kind".to_owned(),
        "mixed".to_owned(),
        "--rate".to_owned(),
        "50".to_owned(),
        "--duration".to_owned(),
        "2s".to_owned(),
        "--warmup".to_owned(),
        "500ms".to_owned(),
        "--seed-contents".to_owned(),
        "5".to_owned(),
        "--seed-per-content".to_owned(),
        "3".to_owned(),
        "--slo".to_owned(),
        manifest.join("slo/pr.toml").display().to_string(),
        "--out".to_owned(),
        out.path().display().to_string(),
    ];
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_loadtest"))
            .args(args)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(
        stderr.contains("SLO pr breached: list p50 latency:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("SLO pr breached: create p50 latency:"),
        "{stderr}"
    );
    assert!(stdout.contains("reports: "), "{stdout}");
    for file in ["report.json", "report.md", "report.txt", "latency.svg"] {
        assert!(out.path().join(file).is_file(), "{file} missing");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_cannot_run_against_nothing() {
    let output = tokio::task::spawn_blocking(|| {
        std::process::Command::new(env!("CARGO_BIN_EXE_loadtest"))
            .args([
                "run",
                "--target",
                "http://127.0.0.1:9",
                "--rate",
                "10",
                "--duration",
                "1s",
            ])
            .args(["--warmup", "0s", "--no-progress"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("seeding failed"));
}
