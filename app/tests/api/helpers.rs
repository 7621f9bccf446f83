//! `spawn_app()`: the service on port 0 against a fresh database, and a client for it.
//!
//! PostgreSQL comes from testcontainers (one container per test, removed when the test ends):
//! the official `postgres:17` image by default, or `TEST_POSTGRES_IMAGE=name:tag` for a
//! machine that cannot pull (this repository builds `comments-platform/postgres-test:17` with
//! `scripts/images/postgres-test.sh`). `TEST_DATABASE_URL=postgres://...` uses an existing server
//! instead, with a fresh database per test. Without either, the PostgreSQL tests fail saying so.

use std::sync::Once;
use std::time::{Duration, Instant};

use comments_api::config::Settings;
use comments_api::startup::Application;
use comments_api::store::CommentStore;
use figment::Figment;
use figment::providers::Serialized;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, TransactionTrait};
use serde_json::{Value, json};
use testcontainers_modules::postgres::Postgres;
use testcontainers_modules::testcontainers::runners::AsyncRunner;
use testcontainers_modules::testcontainers::{ContainerAsync, ImageExt};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const DEFAULT_POSTGRES_IMAGE: &str = "postgres:17";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs one test body against SQLite and against PostgreSQL, as two named tests.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::helpers::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::helpers::Backend::Postgres).await;
            }
        }
    )+};
}

/// Quiet unless TEST_LOG is set, so failing tests show their own output, not the service's.
fn init_logs() {
    static LOGS: Once = Once::new();
    LOGS.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            let settings = Settings::defaults_with(Figment::new())
                .expect("default settings")
                .log;
            let settings = comments_api::config::LogSettings {
                level: std::env::var("TEST_LOG").unwrap_or_else(|_| "debug".into()),
                ..settings
            };
            let _ = comments_api::telemetry::init_subscriber(&settings, std::io::stdout);
        }
    });
}

/// A database that lives as long as the test: a temporary SQLite file, a testcontainers
/// PostgreSQL, or a fresh database on the server named by TEST_DATABASE_URL.
pub struct TestDatabase {
    pub url: String,
    _container: Option<ContainerAsync<Postgres>>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                Self {
                    url,
                    _container: None,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => match std::env::var("TEST_DATABASE_URL") {
                Ok(server) => Self::fresh_database_on(&server).await,
                Err(_) => Self::container().await,
            },
        }
    }

    async fn container() -> Self {
        let image = std::env::var("TEST_POSTGRES_IMAGE")
            .unwrap_or_else(|_| DEFAULT_POSTGRES_IMAGE.to_owned());
        let (name, tag) = image
            .rsplit_once(':')
            .unwrap_or_else(|| panic!("TEST_POSTGRES_IMAGE must be name:tag, got {image:?}"));
        let container = Postgres::default()
            .with_name(name)
            .with_tag(tag)
            // Durability is not under test; skipping fsync keeps 2 cores free for the tests.
            .with_cmd(["-c", "fsync=off", "-c", "synchronous_commit=off"])
            .with_label("org.comments-platform.purpose", "test")
            .with_startup_timeout(Duration::from_secs(60))
            .start()
            .await
            .unwrap_or_else(|err| {
                panic!(
                    "PostgreSQL tests need Docker (to start {image}) or TEST_DATABASE_URL pointing \
                     at a server; starting the container failed: {err}. On a machine without a \
                     registry, build the local image with scripts/images/postgres-test.sh and set \
                     TEST_POSTGRES_IMAGE=comments-platform/postgres-test:17."
                )
            });
        let host = container.get_host().await.expect("container host");
        let port = container
            .get_host_port_ipv4(5432)
            .await
            .expect("container port");
        Self {
            url: format!("postgres://postgres:postgres@{host}:{port}/postgres"),
            _container: Some(container),
            _dir: None,
        }
    }

    async fn fresh_database_on(server: &str) -> Self {
        let admin = Database::connect(server).await.unwrap_or_else(|err| {
            panic!("TEST_DATABASE_URL is set but the server cannot be reached: {err}")
        });
        let name = format!("test_{}", uuid::Uuid::new_v4().simple());
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create test database");
        let mut url = url::Url::parse(server).expect("TEST_DATABASE_URL is a URL");
        url.set_path(&name);
        Self {
            url: url.to_string(),
            _container: None,
            _dir: None,
        }
    }
}

/// A running service and what a test needs to talk to it.
pub struct TestApp {
    pub address: String,
    pub admin_address: String,
    pub client: reqwest::Client,
    pub store: CommentStore,
    pub db: TestDatabase,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<anyhow::Result<()>>>,
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, Figment::new()).await
}

/// Spawns the service with extra settings layered over the defaults (e.g. a short grace).
pub async fn spawn_app_with(backend: Backend, overrides: Figment) -> TestApp {
    init_logs();
    let db = TestDatabase::new(backend).await;
    let settings = Settings::defaults_with(
        Figment::from(Serialized::default("server.host", "127.0.0.1"))
            .merge(Serialized::default("server.port", 0))
            .merge(Serialized::default("server.admin_port", 0))
            .merge(Serialized::default("database.url", &db.url))
            .merge(overrides),
    )
    .expect("test settings are valid");
    let app = Application::build(settings)
        .await
        .expect("the application starts");
    let address = format!("http://{}", app.public_addr());
    let admin_address = format!("http://{}", app.admin_addr());
    let store = app.store().clone();
    let (shutdown, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async {
        let _ = stopped.await;
    }));
    TestApp {
        address,
        admin_address,
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("http client"),
        store,
        db,
        shutdown: Some(shutdown),
        server: Some(server),
    }
}

/// A comment body as the original challenge's clients send it.
pub fn comment(email: &str, text: &str, content_id: i64) -> Value {
    json!({ "email": email, "comment": text, "content_id": content_id })
}

/// The body of the original challenge's first curl command.
pub fn alice_first_post() -> Value {
    comment("alice@example.com", "first post!", 1)
}

impl TestApp {
    pub async fn post_comment(&self, body: &Value) -> reqwest::Response {
        self.client
            .post(format!("{}/api/comment/new", self.address))
            .json(body)
            .send()
            .await
            .expect("POST /api/comment/new")
    }

    /// A POST with a body and content type exactly as given, for malformed requests.
    pub async fn post_raw(
        &self,
        body: impl Into<reqwest::Body>,
        content_type: &str,
    ) -> reqwest::Response {
        self.client
            .post(format!("{}/api/comment/new", self.address))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("POST /api/comment/new")
    }

    pub async fn list_comments(&self, content_id: &str, query: &str) -> reqwest::Response {
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        self.client
            .get(format!(
                "{}/api/comment/list/{content_id}{query}",
                self.address
            ))
            .send()
            .await
            .expect("GET /api/comment/list")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("GET on the public port")
    }

    pub async fn get_admin(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.admin_address))
            .send()
            .await
            .expect("GET on the admin port")
    }

    /// Starts the shutdown (what SIGTERM does in the binary).
    pub fn begin_shutdown(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }

    /// Waits for the server task to finish and returns how it ended.
    pub async fn stopped(&mut self) -> anyhow::Result<()> {
        let server = self.server.take().expect("server still running");
        server.await.expect("server task did not panic")
    }

    /// Takes the database away from under the running service: stops the PostgreSQL container
    /// (or forbids connections to the test database on a TEST_DATABASE_URL server); for SQLite,
    /// which cannot vanish, closes the service's pool.
    pub async fn make_database_unreachable(&self) {
        if let Some(container) = &self.db._container {
            container
                .stop()
                .await
                .expect("stop the PostgreSQL container");
        } else if self.db.url.starts_with("postgres") {
            let server = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL");
            let admin = Database::connect(&server).await.expect("admin connection");
            let name = url::Url::parse(&self.db.url)
                .unwrap()
                .path()
                .trim_start_matches('/')
                .to_owned();
            admin
                .execute_unprepared(&format!(
                    "ALTER DATABASE {name} ALLOW_CONNECTIONS false; \
                     SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
                ))
                .await
                .expect("cut the test database off");
        } else {
            self.store.close().await.expect("close the pool");
        }
    }

    /// Holds the comments table locked from another connection, so a POST stays in flight until
    /// the returned transaction ends.
    pub async fn block_writes(
        &self,
        backend: Backend,
    ) -> (DatabaseConnection, sea_orm::DatabaseTransaction) {
        let other = Database::connect(self.db.url.as_str())
            .await
            .expect("second connection");
        let txn = other.begin().await.expect("begin");
        let lock = match backend {
            Backend::Postgres => "LOCK TABLE comments IN EXCLUSIVE MODE",
            // SQLite locks the whole file; an insert makes this transaction the writer.
            Backend::Sqlite => {
                "INSERT INTO comments (content_id, email, comment, fingerprint, created_at) \
                 VALUES (999, 'lock@example.com', 'lock', x'00', '2026-01-01T00:00:00Z')"
            }
        };
        txn.execute_unprepared(lock).await.expect("take the lock");
        (other, txn)
    }

    /// Waits until the service reports `n` requests in flight.
    pub async fn wait_until_in_flight(&self, n: usize) {
        let expected = format!("http_requests_in_flight {n}");
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let text = self.get_admin("/metrics").await.text().await.unwrap();
            if text.contains(&expected) {
                return;
            }
            assert!(Instant::now() < deadline, "never {n} in flight:\n{text}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Asserts the JSON error envelope and returns its message.
pub async fn expect_error(resp: reqwest::Response, status: u16, kind: &str) -> String {
    assert_eq!(resp.status().as_u16(), status, "unexpected status");
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "content-type {content_type:?}"
    );
    let body: Value = resp.json().await.expect("a JSON error body");
    assert_eq!(body["status"], kind, "{body}");
    body["message"].as_str().expect("a message").to_owned()
}
