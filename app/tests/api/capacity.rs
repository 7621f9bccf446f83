//! The in-flight cap: beyond `server.max_in_flight` requests, answer 503 at once.

use figment::Figment;
use figment::providers::Serialized;

use crate::helpers::{Backend, comment, expect_error, spawn_app_with};
use crate::on_both_databases;

on_both_databases!(
    requests_beyond_the_cap_get_503_at_once,
    creates_beyond_the_write_queue_get_503_at_once,
);

async fn requests_beyond_the_cap_get_503_at_once(backend: Backend) {
    let app = spawn_app_with(
        backend,
        Figment::from(Serialized::default("server.max_in_flight", 1)),
    )
    .await;
    let (_other, lock) = app.block_writes(backend).await;
    let client = app.client.clone();
    let url = format!("{}/api/comment/new", app.address);
    let body = comment("first@example.com", "holds the only slot", 1);
    let holder = tokio::spawn(async move { client.post(url).json(&body).send().await });
    app.wait_until_in_flight(1).await;

    let refused = app.list_comments("1", "").await;
    assert_eq!(
        refused
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap()),
        Some("2"),
        "every 503 says when to retry"
    );
    let message = expect_error(refused, 503, "UNAVAILABLE").await;
    assert_eq!(
        message,
        "the service is at capacity (1 requests in flight), retry later"
    );

    lock.rollback().await.expect("release the lock");
    let held = holder
        .await
        .unwrap()
        .expect("the first request is answered");
    assert_eq!(held.status().as_u16(), 201);
    // The slot is free again.
    assert_eq!(app.list_comments("1", "").await.status().as_u16(), 200);
}

/// Group commit's queue is bounded: with the one writer stuck on a locked table and the queue full,
/// the next create is answered 503 with Retry-After at once; the queued ones are stored afterwards.
async fn creates_beyond_the_write_queue_get_503_at_once(backend: Backend) {
    let app = spawn_app_with(
        backend,
        Figment::from(Serialized::default("database.writers", 1))
            .merge(Serialized::default("database.max_queued_writes", 1)),
    )
    .await;
    let (_other, lock) = app.block_writes(backend).await;
    let post = |n: usize| {
        let client = app.client.clone();
        let url = format!("{}/api/comment/new", app.address);
        let body = comment(&format!("q{n}@example.com"), "queued", 1);
        tokio::spawn(async move { client.post(url).json(&body).send().await })
    };
    let in_writer = post(0);
    app.wait_until_in_flight(1).await;
    // The idle writer takes the first create off the queue within microseconds of its arrival;
    // this leaves it ample time to, so the second one is the only one queued.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let in_queue = post(1);
    app.wait_until_in_flight(2).await;

    let refused = app
        .post_comment(&comment("q2@example.com", "queued", 1))
        .await;
    assert_eq!(
        refused
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap()),
        Some("2")
    );
    let message = expect_error(refused, 503, "UNAVAILABLE").await;
    assert_eq!(
        message,
        "too many comments are waiting to be stored, retry later"
    );

    lock.rollback().await.expect("release the lock");
    for waiting in [in_writer, in_queue] {
        let resp = waiting.await.unwrap().expect("answered");
        assert_eq!(resp.status().as_u16(), 201);
    }
}
