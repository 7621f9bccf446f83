//! "No duplicated data": an identical comment is stored once, however it arrives.

use futures::future::join_all;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;

use crate::helpers::{Backend, alice_first_post, comment, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    a_repeated_comment_is_stored_once,
    many_identical_posts_at_once_store_one_row,
    different_author_text_or_content_is_not_a_duplicate,
);

async fn rows(app: &crate::helpers::TestApp) -> i64 {
    let row = app
        .store
        .connection()
        .query_one_raw(Statement::from_string(
            app.store.connection().get_database_backend(),
            "SELECT COUNT(*) AS n FROM comments",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

async fn a_repeated_comment_is_stored_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let first: Value = app
        .post_comment(&alice_first_post())
        .await
        .json()
        .await
        .unwrap();
    let repeat = app.post_comment(&alice_first_post()).await;
    assert_eq!(repeat.status().as_u16(), 200);
    let repeat: Value = repeat.json().await.unwrap();
    assert_eq!(repeat["status"], "SUCCESS");
    assert_eq!(repeat["message"], "comment already exists for content_id 1");
    assert_eq!(repeat["id"], first["id"]);
    assert_eq!(rows(&app).await, 1);
}

async fn many_identical_posts_at_once_store_one_row(backend: Backend) {
    let app = spawn_app(backend).await;
    let body = comment("eve@example.com", "double submit", 5);
    let answers = join_all((0..32).map(|_| app.post_comment(&body))).await;
    let mut created = 0;
    let mut ids = Vec::new();
    for resp in answers {
        match resp.status().as_u16() {
            201 => created += 1,
            200 => {}
            other => panic!("unexpected status {other}"),
        }
        let body: Value = resp.json().await.unwrap();
        ids.push(body["id"].as_i64().unwrap());
    }
    assert_eq!(created, 1, "exactly one request creates the comment");
    ids.dedup();
    assert_eq!(ids.len(), 1, "every answer names the same comment: {ids:?}");
    assert_eq!(rows(&app).await, 1);
    let listed: Vec<Value> = app.list_comments("5", "").await.json().await.unwrap();
    assert_eq!(listed.len(), 1);
}

async fn different_author_text_or_content_is_not_a_duplicate(backend: Backend) {
    let app = spawn_app(backend).await;
    for body in [
        comment("a@example.com", "same", 1),
        comment("b@example.com", "same", 1),
        comment("a@example.com", "different", 1),
        comment("a@example.com", "same", 2),
    ] {
        assert_eq!(
            app.post_comment(&body).await.status().as_u16(),
            201,
            "{body}"
        );
    }
    assert_eq!(rows(&app).await, 4);
}
