//! The admin port: liveness, readiness (database reachable, not draining) and metrics.

use serde_json::Value;

use crate::helpers::{Backend, alice_first_post, expect_error, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    health_and_readiness_answer_when_all_is_well,
    metrics_count_traffic_by_route_template,
    readiness_fails_and_writes_answer_503_when_the_database_goes_away,
);

async fn health_and_readiness_answer_when_all_is_well(backend: Backend) {
    let app = spawn_app(backend).await;
    let health = app.get_admin("/healthz").await;
    assert_eq!(health.status().as_u16(), 200);
    let ready = app.get_admin("/readyz").await;
    assert_eq!(ready.status().as_u16(), 200);
    assert_eq!(ready.json::<Value>().await.unwrap()["status"], "ready");
    // The admin endpoints are not on the public port.
    expect_error(app.get("/metrics").await, 404, "NOT-FOUND").await;
}

async fn metrics_count_traffic_by_route_template(backend: Backend) {
    let app = spawn_app(backend).await;
    app.post_comment(&alice_first_post()).await;
    app.post_comment(&alice_first_post()).await;
    app.list_comments("1", "").await;
    app.list_comments("2", "").await;
    app.get("/no/such/path").await;
    app.get("/openapi.json").await;

    let resp = app.get_admin("/metrics").await;
    assert_eq!(resp.status().as_u16(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let text = resp.text().await.unwrap();
    for expected in [
        r#"http_requests_total{method="POST",route="/api/comment/new",status="201"} 1"#,
        r#"http_requests_total{method="POST",route="/api/comment/new",status="200"} 1"#,
        r#"http_requests_total{method="GET",route="/api/comment/list/{content_id}",status="200"} 1"#,
        r#"http_requests_total{method="GET",route="/api/comment/list/{content_id}",status="404"} 1"#,
        r#"http_requests_total{method="GET",route="unmatched",status="404"} 1"#,
        r#"http_requests_total{method="GET",route="/openapi.json",status="200"} 1"#,
        r#"http_request_duration_seconds_count{method="POST",route="/api/comment/new"} 2"#,
        "comments_created_total 1",
        "comments_duplicates_total 1",
        "db_pool_max_connections 8",
        r#"db_pool_connections{state="idle"}"#,
        "comments_api_build_info{",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(
        !text.contains("/api/comment/list/1\""),
        "raw paths must never become labels"
    );
}

async fn readiness_fails_and_writes_answer_503_when_the_database_goes_away(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(app.get_admin("/readyz").await.status().as_u16(), 200);

    app.make_database_unreachable().await;

    let ready = app.get_admin("/readyz").await;
    assert_eq!(ready.status().as_u16(), 503);
    assert_eq!(ready.json::<Value>().await.unwrap()["status"], "not-ready");
    let message = expect_error(
        app.post_comment(&alice_first_post()).await,
        503,
        "UNAVAILABLE",
    )
    .await;
    assert_eq!(message, "the database is unavailable, retry later");
    // Liveness does not depend on the database: restarting would not help.
    assert_eq!(app.get_admin("/healthz").await.status().as_u16(), 200);
}
