//! Prometheus metrics (OpenMetrics text on the admin port): HTTP RED by route template, the
//! database pool, the comments written, and build information.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;

use crate::store::PoolStats;

/// Latency buckets in seconds: fine below 10 ms where this service lives, coarse above; 0.25 is
/// the latency SLO threshold the alerts use.
const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    pub route: String,
    pub status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: String,
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PoolLabels {
    pub state: &'static str,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: Family<RouteLabels, Histogram>,
    in_flight: Gauge,
    pool_connections: Family<PoolLabels, Gauge>,
    pool_max: Gauge,
    pub comments_created: Counter,
    pub comments_duplicates: Counter,
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route template and status",
            requests.clone(),
        );
        let durations = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(LATENCY_BUCKETS)
        });
        registry.register(
            "http_request_duration_seconds",
            "Time from request received to response ready, by method and route template",
            durations.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "http_requests_in_flight",
            "HTTP requests being handled right now",
            in_flight.clone(),
        );
        let pool_connections = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "db_pool_connections",
            "Database pool connections by state (idle, in_use)",
            pool_connections.clone(),
        );
        let pool_max = Gauge::default();
        registry.register(
            "db_pool_max_connections",
            "Configured maximum size of the database pool",
            pool_max.clone(),
        );
        let comments_created = Counter::default();
        registry.register(
            "comments_created",
            "Comments stored",
            comments_created.clone(),
        );
        let comments_duplicates = Counter::default();
        registry.register(
            "comments_duplicates",
            "Comments not stored because an identical one already existed",
            comments_duplicates.clone(),
        );
        registry.register(
            "comments_api_build",
            "Build information",
            Info::new(vec![
                ("version", env!("CARGO_PKG_VERSION")),
                ("revision", option_env!("GIT_REVISION").unwrap_or("unknown")),
            ]),
        );
        Self {
            registry,
            requests,
            durations,
            in_flight,
            pool_connections,
            pool_max,
            comments_created,
            comments_duplicates,
        }
    }

    /// Counts a request as in flight until the returned guard is dropped.
    pub fn track_in_flight(&self) -> InFlightGuard {
        self.in_flight.inc();
        InFlightGuard(self.in_flight.clone())
    }

    pub fn observe_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_owned(),
                route: route.to_owned(),
                status: status.to_string(),
            })
            .inc();
        self.durations
            .get_or_create(&RouteLabels {
                method: method.to_owned(),
                route: route.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// Renders the registry as OpenMetrics text, with the pool gauges sampled now.
    pub fn render(&self, pool: PoolStats) -> String {
        self.pool_connections
            .get_or_create(&PoolLabels { state: "idle" })
            .set(i64::from(pool.idle));
        self.pool_connections
            .get_or_create(&PoolLabels { state: "in_use" })
            .set(i64::from(pool.in_use));
        self.pool_max.set(i64::from(pool.max));
        let mut out = String::with_capacity(8 * 1024);
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// Decrements the in-flight gauge when dropped, so a cancelled request is not counted forever.
pub struct InFlightGuard(Gauge);

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        self.0.dec();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_family_with_route_templates() {
        let metrics = Metrics::new();
        {
            let _guard = metrics.track_in_flight();
            metrics.observe_request(
                "GET",
                "/api/comment/list/{content_id}",
                200,
                Duration::from_millis(3),
            );
        }
        metrics.comments_created.inc();
        let text = metrics.render(PoolStats {
            idle: 3,
            in_use: 1,
            max: 8,
        });
        for expected in [
            r#"http_requests_total{method="GET",route="/api/comment/list/{content_id}",status="200"} 1"#,
            r#"http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/comment/list/{content_id}"} 1"#,
            "http_requests_in_flight 0",
            r#"db_pool_connections{state="idle"} 3"#,
            r#"db_pool_connections{state="in_use"} 1"#,
            "db_pool_max_connections 8",
            "comments_created_total 1",
            "comments_duplicates_total 0",
            "comments_api_build_info{version=",
            "# EOF",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
    }
}
