//! The comments API as the generator sees it: one pooled keep-alive client, and every answer checked
//! for status and body shape. A wrong answer is an error, however fast it came.

use std::time::Duration;

use anyhow::Context;
use reqwest::StatusCode;
use serde::Deserialize;

use crate::data::NewComment;

/// Why a call did not give the expected answer; `kind()` is a short stable label for counting.
#[derive(Debug, Clone, PartialEq)]
pub enum CallError {
    Timeout,
    Connect,
    Transport(String),
    Status { got: u16, body: String },
    Body(String),
}

impl CallError {
    pub fn kind(&self) -> String {
        match self {
            Self::Timeout => "timeout".into(),
            Self::Connect => "connect".into(),
            Self::Transport(_) => "transport".into(),
            Self::Status { got, .. } => format!("status {got}"),
            Self::Body(_) => "bad body".into(),
        }
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Timeout => write!(f, "timed out"),
            Self::Connect => write!(f, "could not connect"),
            Self::Transport(e) => write!(f, "transport error: {e}"),
            Self::Status { got, body } => {
                write!(f, "unexpected status {got}: {}", truncate(body, 200))
            }
            Self::Body(e) => write!(f, "unexpected body: {e}"),
        }
    }
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

impl From<reqwest::Error> for CallError {
    fn from(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            Self::Timeout
        } else if e.is_connect() {
            Self::Connect
        } else {
            Self::Transport(e.to_string())
        }
    }
}

/// Answer to a create: 201 for a new row, 200 when the identical comment already existed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Created {
    pub id: i64,
    pub new: bool,
}

/// One listed comment; only the fields the checks need (the service may add more).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct ListedComment {
    pub id: i64,
    pub email: String,
    pub comment: String,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub items: Vec<ListedComment>,
    pub next_cursor: Option<String>,
}

#[derive(Deserialize)]
struct Envelope {
    status: String,
    id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Api {
    client: reqwest::Client,
    base: String,
}

impl Api {
    /// `base` is the public origin, e.g. `http://127.0.0.1:8080`. Idle connections are kept for
    /// `max_connections`, so the pool never churns under load.
    pub fn new(base: &str, max_connections: usize, timeout: Duration) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(max_connections)
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_nodelay(true)
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(5))
            .no_proxy()
            .build()
            .context("building the HTTP client")?;
        Ok(Self {
            client,
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub async fn create(&self, comment: &NewComment) -> Result<Created, CallError> {
        let url = format!("{}/api/comment/new", self.base);
        let response = self.client.post(url).json(comment).send().await?;
        let status = response.status();
        let body = response.bytes().await?;
        let new = match status {
            StatusCode::CREATED => true,
            StatusCode::OK => false,
            other => return Err(status_error(other, &body)),
        };
        let envelope: Envelope = serde_json::from_slice(&body)
            .map_err(|e| CallError::Body(format!("create answer is not the JSON envelope: {e}")))?;
        if envelope.status != "SUCCESS" {
            return Err(CallError::Body(format!(
                "create answered status {:?}",
                envelope.status
            )));
        }
        let id = envelope
            .id
            .ok_or_else(|| CallError::Body("create answer has no id".into()))?;
        Ok(Created { id, new })
    }

    /// One page of a content's comments; 404 and non-arrays are errors.
    pub async fn list_page(
        &self,
        content_id: u64,
        limit: Option<u32>,
        cursor: Option<&str>,
    ) -> Result<Page, CallError> {
        let mut url = url::Url::parse(&format!("{}/api/comment/list/{content_id}", self.base))
            .map_err(|e| CallError::Transport(format!("bad target URL: {e}")))?;
        if let Some(limit) = limit {
            url.query_pairs_mut()
                .append_pair("limit", &limit.to_string());
        }
        if let Some(cursor) = cursor {
            url.query_pairs_mut().append_pair("cursor", cursor);
        }
        let response = self.client.get(url).send().await?;
        let status = response.status();
        let next_cursor = response
            .headers()
            .get("x-next-cursor")
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .map(str::to_owned);
        let body = response.bytes().await?;
        if status != StatusCode::OK {
            return Err(status_error(status, &body));
        }
        let items: Vec<ListedComment> = serde_json::from_slice(&body).map_err(|e| {
            CallError::Body(format!(
                "list answer is not an array of {{id, email, comment}}: {e}"
            ))
        })?;
        Ok(Page { items, next_cursor })
    }

    /// The list call made under load: seeded content must answer a non-empty first page.
    pub async fn list_nonempty(&self, content_id: u64) -> Result<usize, CallError> {
        let page = self.list_page(content_id, None, None).await?;
        if page.items.is_empty() {
            return Err(CallError::Body(format!(
                "content {content_id} listed no comments"
            )));
        }
        Ok(page.items.len())
    }

    /// GET of an arbitrary path, answered 200 (the generator-ceiling measurement uses it).
    pub async fn get_ok(&self, path: &str) -> Result<(), CallError> {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await?;
        let status = response.status();
        let body = response.bytes().await?;
        if status != StatusCode::OK {
            return Err(status_error(status, &body));
        }
        Ok(())
    }
}

fn status_error(status: StatusCode, body: &[u8]) -> CallError {
    CallError::Status {
        got: status.as_u16(),
        body: String::from_utf8_lossy(body).into_owned(),
    }
}
