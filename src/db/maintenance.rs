//! The housekeeping statements of `crate::maintenance`: deleting rows nothing will
//! read again. Each is an idempotent DELETE, safe to run from several processes at once.

use sqlx::PgPool;

/// Deletes authorization codes expired for over a day, tokens that expired or were
/// revoked over 30 days ago, and expired mutes; returns the number of rows removed.
pub async fn remove_expired(db: &PgPool) -> sqlx::Result<u64> {
    let statements = [
        "DELETE FROM oauth_authorization_codes WHERE expires_at < now() - interval '1 day'",
        "DELETE FROM oauth_refresh_tokens \
         WHERE expires_at < now() - interval '30 days' OR revoked_at < now() - interval '30 days'",
        "DELETE FROM oauth_access_tokens \
         WHERE expires_at < now() - interval '30 days' OR revoked_at < now() - interval '30 days'",
        "DELETE FROM mutes WHERE expires_at <= now()",
        // Thread backfills (and the async refreshes naming them) a day after they ended.
        "DELETE FROM thread_backfills WHERE finished_at < now() - interval '1 day'",
    ];
    let mut removed = 0;
    for statement in statements {
        removed += sqlx::query(statement).execute(db).await?.rows_affected();
    }
    Ok(removed)
}

/// Deletes home feed entries past each feed's newest `depth`; returns how many.
pub async fn trim_home_feeds(db: &PgPool, depth: i64) -> sqlx::Result<u64> {
    let result = sqlx::query(
        "DELETE FROM home_feed_entries h USING ( \
             SELECT account_id, status_id FROM ( \
                 SELECT account_id, status_id, \
                        row_number() OVER (PARTITION BY account_id ORDER BY status_id DESC) AS n \
                 FROM home_feed_entries) ranked \
             WHERE n > $1) old \
         WHERE h.account_id = old.account_id AND h.status_id = old.status_id",
    )
    .bind(depth)
    .execute(db)
    .await?;
    Ok(result.rows_affected())
}

/// `SELECT 1`: whether the database answers (the health check).
pub async fn ping(db: &PgPool) -> sqlx::Result<()> {
    sqlx::query("SELECT 1").execute(db).await.map(|_| ())
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
        assert_eq!(remove_expired(&db).await?, 3);
        let codes: i64 = sqlx::query_scalar("SELECT count(*) FROM oauth_authorization_codes")
            .fetch_one(&db)
            .await?;
        let tokens: i64 = sqlx::query_scalar("SELECT count(*) FROM oauth_access_tokens")
            .fetch_one(&db)
            .await?;
        assert_eq!((codes, tokens), (1, 2));
        assert_eq!(remove_expired(&db).await?, 0);
        Ok(())
    }
}
