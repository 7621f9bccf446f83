//! Every client mistake gets a JSON envelope, a precise message and a 4xx, never a 5xx.

use serde_json::json;

use crate::helpers::{Backend, comment, expect_error, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    invalid_fields_are_reported_precisely,
    malformed_bodies_are_rejected_as_json,
    oversized_bodies_get_413,
    unknown_routes_and_methods_answer_json,
    bad_list_parameters_are_rejected,
);

async fn invalid_fields_are_reported_precisely(backend: Backend) {
    let app = spawn_app(backend).await;
    let long = "x".repeat(2001);
    let cases = [
        (
            json!({"comment": "hi", "content_id": 1}),
            "email is required",
        ),
        (
            json!({"email": "a@example.com", "content_id": 1}),
            "comment is required",
        ),
        (
            json!({"email": "a@example.com", "comment": "hi"}),
            "content_id is required",
        ),
        (
            comment("not-an-email", "hi", 1),
            "email \"not-an-email\" is not a valid email address",
        ),
        (
            comment("a@example.com", "   ", 1),
            "comment must not be empty or only whitespace",
        ),
        (
            comment("a@example.com", &long, 1),
            "comment must be at most 2000 characters, got 2001",
        ),
        (
            comment("a@example.com", "nul\u{0}", 1),
            "comment must not contain control character U+0000",
        ),
        (
            comment("a@example.com", "hi", 0),
            "content_id must be a positive integer, got 0",
        ),
        (
            comment("a@example.com", "hi", -3),
            "content_id must be a positive integer, got -3",
        ),
        (
            json!({"email": "a@example.com", "comment": "hi", "content_id": "abc"}),
            "content_id must be a positive integer (digits only, no leading zero), got \"abc\"",
        ),
        (
            json!({"email": "a@example.com", "comment": "hi", "content_id": 1.5}),
            "content_id must be a positive 64-bit integer, got 1.5",
        ),
        (
            json!({"email": "a@example.com", "comment": "hi", "content_id": 18446744073709551615u64}),
            "content_id must be a positive 64-bit integer, got 18446744073709551615",
        ),
        (
            json!({"email": 7, "comment": "hi", "content_id": 1}),
            "email must be a string, got a number",
        ),
        (
            json!({"email": "a@example.com", "comment": null, "content_id": 1}),
            "comment is required",
        ),
        (
            json!({}),
            "email is required; comment is required; content_id is required",
        ),
    ];
    for (body, expected) in cases {
        let message = expect_error(app.post_comment(&body).await, 400, "INVALID").await;
        assert_eq!(message, expected, "for {body}");
    }
}

async fn malformed_bodies_are_rejected_as_json(backend: Backend) {
    let app = spawn_app(backend).await;
    let message = expect_error(
        app.post_raw("{not json", "application/json").await,
        400,
        "INVALID",
    )
    .await;
    assert!(message.starts_with("invalid request body:"), "{message}");

    let message = expect_error(
        app.post_raw("[1, 2]", "application/json").await,
        400,
        "INVALID",
    )
    .await;
    assert!(message.starts_with("invalid request body:"), "{message}");

    let message = expect_error(app.post_raw("", "application/json").await, 400, "INVALID").await;
    assert!(message.starts_with("invalid request body:"), "{message}");

    let form = "email=a@example.com&comment=hi&content_id=1";
    let message = expect_error(
        app.post_raw(form, "application/x-www-form-urlencoded")
            .await,
        415,
        "UNSUPPORTED-MEDIA-TYPE",
    )
    .await;
    assert!(message.contains("application/json"), "{message}");

    let no_type = app
        .client
        .post(format!("{}/api/comment/new", app.address))
        .body(r#"{"email":"a@example.com","comment":"hi","content_id":1}"#)
        .send()
        .await
        .unwrap();
    expect_error(no_type, 415, "UNSUPPORTED-MEDIA-TYPE").await;
}

async fn oversized_bodies_get_413(backend: Backend) {
    let app = spawn_app(backend).await;
    let huge = comment("a@example.com", &"x".repeat(40_000), 1).to_string();
    let message = expect_error(
        app.post_raw(huge.clone(), "application/json").await,
        413,
        "PAYLOAD-TOO-LARGE",
    )
    .await;
    assert_eq!(message, "request body exceeds the limit of 32768 bytes");

    // Streamed without Content-Length: still refused, by counting.
    let stream = futures::stream::iter(
        huge.into_bytes()
            .chunks(4096)
            .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
            .collect::<Vec<_>>(),
    );
    let chunked = app
        .post_raw(reqwest::Body::wrap_stream(stream), "application/json")
        .await;
    expect_error(chunked, 413, "PAYLOAD-TOO-LARGE").await;

    // Counted under the route they were sent to, not as unmatched.
    let metrics = app.get_admin("/metrics").await.text().await.unwrap();
    let labelled = r#"http_requests_total{method="POST",route="/api/comment/new",status="413"} 2"#;
    assert!(
        metrics.contains(labelled),
        "missing {labelled} in\n{metrics}"
    );

    // The largest valid comment (2000 four-byte characters, JSON-escaped) still fits.
    let max = "😀".repeat(2000);
    let escaped = serde_json::to_string(&max)
        .unwrap()
        .replace('😀', "\\ud83d\\ude00");
    let body = format!(r#"{{"email":"a@example.com","comment":{escaped},"content_id":1}}"#);
    assert!(body.len() > 24_000, "the body is {} bytes", body.len());
    assert_eq!(
        app.post_raw(body, "application/json")
            .await
            .status()
            .as_u16(),
        201
    );
}

async fn unknown_routes_and_methods_answer_json(backend: Backend) {
    let app = spawn_app(backend).await;
    let message = expect_error(app.get("/api/nope").await, 404, "NOT-FOUND").await;
    assert_eq!(message, "no route for GET /api/nope");

    let wrong_method = app
        .client
        .delete(format!("{}/api/comment/list/1", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(
        wrong_method
            .headers()
            .get("allow")
            .map(|v| v.to_str().unwrap()),
        Some("GET"),
        "a 405 names the allowed methods (RFC 9110)"
    );
    let message = expect_error(wrong_method, 405, "METHOD-NOT-ALLOWED").await;
    assert_eq!(
        message,
        "method DELETE is not allowed on /api/comment/list/1"
    );
    let wrong_method = app.get("/api/comment/new").await;
    assert_eq!(
        wrong_method
            .headers()
            .get("allow")
            .map(|v| v.to_str().unwrap()),
        Some("POST")
    );
    expect_error(wrong_method, 405, "METHOD-NOT-ALLOWED").await;

    expect_error(app.get_admin("/nope").await, 404, "NOT-FOUND").await;
}

async fn bad_list_parameters_are_rejected(backend: Backend) {
    let app = spawn_app(backend).await;
    for (content_id, query, expected) in [
        ("abc", "", "content_id must be a positive 64-bit integer"),
        ("0", "", "content_id must be a positive 64-bit integer"),
        ("-1", "", "content_id must be a positive 64-bit integer"),
        (
            "99999999999999999999",
            "",
            "content_id must be a positive 64-bit integer",
        ),
        ("1", "limit=0", "limit must be an integer from 1 to 500"),
        ("1", "limit=501", "limit must be an integer from 1 to 500"),
        ("1", "limit=ten", "limit must be an integer from 1 to 500"),
        (
            "1",
            "cursor=xyz",
            "cursor is not a cursor this service issued",
        ),
    ] {
        let message =
            expect_error(app.list_comments(content_id, query).await, 400, "INVALID").await;
        assert_eq!(message, expected, "for {content_id}?{query}");
    }
}
