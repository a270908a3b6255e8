//! S3: two HTTP processes and two workers on one database (see the parent module).

use super::*;

/// Where S3 runs: its own database on the suite's PostgreSQL server.
pub struct Setup<'a> {
    pub admin: &'a PgPool,
    pub binary: &'a Path,
    /// The database's name (made afresh) and its URL.
    pub database: String,
    pub database_url: String,
}

/// `roost_queue_attempts_total{queue="delivery"}` of the process whose metrics
/// listener is `base` (0 while the counter has no sample).
async fn delivery_attempts(client: &reqwest::Client, base: &str) -> anyhow::Result<u64> {
    let text = client
        .get(format!("{base}/metrics"))
        .send()
        .await?
        .text()
        .await?;
    Ok(text
        .lines()
        .filter(|line| {
            line.starts_with("roost_queue_attempts_total{") && line.contains("queue=\"delivery\"")
        })
        .filter_map(|line| line.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map(|value| value as u64)
        .sum())
}

/// S3: two HTTP-only `roost serve` and two `roost worker` on one database; posts
/// through both HTTP processes to remote followers on the farm.
pub async fn s3(setup: &Setup<'_>, scale: Scale) -> anyhow::Result<SharedLoad> {
    let pool = dataset::fresh_database(setup.admin, &setup.database).await?;
    let size = dataset::Size {
        users: S3_AUTHORS,
        follows: 0,
        statuses: 0,
    };
    let loaded = dataset::load(&pool, size).await?;
    let farm = Farm::start(
        &vec![Behaviour::Normal; scale.s3_instances],
        &loaded.public_key_pem,
    )
    .await?;
    prepare_domains(&pool, &domains(&farm)).await?;
    add_followers(
        &pool,
        &farm,
        "s3f",
        S3_FOLLOWERS_PER_INSTANCE,
        &loaded.users,
    )
    .await?;

    let (port_a, port_b) = (crate::free_port()?, crate::free_port()?);
    // One instance: every process names it by the first HTTP process's address.
    let domain = format!("127.0.0.1:{port_a}");
    let secret = roost::config::SecretKey(roost::auth::tokens::random_token(48).into_bytes());
    let secret_file = std::env::temp_dir().join(format!("roost-bench-{port_a}-s3.key"));
    std::fs::write(&secret_file, &secret.0)?;
    let common = vec![
        ("DATABASE_URL", setup.database_url.clone()),
        ("ROOST_SECRET_KEY_FILE", secret_file.display().to_string()),
        ("ROOST_DOMAIN", domain.clone()),
    ];
    let result = run_s3(
        setup,
        scale,
        &pool,
        &farm,
        &loaded,
        &secret,
        &common,
        [port_a, port_b],
    )
    .await;
    farm.stop();
    let _ = std::fs::remove_file(&secret_file);
    result
}

/// The processes and the load of S3 (they are killed when dropped, on error too).
#[allow(clippy::too_many_arguments)]
async fn run_s3(
    setup: &Setup<'_>,
    scale: Scale,
    pool: &PgPool,
    farm: &Farm,
    loaded: &dataset::Loaded,
    secret: &roost::config::SecretKey,
    common: &[(&'static str, String)],
    ports: [u16; 2],
) -> anyhow::Result<SharedLoad> {
    let mut serves = Vec::new();
    let mut serve_metrics = Vec::new();
    for port in ports {
        let metrics_port = crate::free_port()?;
        let mut env = common.to_vec();
        env.push(("ROOST_WORKERS", "false".to_owned()));
        env.push(("ROOST_METRICS_BIND", format!("127.0.0.1:{metrics_port}")));
        serves.push(process::start(setup.binary, port, &env).await?);
        serve_metrics.push(format!("http://127.0.0.1:{metrics_port}"));
    }
    let mut workers = Vec::new();
    for _ in 0..2 {
        workers.push(process::start_worker(setup.binary, crate::free_port()?, common).await?);
    }
    let domain = &common
        .iter()
        .find(|(name, _)| *name == "ROOST_DOMAIN")
        .ok_or_else(|| anyhow::anyhow!("no ROOST_DOMAIN"))?
        .1;
    let issuer_base = format!("http://{domain}");
    let tokens = Arc::new(dataset::tokens(pool, secret, &issuer_base, &loaded.users).await?);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(S3_CONCURRENCY)
        .timeout(Duration::from_secs(30))
        .build()?;
    let mut attempts_before = Vec::new();
    for worker in &workers {
        attempts_before.push(delivery_attempts(&client, &worker.base).await?);
    }

    let bases: Arc<Vec<String>> = Arc::new(serves.iter().map(|s| s.base.clone()).collect());
    let posts = scale.s3_posts;
    let started = Instant::now();
    let since_start = farm.started.elapsed();
    let next = Arc::new(AtomicUsize::new(0));
    let accepted = Arc::new(AtomicUsize::new(0));
    let mut senders = tokio::task::JoinSet::new();
    for _ in 0..S3_CONCURRENCY {
        let (client, bases, tokens, next, accepted) = (
            client.clone(),
            bases.clone(),
            tokens.clone(),
            next.clone(),
            accepted.clone(),
        );
        senders.spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= posts {
                    break;
                }
                let base = &bases[n % bases.len()];
                let token = &tokens[n % tokens.len()];
                let ok = post(&client, base, token, &format!("S3 post {n}"))
                    .await
                    .is_ok();
                accepted.fetch_add(usize::from(ok), Ordering::Relaxed);
            }
        });
    }
    while senders.join_next().await.is_some() {}
    let posts_accepted = accepted.load(Ordering::Relaxed);
    let expected = posts_accepted * scale.s3_instances;
    let actor_prefix = format!("{issuer_base}/users/");
    let mut tally = Tally::new();
    let deadline = started + S3_LIMIT;
    while tally.pairs.len() < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
        tally.update(farm, &actor_prefix);
    }
    tokio::time::sleep(SETTLE).await;
    tally.update(farm, &actor_prefix);
    let mut worker_attempts = Vec::new();
    for (worker, before) in workers.iter().zip(attempts_before) {
        worker_attempts.push(
            delivery_attempts(&client, &worker.base)
                .await?
                .saturating_sub(before),
        );
    }
    let mut serve_attempts = Vec::new();
    for base in &serve_metrics {
        serve_attempts.push(delivery_attempts(&client, base).await?);
    }
    let result = SharedLoad {
        posts,
        posts_accepted,
        instances: scale.s3_instances,
        expected_deliveries: expected,
        delivered: tally.pairs.len(),
        duplicates: tally.duplicates(),
        missing: expected.saturating_sub(tally.pairs.len()),
        rejected: tally.rejected,
        pending_after: pending_deliveries(pool, None).await?,
        all_delivered_ms: Duration::from_nanos(tally.last_nanos)
            .saturating_sub(since_start)
            .as_secs_f64()
            * 1000.0,
        worker_attempts,
        serve_attempts,
    };
    for process in serves.into_iter().chain(workers) {
        process.stop().await;
    }
    Ok(result)
}
