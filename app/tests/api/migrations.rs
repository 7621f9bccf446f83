//! Migrations: idempotent, and safe when several migrators run at once (advisory lock on
//! PostgreSQL; SQLite serialises writers itself).

use comments_api::config::Settings;
use comments_api::store::CommentStore;
use figment::Figment;
use figment::providers::Serialized;
use futures::future::join_all;
use sea_orm::{ConnectionTrait, Statement};

use crate::helpers::{Backend, TestDatabase};
use crate::on_both_databases;

on_both_databases!(concurrent_migrators_apply_each_migration_once);

async fn concurrent_migrators_apply_each_migration_once(backend: Backend) {
    let db = TestDatabase::new(backend).await;
    let settings =
        Settings::defaults_with(Figment::from(Serialized::default("database.url", &db.url)))
            .unwrap()
            .database;
    let mut stores = Vec::new();
    for _ in 0..4 {
        stores.push(CommentStore::connect(&settings).await.expect("connect"));
    }
    let results = join_all(stores.iter().map(CommentStore::migrate)).await;
    for result in results {
        result.expect("every concurrent migrator succeeds");
    }
    // And again: nothing left to do.
    stores[0].migrate().await.expect("re-running is a no-op");

    let conn = stores[0].connection();
    let applied = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT COUNT(*) AS n FROM seaql_migrations",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(applied, 1, "each migration recorded once");
}
