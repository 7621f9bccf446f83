//! The admin listener: `/healthz` (the process answers), `/readyz` (it should get traffic: the
//! database answers and it is not draining), `/metrics` (OpenMetrics text).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use poem::http::StatusCode;
use poem::http::header::RETRY_AFTER;
use poem::web::{Data, Json};
use poem::{Endpoint, EndpointExt, IntoResponse, Response, Route, get, handler};
use serde_json::json;

use crate::http::error::into_json_error;
use crate::metrics::Metrics;
use crate::store::CommentStore;

/// How long `/readyz` waits for the database before calling it unreachable; well under the
/// probe timeouts of the deployments.
const READINESS_DB_TIMEOUT: Duration = Duration::from_secs(1);

/// Set once shutdown starts; readiness reports it so load balancers stop sending traffic.
#[derive(Debug, Default)]
pub struct Draining(AtomicBool);

impl Draining {
    pub fn start(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_draining(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

#[derive(Clone)]
struct AdminState {
    store: CommentStore,
    metrics: Arc<Metrics>,
    draining: Arc<Draining>,
}

#[handler]
fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

#[handler]
async fn readyz(state: Data<&AdminState>) -> Response {
    let not_ready = |reason: &str| {
        Json(json!({ "status": "not-ready", "reason": reason }))
            .with_status(StatusCode::SERVICE_UNAVAILABLE)
            .with_header(RETRY_AFTER, crate::http::error::retry_after())
            .into_response()
    };
    if state.draining.is_draining() {
        return not_ready("draining");
    }
    match tokio::time::timeout(READINESS_DB_TIMEOUT, state.store.ping()).await {
        Ok(Ok(())) => Json(json!({ "status": "ready" })).into_response(),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness: database ping failed");
            not_ready("database unreachable")
        }
        Err(_) => not_ready("database did not answer in time"),
    }
}

#[handler]
fn render_metrics(state: Data<&AdminState>) -> Response {
    Response::builder()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(state.metrics.render(state.store.pool_stats()))
}

pub fn admin_endpoint(
    store: CommentStore,
    metrics: Arc<Metrics>,
    draining: Arc<Draining>,
) -> impl Endpoint {
    Route::new()
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz))
        .at("/metrics", get(render_metrics))
        .data(AdminState {
            store,
            metrics,
            draining,
        })
        .around(into_json_error)
}
