//! Featured hashtags: the hashtags an account shows on its profile. A local account
//! features at most [`MAX_FEATURED`] (Mastodon's limit), by name, and each change is
//! sent to its followers as an `Add`/`Remove` of the `Hashtag` to its `featuredTags`
//! collection; a remote account's come from its collection (see
//! `federation::featured_tags`) and from the `Add`/`Remove` its server sends.
//!
//! Not here: the SQL and the use counts (`db::featured_tags`), the hashtag rules
//! (`services::tags`), the wire format (`federation::builders::featured_tags`).
//! Spec: <https://docs.joinmastodon.org/methods/featured_tags/>,
//! <https://docs.joinmastodon.org/methods/tags/#feature>.

use sqlx::PgConnection;
use url::Url;

use crate::db::accounts::{self, AccountRow};
use crate::db::featured_tags::{self, FeaturedTagRow};
use crate::db::{follows, tags as tag_rows};
use crate::error::{ApiError, ApiResult};
use crate::federation::builders::featured_tags::{featured_hashtag, featured_tag_change};
use crate::federation::outbound;
use crate::services::tags::{self, TagView};
use crate::state::AppState;
use crate::urls;

/// Most hashtags one account features (Mastodon's limit; more from a remote collection
/// are dropped).
pub const MAX_FEATURED: usize = 10;
/// How many hashtag suggestions are offered.
const MAX_SUGGESTIONS: i64 = 10;
/// How many of the newest statuses suggestions are drawn from.
const SUGGESTION_STATUSES: i64 = 200;

/// The featured hashtags of `account_id`, most used first, with the account they are
/// shown for (their URLs are under its profile).
pub async fn mine(
    state: &AppState,
    account_id: i64,
) -> ApiResult<(AccountRow, Vec<FeaturedTagRow>)> {
    let account = accounts::find_by_id(&state.db, account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let listed = featured_tags::list(&state.db, account.id).await?;
    Ok((account, listed))
}

/// The featured hashtags of the visible account `id` (local or remote); none for a
/// suspended account. `NotFound` for an unknown one.
pub async fn of_account(state: &AppState, id: i64) -> ApiResult<(AccountRow, Vec<FeaturedTagRow>)> {
    let account = accounts::find_visible_by_id(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if account.suspended_at.is_some() {
        return Ok((account, Vec::new()));
    }
    let listed = featured_tags::list(&state.db, account.id).await?;
    Ok((account, listed))
}

/// `account_id` features the hashtag `name` (created when new; featuring it again
/// changes nothing) and its followers are told. Returns it with its use.
/// Errors: `Unprocessable` for an invalid name or more than [`MAX_FEATURED`].
pub async fn feature(
    state: &AppState,
    account_id: i64,
    name: &str,
) -> ApiResult<(AccountRow, FeaturedTagRow)> {
    let name = tags::valid_name(name)
        .ok_or_else(|| ApiError::validation("name", "ERR_INVALID", "Name is invalid"))?;
    let mut transaction = state.db.begin().await?;
    let account = accounts::find_by_id(&mut *transaction, account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    // The account is locked before the hashtag, in the order `services::tags::follow` takes.
    let count = featured_tags::count_locked(&mut *transaction, account_id).await?;
    let tag = tag_rows::find_or_create(&mut *transaction, &name.to_lowercase()).await?;
    let known = !featured_tags::featured_among(&mut *transaction, account_id, &[tag.id])
        .await?
        .is_empty();
    if !known && count >= MAX_FEATURED as i64 {
        return Err(ApiError::Unprocessable(format!(
            "You can feature at most {MAX_FEATURED} hashtags"
        )));
    }
    if featured_tags::add(&mut *transaction, account_id, tag.id).await? {
        queue_change(state, &mut transaction, &account, &tag.name, true).await?;
    }
    transaction.commit().await?;
    let row = featured_tags::list(&state.db, account_id)
        .await?
        .into_iter()
        .find(|row| row.tag_id == tag.id)
        .ok_or(ApiError::NotFound)?;
    Ok((account, row))
}

/// `account_id` stops featuring its featured hashtag `id` and its followers are told.
/// `NotFound` when it has no such featured hashtag.
pub async fn unfeature(state: &AppState, account_id: i64, id: i64) -> ApiResult<()> {
    let mut transaction = state.db.begin().await?;
    let account = accounts::find_by_id(&mut *transaction, account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let tag = featured_tags::remove_by_id(&mut *transaction, account_id, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    queue_change(state, &mut transaction, &account, &tag.name, false).await?;
    transaction.commit().await?;
    Ok(())
}

/// `POST /api/v1/tags/:name/feature`: [`feature`] by name, answered with the hashtag.
pub async fn feature_tag(state: &AppState, account_id: i64, name: &str) -> ApiResult<TagView> {
    feature(state, account_id, name).await?;
    tags::show(state, Some(account_id), name).await
}

/// `POST /api/v1/tags/:name/unfeature`: stops featuring the hashtag `name` (nothing
/// when it was not featured), answered with the hashtag. `NotFound` for an invalid name.
pub async fn unfeature_tag(state: &AppState, account_id: i64, name: &str) -> ApiResult<TagView> {
    let found = tags::show(state, Some(account_id), name).await?;
    if found.featuring == Some(true) {
        let mut transaction = state.db.begin().await?;
        let account = accounts::find_by_id(&mut *transaction, account_id)
            .await?
            .ok_or(ApiError::NotFound)?;
        if featured_tags::remove(&mut *transaction, account_id, found.tag.id).await? {
            queue_change(state, &mut transaction, &account, &found.tag.name, false).await?;
        }
        transaction.commit().await?;
    }
    Ok(TagView {
        featuring: Some(false),
        ..found
    })
}

/// The hashtags `account_id` used most in its newest statuses and does not feature
/// yet, at most ten.
pub async fn suggestions(state: &AppState, account_id: i64) -> ApiResult<Vec<TagView>> {
    let rows =
        featured_tags::suggestions(&state.db, account_id, SUGGESTION_STATUSES, MAX_SUGGESTIONS)
            .await?;
    let mut views = tags::views(state, account_id, rows).await?;
    for view in &mut views {
        view.featuring = Some(false);
    }
    Ok(views)
}

/// Queues the `Add` (`featured`) or `Remove` of the hashtag `name` of the local
/// `account` to its followers' inboxes, in the caller's transaction; nothing when it
/// has no followers elsewhere.
async fn queue_change(
    state: &AppState,
    conn: &mut PgConnection,
    account: &AccountRow,
    name: &str,
    featured: bool,
) -> ApiResult<()> {
    let inboxes: Vec<Url> = follows::follower_inboxes(&mut *conn, account.id)
        .await?
        .iter()
        .filter_map(|inbox| Url::parse(inbox).ok())
        .collect();
    let Some(hashtag) = featured_hashtag(&state.config, name) else {
        return Ok(());
    };
    if inboxes.is_empty() {
        return Ok(());
    }
    let actor = urls::local_actor(&state.config, &account.username);
    let activity_id =
        Url::parse(&urls::new_activity(&state.config)).map_err(anyhow::Error::from)?;
    let activity = featured_tag_change(
        activity_id,
        actor.id,
        actor.featured_tags,
        hashtag,
        featured,
    );
    outbound::deliver(conn, &activity, account, &inboxes).await?;
    Ok(())
}

/// Replaces the featured hashtags of the remote `account` with the valid ones of
/// `names` (its fetched collection), the first [`MAX_FEATURED`] kept.
pub async fn store_remote(
    state: &AppState,
    account: &AccountRow,
    names: &[String],
) -> ApiResult<()> {
    let mut transaction = state.db.begin().await?;
    let mut ids = Vec::new();
    for name in names.iter().filter_map(|name| tags::valid_name(name)) {
        if ids.len() == MAX_FEATURED {
            break;
        }
        let tag = tag_rows::find_or_create(&mut *transaction, &name.to_lowercase()).await?;
        if !ids.contains(&tag.id) {
            ids.push(tag.id);
        }
    }
    featured_tags::replace(&mut transaction, account.id, &ids).await?;
    transaction.commit().await?;
    Ok(())
}

/// A remote `account`'s server says it features (`featured`) or no longer features the
/// hashtag `name`. Past [`MAX_FEATURED`] an addition is refused (`Unprocessable`), as
/// is an invalid name.
pub async fn receive_change(
    state: &AppState,
    account: &AccountRow,
    name: &str,
    featured: bool,
) -> ApiResult<()> {
    let name = tags::valid_name(name)
        .ok_or_else(|| ApiError::Unprocessable("invalid hashtag".into()))?
        .to_lowercase();
    let mut transaction = state.db.begin().await?;
    if featured {
        if featured_tags::count_locked(&mut *transaction, account.id).await? >= MAX_FEATURED as i64
        {
            return Err(ApiError::Unprocessable("too many featured hashtags".into()));
        }
        let tag = tag_rows::find_or_create(&mut *transaction, &name).await?;
        featured_tags::add(&mut *transaction, account.id, tag.id).await?;
    } else if let Some(tag) = tag_rows::find_by_name(&mut *transaction, &name).await? {
        featured_tags::remove(&mut *transaction, account.id, tag.id).await?;
    }
    transaction.commit().await?;
    Ok(())
}
