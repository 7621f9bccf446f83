//! "No duplicated data": an identical comment is stored once, however it arrives.

use std::collections::HashMap;

use comments_api::domain::{CommentText, ContentId, Email, NewComment};
use comments_api::store::Inserted;
use futures::future::join_all;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;

use crate::helpers::{Backend, alice_first_post, comment, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    a_repeated_comment_is_stored_once,
    many_identical_posts_at_once_store_one_row,
    different_author_text_or_content_is_not_a_duplicate,
    mixed_duplicates_in_one_batch_store_each_comment_once,
    mixed_duplicates_posted_at_once_store_each_comment_once,
    one_bad_row_does_not_fail_its_batch,
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

fn new_comment(email: &str, text: &str, content_id: i64) -> NewComment {
    NewComment {
        content_id: ContentId::new(content_id).unwrap(),
        email: Email::parse(email).unwrap(),
        comment: CommentText::parse(text).unwrap(),
    }
}

/// One batch holding repeats of new comments, a repeat of an older comment, and unique ones:
/// per comment one row, the first occurrence in the batch is the one created, every other
/// occurrence names the same id.
async fn mixed_duplicates_in_one_batch_store_each_comment_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let older = app
        .store
        .insert_or_get(&new_comment("old@example.com", "stored before", 7))
        .await
        .unwrap();
    let Inserted::Created(older) = older else {
        panic!("the first comment is created: {older:?}")
    };
    let batch = [
        new_comment("a@example.com", "one", 7),
        new_comment("b@example.com", "two", 7),
        new_comment("a@example.com", "one", 7),
        new_comment("old@example.com", "stored before", 7),
        new_comment("c@example.com", "three", 8),
        new_comment("b@example.com", "two", 7),
        new_comment("a@example.com", "one", 7),
    ];
    let answers = app.store.insert_batch(&batch).await;
    let answers: Vec<Inserted> = answers.into_iter().map(Result::unwrap).collect();
    let created: Vec<usize> = answers
        .iter()
        .enumerate()
        .filter(|(_, a)| matches!(a, Inserted::Created(_)))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        created,
        [0, 1, 4],
        "the first occurrence of each new comment: {answers:?}"
    );
    let id = |i: usize| match answers[i] {
        Inserted::Created(s) | Inserted::Existing(s) => s.id,
    };
    assert_eq!(id(2), id(0));
    assert_eq!(id(6), id(0));
    assert_eq!(id(5), id(1));
    assert_eq!(id(3), older.id);
    assert_eq!(answers[3], Inserted::Existing(older));
    let distinct: std::collections::HashSet<i64> = (0..answers.len()).map(id).collect();
    assert_eq!(distinct.len(), 4);
    assert_eq!(rows(&app).await, 4);
}

/// The same over HTTP: many posts at once, several copies of each comment, in whatever batches the
/// writers form. Per comment one 201, and every answer names the same id.
async fn mixed_duplicates_posted_at_once_store_each_comment_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let bodies: Vec<Value> = (0..48)
        .map(|i| comment(&format!("u{}@example.com", i % 6), "mixed", 9))
        .collect();
    let answers = join_all(bodies.iter().map(|body| app.post_comment(body))).await;
    let mut by_author: HashMap<String, (usize, Vec<i64>)> = HashMap::new();
    for (body, resp) in bodies.iter().zip(answers) {
        let status = resp.status().as_u16();
        assert!(status == 201 || status == 200, "unexpected status {status}");
        let answer: Value = resp.json().await.unwrap();
        let entry = by_author
            .entry(body["email"].as_str().unwrap().to_owned())
            .or_default();
        entry.0 += usize::from(status == 201);
        entry.1.push(answer["id"].as_i64().unwrap());
    }
    assert_eq!(by_author.len(), 6);
    for (author, (created, mut ids)) in by_author {
        assert_eq!(created, 1, "{author}: exactly one 201");
        ids.dedup();
        assert_eq!(
            ids.len(),
            1,
            "{author}: every answer names one comment: {ids:?}"
        );
    }
    assert_eq!(rows(&app).await, 6);
}

/// A row the database rejects (here a rule added for the test) fails alone: the rest of its batch
/// is stored and answered.
async fn one_bad_row_does_not_fail_its_batch(backend: Backend) {
    let app = spawn_app(backend).await;
    let db = app.store.connection();
    let rule = match backend {
        Backend::Postgres => {
            "ALTER TABLE comments ADD CONSTRAINT no_bad_rows CHECK (comment <> 'bad row')"
        }
        Backend::Sqlite => {
            "CREATE TRIGGER no_bad_rows BEFORE INSERT ON comments WHEN NEW.comment = 'bad row' \
             BEGIN SELECT RAISE(ABORT, 'bad row'); END"
        }
    };
    db.execute_unprepared(rule).await.unwrap();
    let batch = [
        new_comment("a@example.com", "fine", 3),
        new_comment("b@example.com", "bad row", 3),
        new_comment("c@example.com", "also fine", 3),
        new_comment("a@example.com", "fine", 3),
    ];
    let answers = app.store.insert_batch(&batch).await;
    assert!(
        matches!(answers[0], Ok(Inserted::Created(_))),
        "{answers:?}"
    );
    assert!(answers[1].is_err(), "{answers:?}");
    assert!(
        matches!(answers[2], Ok(Inserted::Created(_))),
        "{answers:?}"
    );
    assert!(
        matches!(answers[3], Ok(Inserted::Existing(_))),
        "{answers:?}"
    );
    assert_eq!(rows(&app).await, 2);
}
