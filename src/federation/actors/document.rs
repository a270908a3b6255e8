//! The actor document of a local account (`GET /users/:name`, `/@:name`), a suspended
//! account's `Tombstone`, the instance actor (`GET /actor`) that signs Roost's own
//! fetches, and the key pairs every local actor needs.
//!
//! Spec: <https://www.w3.org/TR/activitypub/#actor-objects>,
//! <https://docs.joinmastodon.org/spec/activitypub/#as>.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::{activity_json, local_account, wants_activity_json};
use crate::db::accounts::{self, AccountRow};
use crate::error::ApiResult;
use crate::federation::builders::profile::profile_image;
use crate::federation::protocol::actor::{Actor, ActorKind, Multikey, MultikeyType, PropertyValue};
use crate::federation::protocol::note::Tombstone;
use crate::state::AppState;
use crate::urls;

/// `GET /users/:name` (and `/@:name`): the actor document, or an HTML profile page.
pub async fn actor(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    mut parts: axum::http::request::Parts,
) -> ApiResult<Response> {
    let name = name.trim_start_matches('@');
    if !wants_activity_json(&headers) {
        return Ok(crate::web::profile_request(&state, &mut parts, name).await);
    }
    let account = local_account(&state, name).await?;
    if account.suspended_at.is_some() {
        return gone(&urls::actor(&state.config, &account.username));
    }
    Ok(activity_json(&actor_document(&state, &account).await?))
}

/// 410 Gone with a `Tombstone`: what a suspended local actor's URL answers, so other
/// servers drop the account as Mastodon's do for deleted ones.
fn gone(id: &str) -> ApiResult<Response> {
    let id = url::Url::parse(id).map_err(anyhow::Error::from)?;
    let mut response = activity_json(&Tombstone::document(id));
    *response.status_mut() = axum::http::StatusCode::GONE;
    Ok(response)
}

/// The ActivityStreams actor of a local account, with its RSA key (`publicKey`) and
/// its Ed25519 key as a FEP-521a Multikey (`assertionMethod`, made on first use).
pub async fn actor_document(state: &AppState, account: &AccountRow) -> ApiResult<Actor> {
    let urls = urls::local_actor(&state.config, &account.username);
    let pem = account
        .public_key_pem
        .clone()
        .ok_or_else(|| anyhow::anyhow!("local account {} has no key", account.id))?;
    let kind = if account.bot {
        ActorKind::Service
    } else {
        ActorKind::Person
    };
    let mut actor = Actor::local(&urls, kind, pem);
    actor.name = Some(account.display_name.clone());
    actor.summary = Some(account.note.clone());
    actor.manually_approves_followers = account.locked;
    actor.discoverable = Some(account.discoverable);
    actor.indexable = Some(account.indexable);
    actor.published = Some(account.created_at);
    actor.attachment = account
        .fields
        .iter()
        .map(|field| PropertyValue::new(field.name.clone(), field.value.clone()))
        .collect();
    actor.icon = profile_image(&state.config, account.avatar_key.as_deref());
    actor.image = profile_image(&state.config, account.header_key.as_deref());
    actor.tag = crate::federation::builders::emojis::tags(&state.config, &account.emojis)?;
    actor.also_known_as = account
        .also_known_as
        .iter()
        .filter_map(|uri| url::Url::parse(uri).ok())
        .collect();
    actor.moved_to = account
        .moved_to
        .as_ref()
        .and_then(|target| url::Url::parse(&urls::account_ap_id(&state.config, target)).ok());
    let key = crate::delivery::keys::ed25519_key(&state.db, account.id).await?;
    actor.assertion_method = vec![Multikey {
        id: url::Url::parse(&urls::ed25519_key_id(&state.config, &account.username))
            .map_err(anyhow::Error::from)?,
        kind: MultikeyType::Multikey,
        controller: actor.id.clone(),
        public_key_multibase: key.public_key_multibase,
    }];
    Ok(actor)
}

/// `GET /actor`: the instance actor, which signs Roost's own fetches.
pub async fn instance(State(state): State<AppState>) -> ApiResult<Response> {
    let keys = crate::delivery::keys::instance_keys(&state.db).await?;
    let mut urls = urls::local_actor(&state.config, "actor");
    urls.id = url::Url::parse(&urls::instance_actor(&state.config)).map_err(anyhow::Error::from)?;
    urls.inbox = urls::base(&state.config)
        .join("inbox")
        .map_err(anyhow::Error::from)?;
    urls.key_id =
        url::Url::parse(&urls::instance_key_id(&state.config)).map_err(anyhow::Error::from)?;
    urls.username = urls::instance_actor_username(&state.config);
    let mut actor = Actor::local(&urls, ActorKind::Application, keys.public_key_pem);
    actor.manually_approves_followers = true;
    actor.outbox = None;
    actor.followers = None;
    actor.following = None;
    actor.featured = None;
    actor.featured_tags = None;
    actor.endorsements = None;
    Ok(activity_json(&actor))
}

/// Gives every local account without a key pair one (accounts created before
/// federation existed). Run at start-up; idempotent and safe to run concurrently.
pub async fn backfill_missing_keys(db: &sqlx::PgPool) -> anyhow::Result<usize> {
    let missing = accounts::local_without_keys(db).await?;
    for &id in &missing {
        let keys = tokio::task::spawn_blocking(crate::federation::signatures::generate_rsa_keypair)
            .await??;
        accounts::set_keys_if_missing(db, id, &keys.public_pem, &keys.private_pem).await?;
    }
    if !missing.is_empty() {
        tracing::info!(
            count = missing.len(),
            "generated key pairs for local accounts"
        );
    }
    Ok(missing.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[sqlx::test]
    async fn local_accounts_without_keys_get_one_pair_each_once(
        db: sqlx::PgPool,
    ) -> anyhow::Result<()> {
        sqlx::query("INSERT INTO accounts (username) VALUES ('old1'), ('old2')")
            .execute(&db)
            .await?;
        sqlx::query("INSERT INTO accounts (username, domain) VALUES ('far', 'remote.example')")
            .execute(&db)
            .await?;
        assert_eq!(backfill_missing_keys(&db).await?, 2);
        let keyed: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM accounts WHERE private_key_pem LIKE '-----BEGIN PRIVATE KEY-----%' \
             AND public_key_pem LIKE '-----BEGIN PUBLIC KEY-----%'",
        )
        .fetch_one(&db)
        .await?;
        assert_eq!(keyed, 2);
        assert_eq!(backfill_missing_keys(&db).await?, 0);
        Ok(())
    }
}
