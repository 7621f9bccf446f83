//! The public HTTP API: the OpenAPI service, Swagger UI, and the request pipeline around them.

pub mod body_limit;
pub mod comments;
pub mod error;
pub mod fields;
pub mod in_flight_limit;

use std::collections::HashMap;
use std::sync::Arc;

use poem::http::header::{ALLOW, CONNECTION, RETRY_AFTER};
use poem::http::{HeaderValue, StatusCode};
use poem::middleware::CatchPanic;
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Route};
use poem_openapi::{OpenApi, OpenApiService};

use tokio::sync::Semaphore;

use crate::config::ServerSettings;
use crate::http::error::{into_json_error, retry_after};
use crate::http::observe::{RouteTemplates, labelled, observe_request};
use crate::metrics::Metrics;
use crate::store::CommentStore;
use comments::CommentsApi;

pub const TITLE: &str = "comments-api";

/// What the operations work on, handed to them per request as poem `Data` (as in poem's todos
/// example), so the API and its OpenAPI document exist without a database.
#[derive(Clone)]
pub struct ApiState {
    pub store: CommentStore,
    pub metrics: Arc<Metrics>,
}

fn service() -> OpenApiService<CommentsApi, ()> {
    OpenApiService::new(CommentsApi, TITLE, env!("CARGO_PKG_VERSION"))
        .description(
            "Post comments about an article and list them. Wire-compatible with the original \
             challenge's `/api/comment/new` and `/api/comment/list/{content_id}`; every error is \
             a JSON `{status, message}`.",
        )
        .server("/")
}

/// The OpenAPI document, for tools and CI that want it without a server or a database.
pub fn spec_json() -> String {
    service().spec()
}

/// Route templates by operation id, read from the API's own metadata so labels never drift
/// from the routes.
fn route_templates() -> RouteTemplates {
    let mut templates = HashMap::new();
    let mut methods = vec![
        ("/openapi.json".to_owned(), vec!["GET".to_owned()]),
        ("/docs".to_owned(), vec!["GET".to_owned()]),
    ];
    for api in CommentsApi::meta() {
        for path in api.paths {
            let mut allowed = Vec::new();
            for op in path.operations {
                allowed.push(op.method.to_string());
                if let Some(id) = op.operation_id {
                    templates.insert(id, path.path.clone());
                }
            }
            methods.push((path.path.clone(), allowed));
        }
    }
    RouteTemplates::new(templates, methods)
}

/// Headers some statuses call for: a 405 names the methods the route answers in `Allow` (RFC 9110
/// 15.5.6); every 503 says when to retry (`Retry-After`); a 408 or 413 closes the connection,
/// whose unread body cannot be trusted to end where the next request starts.
async fn status_headers<E: Endpoint>(
    next: E,
    routes: RouteTemplates,
    req: Request,
) -> poem::Result<Response> {
    let path = req.uri().path().to_owned();
    let mut resp = next.call(req).await?.into_response();
    match resp.status() {
        StatusCode::METHOD_NOT_ALLOWED => {
            if let Some(allow) = routes
                .allowed_methods(&path)
                .and_then(|methods| HeaderValue::from_str(&methods).ok())
            {
                resp.headers_mut().insert(ALLOW, allow);
            }
        }
        StatusCode::SERVICE_UNAVAILABLE if !resp.headers().contains_key(RETRY_AFTER) => {
            resp.headers_mut().insert(RETRY_AFTER, retry_after());
        }
        StatusCode::REQUEST_TIMEOUT | StatusCode::PAYLOAD_TOO_LARGE => {
            resp.headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
        }
        _ => {}
    }
    Ok(resp)
}

/// The public listener's endpoint: API, `/docs` (Swagger UI) and `/openapi.json`, with request
/// observation outermost, then JSON errors, the in-flight cap, panic capture and the body limit.
pub fn public_endpoint(
    store: CommentStore,
    metrics: Arc<Metrics>,
    limits: ServerSettings,
) -> impl Endpoint {
    let api = service();
    let state = ApiState {
        store,
        metrics: metrics.clone(),
    };
    let routes = route_templates();
    let max_body_bytes = limits.max_body_bytes;
    let body_timeout = limits.body_read_timeout();
    let max_in_flight = limits.max_in_flight;
    let permits = Arc::new(Semaphore::new(max_in_flight));
    let docs = api.swagger_ui();
    let spec = api.spec_endpoint();
    Route::new()
        .nest("/", api)
        .nest("/docs", labelled(docs, "/docs"))
        .at("/openapi.json", labelled(spec, "/openapi.json"))
        .data(state)
        .around(move |ep, req| body_limit::limit_body(ep, max_body_bytes, body_timeout, req))
        .with(CatchPanic::new())
        .around(move |ep, req| {
            in_flight_limit::limit_in_flight(ep, permits.clone(), max_in_flight, req)
        })
        .around(into_json_error)
        .around({
            let routes = routes.clone();
            move |ep, req| status_headers(ep, routes.clone(), req)
        })
        .around(move |ep, req| observe_request(ep, metrics.clone(), routes.clone(), req))
}
