//! S2: a burst of signed Likes and Announces of one post (see the parent module).

use super::*;

/// S2's `count` activities ([`interaction`]), signed on every core before the burst so
/// that signing does not compete with the server during it.
async fn presign_interactions(
    farm: &Farm,
    inbox: &url::Url,
    object: &str,
    count: usize,
) -> anyhow::Result<Arc<Vec<Presigned>>> {
    let key = Arc::new(SigningKey::from_pem(&farm.actor_keys.private_pem)?);
    let origins = Arc::new(farm.origins.clone());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..workers {
        let (key, origins, inbox, object) = (
            key.clone(),
            origins.clone(),
            inbox.clone(),
            object.to_owned(),
        );
        tasks.spawn_blocking(move || {
            (worker..count)
                .step_by(workers)
                .map(|n| Ok((n, interaction(&origins, &inbox, &object, n, &key)?)))
                .collect::<anyhow::Result<Vec<_>>>()
        });
    }
    let mut all = Vec::with_capacity(count);
    while let Some(part) = tasks.join_next().await {
        all.extend(part??);
    }
    // In order, so that Likes and Announces alternate in the burst.
    all.sort_unstable_by_key(|(n, _)| *n);
    Ok(Arc::new(
        all.into_iter().map(|(_, signed)| signed).collect(),
    ))
}

/// The `n`-th activity of S2: actor `n / 2` (on instance `n / 2` mod the farm's size)
/// likes (even `n`) or announces (odd `n`) the post `object`.
fn interaction(
    origins: &[String],
    inbox: &url::Url,
    object: &str,
    n: usize,
    key: &SigningKey,
) -> anyhow::Result<Presigned> {
    let i = n / 2;
    let actor = farm::actor_id(&origins[i % origins.len()], &format!("s2a{i}"));
    let body = if n.is_multiple_of(2) {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{actor}/likes/{n}"),
            "type": "Like",
            "actor": actor,
            "object": object,
        })
    } else {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{actor}/statuses/{n}/activity"),
            "type": "Announce",
            "actor": actor,
            "object": object,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [format!("{actor}/followers")],
            "published": chrono::Utc::now().to_rfc3339(),
        })
    };
    farm::presign(&actor, inbox, body.to_string(), key)
}

/// S2: `scale.s2_interactions` Likes and Announces of a new post of `author` from
/// distinct remote actors (known to the server, as actors that interacted before),
/// [`S2_CONCURRENCY`] POSTs at a time into the shared inbox.
pub async fn s2(
    server: &Server,
    pool: &PgPool,
    author: (i64, &str),
    signer_public_pem: &str,
    scale: Scale,
) -> anyhow::Result<InteractionBurst> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(S2_CONCURRENCY)
        .timeout(Duration::from_secs(30))
        .build()?;
    let status = post(&client, &server.base, author.1, "S2: like and boost this").await?;
    let id = status["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("the new status has no id: {status}"))?
        .to_owned();
    let uri = status["uri"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("the new status has no uri: {status}"))?
        .to_owned();
    let farm = Farm::start(&[Behaviour::Normal; S2_INSTANCES], signer_public_pem).await?;
    let count = scale.s2_interactions;
    let actors = count.div_ceil(2);
    // Actor i lives on instance i mod S2_INSTANCES, as presign_interactions names it.
    let (names, origins): (Vec<String>, Vec<String>) = (0..actors)
        .map(|i| {
            (
                format!("s2a{i}"),
                farm.origins[i % farm.origins.len()].clone(),
            )
        })
        .unzip();
    sqlx::query(
        "INSERT INTO accounts (username, domain, ap_id, inbox_url, shared_inbox_url, key_id, \
                               public_key_pem, last_fetched_at) \
         SELECT name, substr(o, 8), o || '/users/' || name, o || '/users/' || name || '/inbox', \
                o || '/inbox', o || '/users/' || name || '#main-key', $3, now() \
         FROM unnest($1::text[], $2::text[]) AS a(name, o)",
    )
    .bind(&names)
    .bind(&origins)
    .bind(&farm.actor_keys.public_pem)
    .execute(pool)
    .await?;
    let inbox = url::Url::parse(&format!("{}/inbox", server.base))?;
    let signed = presign_interactions(&farm, &inbox, &uri, count).await?;
    crate::federation::wait_until_processed(pool, S2_LIMIT).await?;
    let (rss_before, _) = process::memory_mb(server.pid);
    reset_peak(server.pid);

    let started = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let accepted = Arc::new(AtomicUsize::new(0));
    let mut senders = tokio::task::JoinSet::new();
    for _ in 0..S2_CONCURRENCY {
        let (client, signed, inbox, next, accepted) = (
            client.clone(),
            signed.clone(),
            inbox.clone(),
            next.clone(),
            accepted.clone(),
        );
        senders.spawn(async move {
            let mut refusals = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some(request) = signed.get(n) else {
                    break;
                };
                match request.request(&client, &inbox).send().await {
                    Ok(response) if response.status().is_success() => {
                        accepted.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(response) => {
                        let status = response.status();
                        let body = response.text().await.unwrap_or_default();
                        refusals.push(format!("activity {n}: {status} {body:.200}"));
                    }
                    Err(error) => refusals.push(format!("activity {n}: {error}")),
                }
            }
            refusals
        });
    }
    let mut refusals = Vec::new();
    while let Some(done) = senders.join_next().await {
        refusals.extend(done.unwrap_or_default());
    }
    refusals.truncate(MAX_REFUSALS_KEPT);
    let sent_ms = started.elapsed().as_secs_f64() * 1000.0;
    crate::federation::wait_until_processed(pool, S2_LIMIT).await?;
    let processed_ms = started.elapsed().as_secs_f64() * 1000.0;
    let peak = process::memory_mb(server.pid).1;
    let (unprocessed, with_error): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE processed_at IS NULL), count(*) FILTER (WHERE last_error IS NOT NULL) \
         FROM inbox_activities WHERE actor_ap_id = ANY($1)",
    )
    .bind(
        names
            .iter()
            .zip(&origins)
            .map(|(name, origin)| farm::actor_id(origin, name))
            .collect::<Vec<_>>(),
    )
    .fetch_one(pool)
    .await?;
    let shown: Value = client
        .get(format!("{}/api/v1/statuses/{id}", server.base))
        .bearer_auth(author.1)
        .send()
        .await?
        .json()
        .await?;
    farm.stop();
    Ok(InteractionBurst {
        likes: count.div_ceil(2),
        announces: count / 2,
        actors,
        accepted: accepted.load(Ordering::Relaxed),
        sent_ms,
        processed_ms,
        unprocessed,
        with_error,
        favourites_count: shown["favourites_count"].as_i64().unwrap_or(-1),
        reblogs_count: shown["reblogs_count"].as_i64().unwrap_or(-1),
        rss_before_mb: rss_before,
        peak_rss_mb: peak,
        refusals,
    })
}
