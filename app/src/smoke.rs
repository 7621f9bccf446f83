//! `comments-api smoke <url>`: the post-deploy check the Argo CD PostSync hook runs in every
//! environment, with the service's own image (no second image to build, sign and promote).
//!
//! It replays the original challenge's curl sequence against a running service and checks every
//! answer: `/readyz` on the admin port, a new comment (201), the list (200, the comment in it), the
//! identical comment again (200, same id: no duplicate row), the list again (still one), and a content
//! id nobody posted to (404). Each run writes under its own content id in a range real clients never
//! use (>= [`CONTENT_ID_BASE`]), with a recognisable author [`EMAIL`], so its rows can be told apart
//! (and deleted) later. The first wrong answer stops the run with a message naming the step.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

/// Smoke content ids start here (about 9.0e18, i64::MAX is 9.22e18): far above any article id.
/// A run posts to an even id and expects the odd id after it to be empty; smoke runs never post to
/// odd ids, so that 404 cannot be spoiled by an earlier run.
pub const CONTENT_ID_BASE: i64 = 9_000_000_000_000_000_000;
/// The author of every smoke comment (a reserved `.invalid` domain: nobody can own it).
pub const EMAIL: &str = "smoke-check@comments-platform.invalid";

/// Where the service answers: the public API and the admin listener (for `/readyz`).
#[derive(Debug, Clone)]
pub struct Target {
    pub api: String,
    pub admin: String,
    pub timeout: Duration,
}

impl Target {
    /// `api` such as `http://comments-api:8080`; the admin URL defaults to the same host on 9090.
    pub fn new(api: &str, admin: Option<&str>, timeout: Duration) -> Result<Self, SmokeError> {
        let api = api.trim_end_matches('/').to_owned();
        let admin = match admin {
            Some(admin) => admin.trim_end_matches('/').to_owned(),
            None => {
                let mut url = url::Url::parse(&api)
                    .map_err(|err| SmokeError::new("arguments", format!("{api:?}: {err}")))?;
                url.set_port(Some(9090))
                    .map_err(|()| SmokeError::new("arguments", format!("{api:?} has no host")))?;
                url.as_str().trim_end_matches('/').to_owned()
            }
        };
        Ok(Self {
            api,
            admin,
            timeout,
        })
    }
}

/// The first check that failed, and why.
#[derive(Debug, thiserror::Error)]
#[error("smoke check failed at {step}: {detail}")]
pub struct SmokeError {
    pub step: &'static str,
    pub detail: String,
}

impl SmokeError {
    fn new(step: &'static str, detail: impl Into<String>) -> Self {
        Self {
            step,
            detail: detail.into(),
        }
    }
}

/// What a passing run did: one line per step, and the content id it wrote under.
#[derive(Debug)]
pub struct Report {
    pub content_id: i64,
    pub comment_id: i64,
    pub lines: Vec<String>,
}

/// A fresh even content id in the smoke range (milliseconds since the epoch, doubled).
pub fn run_content_id() -> i64 {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis());
    CONTENT_ID_BASE + 2 * i64::try_from(millis % 10_000_000_000_000).unwrap_or(0)
}

/// Runs the whole sequence under `content_id` (even, in the smoke range; see [`run_content_id`]).
pub async fn run(target: &Target, content_id: i64, marker: &str) -> Result<Report, SmokeError> {
    let client = reqwest::Client::builder()
        .timeout(target.timeout)
        .build()
        .map_err(|err| SmokeError::new("client", err.to_string()))?;
    let mut lines = Vec::new();
    let text = format!("comments-api smoke check {marker} (run {content_id})");
    let body = json!({"email": EMAIL, "comment": text, "content_id": content_id});

    let (status, _) = call("readyz", client.get(format!("{}/readyz", target.admin))).await?;
    expect_status("readyz", status, 200)?;
    lines.push(format!("readyz: {status}"));

    let create = client.post(format!("{}/api/comment/new", target.api));
    let (status, created) = call("post", create.json(&body)).await?;
    expect_status("post", status, 201)?;
    let id = expect_success(
        "post",
        &created,
        &format!("comment created and associated with content_id {content_id}"),
    )?;
    lines.push(format!("post: {status}, id {id}, content_id {content_id}"));

    let list_url = format!("{}/api/comment/list/{content_id}", target.api);
    let (status, listed) = call("list", client.get(&list_url)).await?;
    expect_status("list", status, 200)?;
    expect_listed_once("list", &listed, &text)?;
    lines.push(format!("list: {status}, the comment is there"));

    let repeat = client.post(format!("{}/api/comment/new", target.api));
    let (status, repeated) = call("duplicate", repeat.json(&body)).await?;
    expect_status("duplicate", status, 200)?;
    let same = expect_success(
        "duplicate",
        &repeated,
        &format!("comment already exists for content_id {content_id}"),
    )?;
    if same != id {
        return Err(SmokeError::new(
            "duplicate",
            format!("the repeat answered id {same}, the original was {id}"),
        ));
    }
    let (_, listed) = call("duplicate", client.get(&list_url)).await?;
    expect_listed_once("duplicate", &listed, &text)?;
    lines.push(format!("duplicate: {status}, same id {id}, still one row"));

    let missing = content_id + 1;
    let missing_url = format!("{}/api/comment/list/{missing}", target.api);
    let (status, answer) = call("not-found", client.get(&missing_url)).await?;
    expect_status("not-found", status, 404)?;
    let expected =
        json!({"status": "NOT-FOUND", "message": format!("content_id {missing} not found")});
    if answer != expected {
        return Err(SmokeError::new(
            "not-found",
            format!("expected {expected}, got {answer}"),
        ));
    }
    lines.push(format!("not-found: {status} for content_id {missing}"));

    Ok(Report {
        content_id,
        comment_id: id,
        lines,
    })
}

async fn call(
    step: &'static str,
    request: reqwest::RequestBuilder,
) -> Result<(u16, Value), SmokeError> {
    let response = request
        .send()
        .await
        .map_err(|err| SmokeError::new(step, format!("request failed: {err}")))?;
    let status = response.status().as_u16();
    let text = response
        .text()
        .await
        .map_err(|err| SmokeError::new(step, format!("reading the body: {err}")))?;
    let value = serde_json::from_str(&text).map_err(|_| {
        SmokeError::new(
            step,
            format!("HTTP {status} answered a body that is not JSON: {text:.200}"),
        )
    })?;
    Ok((status, value))
}

fn expect_status(step: &'static str, got: u16, want: u16) -> Result<(), SmokeError> {
    if got == want {
        Ok(())
    } else {
        Err(SmokeError::new(
            step,
            format!("expected HTTP {want}, got {got}"),
        ))
    }
}

fn expect_success(step: &'static str, body: &Value, message: &str) -> Result<i64, SmokeError> {
    let id = body["id"].as_i64();
    match id {
        Some(id) if body["status"] == "SUCCESS" && body["message"] == message => Ok(id),
        _ => Err(SmokeError::new(
            step,
            format!("expected SUCCESS, {message:?} and an id, got {body}"),
        )),
    }
}

fn expect_listed_once(step: &'static str, listed: &Value, text: &str) -> Result<(), SmokeError> {
    let Some(items) = listed.as_array() else {
        return Err(SmokeError::new(
            step,
            format!("expected a JSON array, got {listed}"),
        ));
    };
    let found = items
        .iter()
        .filter(|item| item["email"] == EMAIL && item["comment"] == text)
        .count();
    if found == 1 {
        Ok(())
    } else {
        Err(SmokeError::new(
            step,
            format!("expected the smoke comment exactly once in the list, found it {found} times"),
        ))
    }
}
