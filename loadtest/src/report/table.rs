//! The terminal summary: a fixed-width table plus the verdict lines.

use std::fmt::Write;

use super::Report;
use crate::integrity::IntegrityReport;
use crate::slo::Verdict;
use crate::summary::Summary;

pub fn table(report: &Report) -> String {
    let s = &report.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({}) against {}: {:.0}s measured after {:.0}s warm-up",
        report.run.scenario,
        report.run.kind,
        report.run.target,
        s.measured_secs,
        report.run.warmup_secs
    );
    totals(&mut out, s);
    endpoints(&mut out, s);
    errors(&mut out, s);
    if let Some(i) = &report.integrity {
        integrity(&mut out, i);
    }
    if let Some(v) = &report.slo {
        slo(&mut out, v);
    }
    out
}

fn totals(out: &mut String, s: &Summary) {
    let _ = writeln!(
        out,
        "target {:.1} req/s, achieved {:.1} req/s ({:.1}%), errors {} + dropped {} of {} ({:.3}%), late {}",
        s.target_rate,
        s.achieved_rate,
        s.achieved_fraction * 100.0,
        s.errors,
        s.dropped,
        s.scheduled,
        s.error_rate * 100.0,
        s.late
    );
}

fn endpoints(out: &mut String, s: &Summary) {
    let _ = writeln!(
        out,
        "\n{:<8} {:>9} {:>7} {:>9} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9}",
        "endpoint",
        "requests",
        "errors",
        "ok/s",
        "p50 ms",
        "p90 ms",
        "p95 ms",
        "p99 ms",
        "p99.9 ms",
        "max ms"
    );
    for (name, e) in &s.endpoints {
        let l = &e.latency_ms;
        let _ = writeln!(
            out,
            "{name:<8} {:>9} {:>7} {:>9.1} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>9.2} {:>9.2}",
            e.requests, e.errors, e.rate, l.p50, l.p90, l.p95, l.p99, l.p999, l.max
        );
    }
}

/// The generator's own lag, then what went wrong and up to five examples.
fn errors(out: &mut String, s: &Summary) {
    let _ = writeln!(
        out,
        "generator dispatch lag: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        s.dispatch_lag_ms.p50, s.dispatch_lag_ms.p99, s.dispatch_lag_ms.max
    );
    for (kind, count) in &s.error_kinds {
        let _ = writeln!(out, "  error {kind}: {count}");
    }
    for sample in s.error_samples.iter().take(5) {
        let _ = writeln!(out, "  e.g. {sample}");
    }
}

fn integrity(out: &mut String, i: &IntegrityReport) {
    let verdict = if i.passed { "PASS" } else { "FAIL" };
    let _ = writeln!(out, "\nintegrity: {verdict} - {}", i.describe());
    for p in i.all_problems() {
        let _ = writeln!(out, "  {p}");
    }
}

fn slo(out: &mut String, v: &Verdict) {
    let _ = writeln!(
        out,
        "\nSLO {}: {}",
        v.slo,
        if v.passed { "PASS" } else { "FAIL" }
    );
    for c in &v.checks {
        let _ = writeln!(
            out,
            "  {} {}",
            if c.passed { "ok  " } else { "FAIL" },
            c.describe()
        );
    }
}
