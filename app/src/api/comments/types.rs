//! The wire types of `/api/comment/...`: the request and response bodies with their examples,
//! the response enums, and the JSON answers to requests poem-openapi could not parse.

use poem::http::StatusCode;
use poem::http::header::CONTENT_TYPE;
use poem::{Error, IntoResponse, Response};
use poem_openapi::payload::{Json, Payload};
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::Example;
use poem_openapi::{ApiResponse, Object};
use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::MAX_PAGE_SIZE;
use crate::api::fields::{CommentSchema, ContentIdSchema, EmailSchema, RawField};
use crate::domain::{CommentText, Email, NewComment, ValidationError};
use crate::http::error::{ErrorBody, ErrorStatus, internal_body};

/// A new comment, as the original service's clients send it.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct NewCommentRequest {
    /// The author's email address (at most 254 bytes; the domain part is compared
    /// case-insensitively).
    pub email: RawField<EmailSchema>,
    /// The comment text: 1 to 2000 characters after trimming surrounding whitespace; no control
    /// characters except tab and line breaks.
    pub comment: RawField<CommentSchema>,
    /// The article the comment is about: a positive 64-bit integer, or a string of its digits
    /// (`"42"`), which the original service also accepted.
    pub content_id: RawField<ContentIdSchema>,
}

impl Example for NewCommentRequest {
    fn example() -> Self {
        Self {
            email: RawField::new("alice@example.com"),
            comment: RawField::new("first post!"),
            content_id: RawField::new(1),
        }
    }
}

impl NewCommentRequest {
    /// Parses every field, reporting all invalid ones at once.
    pub(super) fn parse(&self) -> Result<NewComment, ValidationError> {
        let email = self.email.text().and_then(Email::parse);
        let comment = self.comment.text().and_then(CommentText::parse);
        let content_id = self.content_id.content_id();
        match (email, comment, content_id) {
            (Ok(email), Ok(comment), Ok(content_id)) => Ok(NewComment {
                content_id,
                email,
                comment,
            }),
            (email, comment, content_id) => {
                let messages: Vec<String> = [email.err(), comment.err(), content_id.err()]
                    .into_iter()
                    .flatten()
                    .map(|e| e.0)
                    .collect();
                Err(ValidationError(messages.join("; ")))
            }
        }
    }
}

/// The answer to a successful POST.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct CreatedBody {
    /// Always `SUCCESS`.
    pub status: String,
    /// `comment created and associated with content_id N`, or `comment already exists for
    /// content_id N` when an identical comment was stored before.
    pub message: String,
    /// The id of the stored comment (the existing one for a repeat).
    pub id: i64,
}

impl CreatedBody {
    pub(super) fn success(message: String, id: i64) -> Json<Self> {
        Json(Self {
            status: "SUCCESS".into(),
            message,
            id,
        })
    }
}

impl Example for CreatedBody {
    fn example() -> Self {
        Self {
            status: "SUCCESS".into(),
            message: "comment created and associated with content_id 1".into(),
            id: 1,
        }
    }
}

/// One comment in a listing.
#[derive(Debug, Clone, Object)]
#[oai(example)]
pub struct CommentView {
    pub id: i64,
    pub email: String,
    pub comment: String,
    /// When the comment was stored (RFC 3339, UTC).
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl Example for CommentView {
    fn example() -> Self {
        Self {
            id: 1,
            email: "alice@example.com".into(),
            comment: "first post!".into(),
            created_at: chrono::DateTime::from_timestamp(1_795_000_000, 0).unwrap_or_default(),
        }
    }
}

#[derive(Debug, ApiResponse)]
#[oai(bad_request_handler = "create_bad_request")]
pub enum CreateResponse {
    /// The comment was stored.
    #[oai(status = 201)]
    Created(Json<CreatedBody>),
    /// An identical comment (same content_id, email and text) already exists; nothing was stored
    /// and `id` is the existing comment's. Safe to retry.
    #[oai(status = 200)]
    AlreadyExists(Json<CreatedBody>),
    /// Malformed JSON, a missing field or an invalid value; `message` says which.
    #[oai(status = 400)]
    Invalid(Json<ErrorBody>),
    /// The body is larger than the limit (32 KiB by default).
    #[oai(status = 413)]
    PayloadTooLarge(Json<ErrorBody>),
    /// The body is not sent as `application/json`.
    #[oai(status = 415)]
    UnsupportedMediaType(Json<ErrorBody>),
}

fn create_bad_request(err: Error) -> CreateResponse {
    if err.is::<poem_openapi::error::ContentTypeError>() {
        return CreateResponse::UnsupportedMediaType(ErrorBody::new(
            ErrorStatus::UnsupportedMediaType,
            format!("{err}; send the body as application/json"),
        ));
    }
    CreateResponse::Invalid(ErrorBody::new(ErrorStatus::Invalid, payload_message(&err)))
}

/// poem-openapi's payload errors read "parse request payload error: failed to parse
/// \"NewCommentRequest\": ..."; keep the part that helps the client.
fn payload_message(err: &Error) -> String {
    let text = err.to_string();
    let text = text
        .strip_prefix("parse request payload error: ")
        .unwrap_or(&text);
    format!("invalid request body: {text}")
}

/// `CommentView` as poem-openapi's `ToJSON` writes it, for [`CommentList`]: the keys in the order
/// serde_json's map sorts them, the timestamp as `DateTime::to_rfc3339` writes it. A test checks
/// the bytes against `Json<Vec<CommentView>>`'s.
impl Serialize for CommentView {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut object = serializer.serialize_struct("CommentView", 4)?;
        object.serialize_field("comment", &self.comment)?;
        // chrono's `format` would build a String too (DelayedFormat), and costs more.
        object.serialize_field("created_at", &self.created_at.to_rfc3339())?;
        object.serialize_field("email", &self.email)?;
        object.serialize_field("id", &self.id)?;
        object.end()
    }
}

/// The body of a listing: the same JSON and the same OpenAPI schema as `Json<Vec<CommentView>>`,
/// written with serde straight into one buffer sized for it, instead of through poem-openapi's
/// `serde_json::Value` tree (a map and copies of every string per comment), which the profile of
/// a GET of 50 comments showed as the largest share of the body's cost (docs/benchmarks.md).
#[derive(Debug)]
pub struct CommentList(pub Vec<CommentView>);

impl Payload for CommentList {
    const CONTENT_TYPE: &'static str = <Json<Vec<CommentView>> as Payload>::CONTENT_TYPE;

    fn schema_ref() -> MetaSchemaRef {
        <Json<Vec<CommentView>> as Payload>::schema_ref()
    }

    fn register(registry: &mut Registry) {
        <Json<Vec<CommentView>> as Payload>::register(registry);
    }
}

impl IntoResponse for CommentList {
    fn into_response(self) -> Response {
        // The text and the keys, quotes and timestamp around it (escapes may add a little more).
        let size: usize = self
            .0
            .iter()
            .map(|c| c.comment.len() + c.email.len() + 96)
            .sum();
        let mut body = Vec::with_capacity(size + 2);
        match serde_json::to_writer(&mut body, &self.0) {
            Ok(()) => Response::builder()
                .header(CONTENT_TYPE, Self::CONTENT_TYPE)
                .body(body),
            // Not expected (strings and integers into memory), but answered like every other
            // internal error: the JSON envelope, logged.
            Err(err) => {
                tracing::error!(error = %err, "writing a comment list failed");
                (StatusCode::INTERNAL_SERVER_ERROR, internal_body()).into_response()
            }
        }
    }
}

#[derive(Debug, ApiResponse)]
#[oai(bad_request_handler = "list_bad_request")]
pub enum ListResponse {
    /// Comments of the content, oldest first. When more remain, `X-Next-Cursor` and a `Link`
    /// header (`rel="next"`) give the next page.
    #[oai(status = 200)]
    Ok(
        CommentList,
        /// Pass as `cursor` to get the next page; absent on the last page.
        #[oai(header = "X-Next-Cursor")]
        Option<String>,
        /// RFC 8288 link to the next page; absent on the last page.
        #[oai(header = "Link")]
        Option<String>,
        /// Identifies this page's content; send it back in `If-None-Match` to get 304 while the
        /// page is unchanged.
        #[oai(header = "ETag")]
        String,
    ),
    /// The page is unchanged since the `ETag` given in `If-None-Match`; no body.
    #[oai(status = 304)]
    NotModified(
        /// The page's current tag (the one that matched).
        #[oai(header = "ETag")]
        String,
    ),
    /// An invalid `content_id`, `limit` or `cursor`.
    #[oai(status = 400)]
    Invalid(Json<ErrorBody>),
    /// No comment exists for this content_id.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
}

fn list_bad_request(err: Error) -> ListResponse {
    // content_id is the only path parameter.
    let message = if err.is::<poem_openapi::error::ParsePathError>() {
        "content_id must be a positive 64-bit integer".to_owned()
    } else if let Some(e) = err.downcast_ref::<poem_openapi::error::ParseParamError>() {
        match e.name {
            "content_id" => "content_id must be a positive 64-bit integer".to_owned(),
            "limit" => format!("limit must be an integer from 1 to {MAX_PAGE_SIZE}"),
            "cursor" => "cursor is not a cursor this service issued".to_owned(),
            name => format!("invalid query parameter `{name}`: {}", e.reason),
        }
    } else {
        err.to_string()
    };
    ListResponse::Invalid(ErrorBody::new(ErrorStatus::Invalid, message))
}

/// A field, parameter or cursor the domain rejected: a 400 of the operation's own response.
fn invalid(err: ValidationError) -> Json<ErrorBody> {
    ErrorBody::new(ErrorStatus::Invalid, err.0)
}

impl From<ValidationError> for CreateResponse {
    fn from(err: ValidationError) -> Self {
        Self::Invalid(invalid(err))
    }
}

impl From<ValidationError> for ListResponse {
    fn from(err: ValidationError) -> Self {
        Self::Invalid(invalid(err))
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};
    use poem::IntoResponse;
    use poem::http::header::CONTENT_TYPE;
    use poem_openapi::payload::Json;

    use super::{CommentList, CommentView};

    fn at(secs: i64, nanos: u32) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, nanos).expect("a valid timestamp")
    }

    fn view(id: i64, email: &str, comment: &str, created_at: DateTime<Utc>) -> CommentView {
        CommentView {
            id,
            email: email.into(),
            comment: comment.into(),
            created_at,
        }
    }

    async fn body_and_type(resp: poem::Response) -> (String, Option<String>) {
        let content_type = resp
            .headers()
            .get(CONTENT_TYPE)
            .map(|v| v.to_str().unwrap_or_default().to_owned());
        let body = resp.into_body().into_string().await.expect("a UTF-8 body");
        (body, content_type)
    }

    /// The lean body must be what poem-openapi's `Json` wrote before it, byte for byte: key order,
    /// string escapes and the timestamp format included.
    #[tokio::test]
    async fn the_lean_list_body_is_the_json_payloads_byte_for_byte() {
        let lists = [
            vec![],
            vec![view(
                1,
                "alice@example.com",
                "first post!",
                at(1_795_000_000, 0),
            )],
            vec![
                view(
                    2,
                    "Bob.O'Neil+tag@Example.COM",
                    "quote \" backslash \\ tab\t line\r\n unit\u{1f} del\u{7f} café naïve 👍 </script> \u{2028}",
                    at(1_795_000_001, 123_456_000),
                ),
                view(i64::MAX, "", "", at(0, 1_000)),
                view(4, "x@y.z", "leap", at(1_795_000_019, 1_500_000_000)),
                view(5, "x@y.z", "far", at(253_402_300_799, 999_999_000)),
            ],
        ];
        for comments in lists {
            let lean = body_and_type(CommentList(comments.clone()).into_response()).await;
            let reference = body_and_type(Json(comments).into_response()).await;
            assert_eq!(lean, reference);
        }
    }
}
