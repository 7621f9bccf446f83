//! Refuses request bodies over the configured size with 413, whether announced by
//! Content-Length or streamed chunked, before any parser sees them.

use std::time::Duration;

use futures::StreamExt;
use poem::http::StatusCode;
use poem::http::header::CONTENT_LENGTH;
use poem::{Endpoint, Error, Request, Result};

/// An oversized body up to this size is read and discarded before the 413 goes out, so an
/// ordinary client that is still sending sees the answer instead of a reset connection. Larger
/// ones are cut off at once (the connection closes).
const DRAIN_LIMIT: u64 = 1024 * 1024;

/// Refuses bodies over `max` bytes (413) and bodies that do not arrive within `timeout` once the
/// headers are in (408: a client that announces 10 bytes and sends 5 does not hold a slot forever).
pub async fn limit_body<E: Endpoint>(
    next: E,
    max: usize,
    timeout: Duration,
    mut req: Request,
) -> Result<E::Output> {
    let deadline = tokio::time::Instant::now() + timeout;
    let too_large = || {
        Error::from_string(
            format!("request body exceeds the limit of {max} bytes"),
            StatusCode::PAYLOAD_TOO_LARGE,
        )
    };
    let announced = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|len| len > DRAIN_LIMIT) {
        return Err(too_large());
    }
    let mut chunks = req.take_body().into_bytes_stream();
    let mut body = Vec::with_capacity(announced.map_or(0, |len| len.min(max as u64) as usize));
    let mut received: u64 = 0;
    loop {
        let Ok(chunk) = tokio::time::timeout_at(deadline, chunks.next()).await else {
            return Err(Error::from_string(
                format!(
                    "the request body did not arrive within {} s",
                    timeout.as_secs()
                ),
                StatusCode::REQUEST_TIMEOUT,
            ));
        };
        let Some(chunk) = chunk else { break };
        let chunk = chunk.map_err(|err| {
            Error::from_string(
                format!("cannot read the request body: {err}"),
                StatusCode::BAD_REQUEST,
            )
        })?;
        received += chunk.len() as u64;
        if received > DRAIN_LIMIT {
            return Err(too_large());
        }
        if received <= max as u64 {
            body.extend_from_slice(&chunk);
        }
    }
    if received > max as u64 {
        return Err(too_large());
    }
    req.set_body(body);
    next.call(req).await
}
