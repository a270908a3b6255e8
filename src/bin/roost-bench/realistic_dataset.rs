//! B11's realistic dataset: the plain dataset's users and follows, with statuses
//! of 200–500 characters (see `realistic_text`) stored as posting stores them: the
//! HTML from Roost's own status text rendering, `mentions`, `tags` and
//! `status_tags` rows, and image attachments in `media_attachments` for one status
//! in four. Loaded with set-based SQL in batches, triggers off, as `dataset` does.

use std::collections::HashMap;

use rand::rngs::StdRng;
use rand::SeedableRng;
use roost::domain::status_text::{self, MentionTarget};
use sqlx::PgPool;

use crate::dataset::{self, Loaded, Size};
use crate::realistic_text;

/// Statuses rendered and inserted per statement batch.
const BATCH: i64 = 5_000;

/// Loads users and follows as the plain dataset does, and `size.statuses` realistic
/// statuses rendered for a server at `base_url`; fills the home feeds and analyses.
pub async fn load(pool: &PgPool, size: Size, base_url: &str) -> anyhow::Result<Loaded> {
    let loaded = dataset::load(
        pool,
        Size {
            statuses: 0,
            ..size
        },
    )
    .await?;
    let mut conn = pool.acquire().await?;
    // Triggers (stream NOTIFY, fan-out) and FK checks off for the bulk load only.
    sqlx::query("SET session_replication_role = replica")
        .execute(&mut *conn)
        .await?;
    let tags = insert_tags(&mut conn).await?;
    let mut rng = StdRng::seed_from_u64(11);
    let mut first = 0;
    while first < size.statuses {
        let count = BATCH.min(size.statuses - first);
        let batch = Batch::generate(
            &mut rng,
            &loaded.users,
            &tags,
            base_url,
            first,
            size.statuses,
            count,
        );
        batch.insert(&mut conn, count).await?;
        first += count;
    }
    dataset::fill_home_feeds(&mut conn, size).await?;
    sqlx::query("SET session_replication_role = origin")
        .execute(&mut *conn)
        .await?;
    sqlx::query("ANALYZE").execute(&mut *conn).await?;
    Ok(loaded)
}

/// The hashtags, by lowercased name.
async fn insert_tags(conn: &mut sqlx::PgConnection) -> anyhow::Result<HashMap<String, i64>> {
    let names: Vec<String> = realistic_text::TAGS
        .iter()
        .map(|t| t.to_lowercase())
        .collect();
    let rows: Vec<(i64, String)> =
        sqlx::query_as("INSERT INTO tags (name) SELECT unnest($1::text[]) RETURNING id, name")
            .bind(&names)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(|(id, name)| (name, id)).collect())
}

/// One batch of statuses with their mentions, tags and media, as column arrays.
#[derive(Default)]
struct Batch {
    authors: Vec<i64>,
    ages: Vec<f64>,
    texts: Vec<String>,
    contents: Vec<String>,
    /// (status index in the batch, account id)
    mentions: Vec<(usize, i64)>,
    tags: Vec<(usize, i64)>,
    /// (status index, position)
    media: Vec<(usize, i16)>,
}

impl Batch {
    /// Statuses `first .. first + count` of `total`: status `g` (from 1) is by user
    /// `g % users` and `total - g` seconds old, as in the plain dataset.
    fn generate(
        rng: &mut StdRng,
        users: &[i64],
        tags: &HashMap<String, i64>,
        base_url: &str,
        first: i64,
        total: i64,
        count: i64,
    ) -> Batch {
        let mut batch = Batch::default();
        let resolve = |username: &str, domain: Option<&str>| {
            let n: usize = username.strip_prefix("bench")?.parse().ok()?;
            (domain.is_none() && (1..=users.len()).contains(&n)).then(|| MentionTarget {
                url: format!("{base_url}/@{username}"),
                acct: username.to_owned(),
            })
        };
        for i in 0..count as usize {
            let g = first + i as i64 + 1;
            let text = realistic_text::status(rng, users.len() as i64);
            let parsed = status_text::render(&text, base_url, resolve);
            for mention in &parsed.mentions {
                let n: Option<usize> = mention
                    .username
                    .strip_prefix("bench")
                    .and_then(|n| n.parse().ok());
                if let Some(account) = n.and_then(|n| users.get(n - 1)) {
                    batch.mentions.push((i, *account));
                }
            }
            for tag in &parsed.tags {
                if let Some(id) = tags.get(tag) {
                    batch.tags.push((i, *id));
                }
            }
            for position in 0..realistic_text::media_count(rng) {
                batch.media.push((i, position as i16));
            }
            batch.authors.push(users[(g as usize) % users.len()]);
            batch.ages.push((total - g) as f64);
            batch.texts.push(text);
            batch.contents.push(parsed.html);
        }
        batch
    }

    /// Inserts the batch (ids from `timestamp_id()`, in order).
    async fn insert(self, conn: &mut sqlx::PgConnection, count: i64) -> anyhow::Result<()> {
        let ids: Vec<i64> =
            sqlx::query_scalar("SELECT timestamp_id() FROM generate_series(1, $1) ORDER BY 1")
                .bind(count)
                .fetch_all(&mut *conn)
                .await?;
        sqlx::query(
            "INSERT INTO statuses (id, account_id, local, text, content, visibility, language, created_at) \
             SELECT id, account_id, true, text, content, 'public', 'en', now() - make_interval(secs => age) \
             FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::float8[]) \
                  AS t(id, account_id, text, content, age)",
        )
        .bind(&ids)
        .bind(&self.authors)
        .bind(&self.texts)
        .bind(&self.contents)
        .bind(&self.ages)
        .execute(&mut *conn)
        .await?;
        let pairs = |rows: &[(usize, i64)]| -> (Vec<i64>, Vec<i64>) {
            rows.iter().map(|(i, other)| (ids[*i], *other)).unzip()
        };
        let (statuses, accounts) = pairs(&self.mentions);
        sqlx::query(
            "INSERT INTO mentions (status_id, account_id) SELECT * FROM unnest($1::bigint[], $2::bigint[]) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&statuses)
        .bind(&accounts)
        .execute(&mut *conn)
        .await?;
        let (statuses, tags) = pairs(&self.tags);
        sqlx::query(
            "INSERT INTO status_tags (status_id, tag_id) SELECT * FROM unnest($1::bigint[], $2::bigint[]) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&statuses)
        .bind(&tags)
        .execute(&mut *conn)
        .await?;
        let statuses: Vec<i64> = self.media.iter().map(|(i, _)| ids[*i]).collect();
        let owners: Vec<i64> = self.media.iter().map(|(i, _)| self.authors[*i]).collect();
        let positions: Vec<i16> = self.media.iter().map(|(_, p)| *p).collect();
        let descriptions: Vec<String> = self
            .media
            .iter()
            .map(|(i, p)| {
                let pick = (i + *p as usize) % (realistic_text::ALT_TEXTS.len() + 2);
                realistic_text::ALT_TEXTS
                    .get(pick)
                    .copied()
                    .unwrap_or("")
                    .to_owned()
            })
            .collect();
        sqlx::query(
            "INSERT INTO media_attachments (account_id, status_id, position, kind, content_type, \
               file_key, preview_key, file_size, description, blurhash, width, height, \
               preview_width, preview_height) \
             SELECT owner, status, position, 'image', 'image/jpeg', \
               'bench/' || status || '/' || position || '/original.jpg', \
               'bench/' || status || '/' || position || '/small.jpg', 412345, description, \
               'LEHV6nWB2yk8pyo0adR*.7kCMdnj', 1600, 1200, 640, 480 \
             FROM unnest($1::bigint[], $2::bigint[], $3::smallint[], $4::text[]) \
                  AS t(owner, status, position, description)",
        )
        .bind(&owners)
        .bind(&statuses)
        .bind(&positions)
        .bind(&descriptions)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_stores_rendered_html_with_mentions_tags_and_media() {
        let users: Vec<i64> = (100..1100).collect();
        let tags: HashMap<String, i64> = realistic_text::TAGS
            .iter()
            .enumerate()
            .map(|(i, t)| (t.to_lowercase(), i as i64))
            .collect();
        let mut rng = StdRng::seed_from_u64(3);
        let batch = Batch::generate(&mut rng, &users, &tags, "http://b.test", 0, 1000, 1000);
        assert_eq!(batch.contents.len(), 1000);
        assert!(batch.contents.iter().all(|html| html.starts_with("<p>")));
        assert!(batch
            .contents
            .iter()
            .any(|html| html.contains("class=\"u-url mention\"")));
        assert!(batch
            .contents
            .iter()
            .any(|html| html.contains("href=\"http://b.test/tags/")));
        assert!(batch.mentions.len() > 300 && batch.tags.len() > 500);
        let with_media = batch.media.iter().filter(|(_, p)| *p == 0).count();
        assert!((150..350).contains(&with_media), "{with_media}");
    }
}
