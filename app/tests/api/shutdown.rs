//! Graceful shutdown: readiness flips first, in-flight requests complete, the server stops.

use std::time::{Duration, Instant};

use figment::Figment;
use figment::providers::Serialized;
use serde_json::Value;

use crate::helpers::{Backend, comment, spawn_app, spawn_app_with};
use crate::on_both_databases;
use crate::raw::{get, read_response};

on_both_databases!(
    in_flight_requests_complete_after_shutdown_starts,
    the_grace_period_bounds_a_stuck_request,
);

async fn in_flight_requests_complete_after_shutdown_starts(backend: Backend) {
    let mut app = spawn_app(backend).await;
    let (_other, lock) = app.block_writes(backend).await;

    let body = comment("slow@example.com", "in flight", 4);
    let client = app.client.clone();
    let url = format!("{}/api/comment/new", app.address);
    let in_flight = tokio::spawn(async move { client.post(url).json(&body).send().await });
    app.wait_until_in_flight(1).await;

    app.begin_shutdown();
    // Readiness turns false first, while the request is still being served.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let ready = app.get_admin("/readyz").await;
        if ready.status().as_u16() == 503 {
            assert_eq!(ready.json::<Value>().await.unwrap()["reason"], "draining");
            break;
        }
        assert!(Instant::now() < deadline, "readiness never turned false");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        !in_flight.is_finished(),
        "the request must still be waiting on the lock"
    );

    lock.rollback().await.expect("release the lock");
    let resp = in_flight
        .await
        .unwrap()
        .expect("the in-flight request is answered");
    assert_eq!(resp.status().as_u16(), 201);

    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(10), app.stopped())
        .await
        .expect("the server stops once drained")
        .expect("a clean stop");
    assert!(started.elapsed() < Duration::from_secs(10));
    // The listener is gone: new requests are refused.
    assert!(
        app.client
            .get(format!("{}/api/comment/list/4", app.address))
            .send()
            .await
            .is_err()
    );
}

async fn the_grace_period_bounds_a_stuck_request(backend: Backend) {
    let mut app = spawn_app_with(
        backend,
        Figment::from(Serialized::default("server.shutdown_grace_secs", 1)),
    )
    .await;
    let (_other, lock) = app.block_writes(backend).await;
    let body = comment("stuck@example.com", "never finishes in time", 4);
    let client = app.client.clone();
    let url = format!("{}/api/comment/new", app.address);
    let _stuck = tokio::spawn(async move { client.post(url).json(&body).send().await });
    app.wait_until_in_flight(1).await;

    let started = Instant::now();
    app.begin_shutdown();
    tokio::time::timeout(Duration::from_secs(8), app.stopped())
        .await
        .expect("the grace period bounds the shutdown")
        .expect("a clean stop even when a request was cut");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900),
        "waited the grace: {took:?}"
    );
    drop(lock);
}

/// Clients reusing keep-alive connections as fast as they can across a shutdown: every request
/// they send is answered. During the delay every answer says `Connection: close`, so clients
/// reconnect (and are still served); idle connections close only between requests; connections
/// already queued when the listener closes are served too. The first failure a client meets after
/// the listener is gone is a refused connect, before anything was sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_clients_lose_no_request_across_shutdown() {
    let mut app = spawn_app_with(
        Backend::Sqlite,
        Figment::from(Serialized::default("server.shutdown_delay_secs", 1)),
    )
    .await;
    let addr = app.address.trim_start_matches("http://").to_owned();
    let clients: Vec<_> = (0..6)
        .map(|_| {
            let addr = addr.clone();
            tokio::spawn(async move { hammer(&addr).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.begin_shutdown();
    let mut answered = 0;
    let mut closes = 0;
    let mut failures = Vec::new();
    for client in clients {
        let outcome = tokio::time::timeout(Duration::from_secs(20), client)
            .await
            .expect("clients stop once the listener is gone")
            .unwrap();
        answered += outcome.answered;
        closes += outcome.closes;
        failures.extend(outcome.failures);
    }
    assert!(
        failures.is_empty(),
        "{} requests sent and not answered ({answered} answered): {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    assert!(answered > 100, "only {answered} requests answered");
    assert!(
        closes > 0,
        "no answer carried `Connection: close` while draining"
    );
    app.stopped().await.expect("a clean stop");
}

#[derive(Default)]
struct Hammered {
    answered: usize,
    closes: usize,
    failures: Vec<String>,
}

/// Sends GETs back to back on one keep-alive connection, reconnecting when told to close, until a
/// connect is refused.
async fn hammer(addr: &str) -> Hammered {
    use tokio::io::AsyncWriteExt;
    let mut outcome = Hammered::default();
    let mut stream = None;
    loop {
        let conn = match stream.take() {
            Some(conn) => conn,
            None => match tokio::net::TcpStream::connect(addr).await {
                Ok(conn) => conn,
                Err(_) => return outcome,
            },
        };
        let mut conn = conn;
        if let Err(err) = conn.write_all(&get("/api/comment/list/1")).await {
            outcome.failures.push(format!("write: {err}"));
            continue;
        }
        match read_response(&mut conn).await {
            None => outcome
                .failures
                .push("connection closed without an answer".into()),
            Some(resp) => {
                if resp.status != 404 {
                    outcome.failures.push(format!("status {}", resp.status));
                }
                outcome.answered += 1;
                if resp.closes() {
                    outcome.closes += 1;
                } else {
                    stream = Some(conn);
                }
            }
        }
    }
}
