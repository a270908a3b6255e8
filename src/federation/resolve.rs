//! Remote accounts: resolving `user@domain` through WebFinger, fetching actor documents
//! (signed GET), storing them in `accounts`, refreshing them after a day, and
//! refetching a key once (rate-limited) when a signature fails with the cached one.
//!
//! An actor's username is its `preferredUsername`. Actors without one (ActivityPub does
//! not require it) are accepted too, under a fallback username derived from their id
//! ([`fallback_username`]); a new actor whose username is taken by another actor of the
//! same domain gets [`hashed_username`]. Once stored, an account keeps its username.

use chrono::{Duration, Utc};
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use url::Url;

use super::fetch::{self, FetchError};
use super::protocol::actor::Actor;
use super::protocol::webfinger::Jrd;
use super::signatures::key_owner_from_key_id;
use crate::db::accounts::{self, AccountRow, RemoteActor, StoredField};
use crate::db::{actor_keys, custom_emojis};
use crate::domain::text::sanitize_html;
use crate::state::AppState;

/// Cached actors older than this are refetched when used.
pub const REFRESH_AFTER_HOURS: i64 = 24;
/// A key is refetched at most this often per account.
const KEY_REFETCH_MINUTES: i64 = 10;
/// Longest text fields accepted from remote actors (others are cut).
const MAX_NAME_CHARS: usize = 200;
const MAX_NOTE_CHARS: usize = 10_000;
const MAX_FIELDS: usize = 16;
/// Most `alsoKnownAs` entries kept of a remote actor.
const MAX_ALIASES: usize = 20;
/// Longest username taken from an actor's `preferredUsername`.
const MAX_USERNAME_CHARS: usize = 100;
/// Longest fallback username taken from an actor id (Mastodon's limit for local names).
const MAX_FALLBACK_USERNAME_CHARS: usize = 30;

/// Why a remote actor could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("fetch failed: {0}")]
    Fetch(#[from] FetchError),
    #[error("invalid actor document: {0}")]
    Invalid(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Returns the (stored) account owning `key_id`, fetching the actor when unknown or
/// when its stored document does not list that key. The key may be its main
/// `publicKey` or one of its further keys ([`super::actor_keys`]).
pub async fn account_for_key(state: &AppState, key_id: &str) -> Result<AccountRow, ResolveError> {
    let owner = key_owner_from_key_id(key_id)
        .ok_or_else(|| ResolveError::Invalid(format!("keyId {key_id}")))?;
    if let Some(account) = accounts::find_by_ap_id(&state.db, owner.as_str()).await? {
        if publishes(&state.db, &account, key_id).await? {
            return refreshed_if_stale(state, account).await;
        }
    }
    let account = fetch_actor_for_key(state, &owner).await?;
    if !publishes(&state.db, &account, key_id).await? {
        return Err(ResolveError::Invalid(format!(
            "{owner} does not publish key {key_id}"
        )));
    }
    Ok(account)
}

/// Whether the stored document of `account` lists the key `key_id`.
async fn publishes(db: &sqlx::PgPool, account: &AccountRow, key_id: &str) -> sqlx::Result<bool> {
    if account.key_id.as_deref() == Some(key_id) {
        return Ok(true);
    }
    Ok(actor_keys::find(db, account.id, key_id).await?.is_some())
}

/// Refetches the actor of `account` if its key was not refetched in the last ten
/// minutes; `None` when rate-limited.
pub async fn refetch_key(
    state: &AppState,
    account: &AccountRow,
) -> Result<Option<AccountRow>, ResolveError> {
    let recently = account
        .key_refetched_at
        .is_some_and(|at| at > Utc::now() - Duration::minutes(KEY_REFETCH_MINUTES));
    let Some(ap_id) = account.ap_id.as_deref().filter(|_| !recently) else {
        return Ok(None);
    };
    accounts::touch_key_refetch(&state.db, account.id).await?;
    let url = Url::parse(ap_id).map_err(|error| ResolveError::Invalid(error.to_string()))?;
    fetch_actor_for_key(state, &url).await.map(Some)
}

/// `account` itself, or its refetched document when it is older than a day (the
/// cached copy is kept when the refetch fails).
async fn refreshed_if_stale(
    state: &AppState,
    account: AccountRow,
) -> Result<AccountRow, ResolveError> {
    let fresh = account
        .last_fetched_at
        .is_some_and(|at| at > Utc::now() - Duration::hours(REFRESH_AFTER_HOURS));
    let Some(ap_id) = account.ap_id.as_deref().filter(|_| !fresh) else {
        return Ok(account);
    };
    let Ok(url) = Url::parse(ap_id) else {
        return Ok(account);
    };
    match fetch_actor(state, &url).await {
        Ok(refreshed) => Ok(refreshed),
        Err(error) => {
            tracing::info!(%url, %error, "refresh failed; using the cached actor");
            Ok(account)
        }
    }
}

/// The stored account with this actor id, refreshed when older than a day, fetched
/// when unknown.
pub async fn account_by_ap_id(state: &AppState, ap_id: &Url) -> Result<AccountRow, ResolveError> {
    if let Some(account) = accounts::find_by_ap_id(&state.db, ap_id.as_str()).await? {
        return refreshed_if_stale(state, account).await;
    }
    fetch_actor(state, ap_id).await
}

/// Fetches an actor document, checks it, and stores it, with the collections Roost
/// keeps a copy of and the account it moved to (fetched too when unknown).
pub async fn fetch_actor(state: &AppState, url: &Url) -> Result<AccountRow, ResolveError> {
    let (account, actor, document) = fetch_and_store(state, url).await?;
    read_collections(state, &account, &document).await;
    Ok(link_moved_to(state, account, actor.moved_to.as_deref()).await)
}

/// [`fetch_actor`] for a signature check: the collections are read in the
/// background ([`read_collections_later`]), since the request that waits for the
/// check (an inbox POST) needs the key, not the featured hashtags and endorsements
/// (two more signed GETs: half of a first-contact inbox request).
async fn fetch_actor_for_key(state: &AppState, url: &Url) -> Result<AccountRow, ResolveError> {
    let (account, actor, document) = fetch_and_store(state, url).await?;
    read_collections_later(state, &account, document);
    Ok(link_moved_to(state, account, actor.moved_to.as_deref()).await)
}

/// Collection reads running in the background at once, per process.
const BACKGROUND_READS: usize = 8;
static BACKGROUND: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(BACKGROUND_READS);

/// Reads the actor's collections in a background task. When [`BACKGROUND_READS`]
/// are already running (a burst of new senders), this one is skipped: like a failed
/// read, it is made up at the actor's next refresh or `Update`.
fn read_collections_later(state: &AppState, account: &AccountRow, document: Value) {
    let Ok(permit) = BACKGROUND.try_acquire() else {
        tracing::debug!(
            account = account.id,
            "collection read skipped: too many running"
        );
        return;
    };
    let state = state.clone();
    let account = account.clone();
    tokio::spawn(async move {
        let _permit = permit;
        read_collections(&state, &account, &document).await;
    });
}

/// Fetches, checks and stores an actor document, nothing more (the account it moved
/// to is not followed, so a chain of moves costs one fetch per step asked for).
async fn fetch_and_store(
    state: &AppState,
    url: &Url,
) -> Result<(AccountRow, RemoteActor, Value), ResolveError> {
    // Local actors live in `accounts` already; a remote copy of one must never exist.
    if crate::domain::http_url::authority(url).eq_ignore_ascii_case(&state.config.domain) {
        return Err(ResolveError::Invalid(format!("{url} is a local URL")));
    }
    let document = fetch::fetch_object(state, url).await?;
    let mut actor = remote_actor(&document, url)?;
    let account = match store_actor(&state.db, &actor).await {
        // Another actor of this domain holds the name (two fallback names alike, or a
        // server that reuses names): this one is stored under a name of its own.
        Err(error) if accounts::is_username_conflict(&error) => {
            actor.username = hashed_username(&actor.ap_id);
            store_actor(&state.db, &actor).await?
        }
        other => other?,
    };
    Ok((account, actor, document))
}

/// Records where the stored remote `account` moved to: the account its `movedTo` names
/// (a local one, a stored one, or one fetched now), or none when it names none. Best
/// effort: when the target cannot be found the account is returned as it was, and a
/// later refresh tries again. Mastodon keeps `moved_to_account` the same way.
pub async fn link_moved_to(
    state: &AppState,
    account: AccountRow,
    moved_to: Option<&str>,
) -> AccountRow {
    let target = match moved_to {
        None => None,
        Some(url) => match moved_to_target(state, url).await {
            Ok(Some(target)) if target != account.id => Some(target),
            Ok(_) => return account,
            Err(error) => {
                tracing::info!(%error, url, "movedTo not resolved");
                return account;
            }
        },
    };
    if account.moved_to_account_id == target {
        return account;
    }
    let updated = async {
        crate::db::account_moves::set_moved_to(&state.db, account.id, target).await?;
        accounts::find_by_id(&state.db, account.id).await
    };
    match updated.await {
        Ok(Some(updated)) => updated,
        Ok(None) => account,
        Err(error) => {
            tracing::warn!(%error, "movedTo not recorded");
            account
        }
    }
}

/// The account a `movedTo` URL names: a local account, a stored remote one, or a
/// remote one fetched now (its own `movedTo` is not followed).
async fn moved_to_target(state: &AppState, url: &str) -> Result<Option<i64>, ResolveError> {
    if let Some(username) = crate::urls::local_username(&state.config, url) {
        let local = accounts::find_visible_by_acct(&state.db, username, None).await?;
        return Ok(local.map(|account| account.id));
    }
    if let Some(known) = accounts::find_by_ap_id(&state.db, url).await? {
        return Ok(Some(known.id));
    }
    let url = Url::parse(url).map_err(|error| ResolveError::Invalid(error.to_string()))?;
    let (target, _, _) = fetch_and_store(state, &url).await?;
    Ok(Some(target.id))
}

/// Reads the collections a remote actor's `document` names that Roost keeps a copy of
/// (featured hashtags, endorsed accounts), whenever the actor is fetched or sends an
/// `Update` of itself. Best effort, bounded, never failing the actor's fetch.
pub async fn read_collections(state: &AppState, account: &AccountRow, document: &Value) {
    super::featured_tags::synchronize(state, account, document).await;
    super::endorsements::synchronize(state, account, document).await;
}

/// Stores a checked remote actor (inserted or refreshed) with the custom emoji of its
/// profile, recorded under its domain and linked to it, in one transaction. Fails with
/// a username conflict as `accounts::upsert_remote` does.
pub async fn store_actor(db: &sqlx::PgPool, actor: &RemoteActor) -> sqlx::Result<AccountRow> {
    let mut transaction = db.begin().await?;
    let before = accounts::find_by_ap_id(&mut *transaction, &actor.ap_id).await?;
    let mut account = accounts::upsert_remote(&mut *transaction, actor).await?;
    let before = before.map(|account| account.fields.0).unwrap_or_default();
    crate::services::profile_links::settle_fields(&mut transaction, &before, &mut account).await?;
    if !actor.emojis.is_empty() || !account.emojis.is_empty() {
        let emojis = super::emojis::store(&mut transaction, &actor.domain, &actor.emojis).await?;
        let ids: Vec<i64> = emojis.iter().map(|emoji| emoji.id).collect();
        custom_emojis::set_account_emojis(&mut transaction, account.id, &ids).await?;
        account.emojis = sqlx::types::Json(emojis);
    }
    actor_keys::replace(&mut transaction, account.id, &actor.further_keys).await?;
    transaction.commit().await?;
    Ok(account)
}

/// Resolves `username@domain` through WebFinger to a stored account. The actor must
/// live on the queried domain.
pub async fn resolve_acct(
    state: &AppState,
    username: &str,
    domain: &str,
) -> Result<AccountRow, ResolveError> {
    if let Some(account) = accounts::find_visible_by_acct(&state.db, username, Some(domain)).await?
    {
        if let Some(ap_id) = account.ap_id.as_deref().and_then(|id| Url::parse(id).ok()) {
            return account_by_ap_id(state, &ap_id).await;
        }
    }
    let scheme = if state.config.insecure_http {
        "http"
    } else {
        "https"
    };
    let mut webfinger = Url::parse(&format!("{scheme}://{domain}/.well-known/webfinger"))
        .map_err(|error| ResolveError::Invalid(error.to_string()))?;
    webfinger
        .query_pairs_mut()
        .append_pair("resource", &format!("acct:{username}@{domain}"));
    let jrd = fetch::fetch_plain_json(state, &webfinger).await?;
    let jrd: Jrd =
        serde_json::from_value(jrd).map_err(|error| ResolveError::Invalid(error.to_string()))?;
    let actor_url = jrd
        .activitypub_actor()
        .ok_or_else(|| ResolveError::Invalid("no ActivityPub link in WebFinger".into()))?;
    if crate::domain::http_url::authority(&actor_url) != domain.to_ascii_lowercase() {
        return Err(ResolveError::Invalid(format!(
            "{actor_url} is not on {domain}"
        )));
    }
    fetch_actor(state, &actor_url).await
}

/// Checks an actor document fetched from `fetched_from` and extracts what Roost stores.
/// The document's id must be on the same origin as the URL it came from, and its key
/// must belong to it. Text is bounded and remote HTML sanitised.
pub fn remote_actor(document: &Value, fetched_from: &Url) -> Result<RemoteActor, ResolveError> {
    let invalid = |what: &str| ResolveError::Invalid(what.to_owned());
    let actor: Actor = serde_json::from_value(document.clone())
        .map_err(|error| ResolveError::Invalid(error.to_string()))?;
    if actor.id.origin() != fetched_from.origin() {
        return Err(invalid("id is on another origin than the document"));
    }
    if actor.public_key.owner != actor.id {
        return Err(invalid("publicKey.owner is not the actor"));
    }
    let bounded = |text: Option<&String>, max: usize| {
        text.map(|t| t.chars().take(max).collect::<String>())
            .unwrap_or_default()
    };
    let username = bounded(actor.preferred_username.as_ref(), MAX_USERNAME_CHARS);
    let username = match username.is_empty() {
        true => fallback_username(&actor.id),
        false => username,
    };
    let fields = actor
        .attachment
        .iter()
        .take(MAX_FIELDS)
        .map(|field| StoredField {
            name: field.name.chars().take(255).collect(),
            value: sanitize_html(&field.value.chars().take(2048).collect::<String>()),
            source: None,
            verified_at: None,
        })
        .collect();
    Ok(RemoteActor {
        ap_id: actor.id.to_string(),
        username,
        domain: crate::domain::http_url::authority(&actor.id),
        actor_type: actor.kind.as_str().chars().take(32).collect(),
        display_name: bounded(actor.name.as_ref(), MAX_NAME_CHARS),
        note: sanitize_html(&bounded(actor.summary.as_ref(), MAX_NOTE_CHARS)),
        url: actor.profile_url().map(ToString::to_string),
        inbox_url: actor.inbox.to_string(),
        shared_inbox_url: actor.shared_inbox().map(Url::to_string),
        outbox_url: actor.outbox.as_ref().map(Url::to_string),
        followers_url: actor.followers.as_ref().map(Url::to_string),
        following_url: actor.following.as_ref().map(Url::to_string),
        featured_url: actor.featured.as_ref().map(Url::to_string),
        key_id: actor.public_key.id.to_string(),
        public_key_pem: actor.public_key.public_key_pem.clone(),
        locked: actor.manually_approves_followers,
        bot: actor.is_bot(),
        discoverable: actor.discoverable.unwrap_or(false),
        // Mastodon reads a missing `indexable` as an opt-out.
        indexable: actor.indexable.unwrap_or(false),
        fields,
        avatar_url: actor.icon.as_ref().map(|icon| icon.url.to_string()),
        header_url: actor.image.as_ref().map(|image| image.url.to_string()),
        emojis: super::emojis::remote_emojis(&actor.tag),
        further_keys: super::actor_keys::further_keys(document, &actor),
        also_known_as: actor
            .also_known_as
            .iter()
            .take(MAX_ALIASES)
            .map(Url::to_string)
            .collect(),
        moved_to: actor.moved_to.as_ref().map(Url::to_string),
    })
}

/// The username of an actor without `preferredUsername`: the last non-empty segment of
/// its id's path, keeping only what Mastodon allows in usernames (ASCII letters, digits,
/// `_`, and `.` or `-` inside; percent-escaped characters are dropped), at most 30
/// characters: `https://host/actors/Jane.Doe` gives `Jane.Doe`. When nothing is left (`https://host/`, `https://host/%F0%9F%90%A6`),
/// [`hashed_username`]. The same id always gives the same name.
pub fn fallback_username(id: &Url) -> String {
    let segment = id
        .path_segments()
        .and_then(|mut segments| segments.rfind(|s| !s.is_empty()))
        .unwrap_or_default();
    let kept: String = without_percent_escapes(segment)
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        .take(MAX_FALLBACK_USERNAME_CHARS)
        .collect();
    let trimmed = kept.trim_matches(|c| c == '.' || c == '-');
    match trimmed.is_empty() {
        true => hashed_username(id.as_str()),
        false => trimmed.to_owned(),
    }
}

/// The characters of a URL path segment with every `%XX` escape left out.
fn without_percent_escapes(segment: &str) -> impl Iterator<Item = char> + '_ {
    let mut chars = segment.chars();
    std::iter::from_fn(move || loop {
        match chars.next()? {
            '%' => {
                chars.next();
                chars.next();
            }
            c => return Some(c),
        }
    })
}

/// A username that only this actor id gives: `actor_` and the first 16 hex digits of the
/// SHA-256 of the id (`actor_3f2a…`). Used when an actor has no usable name of its own
/// or its name is taken on its domain.
pub fn hashed_username(ap_id: &str) -> String {
    let digest = format!("{:x}", Sha256::digest(ap_id.as_bytes()));
    format!("actor_{}", &digest[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fallback(id: &str) -> String {
        fallback_username(&Url::parse(id).expect("url"))
    }

    #[test]
    fn the_fallback_username_is_the_ids_last_path_segment_in_mastodons_charset() {
        assert_eq!(fallback("https://a.example/actors/Jane.Doe"), "Jane.Doe");
        assert_eq!(fallback("https://a.example/users/bob/"), "bob");
        assert_eq!(fallback("https://a.example/@carol?page=1"), "carol");
        assert_eq!(
            fallback("https://a.example/u/-d%C3%A9j%C3%A0_vu-."),
            "dj_vu"
        );
        assert_eq!(
            fallback(&format!("https://a.example/{}", "x".repeat(40))).len(),
            30
        );
    }

    #[test]
    fn ids_without_a_usable_segment_get_a_name_from_their_hash() {
        for id in [
            "https://a.example/",
            "https://a.example/%F0%9F%90%A6",
            "https://a.example/...",
        ] {
            let name = fallback(id);
            assert_eq!(name, hashed_username(Url::parse(id).expect("url").as_str()));
            assert!(name.starts_with("actor_") && name.len() == 22, "{name}");
        }
        assert_ne!(
            hashed_username("https://a.example/1"),
            hashed_username("https://a.example/2")
        );
        assert_eq!(
            hashed_username("https://a.example/1"),
            hashed_username("https://a.example/1")
        );
    }

    #[test]
    fn an_actor_document_without_preferred_username_is_accepted() {
        let id = "https://a.example/profiles/42";
        let document = serde_json::json!({
            "id": id,
            "type": "Person",
            "inbox": format!("{id}/inbox"),
            "publicKey": { "id": format!("{id}#main-key"), "owner": id, "publicKeyPem": "PEM" },
        });
        let fetched_from = Url::parse(id).expect("url");
        let actor = remote_actor(&document, &fetched_from).expect("accepted");
        assert_eq!(actor.username, "42");
        assert_eq!(actor.domain, "a.example");
    }
}
