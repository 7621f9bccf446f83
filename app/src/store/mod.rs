//! Persistence of comments over sea-orm: PostgreSQL in production, SQLite for zero-setup runs.

pub mod entity;
pub mod migration;
pub mod writer;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, Order, Query};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection,
    DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use secrecy::ExposeSecret;

use crate::config::DatabaseSettings;
use crate::domain::{ContentId, NewComment};
use entity::{Column, Entity as Comments, ListedComment};
use migration::Migrator;
use writer::{BatchWriter, WriterLimits};

/// Any constant works as long as every migrator uses the same one: it names the lock that
/// serialises concurrent `comments-api migrate` runs on one PostgreSQL database.
const MIGRATION_LOCK_KEY: i64 = 0x636f_6d6d_656e_7473; // "comments"

/// Where a stored comment lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromQueryResult)]
pub struct StoredComment {
    pub id: i64,
    pub created_at: DateTime<Utc>,
}

/// How many rows a page holds and the last one's id (`None` when empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromQueryResult)]
pub struct PageTag {
    pub rows: i64,
    pub last_id: Option<i64>,
}

impl PageTag {
    /// The tag of rows already read (ordered by id).
    pub fn of(rows: &[ListedComment]) -> Self {
        Self {
            rows: rows.len() as i64,
            last_id: rows.last().map(|row| row.id),
        }
    }
}

/// The outcome of `insert_or_get`: a new row, or the identical one that was already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    Created(StoredComment),
    Existing(StoredComment),
}

/// A failure of the store, split by what the caller should tell the client.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or the pool is exhausted: retrying later may work.
    #[error("database unavailable: {0}")]
    Unavailable(DbErr),
    #[error("database error: {0}")]
    Other(DbErr),
    /// Too many comments are waiting to be stored (or one waited too long): retry later.
    #[error("the write queue is full")]
    QueueFull,
}

impl StoreError {
    /// The same kind of failure, for answering every request of a failed batch (DbErr is not Clone).
    pub(crate) fn clone_kind(&self) -> Self {
        match self {
            Self::Unavailable(err) => Self::Unavailable(DbErr::Custom(err.to_string())),
            Self::Other(err) => Self::Other(DbErr::Custom(err.to_string())),
            Self::QueueFull => Self::QueueFull,
        }
    }
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        if is_unavailable(&err) {
            Self::Unavailable(err)
        } else {
            Self::Other(err)
        }
    }
}

/// True when the failure is about reaching the database (pool exhausted or closed, connection
/// refused or dropped), not about the statement: the client may retry, and gets a 503.
fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    use sea_orm::sqlx::Error as SqlxError;
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            matches!(
                e.as_ref(),
                SqlxError::Io(_)
                    | SqlxError::Tls(_)
                    | SqlxError::PoolTimedOut
                    | SqlxError::PoolClosed
                    | SqlxError::WorkerCrashed
            ) || is_transient_database_code(e.as_database_error().and_then(|d| d.code()).as_deref())
        }
        _ => false,
    }
}

/// Server-side codes that mean "not now" rather than "never": PostgreSQL connection exceptions
/// (class 08), shutdown/startup (57P01-57P03), too many connections (53300); SQLite BUSY and
/// LOCKED, including their extended codes (the low byte carries the primary code).
fn is_transient_database_code(code: Option<&str>) -> bool {
    let Some(code) = code else { return false };
    if let Ok(sqlite) = code.parse::<u32>() {
        return matches!(sqlite & 0xff, 5 | 6);
    }
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
}

/// Group commit's bounds from the settings. SQLite has one writer at a time whatever the pool
/// size (others wait in its busy handler, which sleeps), so one writer task feeds it.
fn writer_limits(settings: &DatabaseSettings) -> WriterLimits {
    let writers = if settings.is_postgres() {
        settings.writers.min(settings.max_connections)
    } else {
        1
    };
    WriterLimits {
        writers: writers as usize,
        max_batch: settings.max_batch_rows as usize,
        max_queued: settings.max_queued_writes as usize,
        max_wait: Duration::from_millis(settings.acquire_timeout_ms),
    }
}

/// How long a ping may take before the database counts as unreachable.
const PING_TIMEOUT: Duration = Duration::from_secs(1);

/// Connection counts of the database pool at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    pub idle: u32,
    pub in_use: u32,
    pub max: u32,
}

#[derive(Clone, Debug)]
pub struct CommentStore {
    db: DatabaseConnection,
    max_connections: u32,
    health: Arc<Health>,
    writer: BatchWriter,
}

/// What the last ping learned. While the database is known to be unreachable, requests are
/// answered 503 at once instead of each waiting the pool's acquire timeout; every refused request
/// starts a ping (one at a time), so service resumes as soon as the database answers again.
#[derive(Debug, Default)]
struct Health {
    down: AtomicBool,
    probing: AtomicBool,
}

impl CommentStore {
    /// Opens the pool. Two sea-orm defaults are turned off because they cost throughput here:
    /// a ping before every acquire (20-40% of insert throughput measured), and logging every
    /// statement at INFO. Stale connections are still pinged once idle for 30 s.
    pub async fn connect(settings: &DatabaseSettings) -> Result<Self, DbErr> {
        let mut options = ConnectOptions::new(settings.url.expose_secret().to_owned());
        options
            .max_connections(settings.max_connections)
            .min_connections(settings.min_connections)
            .acquire_timeout(Duration::from_millis(settings.acquire_timeout_ms))
            .connect_timeout(Duration::from_millis(settings.connect_timeout_ms))
            .idle_timeout(Duration::from_secs(600))
            .test_before_acquire_if_idle_for(Duration::from_secs(30))
            .sqlx_logging(false)
            .set_application_name("comments-api");
        if settings.statement_timeout_ms > 0 {
            options.statement_timeout(Duration::from_millis(settings.statement_timeout_ms));
        }
        // WAL lets readers proceed during a write; the busy timeout makes writers queue instead of
        // failing with SQLITE_BUSY when several connections write at once.
        options.map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
        });
        let db = Database::connect(options).await?;
        let writer = BatchWriter::start(db.clone(), writer_limits(settings));
        Ok(Self {
            db,
            max_connections: settings.max_connections,
            health: Arc::default(),
            writer,
        })
    }

    /// Applies pending migrations inside one transaction that first takes a database-wide lock,
    /// so migrators running at once (replicas, jobs) go one after the other and the later ones
    /// find nothing to do. PostgreSQL: a transaction-scoped advisory lock. SQLite: BEGIN
    /// IMMEDIATE, which makes every other writer wait. DDL is transactional on both, so a failed
    /// migration leaves no trace.
    pub async fn migrate(&self) -> Result<(), DbErr> {
        let txn = match self.db.get_database_backend() {
            DatabaseBackend::Postgres => {
                let txn = self.db.begin().await?;
                txn.execute_unprepared(&format!(
                    "SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})"
                ))
                .await?;
                txn
            }
            _ => {
                self.db
                    .begin_with_options(TransactionOptions {
                        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                        ..TransactionOptions::default()
                    })
                    .await?
            }
        };
        Migrator::up(&txn, None).await?;
        txn.commit().await
    }

    /// Stores the comment unless an identical one exists; either way returns where it lives.
    /// Concurrent calls are grouped into one INSERT .. ON CONFLICT DO NOTHING RETURNING per
    /// round trip (see `writer`); the unique index decides, so two replicas racing on the same
    /// comment cannot both create it. Answers once the row is committed.
    pub async fn insert_or_get(&self, comment: &NewComment) -> Result<Inserted, StoreError> {
        self.refuse_while_down()?;
        self.writer.insert_or_get(comment).await
    }

    /// Stores these comments as one batch, as the group-commit writer does with what it took
    /// from the queue; one answer per comment, in order. For tests that need a batch's content
    /// to be certain.
    pub async fn insert_batch(&self, comments: &[NewComment]) -> Vec<Result<Inserted, StoreError>> {
        writer::insert_batch(&self.db, comments).await
    }

    /// Up to `limit` comments of one content, oldest first, strictly after the `after` id.
    pub async fn list_page(
        &self,
        content_id: ContentId,
        after: Option<i64>,
        limit: u64,
    ) -> Result<Vec<ListedComment>, StoreError> {
        self.refuse_while_down()?;
        let mut query = Comments::find()
            .select_only()
            .columns([
                Column::Id,
                Column::Email,
                Column::Comment,
                Column::CreatedAt,
            ])
            .filter(Column::ContentId.eq(content_id.get()));
        if let Some(after) = after {
            query = query.filter(Column::Id.gt(after));
        }
        Ok(query
            .order_by_asc(Column::Id)
            .limit(limit)
            .into_model::<ListedComment>()
            .all(&self.db)
            .await?)
    }

    /// What a page of `list_page(content_id, after, limit)` holds, without reading it: how many
    /// rows it has and the last one's id, from one index-only lookup. Comments are never changed
    /// or deleted, so a page with the same count and last id is the same page (COMMENTS.md), which
    /// makes the pair a sound ETag.
    pub async fn page_tag(
        &self,
        content_id: ContentId,
        after: Option<i64>,
        limit: u64,
    ) -> Result<PageTag, StoreError> {
        self.refuse_while_down()?;
        let mut page = Query::select();
        page.column(Column::Id)
            .from(Comments)
            .and_where(Column::ContentId.eq(content_id.get()));
        if let Some(after) = after {
            page.and_where(Column::Id.gt(after));
        }
        page.order_by(Column::Id, Order::Asc).limit(limit);
        // In this scope only: its blanket impl would shadow `Ord::min` everywhere else.
        use sea_orm::sea_query::ExprTrait as _;
        let id = || Expr::col(Alias::new("id"));
        let tag = Query::select()
            .expr_as(id().count(), Alias::new("rows"))
            .expr_as(id().max(), Alias::new("last_id"))
            .from_subquery(page, Alias::new("page"))
            .to_owned();
        let row = self.db.query_one(&tag).await?.ok_or_else(|| {
            StoreError::Other(DbErr::RecordNotFound("an aggregate returned no row".into()))
        })?;
        Ok(PageTag::from_query_result(&row, "")?)
    }

    /// Asks the database whether it answers (within a second), and remembers the outcome.
    pub async fn ping(&self) -> Result<(), DbErr> {
        let answered = match tokio::time::timeout(PING_TIMEOUT, self.db.ping()).await {
            Ok(answered) => answered,
            Err(_) => Err(DbErr::Custom(format!(
                "the database did not answer within {} ms",
                PING_TIMEOUT.as_millis()
            ))),
        };
        self.health.down.store(answered.is_err(), Ordering::Release);
        answered
    }

    /// Fails at once while the last ping failed, and pings again in the background.
    fn refuse_while_down(&self) -> Result<(), StoreError> {
        if !self.health.down.load(Ordering::Acquire) {
            return Ok(());
        }
        if !self.health.probing.swap(true, Ordering::AcqRel) {
            let store = self.clone();
            tokio::spawn(async move {
                let _ = store.ping().await;
                store.health.probing.store(false, Ordering::Release);
            });
        }
        Err(StoreError::Unavailable(DbErr::Custom(
            "the database did not answer the last ping".into(),
        )))
    }

    pub fn pool_stats(&self) -> PoolStats {
        let (size, idle) = match self.db.get_database_backend() {
            DatabaseBackend::Postgres => {
                let pool = self.db.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            _ => {
                let pool = self.db.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
        };
        let idle = u32::try_from(idle).unwrap_or(u32::MAX).min(size);
        PoolStats {
            idle,
            in_use: size - idle,
            max: self.max_connections,
        }
    }

    /// Closes the pool, waiting for connections in use to be returned.
    pub async fn close(&self) -> Result<(), DbErr> {
        self.db.close_by_ref().await
    }

    /// The underlying connection, for tests and tools that need raw SQL.
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }
}
