//! `/api/comment/...`: create a comment, list the comments of a content. The handlers; the wire
//! types they take and answer are in [`types`].

pub mod types;

use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{OpenApi, Tags};

use super::ApiState;
use super::error::ServerError;
use crate::domain::{ContentId, ValidationError};
use crate::http::error::{ErrorBody, ErrorStatus};
use crate::store::{Inserted, PageTag};
use types::{
    CommentList, CommentView, CreateResponse, CreatedBody, ListResponse, NewCommentRequest,
};

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
        /// The `ETag` of a page read before: 304 and no body while the page is unchanged.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> Result<ListResponse, ServerError> {
        let content_id = content_id.0;
        let after = match cursor.0.as_deref().map(decode_cursor).transpose() {
            Ok(after) => after,
            Err(err) => return Ok(err.into()),
        };
        let limit = limit.0.unwrap_or(DEFAULT_PAGE_SIZE);
        // One row more than asked tells whether another page exists without a COUNT; the tag
        // covers that row too, so it changes when a next page appears.
        let fetch = u64::from(limit) + 1;
        if let Some(tags) = if_none_match.0.as_deref() {
            let tag = state.store.page_tag(content_id, after, fetch).await?;
            let current = etag(limit, tag);
            if tag.rows > 0 && etag_matches(tags, &current) {
                return Ok(ListResponse::NotModified(current));
            }
        }
        let mut rows = state.store.list_page(content_id, after, fetch).await?;
        let tag = etag(limit, PageTag::of(&rows));
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
        Ok(ListResponse::Ok(CommentList(comments), next, link, tag))
    }
}

/// A strong entity tag: the page size, and the row count and last id of what was read for it (see
/// `CommentStore::page_tag`). The page size is in it because two sizes can read the same rows and
/// still answer differently (a shorter page has a next link).
fn etag(limit: u32, tag: PageTag) -> String {
    format!("\"{limit}.{}.{}\"", tag.rows, tag.last_id.unwrap_or(0))
}

/// `If-None-Match` (RFC 9110 13.1.2): `*` or a list of tags, compared weakly (a `W/` prefix is
/// ignored).
fn etag_matches(header: &str, current: &str) -> bool {
    header.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == current
    })
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
