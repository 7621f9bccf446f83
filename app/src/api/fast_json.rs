//! A JSON response body encoded straight from the values with serde. poem-openapi's `Json<T>`
//! first builds a `serde_json::Value` tree (a map allocation per object, a string copy per
//! field), which was the largest CPU cost of a 50-comment listing; the schema in the OpenAPI
//! document is still `T`'s.

use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use poem_openapi::payload::Payload;
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use serde::Serialize;

#[derive(Debug)]
pub struct FastJson<T>(pub T);

impl<T: Type> Payload for FastJson<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Serialize + Send> IntoResponse for FastJson<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(body) => Response::builder()
                .content_type(Self::CONTENT_TYPE)
                .body(body),
            Err(err) => {
                tracing::error!(error = %err, "cannot encode a response");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        }
    }
}

impl<T> FastJson<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";
}
