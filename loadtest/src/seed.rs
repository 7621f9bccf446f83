//! Pre-seeding: before the load, every seeded content gets its comments, so lists return real pages.

use std::time::{Duration, Instant};

use anyhow::bail;
use futures::{StreamExt, stream};
use rand::{SeedableRng, rngs::SmallRng};
use serde::Serialize;

use crate::client::Api;
use crate::engine::Workload;
use crate::integrity::Ledger;

#[derive(Debug, Clone, Serialize)]
pub struct SeedReport {
    pub contents: u64,
    pub comments: u64,
    #[serde(with = "crate::stages::humantime_serde_compat")]
    pub took: Duration,
}

/// Creates `seed_comments_per_content` comments on each seeded content, `concurrency` at a time.
/// Every one must be a new row (201): anything else means the run would measure the wrong thing.
pub async fn seed(
    api: &Api,
    workload: &Workload,
    ledger: &Ledger,
    concurrency: usize,
    rng_seed: u64,
) -> anyhow::Result<SeedReport> {
    let started = Instant::now();
    let config = workload.data.config();
    let mut rng = SmallRng::seed_from_u64(rng_seed ^ 0x5eed);
    let mut comments = Vec::new();
    for _ in 0..config.seed_comments_per_content {
        for content in config.seeded_ids() {
            comments.push(workload.data.comment(&mut rng, content, workload.seq()));
        }
    }
    let total = comments.len() as u64;
    let mut answers = stream::iter(comments)
        .map(|comment| async move {
            let answer = api.create(&comment).await;
            (comment, answer)
        })
        .buffer_unordered(concurrency.max(1));
    let mut failures = Vec::new();
    while let Some((comment, answer)) = answers.next().await {
        match answer {
            Ok(created) if created.new => ledger.acknowledge(&comment, created.id),
            Ok(created) => failures.push(format!("new comment answered 200 (id {})", created.id)),
            Err(e) => failures.push(e.to_string()),
        }
    }
    if !failures.is_empty() {
        bail!(
            "seeding failed for {} of {total} comments; first: {}",
            failures.len(),
            failures
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(" | ")
        );
    }
    Ok(SeedReport {
        contents: config.seeded_contents,
        comments: total,
        took: started.elapsed(),
    })
}
