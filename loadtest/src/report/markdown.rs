//! Markdown for a pull-request comment or a CI job summary.

use std::fmt::Write;

use super::Report;

fn mark(passed: bool) -> &'static str {
    if passed { "✅ pass" } else { "❌ FAIL" }
}

pub fn markdown(report: &Report) -> String {
    let s = &report.summary;
    let r = &report.run;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## Load test: {} ({}) — {}\n",
        r.scenario,
        r.kind,
        mark(report.passed)
    );
    let stages: Vec<String> = r
        .stages
        .iter()
        .map(|st| {
            let rate = if st.from_rate == st.to_rate {
                format!("{}/s", st.from_rate)
            } else {
                format!("{}..{}/s", st.from_rate, st.to_rate)
            };
            format!("{rate} for {}", humantime::format_duration(st.duration))
        })
        .collect();
    let _ = writeln!(
        out,
        "Target `{}`, stages {}, warm-up {:.0}s excluded, in-flight cap {}, started {}.\n",
        r.target,
        stages.join(", "),
        r.warmup_secs,
        r.max_in_flight,
        r.started_at
    );
    if let Some(seed) = &report.seed {
        let _ = writeln!(
            out,
            "Pre-seeded {} comments over {} contents in {:.1}s.\n",
            seed.comments, seed.contents, seed.secs
        );
    }
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
    if !s.error_kinds.is_empty() {
        let _ = writeln!(out, "\n| error | count |\n|---|---:|");
        for (kind, count) in &s.error_kinds {
            let _ = writeln!(out, "| {kind} | {count} |");
        }
    }
    if let Some(v) = &report.slo {
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
    if let Some(i) = &report.integrity {
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
    let _ = writeln!(
        out,
        "\nChart: `latency.svg`; full data: `report.json` (schema_version {}).",
        report.schema_version
    );
    out
}
