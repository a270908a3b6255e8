//! Local actors' Ed25519 key pairs (`account_ed25519_keys`): the private key as
//! PKCS#8 PEM, the public key as its FEP-521a Multikey (`z6Mk…`).

use sqlx::PgExecutor;

/// An account's Ed25519 key pair.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Ed25519Key {
    pub private_key_pem: String,
    pub public_key_multibase: String,
}

/// The key pair of `account_id`, if it has one.
pub async fn find(db: impl PgExecutor<'_>, account_id: i64) -> sqlx::Result<Option<Ed25519Key>> {
    sqlx::query_as(
        "SELECT private_key_pem, public_key_multibase FROM account_ed25519_keys \
         WHERE account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(db)
    .await
}

/// Stores `key` for `account_id` unless it has one already (two processes may make
/// one at the same moment), and returns the one that stays.
pub async fn insert_if_missing(
    db: &sqlx::PgPool,
    account_id: i64,
    key: &Ed25519Key,
) -> sqlx::Result<Ed25519Key> {
    sqlx::query(
        "INSERT INTO account_ed25519_keys (account_id, private_key_pem, public_key_multibase) \
         VALUES ($1, $2, $3) ON CONFLICT (account_id) DO NOTHING",
    )
    .bind(account_id)
    .bind(&key.private_key_pem)
    .bind(&key.public_key_multibase)
    .execute(db)
    .await?;
    find(db, account_id).await?.ok_or(sqlx::Error::RowNotFound)
}
