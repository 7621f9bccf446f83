//! The one error envelope every client error and server failure is answered with:
//! `{"status": "INVALID", "message": "..."}`. Never text/plain or HTML, never internals.

use poem::http::StatusCode;
use poem::{Endpoint, IntoResponse, Request, Response};
use poem_openapi::payload::Json;
use poem_openapi::{Enum, Object};

/// Machine-readable outcome, next to the human-readable `message`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "SCREAMING-KEBAB-CASE")]
pub enum ErrorStatus {
    /// A field or parameter is invalid, or the body is not the JSON expected.
    Invalid,
    /// Nothing exists at this address (no comments for the content, or an unknown route).
    NotFound,
    /// The route exists but not with this HTTP method.
    MethodNotAllowed,
    /// The body exceeds the size limit.
    PayloadTooLarge,
    /// The body is not `application/json`.
    UnsupportedMediaType,
    /// The database cannot be reached right now; retry later.
    Unavailable,
    /// An unexpected server failure; details are in the server's log under the request id.
    Error,
}

impl ErrorStatus {
    pub fn for_status(status: StatusCode) -> Self {
        match status {
            StatusCode::NOT_FOUND => Self::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => Self::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::UnsupportedMediaType,
            StatusCode::SERVICE_UNAVAILABLE => Self::Unavailable,
            s if s.is_client_error() => Self::Invalid,
            _ => Self::Error,
        }
    }
}

/// The error envelope, wire-compatible with the original service's `status`/`message` pair.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(example)]
pub struct ErrorBody {
    pub status: ErrorStatus,
    pub message: String,
}

impl ErrorBody {
    pub fn new(status: ErrorStatus, message: impl Into<String>) -> Json<Self> {
        Json(Self {
            status,
            message: message.into(),
        })
    }
}

impl poem_openapi::types::Example for ErrorBody {
    fn example() -> Self {
        Self {
            status: ErrorStatus::Invalid,
            message: "email \"alice\" is not a valid email address".into(),
        }
    }
}

/// Seconds a client should wait before retrying a 503: long enough for a pool connection to free
/// up or a readiness probe to notice, short enough not to lose a user.
pub const RETRY_AFTER_SECS: u32 = 2;

/// The `Retry-After` value every 503 carries.
pub fn retry_after() -> poem::http::HeaderValue {
    poem::http::HeaderValue::from(RETRY_AFTER_SECS)
}

pub fn internal_body() -> Json<ErrorBody> {
    ErrorBody::new(ErrorStatus::Error, "internal server error")
}

/// Turns every error that escapes the API (unknown route, wrong method, oversized body, a panic)
/// into the JSON envelope with the right status. Errors our operations built are already JSON
/// and pass unchanged.
pub async fn into_json_error<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let err = match next.call(req).await {
        Ok(resp) => return Ok(resp.into_response()),
        Err(err) => err,
    };
    let status = err.status();
    let operation = err.data::<poem_openapi::OperationId>().copied();
    let detail = err.to_string();
    let mut resp = err.into_response();
    let is_json = resp
        .content_type()
        .is_some_and(|ct| ct.starts_with("application/json"));
    if !is_json {
        let message = match status {
            StatusCode::NOT_FOUND => format!("no route for {method} {path}"),
            StatusCode::METHOD_NOT_ALLOWED => {
                format!("method {method} is not allowed on {path}")
            }
            // Our own 503s (capacity) say what to do; other server errors say nothing inside.
            StatusCode::SERVICE_UNAVAILABLE => detail,
            s if s.is_server_error() => {
                tracing::error!(error = %detail, "unhandled server error");
                "internal server error".to_owned()
            }
            _ => detail,
        };
        resp = ErrorBody::new(ErrorStatus::for_status(status), message)
            .with_status(status)
            .into_response();
    }
    if let Some(operation) = operation {
        resp.set_data(operation);
    }
    Ok(resp)
}
