//! Remote actors' further keys (`remote_actor_keys`): what an actor document lists
//! besides its main `publicKey` (kept on `accounts`), so an RFC 9421 signature made
//! with any of them verifies.

use sqlx::{PgConnection, PgExecutor};

/// How a stored key is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyFormat {
    /// A PEM SubjectPublicKeyInfo, from a `publicKey` entry.
    Pem,
    /// A FEP-521a `publicKeyMultibase`, from an `assertionMethod` Multikey.
    Multibase,
}

impl KeyFormat {
    fn as_str(self) -> &'static str {
        match self {
            KeyFormat::Pem => "pem",
            KeyFormat::Multibase => "multibase",
        }
    }
}

/// One published key of a remote actor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActorKey {
    /// The key's id, as signatures name it.
    pub key_id: String,
    pub format: KeyFormat,
    /// The key as published (PEM or multibase).
    pub public_key: String,
}

/// Replaces the stored further keys of `account_id` with `keys` (an empty list
/// removes them). A key id another actor held moves to this one: ids are checked to
/// be on the actor's origin before they get here.
pub async fn replace(
    connection: &mut PgConnection,
    account_id: i64,
    keys: &[ActorKey],
) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM remote_actor_keys WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *connection)
        .await?;
    for key in keys {
        sqlx::query(
            "INSERT INTO remote_actor_keys (key_id, account_id, format, public_key) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key_id) DO UPDATE SET account_id = EXCLUDED.account_id, \
               format = EXCLUDED.format, public_key = EXCLUDED.public_key",
        )
        .bind(&key.key_id)
        .bind(account_id)
        .bind(key.format.as_str())
        .bind(&key.public_key)
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

/// The key `key_id` of `account_id`, if that account publishes it.
pub async fn find(
    db: impl PgExecutor<'_>,
    account_id: i64,
    key_id: &str,
) -> sqlx::Result<Option<ActorKey>> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT format, public_key FROM remote_actor_keys WHERE key_id = $1 AND account_id = $2",
    )
    .bind(key_id)
    .bind(account_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(format, public_key)| ActorKey {
        key_id: key_id.to_owned(),
        format: match format.as_str() {
            "pem" => KeyFormat::Pem,
            _ => KeyFormat::Multibase,
        },
        public_key,
    }))
}
