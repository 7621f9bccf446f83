//! `comments-api smoke <url>`, the deploy's PostSync check: it passes against the real service on
//! both databases (as the binary the Job runs, and again on a second sync), and it fails, naming the
//! step, when the service is down or answers wrongly.

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use comments_api::smoke::{self, CONTENT_ID_BASE, EMAIL, Target};
use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::{Data, Json, Path};
use poem::{EndpointExt, IntoResponse, Response, Route, get, handler, post};
use serde_json::{Value, json};

use crate::helpers::{Backend, spawn_app};
use crate::on_both_databases;

const BIN: &str = env!("CARGO_BIN_EXE_comments-api");

on_both_databases!(
    the_binary_passes_against_the_service,
    a_second_sync_passes_and_leaves_one_row_per_run,
);

fn smoke_binary(args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .arg("smoke")
        .args(args)
        .args(["--timeout-secs", "5"])
        .env_clear()
        .output()
        .expect("run comments-api smoke")
}

async fn the_binary_passes_against_the_service(backend: Backend) {
    let app = spawn_app(backend).await;
    let (api, admin) = (app.address.clone(), app.admin_address.clone());
    let out = tokio::task::spawn_blocking(move || smoke_binary(&[&api, "--admin-url", &admin]))
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for step in ["readyz", "post", "list", "duplicate", "not-found"] {
        assert!(stdout.contains(&format!("smoke: ok {step}")), "{stdout}");
    }
    // The trace it leaves: one comment by the smoke author, in the smoke range.
    let content_id: i64 = stdout
        .split("content_id ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no content_id in {stdout}"));
    assert!(content_id >= CONTENT_ID_BASE && content_id % 2 == 0);
    let listed: Value = app
        .list_comments(&content_id.to_string(), "")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["email"], EMAIL);
    assert!(
        listed[0]["comment"]
            .as_str()
            .unwrap()
            .starts_with("comments-api smoke check")
    );
}

async fn a_second_sync_passes_and_leaves_one_row_per_run(backend: Backend) {
    let app = spawn_app(backend).await;
    let target = Target::new(
        &app.address,
        Some(&app.admin_address),
        Duration::from_secs(5),
    )
    .unwrap();
    let first = smoke::run(&target, smoke::run_content_id(), "test")
        .await
        .unwrap();
    let second = smoke::run(&target, first.content_id + 2, "test")
        .await
        .unwrap();
    assert_ne!(first.comment_id, second.comment_id);
    for run in [&first, &second] {
        let listed: Value = app
            .list_comments(&run.content_id.to_string(), "")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    }
    // Even if a run repeats a content id (a retried Job in the same millisecond), the duplicate
    // check still holds: the repeat of an existing comment is not a new row.
    let again = smoke::run(&target, first.content_id, "test")
        .await
        .unwrap_err();
    assert_eq!(again.step, "post", "{again}");
}

#[tokio::test]
async fn a_service_that_is_down_fails_at_readyz() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let out = tokio::task::spawn_blocking(move || smoke_binary(&[&url, "--admin-url", &url]))
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("smoke: FAILED smoke check failed at readyz: request failed"),
        "{stderr}"
    );
}

/// How the fake service misbehaves.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    /// None: answers like the real service.
    None,
    /// Every POST creates a new row (no duplicate protection).
    DuplicateRows,
    /// The list never contains what was posted.
    ListLosesComments,
    /// An unknown content id answers 200 with an empty list instead of 404.
    EmptyListInsteadOf404,
    /// /readyz answers 503 (the database is unreachable).
    NotReady,
}

struct Fake {
    fault: Fault,
    next_id: AtomicI64,
    last: std::sync::Mutex<Option<Value>>,
}

#[handler]
fn fake_readyz(fake: Data<&Arc<Fake>>) -> Response {
    let status = if fake.fault == Fault::NotReady {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    Json(json!({"status": "ready"}))
        .with_status(status)
        .into_response()
}

#[handler]
fn fake_post(fake: Data<&Arc<Fake>>, body: Json<Value>) -> Response {
    let content_id = body["content_id"].as_i64().unwrap();
    let mut last = fake.last.lock().unwrap();
    let repeat = last.as_ref() == Some(&body.0) && fake.fault != Fault::DuplicateRows;
    *last = Some(body.0.clone());
    let id = if repeat {
        fake.next_id.load(Ordering::SeqCst)
    } else {
        fake.next_id.fetch_add(1, Ordering::SeqCst) + 1
    };
    let (status, message) = if repeat {
        (
            StatusCode::OK,
            format!("comment already exists for content_id {content_id}"),
        )
    } else {
        (
            StatusCode::CREATED,
            format!("comment created and associated with content_id {content_id}"),
        )
    };
    Json(json!({"status": "SUCCESS", "message": message, "id": id}))
        .with_status(status)
        .into_response()
}

#[handler]
fn fake_list(fake: Data<&Arc<Fake>>, Path(content_id): Path<i64>) -> Response {
    let last = fake.last.lock().unwrap().clone();
    let posted = last.filter(|body| body["content_id"] == content_id);
    match (posted, fake.fault) {
        (Some(_), Fault::ListLosesComments) => Json(json!([])).into_response(),
        (Some(body), _) => {
            Json(json!([{"email": body["email"], "comment": body["comment"]}])).into_response()
        }
        (None, Fault::EmptyListInsteadOf404) => Json(json!([])).into_response(),
        (None, _) => Json(
            json!({"status": "NOT-FOUND", "message": format!("content_id {content_id} not found")}),
        )
        .with_status(StatusCode::NOT_FOUND)
        .into_response(),
    }
}

/// A small HTTP server that answers like the service, but for one fault.
async fn fake_service(fault: Fault) -> String {
    let fake = Arc::new(Fake {
        fault,
        next_id: AtomicI64::new(0),
        last: std::sync::Mutex::new(None),
    });
    let app = Route::new()
        .at("/readyz", get(fake_readyz))
        .at("/api/comment/new", post(fake_post))
        .at("/api/comment/list/:content_id", get(fake_list))
        .data(fake);
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .unwrap();
    let addr = acceptor.local_addr()[0].as_socket_addr().copied().unwrap();
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(app));
    format!("http://{addr}")
}

async fn smoke_against(fault: Fault) -> smoke::SmokeError {
    let url = fake_service(fault).await;
    let target = Target::new(&url, Some(&url), Duration::from_secs(5)).unwrap();
    smoke::run(&target, smoke::run_content_id(), "test")
        .await
        .expect_err("the smoke check must fail against a faulty service")
}

#[tokio::test]
async fn wrong_answers_fail_naming_the_step() {
    let err = smoke_against(Fault::NotReady).await;
    assert_eq!(
        (err.step, err.detail.as_str()),
        ("readyz", "expected HTTP 200, got 503")
    );

    let err = smoke_against(Fault::ListLosesComments).await;
    assert_eq!(err.step, "list", "{err}");
    assert!(err.detail.contains("found it 0 times"), "{err}");

    let err = smoke_against(Fault::DuplicateRows).await;
    assert_eq!(err.step, "duplicate", "{err}");
    assert!(err.detail.contains("expected HTTP 200, got 201"), "{err}");

    let err = smoke_against(Fault::EmptyListInsteadOf404).await;
    assert_eq!(err.step, "not-found", "{err}");
    assert!(err.detail.contains("expected HTTP 404, got 200"), "{err}");
}

#[tokio::test]
async fn the_fake_passes_when_it_behaves() {
    // The failure tests above mean something only if the fake passes without a fault.
    let url = fake_service(Fault::None).await;
    let target = Target::new(&url, Some(&url), Duration::from_secs(5)).unwrap();
    let report = smoke::run(&target, smoke::run_content_id(), "test").await;
    assert!(report.is_ok(), "{report:?}");
}
