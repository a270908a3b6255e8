//! The benchmark dataset, loaded with set-based SQL (triggers off) so that a million
//! statuses take seconds, not hours: local users with one shared key pair, each
//! following `follows` others, statuses spread over all users, and one access token
//! per user (minted with the server's secret).

use roost::auth::TokenIssuer;
use roost::config::SecretKey;
use roost::maintenance::HOME_FEED_DEPTH;
use sqlx::PgPool;

/// How big a dataset to load.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Size {
    pub users: i64,
    pub follows: i64,
    pub statuses: i64,
}

/// Creates `name` afresh on the server of `admin_url` and returns a pool on it.
pub async fn fresh_database(admin: &PgPool, name: &str) -> anyhow::Result<PgPool> {
    sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(admin)
        .await?;
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(admin)
        .await?;
    let options = (*admin.connect_options()).clone().database(name);
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(16)
        .connect_with(options)
        .await?;
    roost::db::migrate(&pool).await?;
    Ok(pool)
}

/// What was loaded.
pub struct Loaded {
    /// The users' account ids, in order (user `i` is `bench{i+1}`).
    pub users: Vec<i64>,
    /// The public key every user signs with (PEM), for verifying their deliveries.
    pub public_key_pem: String,
}

/// Loads users, follows and statuses.
pub async fn load(pool: &PgPool, size: Size) -> anyhow::Result<Loaded> {
    let key = roost::federation::signatures::generate_rsa_keypair()?;
    let mut conn = pool.acquire().await?;
    // Triggers (stream NOTIFY, push queue) and FK checks off for the bulk load only.
    sqlx::query("SET session_replication_role = replica")
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO accounts (username, private_key_pem, public_key_pem) \
         SELECT 'bench' || g, $2, $3 FROM generate_series(1, $1) g",
    )
    .bind(size.users)
    .bind(&key.private_pem)
    .bind(&key.public_pem)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO users (account_id, email, password_hash) \
         SELECT id, username || '@bench.invalid', 'x' FROM accounts WHERE domain IS NULL",
    )
    .execute(&mut *conn)
    .await?;
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM accounts WHERE username LIKE 'bench%' ORDER BY id")
            .fetch_all(&mut *conn)
            .await?;
    // User i follows users i+1 … i+follows (wrapping around).
    sqlx::query(
        "WITH numbered AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM accounts \
                           WHERE username LIKE 'bench%') \
         INSERT INTO follows (account_id, target_account_id, accepted, ap_id) \
         SELECT a.id, b.id, true, 'bench:follow:' || a.id || ':' || b.id \
         FROM numbered a CROSS JOIN generate_series(1, $1) k \
         JOIN numbered b ON b.n = (a.n + k) % $2",
    )
    .bind(size.follows.min(size.users - 1))
    .bind(size.users)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "WITH numbered AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM accounts \
                           WHERE username LIKE 'bench%') \
         INSERT INTO statuses (account_id, local, text, content, visibility, created_at) \
         SELECT a.id, true, 'bench status ' || g, '<p>bench status ' || g || '</p>', 'public', \
                now() - make_interval(secs => $1 - g) \
         FROM generate_series(1, $1) g JOIN numbered a ON a.n = g % $2",
    )
    .bind(size.statuses)
    .bind(size.users)
    .execute(&mut *conn)
    .await?;
    fill_home_feeds(&mut conn, size).await?;
    sqlx::query("SET session_replication_role = origin")
        .execute(&mut *conn)
        .await?;
    sqlx::query("ANALYZE").execute(&mut *conn).await?;
    Ok(Loaded {
        users: ids,
        public_key_pem: key.public_pem.clone(),
    })
}

/// Fills every user's home feed as the fan-out triggers (off during the load) would
/// have: the newest statuses of the user and of the accounts it follows, at most
/// [`HOME_FEED_DEPTH`] per feed. Statuses are spread evenly over the users, so each
/// feed gets the newest `depth / (follows + 1)` statuses of each of its accounts.
pub async fn fill_home_feeds(conn: &mut sqlx::PgConnection, size: Size) -> anyhow::Result<()> {
    let follows = size.follows.min(size.users - 1);
    let per_account = (HOME_FEED_DEPTH / (follows + 1)).max(1);
    sqlx::query(
        "WITH newest AS (SELECT id, account_id FROM ( \
             SELECT id, account_id, row_number() OVER (PARTITION BY account_id ORDER BY id DESC) AS n \
             FROM statuses) ranked WHERE n <= $1) \
         INSERT INTO home_feed_entries (account_id, status_id, author_id) \
         SELECT account_id, id, account_id FROM newest \
         UNION ALL \
         SELECT f.account_id, s.id, s.account_id FROM newest s \
         JOIN follows f ON f.target_account_id = s.account_id",
    )
    .bind(per_account)
    .execute(conn)
    .await?;
    Ok(())
}

/// One access token per user (scopes `read write`), minted as the server would.
pub async fn tokens(
    pool: &PgPool,
    secret: &SecretKey,
    base_url: &str,
    account_ids: &[i64],
) -> anyhow::Result<Vec<String>> {
    let app_id: i64 = sqlx::query_scalar(
        "INSERT INTO oauth_apps (name, redirect_uris, scopes, client_id, client_secret_hash) \
         VALUES ('bench', '{urn:ietf:wg:oauth:2.0:oob}', '{read,write}', 'bench', 'x') RETURNING id",
    )
    .fetch_one(pool)
    .await?;
    sqlx::query(
        "INSERT INTO oauth_access_tokens (id, family_id, app_id, account_id, scopes, expires_at) \
         SELECT gen_random_uuid(), gen_random_uuid(), $1, a, '{read,write}', now() + interval '1 day' \
         FROM unnest($2::bigint[]) a",
    )
    .bind(app_id)
    .bind(account_ids)
    .execute(pool)
    .await?;
    let issuer = TokenIssuer::new(secret, format!("{base_url}/"), 86_400, 86_400);
    let rows: Vec<roost::db::oauth::IssuedAccessToken> = sqlx::query_as(
        "SELECT t.id, t.account_id, a.client_id, t.scopes, t.created_at, t.expires_at \
         FROM oauth_access_tokens t JOIN oauth_apps a ON a.id = t.app_id \
         WHERE t.app_id = $1 ORDER BY t.account_id",
    )
    .bind(app_id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(|row| issuer.reissue(row)).collect()
}
