//! After the load: every comment the service acknowledged must be listed exactly once (no lost
//! writes, no duplicates), and identical comments sent concurrently must yield exactly one row.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Mutex;

use futures::{StreamExt, stream};
use serde::{Deserialize, Serialize};

use crate::client::{Api, CallError};
use crate::data::{DataGen, NewComment};

/// Pages of 500 (the service's maximum); bounded so a cursor loop can never run forever.
const PAGE_LIMIT: u32 = 500;
const MAX_PAGES: usize = 10_000;
const MAX_PROBLEMS: usize = 20;

fn key(email: &str, comment: &str) -> u64 {
    let mut h = DefaultHasher::new();
    (email, comment).hash(&mut h);
    h.finish()
}

#[derive(Debug, Clone, Copy)]
struct Ack {
    id: i64,
    key: u64,
}

/// Every acknowledged comment, by content id.
#[derive(Debug, Default)]
pub struct Ledger {
    acks: Mutex<HashMap<u64, Vec<Ack>>>,
}

impl Ledger {
    pub fn acknowledge(&self, comment: &NewComment, id: i64) {
        let ack = Ack {
            id,
            key: key(&comment.email, &comment.comment),
        };
        let mut acks = self
            .acks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        acks.entry(comment.content_id).or_default().push(ack);
    }

    fn snapshot(&self) -> Vec<(u64, Vec<Ack>)> {
        let acks = self
            .acks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut all: Vec<_> = acks.iter().map(|(c, a)| (*c, a.clone())).collect();
        all.sort_by_key(|(c, _)| *c);
        all
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IntegrityReport {
    pub contents_checked: u64,
    pub acknowledged: u64,
    pub listed_exactly_once: u64,
    /// Acknowledged but not listed.
    pub missing: u64,
    /// Acknowledged ids listed more than once.
    pub duplicate_ids: u64,
    /// Rows carrying the same email and comment as another row of the same content.
    pub duplicate_rows: u64,
    /// Acknowledged ids that were listed with a different email/comment.
    pub mismatched: u64,
    /// Listing calls that failed.
    pub list_errors: u64,
    pub retry: RetryReport,
    pub problems: Vec<String>,
    pub passed: bool,
}

impl IntegrityReport {
    fn problem(&mut self, message: String) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(message);
        }
    }

    /// One sentence for the terminal and Markdown reports.
    pub fn describe(&self) -> String {
        format!(
            "{} acknowledged comments over {} contents: {} listed exactly once, {} missing, {} duplicate ids, \
             {} duplicate rows, {} mismatched, {} failed listings. Retry: {} rounds of {} identical concurrent \
             posts, {} failed rounds (answers: {:?}).",
            self.acknowledged,
            self.contents_checked,
            self.listed_exactly_once,
            self.missing,
            self.duplicate_ids,
            self.duplicate_rows,
            self.mismatched,
            self.list_errors,
            self.retry.rounds,
            self.retry.concurrent_copies,
            self.retry.failed_rounds,
            self.retry.statuses
        )
    }

    /// The problems found, main check first.
    pub fn all_problems(&self) -> impl Iterator<Item = &String> {
        self.problems.iter().chain(&self.retry.problems)
    }

    fn finish(mut self) -> Self {
        self.passed = self.missing == 0
            && self.duplicate_ids == 0
            && self.duplicate_rows == 0
            && self.mismatched == 0
            && self.list_errors == 0
            && self.retry.failed_rounds == 0;
        self
    }
}

/// Lists every row of a content, following the cursor.
async fn list_all(
    api: &Api,
    content_id: u64,
) -> Result<Vec<crate::client::ListedComment>, CallError> {
    let mut rows = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let page = api
            .list_page(content_id, Some(PAGE_LIMIT), cursor.as_deref())
            .await?;
        let empty = page.items.is_empty();
        rows.extend(page.items);
        match page.next_cursor {
            Some(next) if !empty => cursor = Some(next),
            _ => return Ok(rows),
        }
    }
    Err(CallError::Body(format!(
        "content {content_id}: more than {MAX_PAGES} pages"
    )))
}

/// Checks every acknowledged comment of the ledger against the service's lists.
pub async fn verify(
    api: &Api,
    ledger: &Ledger,
    concurrency: usize,
    retry: RetryReport,
) -> IntegrityReport {
    let snapshot = ledger.snapshot();
    let mut report = IntegrityReport {
        retry,
        ..IntegrityReport::default()
    };
    let mut listings = stream::iter(snapshot)
        .map(
            |(content_id, acks)| async move { (content_id, acks, list_all(api, content_id).await) },
        )
        .buffer_unordered(concurrency.max(1));
    while let Some((content_id, acks, listed)) = listings.next().await {
        report.contents_checked += 1;
        report.acknowledged += acks.len() as u64;
        match listed {
            Ok(rows) => compare(&mut report, content_id, &acks, &rows),
            Err(e) => {
                report.list_errors += 1;
                report.missing += acks.len() as u64;
                report.problem(format!("content {content_id}: listing failed: {e}"));
            }
        }
    }
    report.finish()
}

fn compare(
    report: &mut IntegrityReport,
    content_id: u64,
    acks: &[Ack],
    rows: &[crate::client::ListedComment],
) {
    let mut by_id: HashMap<i64, (usize, u64)> = HashMap::new();
    let mut keys: HashMap<u64, usize> = HashMap::new();
    for row in rows {
        let k = key(&row.email, &row.comment);
        let entry = by_id.entry(row.id).or_insert((0, k));
        entry.0 += 1;
        *keys.entry(k).or_default() += 1;
    }
    let duplicated_keys = keys
        .values()
        .filter(|&&n| n > 1)
        .map(|n| n - 1)
        .sum::<usize>() as u64;
    if duplicated_keys > 0 {
        report.duplicate_rows += duplicated_keys;
        report.problem(format!(
            "content {content_id}: {duplicated_keys} rows repeat an identical comment"
        ));
    }
    let mut seen = HashSet::new();
    for ack in acks {
        // The same id acknowledged twice is legitimate only for identical comments (a retry).
        if seen.insert(ack.id) {
            check_ack(report, content_id, ack, by_id.get(&ack.id).copied());
        }
    }
}

/// One acknowledged comment against its listed rows: `listed` is (rows with its id, their key).
fn check_ack(
    report: &mut IntegrityReport,
    content_id: u64,
    ack: &Ack,
    listed: Option<(usize, u64)>,
) {
    let Some((count, k)) = listed else {
        report.missing += 1;
        report.problem(format!(
            "content {content_id}: acknowledged id {} is not listed",
            ack.id
        ));
        return;
    };
    if k != ack.key {
        report.mismatched += 1;
        report.problem(format!(
            "content {content_id}: id {} lists a different comment",
            ack.id
        ));
    }
    if count == 1 {
        report.listed_exactly_once += 1;
    } else {
        report.duplicate_ids += 1;
        report.problem(format!(
            "content {content_id}: id {} listed {count} times",
            ack.id
        ));
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RetryReport {
    pub rounds: u64,
    pub concurrent_copies: u64,
    pub failed_rounds: u64,
    /// How many answers of each status the identical copies got (expected: rounds x 201, the rest 200).
    pub statuses: BTreeMap<String, u64>,
    pub problems: Vec<String>,
}

/// Sends `copies` identical comments at once, `rounds` times: exactly one 201, the others 200 with
/// the same id, and exactly one listed row.
pub async fn retry_scenario(
    api: &Api,
    data: &DataGen,
    rounds: u64,
    copies: u64,
    ledger: &Ledger,
    next_seq: impl Fn() -> u64,
) -> RetryReport {
    use rand::SeedableRng;
    let mut rng = rand::rngs::SmallRng::seed_from_u64(rounds ^ copies);
    let mut report = RetryReport {
        rounds,
        concurrent_copies: copies,
        ..RetryReport::default()
    };
    for _ in 0..rounds {
        let content = data.content_for_create(&mut rng);
        let comment = data.comment(&mut rng, content, next_seq());
        retry_round(api, &comment, copies, ledger, &mut report).await;
    }
    report
}

/// One round of the retry scenario: the answers are tallied by status, a failure noted.
async fn retry_round(
    api: &Api,
    comment: &NewComment,
    copies: u64,
    ledger: &Ledger,
    report: &mut RetryReport,
) {
    let content = comment.content_id;
    let answers = futures::future::join_all((0..copies).map(|_| api.create(comment))).await;
    let mut created = 0;
    let mut ids = HashSet::new();
    for answer in &answers {
        let label = match answer {
            Ok(c) if c.new => "201".to_owned(),
            Ok(_) => "200".to_owned(),
            Err(e) => e.kind(),
        };
        *report.statuses.entry(label).or_default() += 1;
        if let Ok(c) = answer {
            created += u64::from(c.new);
            ids.insert(c.id);
        }
    }
    let all_answered = answers.iter().all(Result::is_ok);
    let listed = match list_all(api, content).await {
        Ok(rows) => rows
            .iter()
            .filter(|r| r.email == comment.email && r.comment == comment.comment)
            .count(),
        Err(_) => 0,
    };
    if let Some(&id) = ids.iter().next() {
        ledger.acknowledge(comment, id);
    }
    if !(all_answered && created == 1 && ids.len() == 1 && listed == 1) {
        report.failed_rounds += 1;
        if report.problems.len() < MAX_PROBLEMS {
            report.problems.push(format!(
                "content {content}: {copies} identical posts got {created} x 201, ids {ids:?}, \
                 {listed} listed rows, all answered: {all_answered}"
            ));
        }
    }
}
