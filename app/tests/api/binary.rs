//! The real binary: configuration errors, `migrate`, and SIGTERM with a clean exit.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_comments-api");

fn command(db_dir: &tempfile::TempDir) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env(
            "APP_DATABASE__URL",
            format!(
                "sqlite://{}?mode=rwc",
                db_dir.path().join("bin.db").display()
            ),
        )
        .env("APP_SERVER__HOST", "127.0.0.1")
        .env("APP_SERVER__PORT", "0")
        .env("APP_SERVER__ADMIN_PORT", "0")
        .env("APP_LOG__FORMAT", "json");
    cmd
}

#[test]
fn a_bad_setting_exits_non_zero_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = command(&dir)
        .env("APP_DATABASE__MAX_CONNECTIONS", "many")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.to_lowercase().contains("database.max_connections"),
        "{stderr}"
    );

    let out = command(&dir)
        .env("APP_DATABASE__URL", "postgres://app:hunter2@127.0.0.1:1/x")
        .env("APP_DATABASE__CONNECT_TIMEOUT_MS", "500")
        .env("APP_DATABASE__ACQUIRE_TIMEOUT_MS", "500")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "an unreachable database is fatal at start"
    );
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("hunter2"), "the password leaked: {all}");
    assert!(all.contains("REDACTED"), "{all}");
}

#[test]
fn version_and_migrate_work() {
    let dir = tempfile::tempdir().unwrap();
    let out = command(&dir).arg("--version").output().unwrap();
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .starts_with(&format!("comments-api {}", env!("CARGO_PKG_VERSION")))
    );
    for _ in 0..2 {
        let out = command(&dir).arg("migrate").output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[tokio::test]
async fn sigterm_drains_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = command(&dir)
        .arg("serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines_tx, lines_rx) = std::sync::mpsc::channel::<Value>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(json) = serde_json::from_str::<Value>(&line) {
                let _ = lines_tx.send(json);
            }
        }
    });
    let listening = loop {
        let line = lines_rx
            .recv_timeout(Duration::from_secs(20))
            .expect("a 'listening' log line");
        if line["message"] == "listening" {
            break line;
        }
    };
    let public = listening["public"].as_str().unwrap().to_owned();
    let client = reqwest::Client::new();
    let resp = client
        .post(format!("http://{public}/api/comment/new"))
        .json(&serde_json::json!({"email": "sig@example.com", "comment": "hi", "content_id": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    assert!(resp.headers().contains_key("x-request-id"));

    let access = loop {
        let line = lines_rx
            .recv_timeout(Duration::from_secs(5))
            .expect("an access log line");
        if line["target"] == "access" {
            break line;
        }
    };
    assert_eq!(access["route"], "/api/comment/new");
    assert_eq!(access["status"], 201);
    assert!(access["latency_ms"].as_f64().is_some());
    assert!(access["span"]["request_id"].as_str().is_some(), "{access}");

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
}
