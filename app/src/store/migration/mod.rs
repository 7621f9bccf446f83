//! Schema migrations, applied by `comments-api migrate` (and by `serve` when
//! `database.migrate_on_start` is true). Add a module per change; never edit an applied one.

use sea_orm_migration::prelude::*;

mod m20261123_000001_create_comments;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(m20261123_000001_create_comments::Migration)]
    }
}
