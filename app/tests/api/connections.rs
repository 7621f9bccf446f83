//! The connection layer: timeouts, the connection cap, oversized bodies a client writes before
//! reading, and answers to requests too malformed to reach the API. None of it touches the
//! database, so these run on SQLite only.

use std::time::{Duration, Instant};

use figment::Figment;
use figment::providers::Serialized;
use tokio::io::AsyncWriteExt;

use crate::helpers::{Backend, TestApp, spawn_app_with};
use crate::raw::{closed_within, connect, exchange, get, read_response};

async fn app_with(settings: &[(&str, u64)]) -> TestApp {
    let mut figment = Figment::new();
    for (key, value) in settings {
        figment = figment.merge(Serialized::default(key, value));
    }
    spawn_app_with(Backend::Sqlite, figment).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_header_sender_is_cut_off_while_others_are_served() {
    let app = app_with(&[("server.header_read_timeout_secs", 1)]).await;
    let mut slow = connect(&app.address).await;
    let started = Instant::now();
    let trickle = async {
        for byte in
            b"GET /api/comment/list/1 HTTP/1.1\r\nHost: test\r\nX-Slow: aaaaaaaaaaaaaaaaaaaa"
        {
            if slow.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let served = async {
        // Another client is answered meanwhile.
        tokio::time::sleep(Duration::from_millis(300)).await;
        exchange(&app.address, &get("/api/comment/list/1")).await
    };
    let ((), other) = tokio::join!(trickle, served);
    assert_eq!(other.status, 404);
    assert!(
        closed_within(&mut slow, Duration::from_secs(2)).await,
        "the slow sender is still connected"
    );
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(4),
        "cut after {took:?}, the header timeout is 1 s"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_connection_is_closed_at_the_header_timeout() {
    let app = app_with(&[("server.header_read_timeout_secs", 1)]).await;
    let mut silent = connect(&app.address).await;
    assert!(closed_within(&mut silent, Duration::from_secs(3)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_never_completes_gets_408() {
    let app = app_with(&[("server.body_read_timeout_secs", 1)]).await;
    let mut stream = connect(&app.address).await;
    stream
        .write_all(
            b"POST /api/comment/new HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
              Content-Length: 10\r\n\r\n{\"a\":",
        )
        .await
        .unwrap();
    let started = Instant::now();
    let resp = tokio::time::timeout(Duration::from_secs(5), read_response(&mut stream))
        .await
        .expect("answered within the body timeout")
        .expect("a response");
    assert_eq!(resp.status, 408);
    assert_eq!(resp.json()["status"], "INVALID");
    assert!(resp.closes(), "a 408 closes the connection");
    assert!(started.elapsed() >= Duration::from_millis(900));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed_after_the_keep_alive_timeout() {
    let app = app_with(&[
        ("server.keep_alive_timeout_secs", 2),
        ("server.header_read_timeout_secs", 1),
    ])
    .await;
    let mut stream = connect(&app.address).await;
    stream.write_all(&get("/api/comment/list/1")).await.unwrap();
    assert_eq!(read_response(&mut stream).await.unwrap().status, 404);
    // Idle longer than the header timeout: still open, the keep-alive timeout applies.
    assert!(!closed_within(&mut stream, Duration::from_millis(1500)).await);
    stream.write_all(&get("/api/comment/list/2")).await.unwrap();
    assert_eq!(read_response(&mut stream).await.unwrap().status, 404);
    assert!(closed_within(&mut stream, Duration::from_secs(4)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_cap_wait_for_a_free_slot() {
    let app = app_with(&[("server.max_connections", 2)]).await;
    let mut first = connect(&app.address).await;
    first.write_all(&get("/api/comment/list/1")).await.unwrap();
    assert_eq!(read_response(&mut first).await.unwrap().status, 404);
    let mut second = connect(&app.address).await;
    second.write_all(&get("/api/comment/list/1")).await.unwrap();
    assert_eq!(read_response(&mut second).await.unwrap().status, 404);

    let mut third = connect(&app.address).await;
    third.write_all(&get("/api/comment/list/1")).await.unwrap();
    assert!(
        tokio::time::timeout(Duration::from_millis(500), read_response(&mut third))
            .await
            .is_err(),
        "a third connection was served beyond a cap of 2"
    );
    drop(first);
    let resp = tokio::time::timeout(Duration::from_secs(5), read_response(&mut third))
        .await
        .expect("served once a slot is free")
        .unwrap();
    assert_eq!(resp.status, 404);
}

/// A client that writes the whole body before reading (Python's urllib does) must read its 413,
/// not a reset: the server discards what it still sends before closing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_body_written_before_reading_still_gets_its_413() {
    let app = app_with(&[]).await;
    let addr = app.address.trim_start_matches("http://").to_owned();
    let outcomes = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let body = vec![b'x'; 2 * 1024 * 1024];
        (0..20)
            .map(|_| {
                let mut stream = std::net::TcpStream::connect(&addr).unwrap();
                let head = format!(
                    "POST /api/comment/new HTTP/1.1\r\nHost: test\r\nContent-Type: \
                     application/json\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                // The body trails the head a little, as over a real network: the 413 is
                // decided (and, without lingering, the socket closed) before the body arrives.
                let sent = stream.write_all(head.as_bytes()).and_then(|()| {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    stream.write_all(&body)
                });
                // Like urllib: a failed write (a reset, a broken pipe) ends the try unread.
                if let Err(err) = sent {
                    return Err(format!("writing the body failed: {err}"));
                }
                let mut answer = Vec::new();
                let read = stream.read_to_end(&mut answer);
                let text = String::from_utf8_lossy(&answer).into_owned();
                if text.starts_with("HTTP/1.1 413") && text.contains("PAYLOAD-TOO-LARGE") {
                    Ok(())
                } else {
                    Err(format!("read: {read:?}, answer: {text:?}"))
                }
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    let failures: Vec<_> = outcomes.into_iter().filter_map(Result::err).collect();
    assert!(
        failures.is_empty(),
        "{} of 20 tries did not read the 413: {:?}",
        failures.len(),
        failures.first()
    );
}

/// What hyper refuses before the API sees it still answers the JSON envelope, and is counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unparseable_requests_get_the_json_envelope_and_are_counted() {
    let app = app_with(&[]).await;
    let long_uri = format!("/api/comment/list/1?q={}", "a".repeat(100_000));
    let big_header = format!(
        "GET /api/comment/list/1 HTTP/1.1\r\nHost: test\r\nX-Big: {}\r\n\r\n",
        "b".repeat(100_000)
    );
    let many_headers = format!(
        "GET /api/comment/list/1 HTTP/1.1\r\nHost: test\r\n{}\r\n",
        (0..10_000)
            .map(|i| format!("X-H{i}: v\r\n"))
            .collect::<String>()
    );
    let cases: [(&[u8], u16); 4] = [
        (&get(&long_uri), 414),
        (big_header.as_bytes(), 431),
        (many_headers.as_bytes(), 431),
        (b"NOT HTTP AT ALL\r\n\r\n", 400),
    ];
    for (request, status) in cases {
        let resp = exchange(&app.address, request).await;
        assert_eq!(
            resp.status,
            status,
            "{:?}...: {resp:?}",
            String::from_utf8_lossy(&request[..40])
        );
        assert!(
            resp.header("content-type")
                .is_some_and(|ct| ct.starts_with("application/json")),
            "{status}: {:?}",
            resp.headers
        );
        let body = resp.json();
        assert_eq!(body["status"], "INVALID", "{body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let metrics = app.get_admin("/metrics").await.text().await.unwrap();
    for expected in [
        r#"http_requests_total{method="unknown",route="unparsed",status="414"} 1"#,
        r#"http_requests_total{method="unknown",route="unparsed",status="431"} 2"#,
        r#"http_requests_total{method="unknown",route="unparsed",status="400"} 1"#,
    ] {
        assert!(
            metrics.contains(expected),
            "missing {expected} in\n{metrics}"
        );
    }
}
