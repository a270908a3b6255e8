//! The federation benchmarks: fan-out of one post to remote followers on many instances
//! (B3), a stream of signed `Create`s into the inbox (B4), a burst of concurrent inbox
//! POSTs (B5), and the follow round trip between two Roost instances (B8).

use std::sync::Arc;
use std::time::{Duration, Instant};

use roost::federation::signatures::SigningKey;
use serde_json::Value;
use sqlx::PgPool;

use crate::farm::{self, Behaviour, Farm, Presigned};
use crate::load::Load;
use crate::load::{MakeRequest, Measured, Run};
use crate::process::{self, Server};

/// Remote followers of B3 and how they spread over instances.
const B3_INSTANCES: usize = 100;
const B3_FOLLOWERS_PER_INSTANCE: usize = 10;
/// Remote actors sending to the inbox in B4.
const B4_ACTORS: usize = 100;
/// Concurrent POSTs of B5.
const B5_BURST: usize = 2_000;

/// What B3 measured in one configuration.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FanOut {
    pub configuration: String,
    /// Signed requests that arrived and verified.
    pub verified: u64,
    /// Requests whose signature failed.
    pub rejected: u64,
    /// From the post's `200` to the last healthy instance's delivery.
    pub healthy_done_ms: f64,
    /// Deliveries to healthy instances.
    pub healthy_instances: usize,
}

/// B3: one post by `author` to 1,000 remote followers on 100 farm instances, once with
/// every instance healthy and once with one slow (150 ms) and five dead instances.
pub async fn fan_out(
    server: &Server,
    pool: &PgPool,
    author: (i64, &str),
    signer_public_pem: &str,
) -> anyhow::Result<Vec<FanOut>> {
    let mut results = Vec::new();
    // The first fan-out after start also opens the workers' database connections and
    // prepares their statements; the second shows a running server.
    for (name, behaviours) in [
        (
            "100 healthy instances, first fan-out after start",
            vec![Behaviour::Normal; B3_INSTANCES],
        ),
        (
            "100 healthy instances",
            vec![Behaviour::Normal; B3_INSTANCES],
        ),
        (
            "1 slow (150 ms), 3 refusing, 2 never answering, 94 healthy",
            mixed_behaviours(),
        ),
    ] {
        let farm = Farm::start(&behaviours, signer_public_pem).await?;
        sqlx::query("DELETE FROM follows WHERE target_account_id = $1")
            .bind(author.0)
            .execute(pool)
            .await?;
        add_remote_followers(pool, &farm, author.0).await?;
        let posted = Instant::now();
        let response = reqwest::Client::new()
            .post(format!("{}/api/v1/statuses", server.base))
            .bearer_auth(author.1)
            .json(&serde_json::json!({"status": "to all my remote followers"}))
            .send()
            .await?;
        anyhow::ensure!(
            response.status().is_success(),
            "posting failed: {}",
            response.status()
        );
        let healthy: Vec<usize> = behaviours
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == Behaviour::Normal)
            .map(|(i, _)| i)
            .collect();
        let since_post = posted.duration_since(farm.started);
        let deadline = Instant::now() + Duration::from_secs(30);
        let done = loop {
            let arrivals = farm
                .tally
                .arrivals
                .lock()
                .map(|a| a.clone())
                .unwrap_or_default();
            let healthy_arrivals: Vec<u64> = arrivals
                .iter()
                .filter(|(i, _)| healthy.contains(i))
                .map(|(_, t)| *t)
                .collect();
            if healthy_arrivals.len() >= healthy.len() || Instant::now() > deadline {
                break healthy_arrivals.iter().max().copied().unwrap_or(0);
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        results.push(FanOut {
            configuration: name.to_owned(),
            verified: farm
                .tally
                .verified
                .load(std::sync::atomic::Ordering::Relaxed),
            rejected: farm
                .tally
                .rejected
                .load(std::sync::atomic::Ordering::Relaxed),
            healthy_done_ms: Duration::from_nanos(done)
                .saturating_sub(since_post)
                .as_secs_f64()
                * 1000.0,
            healthy_instances: healthy.len(),
        });
        farm.stop();
    }
    Ok(results)
}

fn mixed_behaviours() -> Vec<Behaviour> {
    let mut behaviours = vec![Behaviour::Normal; B3_INSTANCES];
    behaviours[0] = Behaviour::Slow(Duration::from_millis(150));
    for behaviour in behaviours.iter_mut().skip(1).take(3) {
        *behaviour = Behaviour::Dead;
    }
    for behaviour in behaviours.iter_mut().skip(4).take(2) {
        *behaviour = Behaviour::Silent;
    }
    behaviours
}

/// Inserts 10 remote accounts per farm instance, all following `author`.
async fn add_remote_followers(pool: &PgPool, farm: &Farm, author: i64) -> anyhow::Result<()> {
    for origin in &farm.origins {
        let domain = origin.trim_start_matches("http://");
        for n in 0..B3_FOLLOWERS_PER_INSTANCE {
            let name = format!("f{n}");
            let id = farm::actor_id(origin, &name);
            let account: i64 = sqlx::query_scalar(
                "INSERT INTO accounts (username, domain, ap_id, inbox_url, shared_inbox_url, key_id, public_key_pem, last_fetched_at) \
                 VALUES ($1, $2, $3, $3 || '/inbox', $4, $3 || '#main-key', $5, now()) \
                 ON CONFLICT (ap_id) WHERE ap_id IS NOT NULL DO UPDATE SET shared_inbox_url = EXCLUDED.shared_inbox_url RETURNING id",
            )
            .bind(&name)
            .bind(domain)
            .bind(&id)
            .bind(format!("{origin}/inbox"))
            .bind(&farm.actor_keys.public_pem)
            .fetch_one(pool)
            .await?;
            sqlx::query(
                "INSERT INTO follows (account_id, target_account_id, accepted, ap_id) VALUES ($1, $2, true, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(account)
            .bind(author)
            .bind(format!("{id}/follows/{author}"))
            .execute(pool)
            .await?;
        }
    }
    Ok(())
}

/// Signs `count` Creates from `B4_ACTORS` farm actors, on every core.
async fn presign(
    farm: &Farm,
    inbox: &url::Url,
    count: usize,
    offset: u64,
) -> anyhow::Result<Arc<Vec<Presigned>>> {
    let key = Arc::new(SigningKey::from_pem(&farm.actor_keys.private_pem)?);
    let actors: Arc<Vec<String>> = Arc::new(
        (0..B4_ACTORS)
            .map(|i| farm::actor_id(&farm.origins[i % farm.origins.len()], &format!("a{i}")))
            .collect(),
    );
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..workers {
        let (key, actors, inbox) = (key.clone(), actors.clone(), inbox.clone());
        tasks.spawn_blocking(move || {
            (worker..count)
                .step_by(workers)
                .map(|n| {
                    farm::presign_create(&actors[n % actors.len()], &inbox, offset + n as u64, &key)
                })
                .collect::<anyhow::Result<Vec<_>>>()
        });
    }
    let mut all = Vec::with_capacity(count);
    while let Some(part) = tasks.join_next().await {
        all.extend(part??);
    }
    Ok(Arc::new(all))
}

/// B4: a stream of signed Creates from 100 remote actors into the shared inbox (after
/// one warm-up Create per actor, so that Roost has fetched every actor).
pub async fn inbox_stream(
    server: &Server,
    run: Run,
    signer_public_pem: &str,
) -> anyhow::Result<Load> {
    let farm = Farm::start(&[Behaviour::Normal; 10], signer_public_pem).await?;
    let inbox = url::Url::parse(&format!("{}/inbox", server.base))?;
    warm_up(&farm, &inbox).await?;
    let count = (run.duration.as_secs() as usize * 3_000).min(run.max_requests as usize);
    let signed = presign(&farm, &inbox, count, B4_ACTORS as u64).await?;
    let run = Run {
        max_requests: count as u64,
        ..run
    };
    let make: MakeRequest =
        Arc::new(move |client, n| signed[n as usize % signed.len()].request(client, &inbox));
    let load = crate::measure(server.pid, run, make).await;
    farm.stop();
    Ok(load)
}

/// What B5 measured.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Burst {
    pub sent: usize,
    pub accepted: usize,
    /// From the first POST until every accepted activity was processed.
    pub drained_ms: f64,
    pub peak_rss_mb: f64,
}

/// B5: 2,000 signed POSTs at once; then waits (at most 60 s) until all are processed.
/// Its 100 actors are made known first, and the inbox queue is drained of earlier
/// benchmarks' activities (at most 5 minutes), so only the burst is timed.
pub async fn burst(
    server: &Server,
    pool: &PgPool,
    signer_public_pem: &str,
) -> anyhow::Result<Burst> {
    let farm = Farm::start(&[Behaviour::Normal; 10], signer_public_pem).await?;
    let inbox = url::Url::parse(&format!("{}/inbox", server.base))?;
    warm_up(&farm, &inbox).await?;
    wait_until_processed(pool, Duration::from_secs(300)).await?;
    let signed = presign(&farm, &inbox, B5_BURST, 10_000_000).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(B5_BURST)
        .timeout(Duration::from_secs(30))
        .build()?;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for request in signed.iter() {
        let request = request.request(&client, &inbox);
        tasks.spawn(async move { request.send().await.is_ok_and(|r| r.status().is_success()) });
    }
    let mut accepted = 0;
    while let Some(ok) = tasks.join_next().await {
        accepted += usize::from(ok.unwrap_or(false));
    }
    wait_until_processed(pool, Duration::from_secs(60)).await?;
    let drained_ms = started.elapsed().as_secs_f64() * 1000.0;
    farm.stop();
    Ok(Burst {
        sent: B5_BURST,
        accepted,
        drained_ms,
        peak_rss_mb: process::memory_mb(server.pid).1,
    })
}

/// B8: follows from users of `a` to users of `b` (two Roost processes), each timed
/// from the follow request until `a` reports `following: true`. The first is an
/// untimed warm-up: it is also the first request `b` ever serves and the first
/// contact between the two servers.
pub async fn follow_round_trips(
    a: &Server,
    a_tokens: &[String],
    b: &Server,
    b_names: &[String],
) -> anyhow::Result<Measured> {
    let client = reqwest::Client::new();
    let b_domain = b.base.trim_start_matches("http://");
    let mut latencies = Vec::new();
    let started = Instant::now();
    for (round, (token, name)) in a_tokens.iter().zip(b_names).enumerate() {
        let search = format!(
            "{}/api/v2/search?q=@{name}@{b_domain}&resolve=true&type=accounts",
            a.base
        );
        let found = get_json(&client, &search, token).await?;
        let id = found["accounts"][0]["id"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("could not resolve {name}: {found}"))?
            .to_owned();
        let sent = Instant::now();
        let follow = client
            .post(format!("{}/api/v1/accounts/{id}/follow", a.base))
            .bearer_auth(token)
            .send()
            .await?;
        anyhow::ensure!(
            follow.status().is_success(),
            "follow failed: {}",
            follow.status()
        );
        let deadline = sent + Duration::from_secs(10);
        loop {
            let relationships = format!("{}/api/v1/accounts/relationships?id[]={id}", a.base);
            let relationship = get_json(&client, &relationships, token).await?;
            if relationship[0]["following"] == true {
                if round > 0 {
                    latencies.push(sent.elapsed());
                }
                break;
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "the follow of {name} was not accepted within 10 s"
            );
            // Often enough to add at most 2 ms, seldom enough that the polling itself
            // does not take the CPU the two servers need (each poll is a request to A).
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    Ok(crate::load::summarize(latencies, 0, started.elapsed()))
}

/// GETs `url` with `token` and parses the JSON answer.
async fn get_json(client: &reqwest::Client, url: &str, token: &str) -> anyhow::Result<Value> {
    Ok(client
        .get(url)
        .bearer_auth(token)
        .send()
        .await?
        .json()
        .await?)
}

/// One Create per farm actor, one at a time, so that Roost fetches (and keeps) every
/// actor before a timed run.
async fn warm_up(farm: &Farm, inbox: &url::Url) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    for request in presign(farm, inbox, B4_ACTORS, 0).await?.iter() {
        let status = request.request(&client, inbox).send().await?.status();
        anyhow::ensure!(status.is_success(), "warm-up Create refused: {status}");
    }
    Ok(())
}

/// Waits until every stored inbound activity is processed, or `limit` passed.
pub async fn wait_until_processed(pool: &PgPool, limit: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + limit;
    loop {
        let pending: i64 =
            sqlx::query_scalar("SELECT count(*) FROM inbox_activities WHERE processed_at IS NULL")
                .fetch_one(pool)
                .await?;
        if pending == 0 || Instant::now() > deadline {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
