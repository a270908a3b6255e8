//! One scrape: the gauges read fresh (the database's queue backlogs and destination
//! health, this process's streaming connections, pools and memory), then every metric
//! encoded in the OpenMetrics text format.

use std::time::Duration;

use super::{HealthLabels, HolderLabels, Metrics, PoolLabels, PoolNameLabels, QueueLabels};
use crate::db::queue_metrics::{self, Backlog};
use crate::state::AppState;

/// The database part of a scrape gives up after this long (the scrape then answers
/// with `roost_database_up 0` and the gauges' last values): a scrape must not queue
/// behind a struggling database.
const DATABASE_TIME: Duration = Duration::from_secs(5);

/// The content type of the OpenMetrics text format Prometheus negotiates.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Refreshes the gauges and encodes every metric.
pub async fn scrape(state: &AppState) -> String {
    let metrics = &state.metrics;
    let database = tokio::time::timeout(DATABASE_TIME, read_database(state, metrics)).await;
    let up = match database {
        Ok(Ok(())) => 1,
        Ok(Err(error)) => {
            tracing::warn!(%error, "metrics: reading the queues failed");
            0
        }
        Err(_) => {
            tracing::warn!("metrics: reading the queues took too long");
            0
        }
    };
    metrics.gauges.database_up.set(up);
    read_process(state, metrics);
    let mut text = String::new();
    if let Err(error) = prometheus_client::encoding::text::encode(&mut text, metrics.registry()) {
        tracing::warn!(%error, "metrics: encoding failed");
    }
    text
}

/// The queue backlogs and the destinations' health.
async fn read_database(state: &AppState, metrics: &Metrics) -> sqlx::Result<()> {
    let backlogs = queue_metrics::backlogs(&state.db).await?;
    let named: [(&'static str, Backlog); 5] = [
        (crate::federation::inbox::worker::QUEUE_NAME, backlogs.inbox),
        (crate::delivery::worker::QUEUE_NAME, backlogs.deliveries),
        (crate::push::worker::QUEUE_NAME, backlogs.push),
        (crate::mail::worker::QUEUE_NAME, backlogs.email),
        (
            crate::services::scheduled_statuses::QUEUE_NAME,
            backlogs.scheduled,
        ),
    ];
    let gauges = &metrics.gauges;
    for (queue, backlog) in named {
        let labels = QueueLabels { queue };
        gauges.queue_depth.get_or_create(&labels).set(backlog.depth);
        gauges
            .queue_oldest_age
            .get_or_create(&labels)
            .set(backlog.oldest_age_secs.max(0.0));
        if let Some(dead) = backlog.dead {
            gauges.queue_dead_rows.get_or_create(&labels).set(dead);
        }
    }
    for class in queue_metrics::destination_health(&state.db).await? {
        let Some(health) = health_label(&class.health) else {
            continue;
        };
        let labels = HealthLabels { health };
        gauges
            .destinations
            .get_or_create(&labels)
            .set(class.domains);
        gauges
            .pending_deliveries
            .get_or_create(&labels)
            .set(class.pending);
    }
    Ok(())
}

/// The label for a health class the database named (a fixed set).
fn health_label(health: &str) -> Option<&'static str> {
    ["healthy", "failing", "unavailable"]
        .into_iter()
        .find(|known| *known == health)
}

/// Streaming connections, the pools and the process's own figures.
fn read_process(state: &AppState, metrics: &Metrics) {
    let gauges = &metrics.gauges;
    let (accounts, anonymous) = state.stream.open_connections();
    let streaming = |holder| gauges.streaming.get_or_create(&HolderLabels { holder });
    streaming("account").set(i64::from(accounts));
    streaming("anonymous").set(i64::from(anonymous));
    for (pool, db) in state.pools() {
        let size = i64::from(db.size());
        let idle = i64::try_from(db.num_idle()).unwrap_or(i64::MAX);
        let connections = |state| {
            gauges
                .pool_connections
                .get_or_create(&PoolLabels { pool, state })
        };
        connections("idle").set(idle);
        connections("in_use").set(size.saturating_sub(idle));
        gauges
            .pool_max
            .get_or_create(&PoolNameLabels { pool })
            .set(i64::from(db.options().get_max_connections()));
    }
    super::process::read(gauges);
}
