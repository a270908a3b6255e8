//! The instance actor's key pair (one row, created on first use).

use sqlx::PgPool;

/// The instance actor's keys (PEM).
#[derive(Clone, sqlx::FromRow)]
pub struct InstanceKeys {
    pub public_key_pem: String,
    pub private_key_pem: String,
}

impl std::fmt::Debug for InstanceKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InstanceKeys(<redacted>)")
    }
}

/// Loads the instance actor's keys, generating and storing them on first use. Safe
/// under concurrency: of two processes racing, the first insert wins and both read it.
pub async fn keys(db: &PgPool) -> anyhow::Result<InstanceKeys> {
    if let Some(keys) = load(db).await? {
        return Ok(keys);
    }
    let generated =
        tokio::task::spawn_blocking(crate::federation::signatures::generate_rsa_keypair).await??;
    sqlx::query(
        "INSERT INTO instance_actor (id, public_key_pem, private_key_pem) VALUES (1, $1, $2) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(&generated.public_pem)
    .bind(&generated.private_pem)
    .execute(db)
    .await?;
    load(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("instance actor keys vanished after insert"))
}

async fn load(db: &PgPool) -> sqlx::Result<Option<InstanceKeys>> {
    sqlx::query_as("SELECT public_key_pem, private_key_pem FROM instance_actor WHERE id = 1")
        .fetch_optional(db)
        .await
}
