//! Group commit for new comments: concurrent creates are queued, and each writer takes whatever is
//! queued when it is free and stores it with one multi-row `INSERT .. ON CONFLICT DO NOTHING
//! RETURNING`. A lone request is taken at once (no timer); under load, the requests that arrived
//! during one round trip share the next. Every caller is answered after its own batch committed
//! (each statement runs in autocommit).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::sea_query::{Condition, OnConflict, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, FromQueryResult};
use tokio::sync::{Mutex, mpsc, oneshot};

use super::entity::{Column, Entity as Comments};
use super::{Inserted, StoreError, StoredComment};
use crate::domain::NewComment;

/// The bounds of group commit.
#[derive(Debug, Clone, Copy)]
pub struct WriterLimits {
    /// Statements in flight at once (each holds one pool connection while it runs).
    pub writers: usize,
    /// Rows per statement at most.
    pub max_batch: usize,
    /// Requests waiting for a writer at most; beyond it a create is refused (503) at once.
    pub max_queued: usize,
    /// A request that waited longer than this for a writer is answered 503 instead of stored.
    pub max_wait: Duration,
}

/// The de-duplication key: the unique index's columns.
type Key = (i64, Vec<u8>);

/// One row to store.
#[derive(Debug)]
struct Pending {
    key: Key,
    email: String,
    comment: String,
}

impl From<&NewComment> for Pending {
    fn from(comment: &NewComment) -> Self {
        Self {
            key: (comment.content_id.get(), comment.fingerprint()),
            email: comment.email.as_str().to_owned(),
            comment: comment.comment.as_str().to_owned(),
        }
    }
}

/// One queued create and where its answer goes.
struct Job {
    row: Pending,
    queued_at: Instant,
    reply: oneshot::Sender<Result<Inserted, StoreError>>,
}

/// The handle requests submit through; cheap to clone.
#[derive(Clone, Debug)]
pub struct BatchWriter {
    queue: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("row", &self.row).finish()
    }
}

impl BatchWriter {
    /// Starts `limits.writers` writer tasks on `db`. They stop once every handle is dropped.
    pub fn start(db: DatabaseConnection, limits: WriterLimits) -> Self {
        let (queue, jobs) = mpsc::channel(limits.max_queued.max(1));
        let jobs = Arc::new(Mutex::new(jobs));
        for _ in 0..limits.writers.max(1) {
            tokio::spawn(run_writer(db.clone(), jobs.clone(), limits));
        }
        Self { queue }
    }

    /// Queues the comment and waits until the batch holding it has committed.
    pub async fn insert_or_get(&self, comment: &NewComment) -> Result<Inserted, StoreError> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            row: Pending::from(comment),
            queued_at: Instant::now(),
            reply,
        };
        self.queue.try_send(job).map_err(|err| match err {
            mpsc::error::TrySendError::Full(_) => StoreError::QueueFull,
            mpsc::error::TrySendError::Closed(_) => {
                StoreError::Unavailable(DbErr::Custom("the comment writer has stopped".into()))
            }
        })?;
        answer.await.unwrap_or_else(|_| {
            Err(StoreError::Other(DbErr::Custom(
                "the comment writer dropped a request".into(),
            )))
        })
    }
}

/// One writer: wait for a first job, take everything else queued (up to the batch size), store
/// it, answer, repeat. Holding the lock only while taking jobs lets the next free writer take
/// what arrives meanwhile.
async fn run_writer(
    db: DatabaseConnection,
    jobs: Arc<Mutex<mpsc::Receiver<Job>>>,
    limits: WriterLimits,
) {
    let mut batch = Vec::with_capacity(limits.max_batch);
    loop {
        {
            let mut jobs = jobs.lock().await;
            let Some(first) = jobs.recv().await else {
                return;
            };
            batch.push(first);
            while batch.len() < limits.max_batch {
                match jobs.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
        }
        let now = Instant::now();
        let jobs: Vec<Job> = batch
            .drain(..)
            .filter_map(|job| {
                if job.reply.is_closed() {
                    // The client is gone and was never acknowledged: nothing to store for it.
                    None
                } else if now.duration_since(job.queued_at) > limits.max_wait {
                    let _ = job.reply.send(Err(StoreError::QueueFull));
                    None
                } else {
                    Some(job)
                }
            })
            .collect();
        if !jobs.is_empty() {
            let (rows, replies): (Vec<Pending>, Vec<_>) =
                jobs.into_iter().map(|job| (job.row, job.reply)).unzip();
            for (reply, answer) in replies.into_iter().zip(store_batch(&db, &rows).await) {
                let _ = reply.send(answer);
            }
        }
    }
}

/// Stores these comments as one batch, exactly as a writer does with what it took from the queue,
/// and answers each in order. Public so tests can make a batch's content certain.
pub async fn insert_batch(
    db: &DatabaseConnection,
    comments: &[NewComment],
) -> Vec<Result<Inserted, StoreError>> {
    let rows: Vec<Pending> = comments.iter().map(Pending::from).collect();
    store_batch(db, &rows).await
}

/// Stores one batch; one answer per input row, in order.
async fn store_batch(
    db: &DatabaseConnection,
    batch: &[Pending],
) -> Vec<Result<Inserted, StoreError>> {
    // Identical comments inside the batch become one row: the first caller's.
    let mut rows: Vec<&Pending> = Vec::with_capacity(batch.len());
    let mut seen: HashSet<&Key> = HashSet::with_capacity(batch.len());
    for row in batch {
        if seen.insert(&row.key) {
            rows.push(row);
        }
    }
    // Rows in one order in every batch: two batches that share keys then lock them in the same
    // order in PostgreSQL, so they wait for each other instead of deadlocking.
    rows.sort_by(|a, b| a.key.cmp(&b.key));
    let outcomes = match insert_rows(db, &rows).await {
        Ok(outcomes) => outcomes,
        Err(StoreError::Other(err)) if rows.len() > 1 => {
            // One bad row must not fail the others: store them one by one.
            tracing::warn!(error = %err, rows = rows.len(), "batch insert failed, storing rows one by one");
            let mut outcomes = HashMap::with_capacity(rows.len());
            for row in &rows {
                match insert_rows(db, std::slice::from_ref(row)).await {
                    Ok(one) => outcomes.extend(one),
                    Err(err) => {
                        outcomes.insert(row.key.clone(), Err(err));
                    }
                }
            }
            outcomes
        }
        Err(err) => {
            tracing::warn!(error = %err, rows = rows.len(), "batch insert failed");
            rows.iter()
                .map(|row| (row.key.clone(), Err(err.clone_kind())))
                .collect()
        }
    };
    answers(batch, outcomes)
}

/// Per key: the stored row and whether this batch created it, or why it failed.
type Outcomes = HashMap<Key, Result<(StoredComment, bool), StoreError>>;

/// One answer per row: the first row of a key that this batch created gets `Created`, every
/// other row of that key `Existing` with the same stored comment.
fn answers(batch: &[Pending], mut outcomes: Outcomes) -> Vec<Result<Inserted, StoreError>> {
    batch
        .iter()
        .map(|row| match outcomes.get_mut(&row.key) {
            Some(Ok((stored, created))) => {
                let answer = if *created {
                    Inserted::Created(*stored)
                } else {
                    Inserted::Existing(*stored)
                };
                *created = false;
                Ok(answer)
            }
            Some(Err(err)) => Err(err.clone_kind()),
            None => Err(StoreError::Other(DbErr::Custom(
                "the batch left a comment unanswered".into(),
            ))),
        })
        .collect()
}

#[derive(Debug, FromQueryResult)]
struct KeyedRow {
    id: i64,
    created_at: DateTime<Utc>,
    content_id: i64,
    fingerprint: Vec<u8>,
}

impl KeyedRow {
    fn split(self) -> (Key, StoredComment) {
        (
            (self.content_id, self.fingerprint),
            StoredComment {
                id: self.id,
                created_at: self.created_at,
            },
        )
    }
}

/// One INSERT for all rows, then one SELECT for the rows that already existed. PostgreSQL waits
/// for a competing transaction before reporting a conflict, so the SELECT finds the committed row.
async fn insert_rows(db: &DatabaseConnection, rows: &[&Pending]) -> Result<Outcomes, StoreError> {
    // Microseconds: what PostgreSQL keeps, so both databases answer the same timestamps.
    let now = Utc::now().trunc_subsecs(6);
    let mut insert = Query::insert();
    insert.into_table(Comments).columns([
        Column::ContentId,
        Column::Email,
        Column::Comment,
        Column::Fingerprint,
        Column::CreatedAt,
    ]);
    for row in rows {
        insert.values_panic([
            row.key.0.into(),
            row.email.as_str().into(),
            row.comment.as_str().into(),
            row.key.1.clone().into(),
            now.into(),
        ]);
    }
    insert
        .on_conflict(
            OnConflict::columns([Column::ContentId, Column::Fingerprint])
                .do_nothing()
                .to_owned(),
        )
        .returning(Query::returning().columns([
            Column::Id,
            Column::CreatedAt,
            Column::ContentId,
            Column::Fingerprint,
        ]));
    let mut outcomes: Outcomes = HashMap::with_capacity(rows.len());
    for row in db.query_all(&insert).await? {
        let (key, stored) = KeyedRow::from_query_result(&row, "")?.split();
        outcomes.insert(key, Ok((stored, true)));
    }
    let existing: Vec<&Pending> = rows
        .iter()
        .copied()
        .filter(|row| !outcomes.contains_key(&row.key))
        .collect();
    if existing.is_empty() {
        return Ok(outcomes);
    }
    let mut any = Condition::any();
    for row in &existing {
        any = any.add(
            Condition::all()
                .add(Column::ContentId.eq(row.key.0))
                .add(Column::Fingerprint.eq(row.key.1.clone())),
        );
    }
    let select = Query::select()
        .columns([
            Column::Id,
            Column::CreatedAt,
            Column::ContentId,
            Column::Fingerprint,
        ])
        .from(Comments)
        .cond_where(any)
        .to_owned();
    for row in db.query_all(&select).await? {
        let (key, stored) = KeyedRow::from_query_result(&row, "")?.split();
        outcomes.insert(key, Ok((stored, false)));
    }
    for row in existing {
        outcomes.entry(row.key.clone()).or_insert_with(|| {
            Err(StoreError::Other(DbErr::RecordNotFound(
                "the conflicting comment vanished before it could be read".into(),
            )))
        });
    }
    Ok(outcomes)
}
