//! Background housekeeping that every `roost serve` process runs: deleting expired
//! authorization codes and long-dead tokens so the OAuth tables stay small, and mutes
//! whose duration has passed (reads ignore them already). Each pass
//! is a few idempotent DELETEs, so several processes may run it at once.

use std::time::Duration;

use sqlx::PgPool;

/// How often a pass runs.
const INTERVAL: Duration = Duration::from_secs(3600);

/// Deletes authorization codes expired for over a day and tokens that expired or were
/// revoked over 30 days ago (kept that long so a reused refresh token is still
/// recognised as reuse), and expired mutes. Returns the number of rows removed.
pub async fn run_once(db: &PgPool) -> sqlx::Result<u64> {
    let statements = [
        "DELETE FROM oauth_authorization_codes WHERE expires_at < now() - interval '1 day'",
        "DELETE FROM oauth_refresh_tokens \
         WHERE expires_at < now() - interval '30 days' OR revoked_at < now() - interval '30 days'",
        "DELETE FROM oauth_access_tokens \
         WHERE expires_at < now() - interval '30 days' OR revoked_at < now() - interval '30 days'",
        "DELETE FROM mutes WHERE expires_at <= now()",
    ];
    let mut removed = 0;
    for statement in statements {
        removed += sqlx::query(statement).execute(db).await?.rows_affected();
    }
    Ok(removed)
}

/// Runs [`run_once`] every hour until the task is dropped; errors are logged, never fatal.
pub async fn run_forever(db: PgPool) {
    let mut ticker = tokio::time::interval(INTERVAL);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        match run_once(&db).await {
            Ok(removed) if removed > 0 => tracing::info!(removed, "removed expired OAuth rows"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "maintenance pass failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[sqlx::test]
    async fn a_pass_removes_only_long_dead_codes_and_tokens(db: PgPool) -> sqlx::Result<()> {
        let app_id: i64 = sqlx::query_scalar(
            "INSERT INTO oauth_apps (name, redirect_uris, scopes, client_id, client_secret_hash) \
             VALUES ('a', '{}', '{read}', 'cid', 'h') RETURNING id",
        )
        .fetch_one(&db)
        .await?;
        let account_id: i64 =
            sqlx::query_scalar("INSERT INTO accounts (username) VALUES ('m') RETURNING id")
                .fetch_one(&db)
                .await?;
        for (code, expires) in [
            ("old", "now() - interval '2 days'"),
            ("fresh", "now() + interval '5 minutes'"),
        ] {
            sqlx::query(&format!(
                "INSERT INTO oauth_authorization_codes (code_hash, app_id, account_id, redirect_uri, scopes, family_id, expires_at) \
                 VALUES ($1, $2, $3, 'urn:ietf:wg:oauth:2.0:oob', '{{read}}', gen_random_uuid(), {expires})"
            ))
            .bind(code)
            .bind(app_id)
            .bind(account_id)
            .execute(&db)
            .await?;
        }
        for (revoked, expires) in [
            ("now() - interval '31 days'", "now() + interval '1 year'"),
            ("NULL", "now() - interval '31 days'"),
            ("now() - interval '1 day'", "now() + interval '1 year'"),
            ("NULL", "now() + interval '1 year'"),
        ] {
            sqlx::query(&format!(
                "INSERT INTO oauth_access_tokens (id, family_id, app_id, account_id, scopes, expires_at, revoked_at) \
                 VALUES (gen_random_uuid(), gen_random_uuid(), $1, $2, '{{read}}', {expires}, {revoked})"
            ))
            .bind(app_id)
            .bind(account_id)
            .execute(&db)
            .await?;
        }
        assert_eq!(run_once(&db).await?, 3);
        let codes: i64 = sqlx::query_scalar("SELECT count(*) FROM oauth_authorization_codes")
            .fetch_one(&db)
            .await?;
        let tokens: i64 = sqlx::query_scalar("SELECT count(*) FROM oauth_access_tokens")
            .fetch_one(&db)
            .await?;
        assert_eq!((codes, tokens), (1, 2));
        assert_eq!(run_once(&db).await?, 0);
        Ok(())
    }
}
