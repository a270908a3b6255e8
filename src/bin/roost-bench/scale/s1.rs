//! S1: one post to many remote followers on many instances (see the parent module).

use super::*;

/// S1: one post by `author` to its remote followers on `scale.s1_instances` farm
/// instances, with a home-timeline stream (as other users, `tokens`) before and during.
pub async fn s1(
    server: &Server,
    pool: &PgPool,
    author: (i64, &str),
    tokens: Arc<Vec<String>>,
    signer_public_pem: &str,
    scale: Scale,
) -> anyhow::Result<FanOutAtScale> {
    // Each instance is a listener and, while Roost keeps its connection, one accepted
    // socket: two descriptors per instance in this process.
    let mut instances = scale.s1_instances;
    let limit = open_files_limit().unwrap_or(1_024);
    let fits = (limit.saturating_sub(SPARE_FDS) / 2) as usize;
    let scaled_down = fits < instances;
    if scaled_down {
        eprintln!(
            "roost-bench: S1: {instances} instances do not fit {limit} open files; using {fits}"
        );
        instances = fits.max(1);
    }
    let farm = Farm::start(&vec![Behaviour::Normal; instances], signer_public_pem).await?;
    prepare_domains(pool, &domains(&farm)).await?;
    let added = Instant::now();
    let follows = add_followers(
        pool,
        &farm,
        "s1f",
        scale.s1_followers_per_instance,
        &[author.0],
    )
    .await?;
    eprintln!(
        "roost-bench: S1: {follows} remote followers added in {:.1} s",
        added.elapsed().as_secs_f64()
    );
    sqlx::query("ANALYZE accounts, follows")
        .execute(pool)
        .await?;
    let actor = actor_url(pool, &server.base, author.0).await?;

    let make = crate::home_timeline(&server.base, tokens);
    let before = timeline_stream(
        make.clone(),
        S1_TIMELINE_CONNECTIONS,
        Arc::new(AtomicBool::new(false)),
        Duration::from_secs(scale.s1_timeline_before_secs),
    )
    .await;

    let (rss_before, _) = process::memory_mb(server.pid);
    reset_peak(server.pid);
    let stop = Arc::new(AtomicBool::new(false));
    let during = tokio::spawn(timeline_stream(
        make,
        S1_TIMELINE_CONNECTIONS,
        stop.clone(),
        S1_LIMIT,
    ));
    let since_start = farm.started.elapsed();
    let cpu_before = process::cpu_micros(server.pid);
    let open_fds_before = open_fds(server.pid);
    let sent = Instant::now();
    let posted = post(
        &reqwest::Client::new(),
        &server.base,
        author.1,
        "S1: to all my remote followers",
    )
    .await;
    let post_ms = sent.elapsed().as_secs_f64() * 1000.0;
    let mut tally = Tally::new();
    if posted.is_ok() {
        let deadline = sent + S1_LIMIT;
        while tally.instances.len() < instances && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
            tally.update(&farm, &actor);
        }
    }
    stop.store(true, Ordering::Relaxed);
    let server_cpu_ms = process::cpu_micros(server.pid).saturating_sub(cpu_before) as f64 / 1000.0;
    let open_fds_after = open_fds(server.pid);
    let during = during.await.unwrap_or_default();
    let (_, peak) = process::memory_mb(server.pid);
    posted?;
    tokio::time::sleep(SETTLE).await;
    let (rss_after, _) = process::memory_mb(server.pid);
    let closing = Instant::now();
    let mut connections_closed_after_s = None;
    while closing.elapsed() < scale.s1_release_wait {
        if open_fds(server.pid) <= open_fds_before + 50 {
            connections_closed_after_s = Some((closing.elapsed() + SETTLE).as_secs_f64());
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let (rss_released, _) = process::memory_mb(server.pid);
    tally.update(&farm, &actor);
    let result = FanOutAtScale {
        instances,
        followers: instances * scale.s1_followers_per_instance,
        scaled_down_for_fd_limit: scaled_down,
        post_ms,
        all_delivered_ms: Duration::from_nanos(tally.last_nanos)
            .saturating_sub(since_start)
            .as_secs_f64()
            * 1000.0,
        instances_reached: tally.instances.len(),
        deliveries: tally.deliveries(),
        duplicates: tally.duplicates(),
        missing: instances - tally.instances.len().min(instances),
        rejected: tally.rejected,
        pending_after: pending_deliveries(pool, Some(author.0)).await?,
        rss_before_mb: rss_before,
        peak_rss_mb: peak,
        open_fds_before,
        open_fds_after,
        rss_after_mb: rss_after,
        connections_waited_s: scale.s1_release_wait.as_secs(),
        connections_closed_after_s,
        rss_released_mb: rss_released,
        server_cpu_ms,
        timeline_before: before,
        timeline_during: during,
    };
    farm.stop();
    Ok(result)
}
