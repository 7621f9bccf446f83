//! An in-memory stand-in for the comments API on 127.0.0.1, with knobs to make it misbehave:
//! slow, serialised, losing writes, not deduplicating, or answering empty lists.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::{Data, Json, Path, Query};
use poem::{EndpointExt, Response, Route, Server, get, handler, post};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Added to every answer.
    pub delay: Duration,
    /// Handle one request at a time (a server that queues).
    pub serialise: bool,
    /// Acknowledge but do not store every n-th new comment.
    pub lose_every: Option<u64>,
    /// Store identical comments again instead of answering the existing id.
    pub no_dedup: bool,
    /// Answer lists with an empty array.
    pub empty_lists: bool,
}

#[derive(Debug, Clone)]
struct Row {
    id: i64,
    email: String,
    comment: String,
}

#[derive(Default)]
struct Store {
    next_id: i64,
    created: u64,
    by_content: HashMap<u64, Vec<Row>>,
    by_key: HashMap<(u64, String, String), i64>,
}

struct State {
    faults: Faults,
    store: Mutex<Store>,
    queue: tokio::sync::Mutex<()>,
}

#[derive(Deserialize)]
struct NewComment {
    email: String,
    comment: String,
    content_id: u64,
}

#[derive(Deserialize)]
struct ListQuery {
    limit: Option<usize>,
    cursor: Option<String>,
}

fn json_response(status: StatusCode, body: &serde_json::Value) -> Response {
    Response::builder()
        .status(status)
        .content_type("application/json")
        .body(body.to_string())
}

async fn fault_delay(state: &State) -> Option<tokio::sync::MutexGuard<'_, ()>> {
    let guard = if state.faults.serialise {
        Some(state.queue.lock().await)
    } else {
        None
    };
    if !state.faults.delay.is_zero() {
        tokio::time::sleep(state.faults.delay).await;
    }
    guard
}

#[handler]
async fn create(state: Data<&Arc<State>>, Json(body): Json<NewComment>) -> Response {
    let _queue = fault_delay(&state).await;
    let mut store = state.store.lock().unwrap();
    let key = (body.content_id, body.email.clone(), body.comment.clone());
    if !state.faults.no_dedup
        && let Some(&id) = store.by_key.get(&key)
    {
        return json_response(
            StatusCode::OK,
            &json!({"status": "SUCCESS", "message": format!("comment already exists for content_id {}", body.content_id), "id": id}),
        );
    }
    store.next_id += 1;
    store.created += 1;
    let id = store.next_id;
    let lose = state
        .faults
        .lose_every
        .is_some_and(|n| store.created.is_multiple_of(n));
    if !lose {
        store.by_key.insert(key, id);
        store
            .by_content
            .entry(body.content_id)
            .or_default()
            .push(Row {
                id,
                email: body.email,
                comment: body.comment,
            });
    }
    json_response(
        StatusCode::CREATED,
        &json!({"status": "SUCCESS", "message": format!("comment created and associated with content_id {}", body.content_id), "id": id}),
    )
}

#[handler]
async fn list(
    state: Data<&Arc<State>>,
    Path(content_id): Path<u64>,
    Query(q): Query<ListQuery>,
) -> Response {
    let _queue = fault_delay(&state).await;
    let store = state.store.lock().unwrap();
    let Some(rows) = store.by_content.get(&content_id) else {
        return json_response(
            StatusCode::NOT_FOUND,
            &json!({"status": "NOT-FOUND", "message": format!("content_id {content_id} not found")}),
        );
    };
    if state.faults.empty_lists {
        return json_response(StatusCode::OK, &json!([]));
    }
    let start: usize = q.cursor.as_deref().map_or(0, |c| c.parse().unwrap());
    let limit = q.limit.unwrap_or(100).min(500);
    let page: Vec<_> = rows
        .iter()
        .skip(start)
        .take(limit)
        .map(|r| json!({"id": r.id, "email": r.email, "comment": r.comment, "created_at": "2026-01-01T00:00:00Z"}))
        .collect();
    let mut response = json_response(StatusCode::OK, &serde_json::Value::Array(page));
    if start + limit < rows.len() {
        response.headers_mut().insert(
            "x-next-cursor",
            (start + limit).to_string().parse().unwrap(),
        );
    }
    response
}

/// A running fake; dropping it stops the server.
pub struct FakeApi {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl FakeApi {
    pub async fn start(faults: Faults) -> Self {
        let state = Arc::new(State {
            faults,
            store: Mutex::default(),
            queue: tokio::sync::Mutex::new(()),
        });
        let app = Route::new()
            .at("/api/comment/new", post(create))
            .at("/api/comment/list/:content_id", get(list))
            .data(state);
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .unwrap();
        let addr = *acceptor.local_addr()[0].as_socket_addr().unwrap();
        let task = tokio::spawn(async move {
            let _ = Server::new_with_acceptor(acceptor).run(app).await;
        });
        Self { addr, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for FakeApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}
