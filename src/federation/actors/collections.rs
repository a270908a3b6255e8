//! A local actor's collections: followers and following (paged by number), the outbox
//! (`Create` activities of public and unlisted posts, paged by `max_id`), featured
//! posts and featured hashtags, and the replies collection of each of its posts (paged
//! by number). An account that hides its collections shows only their totals.
//!
//! Spec: <https://www.w3.org/TR/activitypub/#collections>,
//! <https://www.w3.org/TR/activitystreams-core/#paging>.

use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use serde::Deserialize;

use super::{activity_json, local_account};
use crate::db::follows::{self, Direction};
use crate::db::Page;
use crate::db::{accounts, follower_sync};
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::federation::builders::featured_tags::featured_hashtag;
use crate::federation::collection_sync::origin_prefix;
use crate::federation::protocol::collection::{OrderedCollection, OrderedCollectionPage};
use crate::federation::protocol::{EmbeddedObject, ObjectRef, Tag};
use crate::state::AppState;
use crate::urls;

/// Items per page of a followers/following collection.
const COLLECTION_PAGE_SIZE: i64 = 40;

/// `?page=N` of a collection (1-based).
#[derive(Debug, Deserialize)]
pub struct CollectionQuery {
    page: Option<String>,
}

/// The page number `?page=N` asks for, if it is one (1 to 10,000).
fn page_number(query: &CollectionQuery) -> Option<i64> {
    (query.page.as_deref())
        .and_then(|p| p.parse::<i64>().ok())
        .filter(|p| (1..=10_000).contains(p))
}

/// `GET /users/:name/statuses/:id/replies`: the replies collection of a local post
/// (linked from its Note's `replies`, as Mastodon's; FEP-7458): the ids of its direct
/// public and unlisted replies that the signed viewer (or anyone) may see, oldest first,
/// in pages of [`COLLECTION_PAGE_SIZE`]. A reply its author hid, or one by an account
/// they block, is never listed. `404` when the viewer may not see the post.
pub async fn replies(
    State(state): State<AppState>,
    Path((name, Id(id))): Path<(String, Id)>,
    Query(query): Query<CollectionQuery>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let account = local_account(&state, &name).await?;
    let viewer = super::signed_get::signed_viewer(&state, &method, &uri, &headers).await;
    crate::db::statuses::find_visible(&state.db, viewer, id)
        .await?
        .filter(|row| row.account_id == account.id && row.reblog_of_id.is_none())
        .ok_or(ApiError::NotFound)?;
    let collection = urls::replies_collection(&state.config, &account.username, id);
    let collection = url::Url::parse(&collection).map_err(anyhow::Error::from)?;
    let Some(number) = page_number(&query) else {
        let mut root: OrderedCollection<EmbeddedObject> =
            OrderedCollection::new(collection.clone(), 0, Some(page_url(&collection, 1)));
        // Counting what each viewer may see would cost a query per fetch; peers page.
        root.total_items = None;
        return Ok(activity_json(&root));
    };
    let offset = (number - 1) * COLLECTION_PAGE_SIZE;
    let rows =
        crate::db::statuses::replies_page(&state.db, viewer, id, COLLECTION_PAGE_SIZE, offset)
            .await?;
    let items = (rows.iter())
        .filter_map(|reply| {
            let uri = match &reply.ap_id {
                Some(ap_id) => ap_id.clone(),
                None => urls::status(&state.config, &reply.username, reply.id),
            };
            url::Url::parse(&uri).ok().map(ObjectRef::Uri)
        })
        .collect();
    let next =
        (rows.len() as i64 == COLLECTION_PAGE_SIZE).then(|| page_url(&collection, number + 1));
    let prev = (number > 1).then(|| page_url(&collection, number - 1));
    let page: OrderedCollectionPage<EmbeddedObject> =
        OrderedCollectionPage::new(page_url(&collection, number), collection, items, next, prev);
    Ok(activity_json(&page))
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

/// Followers listed in one partial followers collection at most.
const MAX_SYNCHRONIZED_FOLLOWERS: i64 = 50_000;

/// `GET /users/:name/followers_synchronization`: the partial followers collection of
/// FEP-8fcf (the `url` of the `Collection-Synchronization` header deliveries carry):
/// the account's followers on the signer's server, all in one `OrderedCollection`, as
/// Mastodon serves it. Only for a signed GET (401 otherwise): a server learns the
/// follows of its own users, nobody else's, also when the account hides its
/// collections.
pub async fn followers_synchronization(
    State(state): State<AppState>,
    Path(name): Path<String>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let account = local_account(&state, &name).await?;
    let signer = super::signed_get::signer(&state, &method, &uri, &headers)
        .await
        .ok_or_else(|| ApiError::Unauthorized("Request not signed".into()))?;
    let server = (signer.ap_id.as_deref())
        .and_then(|id| url::Url::parse(id).ok())
        .and_then(|id| Some((origin_prefix(&id)?, crate::domain::http_url::authority(&id))));
    let items = match (&signer.domain, server) {
        (Some(_), Some((prefix, domain))) => {
            let ids = follower_sync::follower_ids_on(
                &state.db,
                account.id,
                &domain,
                &prefix,
                MAX_SYNCHRONIZED_FOLLOWERS,
            )
            .await?;
            ids.iter()
                .filter_map(|id| url::Url::parse(id).ok().map(ObjectRef::Uri))
                .collect()
        }
        _ => Vec::new(),
    };
    let id = urls::followers_synchronization(&state.config, &account.username);
    let id = url::Url::parse(&id).map_err(anyhow::Error::from)?;
    let collection: OrderedCollection<EmbeddedObject> = OrderedCollection::with_items(id, items);
    Ok(activity_json(&collection))
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
    let Some(page_number) = page_number(&query).filter(|_| !account.hide_collections) else {
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
        let note =
            crate::federation::posts::note_of(&state, &mut connection, &account, row).await?;
        let activity_id =
            url::Url::parse(&urls::activity_of(note.id.as_str())).map_err(anyhow::Error::from)?;
        let create = crate::federation::protocol::note::Create::new(
            activity_id,
            actor_urls.id.clone(),
            note,
        );
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

/// `GET /users/:name/collections/tags`: the hashtags the account features, as
/// `Hashtag` objects listed inline (Mastodon's `featuredTags`).
pub async fn featured_tags(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    let account = local_account(&state, &name).await?;
    let id = urls::local_actor(&state.config, &account.username).featured_tags;
    let rows = crate::db::featured_tags::list(&state.db, account.id).await?;
    let items = rows
        .iter()
        .filter_map(|row| featured_hashtag(&state.config, &row.name))
        .map(ObjectRef::object)
        .collect();
    let collection: OrderedCollection<Tag> = OrderedCollection::with_items(id, items);
    Ok(activity_json(&collection))
}
