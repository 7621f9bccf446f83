//! POST /api/comment/new, and the original challenge's curl sequence end to end.

use serde_json::{Value, json};

use crate::helpers::{Backend, alice_first_post, comment, expect_error, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    the_original_curl_sequence_works,
    numeric_string_content_id_is_accepted,
    text_is_stored_trimmed_and_request_id_is_echoed,
);

async fn the_original_curl_sequence_works(backend: Backend) {
    let app = spawn_app(backend).await;

    let created = app.post_comment(&alice_first_post()).await;
    assert_eq!(created.status().as_u16(), 201);
    let body: Value = created.json().await.unwrap();
    assert_eq!(body["status"], "SUCCESS");
    assert_eq!(
        body["message"],
        "comment created and associated with content_id 1"
    );
    let first_id = body["id"].as_i64().expect("an id");

    let second = app
        .post_comment(&comment("bob@example.com", "second!", 1))
        .await;
    assert_eq!(second.status().as_u16(), 201);

    let listed = app.list_comments("1", "").await;
    assert_eq!(listed.status().as_u16(), 200);
    let comments: Vec<Value> = listed.json().await.unwrap();
    assert_eq!(comments.len(), 2);
    assert_eq!(comments[0]["email"], "alice@example.com");
    assert_eq!(comments[0]["comment"], "first post!");
    assert_eq!(comments[0]["id"], first_id);
    assert_eq!(comments[1]["email"], "bob@example.com", "oldest first");
    assert!(comments[0]["created_at"].as_str().is_some());

    let missing = app.list_comments("3", "").await;
    let message = expect_error(missing, 404, "NOT-FOUND").await;
    assert_eq!(message, "content_id 3 not found");
}

async fn numeric_string_content_id_is_accepted(backend: Backend) {
    let app = spawn_app(backend).await;
    let resp = app
        .post_comment(&json!({"email": "carol@example.com", "comment": "hi", "content_id": "42"}))
        .await;
    assert_eq!(resp.status().as_u16(), 201);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["message"],
        "comment created and associated with content_id 42"
    );
    // The same comment with the id as a number is the same comment.
    let again = app
        .post_comment(&comment("carol@example.com", "hi", 42))
        .await;
    assert_eq!(again.status().as_u16(), 200);
}

async fn text_is_stored_trimmed_and_request_id_is_echoed(backend: Backend) {
    let app = spawn_app(backend).await;
    let resp = app
        .client
        .post(format!("{}/api/comment/new", app.address))
        .header("x-request-id", "trace-me-123")
        .json(&comment("  Dave@Example.COM ", "  spaced out \n", 9))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    assert_eq!(resp.headers()["x-request-id"], "trace-me-123");

    let listed: Vec<Value> = app.list_comments("9", "").await.json().await.unwrap();
    assert_eq!(listed[0]["email"], "Dave@example.com");
    assert_eq!(listed[0]["comment"], "spaced out");

    // A request id that could forge log lines is replaced, not echoed.
    let resp = app
        .client
        .get(format!("{}/api/comment/list/9", app.address))
        .header("x-request-id", "bad id\twith spaces")
        .send()
        .await
        .unwrap();
    let echoed = resp.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_ne!(echoed, "bad id\twith spaces");
    assert_eq!(echoed.len(), 36, "a generated UUID: {echoed}");
}
