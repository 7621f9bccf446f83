//! A dependency-free SVG chart: latency percentiles per second (top) and achieved vs target rate
//! (bottom), the warm-up shaded.

use std::fmt::Write;

use super::{Report, TimelinePoint, WindowLatency};

const WIDTH: f64 = 960.0;
const PANEL: f64 = 260.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 180.0;
const TOP: f64 = 40.0;
const GAP: f64 = 70.0;
const COLOURS: [&str; 3] = ["#1f77b4", "#d62728", "#2ca02c"];

/// Reads one series' value from a point of the timeline.
type Pick<T, V> = fn(&T) -> V;

struct Panel {
    top: f64,
    x_max: f64,
    y_max: f64,
}

impl Panel {
    fn x(&self, second: f64) -> f64 {
        LEFT + second / self.x_max * (WIDTH - LEFT - RIGHT)
    }

    fn y(&self, value: f64) -> f64 {
        self.top + PANEL - value.min(self.y_max) / self.y_max * PANEL
    }
}

/// A round axis maximum at or above `value`.
fn nice_max(value: f64) -> f64 {
    if value <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(value.log10().floor());
    [1.0, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|&m| m >= value)
        .unwrap_or(10.0 * magnitude)
}

fn polyline(out: &mut String, panel: &Panel, points: &[(f64, f64)], colour: &str, dash: &str) {
    if points.is_empty() {
        return;
    }
    let coords: Vec<String> = points
        .iter()
        .map(|(s, v)| format!("{:.1},{:.1}", panel.x(*s + 0.5), panel.y(*v)))
        .collect();
    let _ = writeln!(
        out,
        r#"<polyline fill="none" stroke="{colour}" stroke-width="1.6" stroke-dasharray="{dash}" points="{}"/>"#,
        coords.join(" ")
    );
}

fn frame(out: &mut String, panel: &Panel, title: &str, unit: &str, timeline: &[TimelinePoint]) {
    let warm = timeline.iter().filter(|p| p.warmup).count() as f64;
    if warm > 0.0 {
        let _ = writeln!(
            out,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{PANEL}" fill="#eeeeee"/><text x="{:.1}" y="{:.1}" font-size="11" fill="#777">warm-up</text>"##,
            panel.x(0.0),
            panel.top,
            panel.x(warm) - panel.x(0.0),
            panel.x(0.0) + 4.0,
            panel.top + 14.0
        );
    }
    let _ = writeln!(
        out,
        r#"<text x="{LEFT}" y="{:.1}" font-size="14" font-weight="bold">{title}</text>"#,
        panel.top - 10.0
    );
    for i in 0..=5 {
        let v = panel.y_max * f64::from(i) / 5.0;
        let y = panel.y(v);
        let _ = writeln!(
            out,
            r##"<line x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end">{} {unit}</text>"##,
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            trim(v)
        );
    }
    let step = nice_max(panel.x_max / 10.0).max(1.0);
    let mut s = 0.0;
    while s <= panel.x_max {
        let _ = writeln!(
            out,
            r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">{}s</text>"#,
            panel.x(s),
            panel.top + PANEL + 16.0,
            trim(s)
        );
        s += step;
    }
    let _ = writeln!(
        out,
        r##"<rect x="{LEFT}" y="{:.1}" width="{:.1}" height="{PANEL}" fill="none" stroke="#444"/>"##,
        panel.top,
        WIDTH - LEFT - RIGHT
    );
}

fn trim(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn legend(out: &mut String, panel: &Panel, row: usize, colour: &str, dash: &str, label: &str) {
    let y = panel.top + 12.0 + row as f64 * 18.0;
    let x = WIDTH - RIGHT + 12.0;
    let _ = writeln!(
        out,
        r#"<line x1="{x:.1}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/><text x="{:.1}" y="{:.1}" font-size="11">{label}</text>"#,
        x + 24.0,
        x + 30.0,
        y + 4.0
    );
}

pub fn svg(report: &Report) -> String {
    let timeline = &report.timeline;
    let x_max = (timeline.len() as f64).max(1.0);
    let mut out = String::new();
    let height = TOP + 2.0 * PANEL + GAP + 40.0;
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif">"#
    );
    let _ = writeln!(out, r#"<rect width="100%" height="100%" fill="white"/>"#);
    latency_panel(&mut out, report, x_max);
    rate_panel(&mut out, timeline, x_max);
    let _ = writeln!(out, "</svg>");
    out
}

/// Top panel: p50, p95 and p99 of every endpoint, one colour per endpoint, one dash per percentile.
fn latency_panel(out: &mut String, report: &Report, x_max: f64) {
    let timeline = &report.timeline;
    let latency_max = timeline
        .iter()
        .flat_map(|p| p.latency_ms.values().map(|l| l.p99))
        .fold(0.0_f64, f64::max);
    let panel = Panel {
        top: TOP,
        x_max,
        y_max: nice_max(latency_max * 1.05),
    };
    frame(
        out,
        &panel,
        "Latency from intended start, per second",
        "ms",
        timeline,
    );
    let percentiles: [(&str, &str, Pick<WindowLatency, f64>); 3] = [
        ("", "p50", |l| l.p50),
        ("6 3", "p95", |l| l.p95),
        ("2 2", "p99", |l| l.p99),
    ];
    let mut row = 0;
    for (i, endpoint) in report.summary.endpoints.keys().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        for (dash, label, pick) in percentiles {
            let points: Vec<(f64, f64)> = timeline
                .iter()
                .filter_map(|p| {
                    p.latency_ms
                        .get(endpoint)
                        .map(|l| (p.second as f64, pick(l)))
                })
                .collect();
            polyline(out, &panel, &points, colour, dash);
            legend(
                out,
                &panel,
                row,
                colour,
                dash,
                &format!("{endpoint} {label}"),
            );
            row += 1;
        }
    }
}

/// Bottom panel: the target rate against what succeeded and what failed, per second.
fn rate_panel(out: &mut String, timeline: &[TimelinePoint], x_max: f64) {
    let rate_max = timeline
        .iter()
        .map(|p| p.target.max(p.ok + p.errors))
        .max()
        .unwrap_or(0) as f64;
    let panel = Panel {
        top: TOP + PANEL + GAP,
        x_max,
        y_max: nice_max(rate_max * 1.05),
    };
    frame(out, &panel, "Achieved vs target rate", "/s", timeline);
    let series: [(&str, &str, &str, Pick<TimelinePoint, u64>); 3] = [
        ("#7f7f7f", "6 3", "target", |p| p.target),
        ("#2ca02c", "", "ok", |p| p.ok),
        ("#d62728", "", "errors + dropped", |p| p.errors + p.dropped),
    ];
    for (row, (colour, dash, label, count)) in series.into_iter().enumerate() {
        let points: Vec<(f64, f64)> = timeline
            .iter()
            .map(|p| (p.second as f64, count(p) as f64))
            .collect();
        polyline(out, &panel, &points, colour, dash);
        legend(out, &panel, row, colour, dash, label);
    }
}

#[cfg(test)]
mod tests {
    use super::nice_max;

    #[test]
    fn axis_maxima_are_round() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(3.2), 4.0);
        assert_eq!(nice_max(11.0), 20.0);
        assert_eq!(nice_max(262.0), 300.0);
        assert_eq!(nice_max(240.0), 250.0);
    }
}
