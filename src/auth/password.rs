//! Password hashing with argon2id (the crate's default parameters: 19 MiB, 2 passes).
//! Hashing takes tens of milliseconds of CPU, so both functions run on the blocking pool.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

/// Hashes a password into a PHC string (`$argon2id$…`).
pub async fn hash_password(password: &str) -> anyhow::Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|error| anyhow::anyhow!("hashing password: {error}"))
    })
    .await?
}

/// Checks a password against a stored hash. A malformed stored hash counts as a
/// mismatch (and is logged), never as success.
pub async fn verify_password(password: &str, stored_hash: &str) -> anyhow::Result<bool> {
    let password = password.to_owned();
    let stored_hash = stored_hash.to_owned();
    tokio::task::spawn_blocking(move || match PasswordHash::new(&stored_hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(error) => {
            tracing::warn!(%error, "stored password hash is malformed");
            false
        }
    })
    .await
    .map_err(Into::into)
}

/// Burns about as much time as a real verification, so that "no such user" and
/// "wrong password" cannot be told apart by timing.
pub async fn verify_dummy(password: &str) {
    static DUMMY_HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    let hash = DUMMY_HASH
        .get_or_try_init(|| hash_password("roost dummy password"))
        .await;
    if let Ok(hash) = hash {
        let _ = verify_password(password, hash).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_nothing_else() {
        let hash = hash_password("correct horse").await.expect("hashes");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash).await.expect("runs"));
        assert!(!verify_password("correct horsf", &hash).await.expect("runs"));
        assert!(!verify_password("correct horse", "not a hash")
            .await
            .expect("runs"));
    }
}
