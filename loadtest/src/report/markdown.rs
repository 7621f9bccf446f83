//! Markdown for a pull-request comment or a CI job summary.

use std::fmt::Write;

use super::{Report, RunInfo};
use crate::integrity::IntegrityReport;
use crate::slo::Verdict;
use crate::stages::Stage;
use crate::summary::Summary;

fn mark(passed: bool) -> &'static str {
    if passed { "✅ pass" } else { "❌ FAIL" }
}

pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    heading(&mut out, report);
    run_line(&mut out, &report.run);
    if let Some(seed) = &report.seed {
        let _ = writeln!(
            out,
            "Pre-seeded {} comments over {} contents in {:.1}s.\n",
            seed.comments, seed.contents, seed.secs
        );
    }
    totals(&mut out, &report.summary);
    endpoints(&mut out, &report.summary);
    error_kinds(&mut out, &report.summary);
    if let Some(verdict) = &report.slo {
        slo(&mut out, verdict);
    }
    if let Some(integrity) = &report.integrity {
        self::integrity(&mut out, integrity);
    }
    let _ = writeln!(
        out,
        "\nChart: `latency.svg`; full data: `report.json` (schema_version {}).",
        report.schema_version
    );
    out
}

fn heading(out: &mut String, report: &Report) {
    let _ = writeln!(
        out,
        "## Load test: {} ({}) — {}\n",
        report.run.scenario,
        report.run.kind,
        mark(report.passed)
    );
}

fn run_line(out: &mut String, r: &RunInfo) {
    let stages: Vec<String> = r.stages.iter().map(stage).collect();
    let _ = writeln!(
        out,
        "Target `{}`, stages {}, warm-up {:.0}s excluded, in-flight cap {}, started {}.\n",
        r.target,
        stages.join(", "),
        r.warmup_secs,
        r.max_in_flight,
        r.started_at
    );
}

/// "100/s for 10s", or "10..100/s for 30s" for a ramp.
fn stage(st: &Stage) -> String {
    let rate = if st.from_rate == st.to_rate {
        format!("{}/s", st.from_rate)
    } else {
        format!("{}..{}/s", st.from_rate, st.to_rate)
    };
    format!("{rate} for {}", humantime::format_duration(st.duration))
}

fn totals(out: &mut String, s: &Summary) {
    let _ = writeln!(
        out,
        "| | value |\n|---|---:|\n| target rate | {:.1} req/s |\n| achieved rate | {:.1} req/s ({:.1}%) |\n\
         | errors | {} |\n| dropped (in-flight cap) | {} |\n| error rate | {:.3}% |\n| late dispatches (> {:.0} ms) | {} |\n",
        s.target_rate,
        s.achieved_rate,
        s.achieved_fraction * 100.0,
        s.errors,
        s.dropped,
        s.error_rate * 100.0,
        s.late_after_ms,
        s.late
    );
}

fn endpoints(out: &mut String, s: &Summary) {
    let _ = writeln!(
        out,
        "| endpoint | requests | errors | ok/s | p50 ms | p90 ms | p95 ms | p99 ms | p99.9 ms | max ms |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for (name, e) in &s.endpoints {
        let l = &e.latency_ms;
        let _ = writeln!(
            out,
            "| `{name}` {} | {} | {} | {:.1} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
            e.route, e.requests, e.errors, e.rate, l.p50, l.p90, l.p95, l.p99, l.p999, l.max
        );
    }
}

fn error_kinds(out: &mut String, s: &Summary) {
    if s.error_kinds.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n| error | count |\n|---|---:|");
    for (kind, count) in &s.error_kinds {
        let _ = writeln!(out, "| {kind} | {count} |");
    }
}

fn slo(out: &mut String, v: &Verdict) {
    let _ = writeln!(
        out,
        "\n### SLO `{}`: {}\n\n| | check |\n|---|---|",
        v.slo,
        mark(v.passed)
    );
    for c in &v.checks {
        let _ = writeln!(
            out,
            "| {} | {} |",
            if c.passed { "✅" } else { "❌" },
            c.describe()
        );
    }
}

fn integrity(out: &mut String, i: &IntegrityReport) {
    let _ = writeln!(
        out,
        "\n### Integrity: {}\n\n{}",
        mark(i.passed),
        i.describe()
    );
    for p in i.all_problems() {
        let _ = writeln!(out, "- {p}");
    }
}
