//! The server-side failures every operation shares, answered in the JSON envelope of
//! [`crate::http::error`].

use poem_openapi::ApiResponse;
use poem_openapi::payload::Json;

use crate::http::error::{ErrorBody, ErrorStatus, internal_body};
use crate::store::StoreError;

/// Server-side failures shared by every operation.
#[derive(Debug, ApiResponse)]
pub enum ServerError {
    /// The database cannot be reached right now; retry later.
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>),
    /// Unexpected failure; the message is generic, the details are logged with the request id.
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
}

impl From<StoreError> for ServerError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "database unavailable");
                Self::Unavailable(ErrorBody::new(
                    ErrorStatus::Unavailable,
                    "the database is unavailable, retry later",
                ))
            }
            StoreError::QueueFull => {
                tracing::warn!("write queue full");
                Self::Unavailable(ErrorBody::new(
                    ErrorStatus::Unavailable,
                    "too many comments are waiting to be stored, retry later",
                ))
            }
            StoreError::Other(cause) => {
                tracing::error!(error = %cause, "database error");
                Self::Internal(internal_body())
            }
        }
    }
}
