//! Refuses request bodies over the configured size with 413, whether announced by
//! Content-Length or streamed chunked, before any parser buffers them.

use poem::error::ReadBodyError;
use poem::http::StatusCode;
use poem::http::header::CONTENT_LENGTH;
use poem::{Endpoint, Error, Request, Result};

pub async fn limit_body<E: Endpoint>(next: E, max: usize, mut req: Request) -> Result<E::Output> {
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
    if announced.is_some_and(|len| len > max as u64) {
        return Err(too_large());
    }
    let body = req.take_body();
    let bytes = match body.into_bytes_limit(max).await {
        Ok(bytes) => bytes,
        Err(ReadBodyError::PayloadTooLarge) => return Err(too_large()),
        Err(err) => return Err(err.into()),
    };
    req.set_body(bytes);
    next.call(req).await
}
