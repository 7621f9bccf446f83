//! The middleware that gives every request an id, a span, an access log line and its metrics,
//! labelled by route template.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use poem::http::HeaderValue;
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response};
use poem_openapi::OperationId;
use tracing::Instrument;

use crate::metrics::Metrics;

pub const REQUEST_ID_HEADER: &str = "x-request-id";
/// The `route` label of requests that matched no route: one series, whatever the path.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// A fixed route label for endpoints that are not OpenAPI operations (Swagger UI, the spec).
#[derive(Debug, Clone, Copy)]
pub struct RouteLabel(pub &'static str);

/// Tags every response of `ep` with a fixed route label.
pub fn labelled<E: Endpoint + 'static>(ep: E, label: &'static str) -> impl Endpoint {
    ep.map_to_response()
        .map(move |mut resp: Response| async move {
            resp.set_data(RouteLabel(label));
            resp
        })
}

/// The routes of the API: operation id -> route template (e.g. `listComments` ->
/// `/api/comment/list/{content_id}`), and each template with the methods it answers.
#[derive(Debug, Clone, Default)]
pub struct RouteTemplates(Arc<Routes>);

#[derive(Debug, Default)]
struct Routes {
    by_operation: HashMap<&'static str, String>,
    methods: Vec<(String, Vec<String>)>,
}

impl RouteTemplates {
    pub fn new(
        by_operation: HashMap<&'static str, String>,
        methods: Vec<(String, Vec<String>)>,
    ) -> Self {
        Self(Arc::new(Routes {
            by_operation,
            methods,
        }))
    }

    /// The label of a response: its operation's template, its fixed label, else the template
    /// its path matches (a request refused before routing, such as a 413), else `unmatched`.
    fn of(&self, resp: &Response, path: &str) -> &str {
        if let Some(template) = resp
            .data::<OperationId>()
            .and_then(|op| self.0.by_operation.get(op.0))
        {
            return template;
        }
        if let Some(label) = resp.data::<RouteLabel>() {
            return label.0;
        }
        self.matching(path)
            .map_or(UNMATCHED_ROUTE, |(template, _)| template.as_str())
    }

    /// The methods `path` answers, for the `Allow` header of a 405 (RFC 9110, 15.5.6).
    pub fn allowed_methods(&self, path: &str) -> Option<String> {
        self.matching(path).map(|(_, methods)| methods.join(", "))
    }

    fn matching(&self, path: &str) -> Option<&(String, Vec<String>)> {
        self.0.methods.iter().find(|(template, _)| {
            let mut want = template.split('/');
            let mut got = path.split('/');
            loop {
                match (want.next(), got.next()) {
                    (None, None) => return true,
                    (Some(w), Some(g)) if w.starts_with('{') && !g.is_empty() => {}
                    (Some(w), Some(g)) if w == g => {}
                    _ => return false,
                }
            }
        })
    }
}

/// The request id: the client's `X-Request-Id` when it is a sane token (1-128 characters of
/// `[A-Za-z0-9._:-]`, so logs cannot be forged or flooded), otherwise a fresh UUIDv7.
pub fn request_id(req: &Request) -> String {
    req.headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 128
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
        })
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned)
}

/// Middleware: request id (honoured or generated, echoed), a span carrying it, one access line,
/// and the HTTP metrics by route template.
pub async fn observe_request<E: Endpoint>(
    next: E,
    metrics: Arc<Metrics>,
    routes: RouteTemplates,
    req: Request,
) -> poem::Result<Response> {
    let started = Instant::now();
    let _in_flight = metrics.track_in_flight();
    let id = request_id(&req);
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let span = tracing::info_span!("request", request_id = %id);
    let mut resp = async {
        match next.call(req).await {
            Ok(resp) => resp.into_response(),
            Err(err) => err.into_response(),
        }
    }
    .instrument(span.clone())
    .await;
    let route = routes.of(&resp, &path);
    let status = resp.status().as_u16();
    let elapsed = started.elapsed();
    metrics.observe_request(&method, route, status, elapsed);
    span.in_scope(|| {
        tracing::info!(
            target: "access",
            method = %method,
            route,
            status,
            latency_ms = elapsed.as_secs_f64() * 1e3,
            "request"
        );
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    Ok(resp)
}
