//! The open model. A dispatcher thread walks the schedule's intended start times and hands each
//! request to the async runtime the moment it is due; latency is measured from the intended start,
//! so a stalled server shows up as latency instead of silently slowing the generator (no
//! coordinated omission). A semaphore caps requests in flight: a request due while the cap is
//! reached is dropped and counted, never queued.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rand::{RngExt, SeedableRng, rngs::SmallRng};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc::{self, UnboundedSender};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinHandle;

use crate::client::{Api, CallError};
use crate::data::{DataGen, NewComment};
use crate::integrity::Ledger;
use crate::progress::Progress;
use crate::stages::Schedule;
use crate::stats::{Endpoint, Recorder};

/// What the load consists of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ScenarioKind {
    /// Only new comments.
    Create,
    /// Only lists of seeded content.
    List,
    /// Creates and lists, `create_share` of them creates.
    Mixed,
    /// Plain GETs of `get_path` (measures the generator's own ceiling against a trivial endpoint).
    Get,
}

#[derive(Debug)]
pub struct Workload {
    pub kind: ScenarioKind,
    pub create_share: f64,
    pub get_path: String,
    pub data: DataGen,
    next_seq: AtomicU64,
}

enum Op {
    Create(NewComment),
    List(u64),
    Get,
}

impl Op {
    fn endpoint(&self) -> Endpoint {
        match self {
            Self::Create(_) => Endpoint::Create,
            Self::List(_) => Endpoint::List,
            Self::Get => Endpoint::Get,
        }
    }
}

impl Workload {
    pub fn new(kind: ScenarioKind, create_share: f64, get_path: String, data: DataGen) -> Self {
        Self {
            kind,
            create_share,
            get_path,
            data,
            next_seq: AtomicU64::new(0),
        }
    }

    /// A sequence number unique within the run (makes every generated comment unique).
    pub fn seq(&self) -> u64 {
        self.next_seq.fetch_add(1, Ordering::Relaxed)
    }

    fn next_op(&self, rng: &mut SmallRng) -> Op {
        let create = match self.kind {
            ScenarioKind::Create => true,
            ScenarioKind::List => false,
            ScenarioKind::Mixed => rng.random_bool(self.create_share),
            ScenarioKind::Get => return Op::Get,
        };
        if create {
            let content = self.data.content_for_create(rng);
            Op::Create(self.data.comment(rng, content, self.seq()))
        } else {
            Op::List(self.data.content_for_list(rng))
        }
    }
}

#[derive(Debug, Clone)]
pub struct LoadPlan {
    pub schedule: Schedule,
    pub warmup: Duration,
    pub max_in_flight: usize,
    /// A request dispatched later than this after its intended start counts as late.
    pub late_after: Duration,
    /// How long to wait for in-flight requests after the last one was dispatched.
    pub drain_timeout: Duration,
    pub rng_seed: u64,
}

struct Shared {
    api: Api,
    workload: Arc<Workload>,
    ledger: Arc<Ledger>,
    recorder: Mutex<Recorder>,
    permits: Arc<Semaphore>,
    /// Live count for the progress bar; the dispatcher's own counts are merged at the end.
    dropped: AtomicU64,
}

impl Shared {
    fn recorder(&self) -> MutexGuard<'_, Recorder> {
        self.recorder
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn show_progress(&self, progress: &Progress, elapsed: Duration, total: Duration) {
        progress.update(
            elapsed,
            total,
            &self.recorder(),
            self.dropped.load(Ordering::Relaxed),
        );
    }
}

/// Runs the schedule to the end and returns what was recorded.
pub async fn run_load(
    api: Api,
    plan: &LoadPlan,
    workload: Arc<Workload>,
    ledger: Arc<Ledger>,
    progress: &Progress,
) -> anyhow::Result<Recorder> {
    let shared = Arc::new(Shared {
        api,
        workload,
        ledger,
        recorder: Mutex::new(Recorder::default()),
        permits: Arc::new(Semaphore::new(plan.max_in_flight)),
        dropped: AtomicU64::new(0),
    });
    let start = Instant::now() + Duration::from_millis(20);
    let (jobs, spawner) = spawner();
    let dispatcher = tokio::task::spawn_blocking({
        let shared = Arc::clone(&shared);
        let plan = plan.clone();
        move || dispatch(&shared, &plan, start, &jobs)
    });
    let total = plan.schedule.total_duration();
    let dispatched = show_progress_until(dispatcher, &shared, progress, start, total).await?;
    shared.recorder().merge_dispatch(&dispatched);
    spawner.await?;
    drain(&shared, plan).await?;
    shared.show_progress(progress, total, total);
    let recorder = shared.recorder().clone();
    Ok(recorder)
}

/// Due requests cross from the dispatcher thread to one task that spawns them locally: a spawn
/// from outside the runtime would wake its thread (a syscall) for every request, a channel only
/// when the spawner has gone idle.
fn spawner() -> (UnboundedSender<Job>, JoinHandle<()>) {
    let (jobs, mut due) = mpsc::unbounded_channel::<Job>();
    let spawner = tokio::spawn(async move {
        let mut batch = Vec::with_capacity(256);
        while due.recv_many(&mut batch, 256).await > 0 {
            for job in batch.drain(..) {
                tokio::spawn(job.run());
            }
        }
    });
    (jobs, spawner)
}

/// Redraws the progress bar every 250 ms until the dispatcher is done; returns its counts.
async fn show_progress_until(
    mut dispatcher: JoinHandle<Recorder>,
    shared: &Shared,
    progress: &Progress,
    start: Instant,
    total: Duration,
) -> anyhow::Result<Recorder> {
    let mut ticker = tokio::time::interval(Duration::from_millis(250));
    loop {
        tokio::select! {
            finished = &mut dispatcher => return Ok(finished?),
            _ = ticker.tick() => shared.show_progress(progress, start.elapsed().min(total), total),
        }
    }
}

/// Waits for the requests still in flight: all permits back means all of them completed.
async fn drain(shared: &Shared, plan: &LoadPlan) -> anyhow::Result<()> {
    let all = u32::try_from(plan.max_in_flight)?;
    let drained = tokio::time::timeout(plan.drain_timeout, shared.permits.acquire_many(all)).await;
    anyhow::ensure!(
        drained.is_ok(),
        "requests still in flight {:?} after the last was sent",
        plan.drain_timeout
    );
    Ok(())
}

/// A request on its way from the dispatcher to the runtime.
struct Job {
    shared: Arc<Shared>,
    op: Op,
    intended: Instant,
    second: usize,
    measured: bool,
    permit: OwnedSemaphorePermit,
}

impl Job {
    async fn run(self) {
        let result = execute(&self.shared, &self.op).await;
        let latency = self.intended.elapsed();
        self.shared.recorder().completed(
            self.op.endpoint(),
            self.second,
            self.measured,
            latency,
            result.err().as_ref(),
        );
        drop(self.permit);
    }
}

/// Walks the schedule; returns its own scheduling counts (kept off the shared lock on the hot path).
fn dispatch(
    shared: &Arc<Shared>,
    plan: &LoadPlan,
    start: Instant,
    jobs: &UnboundedSender<Job>,
) -> Recorder {
    let mut rng = SmallRng::seed_from_u64(plan.rng_seed);
    let mut own = Recorder::default();
    for offset in plan.schedule.offsets() {
        let intended = start + offset;
        let now = Instant::now();
        if intended > now {
            std::thread::sleep(intended - now);
        }
        let lag = Instant::now().saturating_duration_since(intended);
        let second = offset.as_secs() as usize;
        let measured = offset >= plan.warmup;
        let Ok(permit) = Arc::clone(&shared.permits).try_acquire_owned() else {
            own.scheduled(second, measured, true, lag, false);
            shared.dropped.fetch_add(1, Ordering::Relaxed);
            continue;
        };
        // Generated only for requests actually sent: past the cap the dispatcher stays cheap.
        let op = shared.workload.next_op(&mut rng);
        own.scheduled(second, measured, false, lag, lag > plan.late_after);
        let job = Job {
            shared: Arc::clone(shared),
            op,
            intended,
            second,
            measured,
            permit,
        };
        if jobs.send(job).is_err() {
            break;
        }
    }
    own
}

async fn execute(shared: &Shared, op: &Op) -> Result<(), CallError> {
    match op {
        Op::Create(comment) => {
            let created = shared.api.create(comment).await?;
            shared.ledger.acknowledge(comment, created.id);
            if created.new {
                Ok(())
            } else {
                Err(CallError::Body(format!(
                    "a new unique comment was answered 200 (existing id {})",
                    created.id
                )))
            }
        }
        Op::List(content_id) => shared.api.list_nonempty(*content_id).await.map(drop),
        Op::Get => shared.api.get_ok(&shared.workload.get_path).await,
    }
}
