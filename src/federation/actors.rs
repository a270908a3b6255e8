//! Serving local actors and their collections as ActivityStreams JSON, and a plain
//! HTML profile to browsers at the same URLs (content negotiation on `Accept`).

use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::header::{ACCEPT, CONTENT_TYPE, VARY};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use serde::Serialize;

use super::profile::profile_image;
use super::protocol::actor::{Actor, ActorKind, PropertyValue};
use super::protocol::collection::{OrderedCollection, OrderedCollectionPage};
use super::protocol::{EmbeddedObject, ObjectRef};
use crate::db::accounts::{self, AccountRow};
use crate::db::follows::{self, Direction};
use crate::db::Page;
use crate::domain::text::escape_html;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::urls;

/// The media type of Roost's ActivityStreams responses.
pub const ACTIVITY_JSON: &str = "application/activity+json; charset=utf-8";

/// Items per page of a followers/following collection.
const COLLECTION_PAGE_SIZE: i64 = 40;

/// Whether the client asked for ActivityStreams: `application/activity+json`, or
/// `application/ld+json` (with or without the ActivityStreams profile). Media types
/// are compared, not whole header strings.
pub fn wants_activity_json(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|item| {
            item.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .any(|media| media == "application/activity+json" || media == "application/ld+json")
}

/// A JSON body with the ActivityStreams content type.
pub fn activity_json<T: Serialize>(body: &T) -> Response {
    (
        [(CONTENT_TYPE, ACTIVITY_JSON), (VARY, "Accept")],
        axum::Json(body),
    )
        .into_response()
}

async fn local_account(state: &AppState, name: &str) -> ApiResult<AccountRow> {
    accounts::find_visible_by_acct(&state.db, name, None)
        .await?
        .ok_or(ApiError::NotFound)
}

/// `GET /users/:name` (and `/@:name`): the actor document, or an HTML profile page.
pub async fn actor(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let name = name.trim_start_matches('@');
    let account = local_account(&state, name).await?;
    if account.suspended_at.is_some() {
        return Ok(gone(&urls::actor(&state.config, &account.username)));
    }
    if !wants_activity_json(&headers) {
        return Ok(profile_page(&state, &account));
    }
    Ok(activity_json(&actor_document(&state, &account)?))
}

/// 410 Gone with a `Tombstone`: what a suspended local actor's URL answers, so other
/// servers drop the account as Mastodon's do for deleted ones.
fn gone(id: &str) -> Response {
    let tombstone = serde_json::json!({
        "@context": crate::federation::outbound::ACTIVITY_CONTEXT,
        "id": id,
        "type": "Tombstone",
    });
    let mut response = activity_json(&tombstone);
    *response.status_mut() = axum::http::StatusCode::GONE;
    response
}

/// The ActivityStreams actor of a local account.
pub fn actor_document(state: &AppState, account: &AccountRow) -> ApiResult<Actor> {
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
    actor.icon = profile_image(state, account.avatar_key.as_deref());
    actor.image = profile_image(state, account.header_key.as_deref());
    Ok(actor)
}

fn profile_page(state: &AppState, account: &AccountRow) -> Response {
    let name = if account.display_name.is_empty() {
        &account.username
    } else {
        &account.display_name
    };
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <link rel=\"alternate\" type=\"application/activity+json\" href=\"{actor}\"></head>\
         <body><h1>{title}</h1><p>@{user}@{domain}</p><div>{note}</div>\
         <p>{followers} followers · {following} following</p></body></html>",
        title = escape_html(name),
        actor = escape_html(&urls::actor(&state.config, &account.username)),
        user = escape_html(&account.username),
        domain = escape_html(&state.config.domain),
        note = account.note,
        followers = account.followers_count,
        following = account.following_count,
    );
    ([(VARY, "Accept")], Html(html)).into_response()
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
    Ok(activity_json(&actor))
}

/// `?page=N` of a collection (1-based).
#[derive(Debug, Deserialize)]
pub struct CollectionQuery {
    page: Option<String>,
}

/// `GET /users/:name/followers`.
pub async fn followers(
    state: State<AppState>,
    name: Path<String>,
    query: Query<CollectionQuery>,
) -> ApiResult<Response> {
    follow_collection(state, name, query, Direction::Followers).await
}

/// `GET /users/:name/following`.
pub async fn following(
    state: State<AppState>,
    name: Path<String>,
    query: Query<CollectionQuery>,
) -> ApiResult<Response> {
    follow_collection(state, name, query, Direction::Following).await
}

/// A paged `OrderedCollection` of actor ids, newest follow first; `totalItems` only
/// when the account hides its collections.
async fn follow_collection(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(query): Query<CollectionQuery>,
    direction: Direction,
) -> ApiResult<Response> {
    let account = local_account(&state, &name).await?;
    let urls = urls::local_actor(&state.config, &account.username);
    let (id, total) = match direction {
        Direction::Followers => (urls.followers, account.followers_count),
        Direction::Following => (urls.following, account.following_count),
    };
    let page_number = query
        .page
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok())
        .filter(|p| (1..=10_000).contains(p));
    let Some(page_number) = page_number.filter(|_| !account.hide_collections) else {
        let first = (!account.hide_collections).then(|| page_url(&id, 1));
        let collection: OrderedCollection<EmbeddedObject> =
            OrderedCollection::new(id, u64::try_from(total).unwrap_or(0), first);
        return Ok(activity_json(&collection));
    };
    let items = follow_page_items(&state, account.id, direction, page_number).await?;
    let next = (items.len() as i64 == COLLECTION_PAGE_SIZE).then(|| page_url(&id, page_number + 1));
    let prev = (page_number > 1).then(|| page_url(&id, page_number - 1));
    let page: OrderedCollectionPage<EmbeddedObject> =
        OrderedCollectionPage::new(page_url(&id, page_number), id, items, next, prev);
    Ok(activity_json(&page))
}

fn page_url(collection: &url::Url, page: i64) -> url::Url {
    let mut url = collection.clone();
    url.set_query(Some(&format!("page={page}")));
    url
}

/// Actor ids on page `page_number`. Pages are offsets over the newest-first order;
/// deep pages walk the index, which is acceptable at these sizes.
async fn follow_page_items(
    state: &AppState,
    account_id: i64,
    direction: Direction,
    page_number: i64,
) -> ApiResult<Vec<ObjectRef<EmbeddedObject>>> {
    let mut cursor: Option<i64> = None;
    let mut rows = Vec::new();
    for _ in 0..page_number {
        let page = Page {
            max_id: cursor,
            since_id: None,
            min_id: None,
            limit: COLLECTION_PAGE_SIZE,
        };
        rows = follows::page(&state.db, account_id, direction, true, &page).await?;
        match rows.last() {
            Some(last) => cursor = Some(last.id),
            None => break,
        }
    }
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let other = match direction {
            Direction::Followers => row.account_id,
            Direction::Following => row.target_account_id,
        };
        if let Some(account) = accounts::find_by_id(&state.db, other).await? {
            if let Ok(url) = url::Url::parse(&urls::account_ap_id(&state.config, &account)) {
                items.push(ObjectRef::Uri(url));
            }
        }
    }
    Ok(items)
}

/// `?page=true` or `?max_id=ID` of the outbox.
#[derive(Debug, Deserialize)]
pub struct OutboxQuery {
    page: Option<String>,
    max_id: Option<String>,
}

/// Statuses per outbox page.
const OUTBOX_PAGE_SIZE: i64 = 20;

/// `GET /users/:name/outbox`: the collection (total = the account's statuses) or a
/// page of `Create` activities of its public and unlisted posts, newest first.
pub async fn outbox(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(query): Query<OutboxQuery>,
) -> ApiResult<Response> {
    let account = local_account(&state, &name).await?;
    let actor_urls = urls::local_actor(&state.config, &account.username);
    let id = actor_urls.outbox.clone();
    let max_id = query.max_id.as_deref().and_then(|m| m.parse::<i64>().ok());
    if query.page.is_none() && max_id.is_none() {
        let mut first = id.clone();
        first.set_query(Some("page=true"));
        let total = u64::try_from(account.statuses_count).unwrap_or(0);
        let collection: OrderedCollection<EmbeddedObject> =
            OrderedCollection::new(id, total, Some(first));
        return Ok(activity_json(&collection));
    }
    let page = Page {
        max_id,
        since_id: None,
        min_id: None,
        limit: OUTBOX_PAGE_SIZE,
    };
    let which = crate::db::timelines::Timeline::Account {
        account_id: account.id,
        exclude_replies: false,
        exclude_reblogs: true,
        pinned: false,
        tagged: None,
        only_media: false,
    };
    let rows = crate::db::timelines::timeline(&state.db, None, which, &page).await?;
    let mut connection = state.db.acquire().await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let note = super::posts::note_of(&state, &mut connection, &account, row).await?;
        let activity_id =
            url::Url::parse(&urls::activity_of(note.id.as_str())).map_err(anyhow::Error::from)?;
        let create = super::protocol::note::Create::new(activity_id, actor_urls.id.clone(), note);
        items.push(ObjectRef::object(
            serde_json::to_value(create).map_err(anyhow::Error::from)?,
        ));
    }
    let mut this_page = id.clone();
    this_page.set_query(Some(&match max_id {
        Some(max_id) => format!("max_id={max_id}"),
        None => "page=true".to_owned(),
    }));
    let next = (rows.len() as i64 == OUTBOX_PAGE_SIZE)
        .then(|| {
            rows.last().map(|last| {
                let mut next = id.clone();
                next.set_query(Some(&format!("max_id={}", last.id)));
                next
            })
        })
        .flatten();
    let page: OrderedCollectionPage<serde_json::Value> =
        OrderedCollectionPage::new(this_page, id, items, next, None);
    Ok(activity_json(&page))
}

/// `GET /users/:name/collections/featured`: pinned posts (none yet).
pub async fn featured(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    let account = local_account(&state, &name).await?;
    let id = urls::local_actor(&state.config, &account.username).featured;
    let collection: OrderedCollection<EmbeddedObject> =
        OrderedCollection::with_items(id, Vec::new());
    Ok(activity_json(&collection))
}

/// Gives every local account without a key pair one (accounts created before
/// federation existed). Run at start-up; idempotent and safe to run concurrently.
pub async fn backfill_missing_keys(db: &sqlx::PgPool) -> anyhow::Result<usize> {
    let missing = accounts::local_without_keys(db).await?;
    for &id in &missing {
        let keys = tokio::task::spawn_blocking(super::signatures::generate_rsa_keypair).await??;
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

/// `GET /users/:name/statuses/:id`: a local status as a Note (or a small HTML page for
/// browsers). Public and unlisted statuses are served to anyone; followers-only and
/// direct ones only to a signed GET whose signer may see them (a follower, or someone
/// mentioned). Everyone else gets 404, as if the status did not exist.
pub async fn status(
    State(state): State<AppState>,
    Path((name, id)): Path<(String, String)>,
    method: axum::http::Method,
    // The signature covers the target as sent, before the router normalised its path.
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let account = local_account(&state, &name).await?;
    let id: i64 = id.parse().map_err(|_| ApiError::NotFound)?;
    let signed = headers.contains_key("signature")
        || headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("Signature "));
    let viewer = match signed {
        true => signed_viewer(&state, &method, &uri, &headers).await,
        false => None,
    };
    let row = crate::db::statuses::find_visible(&state.db, viewer, id)
        .await?
        .filter(|row| row.account_id == account.id && row.reblog_of_id.is_none())
        .ok_or(ApiError::NotFound)?;
    if !wants_activity_json(&headers) {
        let html = format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{name}</title></head>\
             <body><article><h1>{name}</h1>{content}</article></body></html>",
            name = escape_html(&account.username),
            content = row.content,
        );
        return Ok(([(VARY, "Accept")], Html(html)).into_response());
    }
    let mut connection = state.db.acquire().await?;
    let note = super::posts::note_of(&state, &mut connection, &account, &row).await?;
    Ok(activity_json(&note))
}

/// The account behind a valid signed GET (Mastodon's "authorized fetch"), if any.
/// Any failure just means "anonymous".
async fn signed_viewer(
    state: &AppState,
    method: &axum::http::Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
) -> Option<i64> {
    let params = super::signatures::parse_signature_header(headers).ok()?;
    let signer = super::resolve::account_for_key(state, &params.key_id)
        .await
        .ok()?;
    let key = super::signatures::VerifyingKey::from_pem(signer.public_key_pem.as_deref()?).ok()?;
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let policy = super::signatures::Policy::for_method(method, state.config.signature_max_age());
    super::signatures::verify(
        method,
        path,
        headers,
        b"",
        &key,
        chrono::Utc::now(),
        &policy,
    )
    .ok()?;
    Some(signer.id)
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
