//! The admin port: liveness, readiness (database reachable, not draining) and metrics.

use std::time::{Duration, Instant};

use sea_orm::ConnectionTrait;
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

fn retry_after(resp: &reqwest::Response) -> Option<u64> {
    resp.headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

/// PostgreSQL refusing connections to the service's database: readiness fails, requests are
/// refused at once, and they are served again as soon as the database answers, without waiting
/// for a readiness probe.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_resumes_as_soon_as_the_database_answers_again() {
    let app = spawn_app(Backend::Postgres).await;
    assert_eq!(app.post_comment(&alice_first_post()).await.status(), 201);
    let mut url = url::Url::parse(&app.db.url).unwrap();
    let name = url.path().trim_start_matches('/').to_owned();
    url.set_path("template1");
    let admin = sea_orm::Database::connect(url.as_str())
        .await
        .expect("admin connection");
    let allow = |on: bool| {
        format!(
            "ALTER DATABASE {name} ALLOW_CONNECTIONS {on}; \
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        )
    };
    admin
        .execute_unprepared(&allow(false))
        .await
        .expect("cut the database off");
    assert_eq!(app.get_admin("/readyz").await.status().as_u16(), 503);
    let started = Instant::now();
    expect_error(app.list_comments("1", "").await, 503, "UNAVAILABLE").await;
    assert!(started.elapsed() < Duration::from_millis(500));

    admin
        .execute_unprepared(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
        .await
        .expect("let the service back in");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let status = app.list_comments("1", "").await.status().as_u16();
        if status == 200 {
            break;
        }
        assert_eq!(status, 503);
        assert!(
            Instant::now() < deadline,
            "still refused 5 s after the database came back"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn readiness_fails_and_writes_answer_503_when_the_database_goes_away(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(app.get_admin("/readyz").await.status().as_u16(), 200);

    app.make_database_unreachable().await;

    let ready = app.get_admin("/readyz").await;
    assert_eq!(ready.status().as_u16(), 503);
    assert_eq!(retry_after(&ready), Some(2), "every 503 says when to retry");
    assert_eq!(ready.json::<Value>().await.unwrap()["status"], "not-ready");
    // Readiness knows the database is down: requests are refused at once, not after the pool's
    // 3 s acquire timeout each.
    let started = Instant::now();
    for _ in 0..3 {
        let resp = app.post_comment(&alice_first_post()).await;
        assert_eq!(retry_after(&resp), Some(2), "every 503 says when to retry");
        let message = expect_error(resp, 503, "UNAVAILABLE").await;
        assert_eq!(message, "the database is unavailable, retry later");
        let resp = app.list_comments("1", "").await;
        assert_eq!(retry_after(&resp), Some(2));
        expect_error(resp, 503, "UNAVAILABLE").await;
    }
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "6 refusals took {took:?}");
    // Liveness does not depend on the database: restarting would not help.
    assert_eq!(app.get_admin("/healthz").await.status().as_u16(), 200);
}
