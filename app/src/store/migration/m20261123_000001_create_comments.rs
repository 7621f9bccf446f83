use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Comments {
    Table,
    Id,
    ContentId,
    Email,
    Comment,
    Fingerprint,
    CreatedAt,
}

/// Enforces "no duplicated data" in the database, across any number of replicas.
pub const DEDUP_INDEX: &str = "comments_content_id_fingerprint_key";
/// Serves the listing: WHERE content_id = ? AND id > cursor ORDER BY id LIMIT n.
const LIST_INDEX: &str = "comments_content_id_id_idx";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Comments::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Comments::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Comments::ContentId).big_integer().not_null())
                    .col(ColumnDef::new(Comments::Email).string_len(254).not_null())
                    .col(ColumnDef::new(Comments::Comment).text().not_null())
                    .col(ColumnDef::new(Comments::Fingerprint).binary().not_null())
                    .col(
                        ColumnDef::new(Comments::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(DEDUP_INDEX)
                    .table(Comments::Table)
                    .col(Comments::ContentId)
                    .col(Comments::Fingerprint)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(LIST_INDEX)
                    .table(Comments::Table)
                    .col(Comments::ContentId)
                    .col(Comments::Id)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Comments::Table).to_owned())
            .await
    }
}
