//! Lists: a user's named groups of accounts they follow, each with its own timeline.
//! Creating, renaming and deleting lists, adding and removing members, and reading a
//! list's members and timeline, with Mastodon's rules: at most [`MAX_LISTS`] lists
//! per account (`ListLimitValidator`), a title of 1 to [`MAX_TITLE`] characters,
//! members only among the accounts the owner follows or asked to follow (Mastodon
//! 4.3), and another user's list answered as absent.
//!
//! Not here: a member leaving when the follow ends (the `lists` migration's trigger on
//! `follows`, so every path that ends a follow applies it), the SQL of the timeline
//! (`db::timelines`, whose home condition also leaves out members of exclusive lists),
//! and the list stream (`api::streaming::channel`, `db::stream_audience`).
//!
//! Spec: <https://docs.joinmastodon.org/methods/lists/>,
//! <https://docs.joinmastodon.org/entities/List/>.

use crate::db::accounts::{self, AccountRow};
use crate::db::lists::{self, ListFields, ListRow};
use crate::db::statuses::StatusRow;
use crate::db::timelines::{self, Timeline};
use crate::db::Page;
use crate::error::{required_title, ApiError, ApiResult};
use crate::state::AppState;

/// Lists one account may have (Mastodon's `ListLimitValidator::LIMIT`).
pub const MAX_LISTS: i64 = 50;
/// Longest title, in characters.
pub const MAX_TITLE: usize = 256;
/// Most account ids one request may add or remove.
pub const MAX_ACCOUNTS_PER_REQUEST: usize = 100;

/// Replies a list's timeline shows besides replies to oneself and to the owner.
pub const REPLIES_POLICIES: [&str; 3] = ["followed", "list", "none"];

/// The settings of a list as a client sends them: absent ones keep their value (or
/// take the default, on creation).
#[derive(Debug, Default)]
pub struct ListInput {
    pub title: Option<String>,
    pub replies_policy: Option<String>,
    pub exclusive: Option<bool>,
}

/// `owner` creates a list. Errors: `Validation` for a missing, blank or too long title,
/// an unknown replies policy, or a 51st list.
pub async fn create(state: &AppState, owner: i64, input: &ListInput) -> ApiResult<ListRow> {
    let title = title(input.title.as_deref())?;
    let replies_policy = replies_policy(input.replies_policy.as_deref().unwrap_or("list"))?;
    let mut transaction = state.db.begin().await?;
    if lists::count_locked(&mut *transaction, owner).await? >= MAX_LISTS {
        return Err(ApiError::validation(
            "base",
            "ERR_INVALID",
            format!("You cannot create more than {MAX_LISTS} lists"),
        ));
    }
    let fields = ListFields {
        title,
        replies_policy,
        exclusive: input.exclusive.unwrap_or(false),
    };
    let row = lists::insert(&mut *transaction, owner, &fields).await?;
    transaction.commit().await?;
    Ok(row)
}

/// `owner` changes the settings it sent of its list `id`. Errors: `NotFound` for
/// another user's list, `Validation` as [`create`].
pub async fn update(
    state: &AppState,
    owner: i64,
    id: i64,
    input: &ListInput,
) -> ApiResult<ListRow> {
    let list = find(state, owner, id).await?;
    let title = match input.title.as_deref() {
        Some(sent) => self::title(Some(sent))?,
        None => list.title.as_str(),
    };
    let replies_policy = replies_policy(
        input
            .replies_policy
            .as_deref()
            .unwrap_or(&list.replies_policy),
    )?;
    let fields = ListFields {
        title,
        replies_policy,
        exclusive: input.exclusive.unwrap_or(list.exclusive),
    };
    lists::update(&state.db, list.id, &fields)
        .await?
        .ok_or(ApiError::NotFound)
}

/// `owner` deletes its list `id`. Errors: `NotFound` for another user's list.
pub async fn delete(state: &AppState, owner: i64, id: i64) -> ApiResult<()> {
    let list = find(state, owner, id).await?;
    lists::delete(&state.db, list.id).await?;
    Ok(())
}

/// `owner`'s list `id`, or `NotFound` (another user's list is not shown to exist).
pub async fn find(state: &AppState, owner: i64, id: i64) -> ApiResult<ListRow> {
    lists::find_owned(&state.db, owner, id, false)
        .await?
        .ok_or(ApiError::NotFound)
}

/// `owner`'s lists.
pub async fn all(state: &AppState, owner: i64) -> ApiResult<Vec<ListRow>> {
    Ok(lists::of_owner(&state.db, owner).await?)
}

/// `owner`'s lists that contain account `member`. Errors: `NotFound` for an account
/// that does not exist or is not shown.
pub async fn containing(state: &AppState, owner: i64, member: i64) -> ApiResult<Vec<ListRow>> {
    accounts::find_visible_by_id(&state.db, member)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(lists::containing(&state.db, owner, member).await?)
}

/// `owner` adds `accounts` to its list `id`, all or none. Errors: `NotFound` for
/// another user's list or an account the owner does not follow (Mastodon's answer),
/// `Validation` for no ids or too many.
pub async fn add(state: &AppState, owner: i64, id: i64, accounts: &[i64]) -> ApiResult<()> {
    check_count(accounts)?;
    let mut transaction = state.db.begin().await?;
    let list = lists::find_owned(&mut *transaction, owner, id, true)
        .await?
        .ok_or(ApiError::NotFound)?;
    let followed = lists::followed_among(&mut *transaction, owner, accounts).await?;
    if accounts.iter().any(|account| !followed.contains(account)) {
        return Err(ApiError::NotFound);
    }
    lists::add_members(&mut *transaction, list.id, accounts).await?;
    transaction.commit().await?;
    Ok(())
}

/// `owner` removes `accounts` from its list `id` (ids not in it are ignored).
/// Errors: `NotFound` for another user's list, `Validation` for no ids or too many.
pub async fn remove(state: &AppState, owner: i64, id: i64, accounts: &[i64]) -> ApiResult<()> {
    check_count(accounts)?;
    let list = find(state, owner, id).await?;
    lists::remove_members(&state.db, list.id, accounts).await?;
    Ok(())
}

/// The visible members of `owner`'s list `id`, newest account first, with the ids the
/// page is paged by; `page` `None` = all of them. Errors: `NotFound` for another
/// user's list.
pub async fn members(
    state: &AppState,
    owner: i64,
    id: i64,
    page: Option<&Page>,
) -> ApiResult<(Vec<AccountRow>, Vec<i64>)> {
    let list = find(state, owner, id).await?;
    let ids = lists::members(&state.db, list.id, page).await?;
    let found = accounts::find_many(&state.db, &ids).await?;
    let shown = ids
        .iter()
        .filter_map(|id| found.iter().find(|row| row.id == *id))
        .filter(|row| row.suspended_at.is_none())
        .cloned()
        .collect();
    Ok((shown, ids))
}

/// A page of the timeline of `owner`'s list `id`: its members' statuses that the owner
/// may see, replies as the list's policy says. Errors: `NotFound` for another user's
/// list.
pub async fn timeline(
    state: &AppState,
    owner: i64,
    id: i64,
    page: &Page,
) -> ApiResult<Vec<StatusRow>> {
    let list = find(state, owner, id).await?;
    let which = Timeline::List { list_id: list.id };
    Ok(timelines::timeline(&state.db, Some(owner), which, page).await?)
}

/// The title, trimmed, if it has 1 to [`MAX_TITLE`] characters.
fn title(sent: Option<&str>) -> ApiResult<&str> {
    required_title(sent.map(str::trim), MAX_TITLE)
}

/// The replies policy if it is one of [`REPLIES_POLICIES`].
fn replies_policy(sent: &str) -> ApiResult<&'static str> {
    REPLIES_POLICIES
        .into_iter()
        .find(|policy| *policy == sent)
        .ok_or_else(|| {
            ApiError::validation(
                "replies_policy",
                "ERR_INCLUSION",
                "Replies policy is not included in the list",
            )
        })
}

/// At least one and at most [`MAX_ACCOUNTS_PER_REQUEST`] account ids.
fn check_count(accounts: &[i64]) -> ApiResult<()> {
    if accounts.is_empty() {
        return Err(ApiError::validation(
            "account_ids",
            "ERR_BLANK",
            "Account ids can't be blank",
        ));
    }
    if accounts.len() > MAX_ACCOUNTS_PER_REQUEST {
        return Err(ApiError::validation(
            "account_ids",
            "ERR_TOO_LONG",
            format!("Account ids are too many (maximum is {MAX_ACCOUNTS_PER_REQUEST})"),
        ));
    }
    Ok(())
}
