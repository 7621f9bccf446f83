//! `/api/comment/...`: create a comment, list the comments of a content. The handlers; the wire
//! types they take and answer are in [`types`].

pub mod types;

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{OpenApi, Tags};

use super::ApiState;
use super::error::ServerError;
use crate::domain::{ContentId, ValidationError};
use crate::http::error::{ErrorBody, ErrorStatus};
use crate::store::Inserted;
use types::{CommentView, CreateResponse, CreatedBody, ListResponse, NewCommentRequest};

/// Page size when `limit` is not given: enough for the original clients, which never page.
pub const DEFAULT_PAGE_SIZE: u32 = 100;
/// The largest page a client may ask for.
pub const MAX_PAGE_SIZE: u32 = 500;

#[derive(Tags)]
enum ApiTags {
    /// Comments about an article (content).
    Comments,
}

/// The comments operations; what they work on comes with each request as [`ApiState`] data.
pub struct CommentsApi;

#[OpenApi(
    tag = "ApiTags::Comments",
    response_header(
        name = "X-Request-Id",
        ty = "String",
        description = "The request's id: the client's X-Request-Id if it sent a valid one, otherwise generated. It tags every log line of the request."
    )
)]
impl CommentsApi {
    /// Post a comment about a content
    ///
    /// Stores the comment once: posting an identical comment again (same `content_id`, `email`
    /// and text) answers 200 with the existing comment's id instead of storing a copy, so a client
    /// may retry safely.
    #[oai(
        path = "/api/comment/new",
        method = "post",
        operation_id = "createComment"
    )]
    async fn create(
        &self,
        state: Data<&ApiState>,
        body: Json<NewCommentRequest>,
    ) -> Result<CreateResponse, ServerError> {
        let comment = match body.0.parse() {
            Ok(comment) => comment,
            Err(err) => return Ok(err.into()),
        };
        let content_id = comment.content_id;
        Ok(match state.store.insert_or_get(&comment).await? {
            Inserted::Created(stored) => {
                state.metrics.comments_created.inc();
                tracing::info!(comment_id = stored.id, %content_id, "comment created");
                CreateResponse::Created(CreatedBody::success(
                    format!("comment created and associated with content_id {content_id}"),
                    stored.id,
                ))
            }
            Inserted::Existing(stored) => {
                state.metrics.comments_duplicates.inc();
                tracing::info!(comment_id = stored.id, %content_id, "duplicate comment");
                CreateResponse::AlreadyExists(CreatedBody::success(
                    format!("comment already exists for content_id {content_id}"),
                    stored.id,
                ))
            }
        })
    }

    /// List the comments of a content
    ///
    /// Oldest first, `limit` per page (default 100, at most 500). Follow `X-Next-Cursor` (or the
    /// `Link` header) for the next page. Answers 404 when the content has no comment at all; a
    /// page after the last one is an empty array.
    #[oai(
        path = "/api/comment/list/:content_id",
        method = "get",
        operation_id = "listComments"
    )]
    async fn list(
        &self,
        state: Data<&ApiState>,
        /// The content (article) id: a positive 64-bit integer.
        content_id: Path<ContentId>,
        /// Comments per page: 1 to 500, default 100.
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
        /// Opaque position from a previous page's `X-Next-Cursor`; omit for the first page.
        #[oai(validator(pattern = r"^(0|[1-9][0-9]{0,17})$"))]
        cursor: Query<Option<String>>,
    ) -> Result<ListResponse, ServerError> {
        let content_id = content_id.0;
        let after = match cursor.0.as_deref().map(decode_cursor).transpose() {
            Ok(after) => after,
            Err(err) => return Ok(err.into()),
        };
        let limit = limit.0.unwrap_or(DEFAULT_PAGE_SIZE);
        // One row more than asked tells whether another page exists without a COUNT.
        let mut rows = state
            .store
            .list_page(content_id, after, u64::from(limit) + 1)
            .await?;
        if rows.is_empty() && after.is_none() {
            return Ok(ListResponse::NotFound(ErrorBody::new(
                ErrorStatus::NotFound,
                format!("content_id {content_id} not found"),
            )));
        }
        let next = if rows.len() > limit as usize {
            rows.truncate(limit as usize);
            rows.last().map(|last| encode_cursor(last.id))
        } else {
            None
        };
        let link = next.as_ref().map(|cursor| {
            format!("</api/comment/list/{content_id}?limit={limit}&cursor={cursor}>; rel=\"next\"")
        });
        let comments = rows
            .into_iter()
            .map(|row| CommentView {
                id: row.id,
                email: row.email,
                comment: row.comment,
                created_at: row.created_at,
            })
            .collect();
        Ok(ListResponse::Ok(Json(comments), next, link))
    }
}

/// Cursors are opaque to clients; today they carry the last id seen, in decimal.
fn encode_cursor(last_id: i64) -> String {
    last_id.to_string()
}

fn decode_cursor(raw: &str) -> Result<i64, ValidationError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id >= 0)
        .ok_or_else(|| {
            ValidationError(format!(
                "cursor {raw:?} is not a cursor this service issued"
            ))
        })
}
