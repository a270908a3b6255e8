//! B12 and B13: discovery on the plain dataset. B12: status search for a common word
//! (in every status) and a rare one (in one status), every author `indexable`, next
//! to the same SQL without HTTP; and the time a trends refresh takes once the last 48
//! hours of statuses carry hashtags and favourites (seeded here: 1,000 hashtags, one
//! per status; a favourite by each of five other users on one status in ten). B13:
//! follow suggestions for users who follow 200 accounts each in the 10,000-user graph,
//! the first request of each user (computed from the graph) one at a time, then
//! requests answered from what was kept, under load.

use std::sync::Arc;
use std::time::{Duration, Instant};

use roost::db::search::{Reach, StatusSearch};
use roost::db::trends::{self, Kind};
use roost::db::Page;
use roost::services::trends::SCORING;
use sqlx::PgPool;

use crate::floors::sql_rate;
use crate::load::{MakeRequest, Run};
use crate::process::Server;
use crate::report::{Figure, Report};

/// Refreshes timed (the median is reported).
const REFRESHES: usize = 3;
/// Users whose suggestions B13 asks for: each first request computes them.
const SUGGESTED_USERS: usize = 200;

/// Runs B12 and adds its figures to `report`.
pub async fn b12(
    server: &Server,
    pool: &PgPool,
    users: &[i64],
    tokens: &Arc<Vec<String>>,
    run: Run,
    report: &mut Report,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE accounts SET indexable = true")
        .execute(pool)
        .await?;
    for word in [Word::Common, Word::Rare] {
        search(server, pool, users, tokens, run, word, report).await?;
    }
    trends_refresh(pool, report).await
}

/// What B12's status search looks for: `bench`, in every status of the dataset
/// ("bench status N"), or the number of one status.
#[derive(Clone, Copy, Debug)]
enum Word {
    Common,
    Rare,
}

impl Word {
    /// The query of request `n`.
    fn query(self, n: u64) -> String {
        match self {
            Word::Common => "bench".to_owned(),
            Word::Rare => (1 + n * 7919 % 100_000).to_string(),
        }
    }
}

async fn search(
    server: &Server,
    pool: &PgPool,
    users: &[i64],
    tokens: &Arc<Vec<String>>,
    run: Run,
    word: Word,
    report: &mut Report,
) -> anyhow::Result<()> {
    // Both kinds of query are URL-safe as they are (a word, digits).
    let make = authorized_gets(server, tokens, move |n| {
        format!("/api/v2/search?q={}&type=statuses&limit=20", word.query(n))
    });
    let measured = crate::measure(server.pid, run, make).await;
    let floor = sql_rate(
        pool,
        users,
        run.duration,
        move |pool, users, n| async move {
            let viewer = users[(n as usize * 7919) % users.len()];
            let parsed = roost::services::search::query::parse(&word.query(n))
                .map_err(|error| sqlx::Error::Protocol(format!("{error:?}")))?;
            let search = StatusSearch {
                tsquery: parsed.tsquery(),
                language_config: None,
                account_id: None,
                from: Vec::new(),
                not_from: Vec::new(),
                languages: Vec::new(),
                not_languages: Vec::new(),
                created_before: None,
                created_from: None,
                properties: Vec::new(),
                reach: Reach::All,
            };
            let page = Page {
                limit: 20,
                ..Page::default()
            };
            roost::db::search::statuses(&pool, viewer, &search, &page, 0).await?;
            Ok(())
        },
    )
    .await?;
    let what = match word {
        Word::Common => "GET /api/v2/search?type=statuses, a word in every status",
        Word::Rare => "GET /api/v2/search?type=statuses, a word in one status",
    };
    report.add(Figure::load(
        "B12",
        what,
        measured,
        Some(("the same SQL, 8 conns", floor)),
    ));
    Ok(())
}

/// Runs B13 and adds its figures to `report`: the first request of each of
/// [`SUGGESTED_USERS`] users one at a time (nothing kept yet, so each computes), next to
/// the same SQL; then the same users' requests under load, answered from what was kept.
pub async fn b13(
    server: &Server,
    pool: &PgPool,
    users: &[i64],
    tokens: &Arc<Vec<String>>,
    run: Run,
    report: &mut Report,
) -> anyhow::Result<()> {
    let count = SUGGESTED_USERS.min(tokens.len());
    // `tokens[i]` is `users[i]`'s; 7919 is prime, so requests 0..count go to
    // `count` different users.
    let suggested = Arc::new(tokens[..count].to_vec());
    let path = |_| "/api/v2/suggestions?limit=40".to_owned();
    let one_at_a_time = Run {
        connections: 1,
        max_requests: count as u64,
        ..run
    };
    let first = crate::measure(
        server.pid,
        one_at_a_time,
        authorized_gets(server, &suggested, path),
    )
    .await;
    let computed = users[..count].to_vec();
    sqlx::query("DELETE FROM suggestion_caches")
        .execute(pool)
        .await?;
    let floor = sql_rate(pool, &computed, run.duration, |pool, users, n| async move {
        let viewer = users[(n as usize * 7919) % users.len()];
        roost::db::suggestions::compute(&pool, viewer, false).await?;
        roost::db::suggestions::kept(&pool, viewer, 40).await?;
        Ok(())
    })
    .await?;
    report.add(Figure::load(
        "B13",
        "GET /api/v2/suggestions?limit=40, users following 200, first request (computed), 1 conn",
        first,
        Some(("the same SQL, 8 conns", floor)),
    ));
    let kept = crate::measure(server.pid, run, authorized_gets(server, &suggested, path)).await;
    let floor = sql_rate(pool, &computed, run.duration, |pool, users, n| async move {
        let viewer = users[(n as usize * 7919) % users.len()];
        roost::db::suggestions::kept(&pool, viewer, 40).await?;
        Ok(())
    })
    .await?;
    report.add(Figure::load(
        "B13",
        "GET /api/v2/suggestions?limit=40, users following 200, kept",
        kept,
        Some(("the same SQL, 8 conns", floor)),
    ));
    Ok(())
}

async fn trends_refresh(pool: &PgPool, report: &mut Report) -> anyhow::Result<()> {
    seed_recent_use(pool).await?;
    let mut timings = Vec::new();
    let mut counts = [0u64; 3];
    for _ in 0..REFRESHES {
        let started = Instant::now();
        let mut transaction = pool.begin().await?;
        anyhow::ensure!(
            trends::try_lock_refresh(&mut transaction).await?,
            "nothing else refreshes trends during the benchmark"
        );
        for (count, kind) in counts.iter_mut().zip([Kind::Tag, Kind::Status, Kind::Link]) {
            *count = trends::replace(&mut transaction, kind, &SCORING).await?;
        }
        transaction.commit().await?;
        timings.push(started.elapsed());
    }
    timings.sort();
    let median = timings[timings.len() / 2];
    report.note(format!(
        "B12: trends refresh {:.0} ms (median of {REFRESHES}; range {:.0}–{:.0} ms; target ≤ 2000 ms); \
         trending: {} hashtags, {} statuses, {} links",
        ms(median),
        ms(timings[0]),
        ms(timings[timings.len() - 1]),
        counts[0],
        counts[1],
        counts[2],
    ));
    Ok(())
}

/// GETs of `path(n)` on `server`, each as one of the users (spread over `tokens`).
fn authorized_gets(
    server: &Server,
    tokens: &Arc<Vec<String>>,
    path: impl Fn(u64) -> String + Send + Sync + 'static,
) -> MakeRequest {
    let base = server.base.clone();
    let tokens = tokens.clone();
    Arc::new(move |client, n| {
        let token = &tokens[(n as usize * 7919) % tokens.len()];
        client.get(format!("{base}{}", path(n))).bearer_auth(token)
    })
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Gives the statuses of the last 48 hours hashtags and favourites, as a busy instance
/// would have them.
async fn seed_recent_use(pool: &PgPool) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO tags (name) SELECT 'benchtag' || g FROM generate_series(1, 1000) g \
         ON CONFLICT DO NOTHING",
    )
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO status_tags (status_id, tag_id) \
         SELECT s.id, t.id FROM statuses s \
         JOIN tags t ON t.name = 'benchtag' || (1 + s.id % 1000) \
         WHERE s.created_at > now() - interval '48 hours' ON CONFLICT DO NOTHING",
    )
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO favourites (account_id, status_id) \
         SELECT f.account_id, s.id FROM statuses s \
         CROSS JOIN LATERAL (SELECT account_id FROM follows WHERE target_account_id = s.account_id \
                             LIMIT 5) f \
         WHERE s.created_at > now() - interval '48 hours' AND s.id % 10 = 0 \
         ON CONFLICT DO NOTHING",
    )
    .execute(pool)
    .await?;
    sqlx::query("ANALYZE").execute(pool).await?;
    Ok(())
}
