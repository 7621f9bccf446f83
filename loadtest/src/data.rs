//! Realistic request data: many content ids with a hot set that takes most of the traffic, comment
//! lengths spread from a few words to long paragraphs, and a run tag plus sequence number in every
//! comment so each create is a genuinely new row (a retried run never collides with an earlier one).

use rand::{RngExt, rngs::SmallRng};
use serde::{Deserialize, Serialize};

/// Shape of the generated data (the `[data]` table of a scenario file).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DataConfig {
    /// Content ids run from `first_content_id` to `first_content_id + contents - 1`.
    pub first_content_id: u64,
    /// How many distinct content ids receive new comments.
    pub contents: u64,
    /// The first `seeded_contents` ids are pre-seeded and are the ones listed during the run.
    pub seeded_contents: u64,
    /// Comments created per seeded content before the run.
    pub seed_comments_per_content: u32,
    /// Fraction of content ids that are "hot" (popular).
    pub hot_fraction: f64,
    /// Fraction of the traffic that goes to the hot set.
    pub hot_traffic: f64,
    /// Comment length range in characters; lengths are log-uniform, so short comments dominate.
    pub comment_min_chars: usize,
    pub comment_max_chars: usize,
    /// Distinct authors.
    pub users: u64,
}

impl Default for DataConfig {
    fn default() -> Self {
        Self {
            first_content_id: 1,
            contents: 2_000,
            seeded_contents: 100,
            seed_comments_per_content: 50,
            hot_fraction: 0.2,
            hot_traffic: 0.8,
            comment_min_chars: 8,
            comment_max_chars: 600,
            users: 5_000,
        }
    }
}

impl DataConfig {
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(self.contents >= 1, "data.contents must be at least 1");
        anyhow::ensure!(
            self.seeded_contents <= self.contents,
            "data.seeded_contents must be <= data.contents"
        );
        anyhow::ensure!(
            (0.0..=1.0).contains(&self.hot_fraction),
            "data.hot_fraction must be within 0..=1"
        );
        anyhow::ensure!(
            (0.0..=1.0).contains(&self.hot_traffic),
            "data.hot_traffic must be within 0..=1"
        );
        anyhow::ensure!(
            1 <= self.comment_min_chars && self.comment_min_chars <= self.comment_max_chars,
            "data.comment_min_chars must be >= 1 and <= data.comment_max_chars"
        );
        anyhow::ensure!(self.users >= 1, "data.users must be at least 1");
        Ok(())
    }

    pub fn seeded_ids(&self) -> impl Iterator<Item = u64> + use<> {
        self.first_content_id..self.first_content_id + self.seeded_contents
    }
}

/// One comment to post.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Hash)]
pub struct NewComment {
    pub email: String,
    pub comment: String,
    pub content_id: u64,
}

const WORDS: &[&str] = &[
    "great",
    "article",
    "thanks",
    "for",
    "sharing",
    "I",
    "disagree",
    "with",
    "the",
    "second",
    "point",
    "this",
    "is",
    "exactly",
    "what",
    "needed",
    "today",
    "could",
    "you",
    "explain",
    "more",
    "about",
    "performance",
    "database",
    "index",
    "latency",
    "café",
    "naïve",
    "résumé",
    "👍",
    "🚀",
    "and",
    "but",
    "really",
    "interesting",
    "take",
    "on",
    "it",
    "source",
    "please",
    "update",
    "typo",
    "in",
    "paragraph",
];

/// Generates content ids and comments for one run.
#[derive(Debug, Clone)]
pub struct DataGen {
    config: DataConfig,
    run_tag: String,
}

impl DataGen {
    pub fn new(config: DataConfig, run_tag: String) -> Self {
        Self { config, run_tag }
    }

    pub fn config(&self) -> &DataConfig {
        &self.config
    }

    /// A content id for a new comment: any content, hot set preferred.
    pub fn content_for_create(&self, rng: &mut SmallRng) -> u64 {
        self.config.first_content_id + pick_hot(rng, self.config.contents, &self.config)
    }

    /// A content id to list: only seeded content, so an empty answer is a real error.
    pub fn content_for_list(&self, rng: &mut SmallRng) -> u64 {
        self.config.first_content_id
            + pick_hot(rng, self.config.seeded_contents.max(1), &self.config)
    }

    /// A new, unique comment; `seq` must be unique within the run.
    pub fn comment(&self, rng: &mut SmallRng, content_id: u64, seq: u64) -> NewComment {
        let user = rng.random_range(0..self.config.users);
        let email = format!("user{user}.{}@example.com", self.run_tag);
        let tag = format!(" #{}-{seq}", self.run_tag);
        let min = self.config.comment_min_chars.max(tag.chars().count() + 1);
        let max = self.config.comment_max_chars.max(min);
        let target = log_uniform(rng, min, max);
        let mut comment = String::with_capacity(target * 2);
        let body_chars = target - tag.chars().count();
        let mut chars = 0;
        while chars < body_chars {
            let word = WORDS[rng.random_range(0..WORDS.len())];
            let space = usize::from(chars > 0);
            let needed = word.chars().count() + space;
            if chars + needed > body_chars {
                let fill = body_chars - chars;
                comment.extend(std::iter::repeat_n('.', fill));
                break;
            }
            if space == 1 {
                comment.push(' ');
            }
            comment.push_str(word);
            chars += needed;
        }
        comment.push_str(&tag);
        NewComment {
            email,
            comment,
            content_id,
        }
    }
}

fn pick_hot(rng: &mut SmallRng, n: u64, config: &DataConfig) -> u64 {
    let hot = ((n as f64 * config.hot_fraction).ceil() as u64).clamp(1, n);
    if hot == n || rng.random_bool(config.hot_traffic) {
        rng.random_range(0..hot)
    } else {
        rng.random_range(hot..n)
    }
}

fn log_uniform(rng: &mut SmallRng, min: usize, max: usize) -> usize {
    if min >= max {
        return min;
    }
    let (lo, hi) = ((min as f64).ln(), (max as f64 + 1.0).ln());
    (rng.random_range(lo..hi).exp() as usize).clamp(min, max)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    fn gen_() -> (DataGen, SmallRng) {
        (
            DataGen::new(DataConfig::default(), "t1".into()),
            SmallRng::seed_from_u64(7),
        )
    }

    #[test]
    fn hot_set_takes_most_traffic() {
        let (g, mut rng) = gen_();
        let hot_end = 1 + (2_000.0_f64 * 0.2) as u64;
        let hits = (0..10_000)
            .filter(|_| g.content_for_create(&mut rng) < hot_end)
            .count();
        assert!((7_600..8_400).contains(&hits), "hot hits {hits}");
    }

    #[test]
    fn lists_only_seeded_content() {
        let (g, mut rng) = gen_();
        assert!((0..5_000).all(|_| (1..=100).contains(&g.content_for_list(&mut rng))));
    }

    #[test]
    fn comments_are_unique_and_lengths_vary() {
        let (g, mut rng) = gen_();
        let comments: Vec<_> = (0..2_000).map(|i| g.comment(&mut rng, 1, i)).collect();
        let unique: std::collections::HashSet<_> = comments.iter().map(|c| &c.comment).collect();
        assert_eq!(unique.len(), comments.len());
        let lens: Vec<_> = comments.iter().map(|c| c.comment.chars().count()).collect();
        assert!(lens.iter().all(|l| (8..=600).contains(l)), "{lens:?}");
        assert!(
            lens.iter().filter(|&&l| l < 60).count() > 500,
            "short comments dominate"
        );
        assert!(lens.iter().any(|&l| l > 400), "some long comments");
        assert!(comments.iter().all(|c| c.email.ends_with("@example.com")));
    }
}
