//! The `comments` table as sea-orm sees it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "comments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub content_id: i64,
    pub email: String,
    pub comment: String,
    /// SHA-256 of (email, comment, content_id): the de-duplication key (see `NewComment::fingerprint`).
    pub fingerprint: Vec<u8>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// What a listing returns: everything but the fingerprint, which never leaves the database.
#[derive(Clone, Debug, PartialEq, Eq, sea_orm::FromQueryResult)]
pub struct ListedComment {
    pub id: i64,
    pub email: String,
    pub comment: String,
    pub created_at: DateTimeUtc,
}
