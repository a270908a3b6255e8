//! The instance actor's key pair (one row, created on first use).

use sqlx::PgPool;

/// The instance actor's keys (PEM).
#[derive(Clone, sqlx::FromRow)]
pub struct InstanceKeys {
    /// The public key (SPKI PEM), published in the instance actor's document.
    pub public_key_pem: String,
    /// The private key (PKCS#8 PEM), which signs server-level fetches and deliveries.
    pub private_key_pem: String,
}

impl std::fmt::Debug for InstanceKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InstanceKeys(<redacted>)")
    }
}

/// Stores `generated` as the instance actor's keys unless keys exist already, and
/// returns the stored ones. Safe under concurrency: of two processes racing, the
/// first insert wins and both read it. Generating keys is the caller's
/// (`crate::delivery::keys::instance_keys`), so this module needs no cryptography.
pub async fn store_if_absent(
    db: &PgPool,
    generated: &InstanceKeys,
) -> anyhow::Result<InstanceKeys> {
    sqlx::query(
        "INSERT INTO instance_actor (id, public_key_pem, private_key_pem) VALUES (1, $1, $2) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(&generated.public_key_pem)
    .bind(&generated.private_key_pem)
    .execute(db)
    .await?;
    load(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("instance actor keys vanished after insert"))
}

/// The instance actor's keys, if they were made already.
pub async fn load(db: &PgPool) -> sqlx::Result<Option<InstanceKeys>> {
    sqlx::query_as("SELECT public_key_pem, private_key_pem FROM instance_actor WHERE id = 1")
        .fetch_optional(db)
        .await
}
