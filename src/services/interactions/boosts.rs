//! Boosts and their undoing, for local and remote accounts alike (see the parent
//! module for the rules); the boost is a status of its own, pointing at the original.

use super::{account, send_announce, visible, Marked, Sending};
use crate::db::accounts::AccountRow;
use crate::db::notifications::Kind;
use crate::db::statuses::{self, NewStatus, StatusRow};
use crate::domain::Visibility;
use crate::error::{ApiError, ApiResult};
use crate::services::notifications::create as notifications;
use crate::services::statuses::{fetch_known_or_remote, status_by_uri};
use crate::state::AppState;

/// Boosts the status `status_id` (a boost: the status it boosts) as the local account
/// `account_id`, with the `visibility` the client asked for (`public` when none), and
/// sends the `Announce`. Returns the boost; boosting again returns the existing one.
/// Errors: `NotFound` when the account may not see the status; `Validation` when it
/// cannot be boosted or the visibility is not one of public, unlisted, private.
pub async fn reblog(
    state: &AppState,
    account_id: i64,
    status_id: i64,
    visibility: Option<&str>,
) -> ApiResult<StatusRow> {
    let target = visible(state, account_id, status_id).await?;
    let original = match target.reblog_of_id {
        Some(original) => visible(state, account_id, original).await?,
        None => target,
    };
    let me = account(state, account_id).await?;
    boost(state, &me, &original, visibility, None).await
}

/// Stores a remote account's boost (`Announce` `announce_id`) of the status `object`
/// names (see [`announced_status`]). An `Announce` seen before changes nothing.
/// Errors: `NotFound` for a status that cannot be had, `Validation` for one that
/// cannot be boosted.
pub async fn receive_announce(
    state: &AppState,
    booster: &AccountRow,
    announce_id: &str,
    object: &str,
) -> ApiResult<StatusRow> {
    let original = announced_status(state, booster, object).await?;
    receive_announce_of(state, booster, announce_id, &original).await
}

/// Stores a remote account's boost (`Announce` `announce_id`) of the stored status
/// `original`. Idempotent like [`receive_announce`].
pub async fn receive_announce_of(
    state: &AppState,
    booster: &AccountRow,
    announce_id: &str,
    original: &StatusRow,
) -> ApiResult<StatusRow> {
    boost(state, booster, original, None, Some(announce_id)).await
}

/// The status a remote `booster`'s `Announce` names by `object`: known here, or, when
/// the booster has followers here (who will see the boost, as in Mastodon), fetched
/// from its server and stored. Errors: `NotFound` otherwise.
pub async fn announced_status(
    state: &AppState,
    booster: &AccountRow,
    object: &str,
) -> ApiResult<StatusRow> {
    if let Some(known) = status_by_uri(state, object).await? {
        return Ok(known);
    }
    let Ok(uri) = url::Url::parse(object) else {
        return Err(ApiError::NotFound);
    };
    if !statuses::has_local_followers(&state.db, booster.id).await? {
        return Err(ApiError::NotFound);
    }
    fetch_known_or_remote(state, &uri)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The boost itself: the rule, the existing boost if any, else the new status (with the
/// counters and the author's notification) and, for a local booster, the `Announce`.
async fn boost(
    state: &AppState,
    booster: &AccountRow,
    original: &StatusRow,
    requested: Option<&str>,
    announce_id: Option<&str>,
) -> ApiResult<StatusRow> {
    check_boostable(booster, original)?;
    if let Some(existing) = existing_boost(state, booster, original, announce_id).await? {
        return Ok(existing);
    }
    let visibility = boost_visibility(booster, original, requested)?;
    let mut transaction = state.db.begin().await?;
    let new = NewStatus::reblog(
        booster.id,
        booster.is_local(),
        announce_id,
        original.id,
        visibility,
    );
    let boost = match statuses::insert(&mut transaction, &new).await {
        Ok(boost) => boost,
        // A concurrent boost by the same account won the unique index: answer that one.
        Err(error) if crate::db::violated_constraint(&error) == Some("statuses_one_reblog_key") => {
            drop(transaction);
            return statuses::find_reblog(&state.db, booster.id, original.id)
                .await?
                .ok_or(ApiError::NotFound);
        }
        Err(error) => return Err(error.into()),
    };
    notifications::notify_status_author(&mut transaction, original.id, booster.id, Kind::Reblog)
        .await?;
    if booster.is_local() {
        send_announce(
            state,
            &mut transaction,
            booster,
            &boost,
            original,
            Sending::Activity,
        )
        .await?;
    }
    transaction.commit().await?;
    Ok(boost)
}

/// The account's live boost of `original`, or the status stored under the same
/// `Announce` id (a redelivery).
async fn existing_boost(
    state: &AppState,
    booster: &AccountRow,
    original: &StatusRow,
    announce_id: Option<&str>,
) -> ApiResult<Option<StatusRow>> {
    if let Some(announce_id) = announce_id {
        if let Some(seen) = statuses::find_by_ap_id(&state.db, announce_id).await? {
            return Ok(Some(seen));
        }
    }
    Ok(statuses::find_reblog(&state.db, booster.id, original.id).await?)
}

/// Mastodon's rule: public and unlisted statuses can be boosted, and an author's own
/// followers-only status (the boost stays followers-only). A boost from another server
/// is stored public, since Roost does not read an `Announce`'s audience, so there even
/// the author's own followers-only status is refused: its boost would widen it.
fn check_boostable(booster: &AccountRow, original: &StatusRow) -> ApiResult<()> {
    if matches!(original.visibility.as_str(), "public" | "unlisted")
        || own_private(booster, original)
    {
        return Ok(());
    }
    Err(ApiError::validation(
        "reblog",
        "ERR_INVALID",
        "This status cannot be boosted",
    ))
}

fn own_private(booster: &AccountRow, original: &StatusRow) -> bool {
    original.visibility == Visibility::Private
        && original.account_id == booster.id
        && booster.is_local()
}

/// Who sees a boost: followers only for an author's own followers-only status, else
/// the visibility asked for (public, unlisted or private; `public` when none).
fn boost_visibility(
    booster: &AccountRow,
    original: &StatusRow,
    requested: Option<&str>,
) -> ApiResult<Visibility> {
    match requested {
        _ if own_private(booster, original) => Ok(Visibility::Private),
        None | Some("public") => Ok(Visibility::Public),
        Some("unlisted") => Ok(Visibility::Unlisted),
        Some("private") => Ok(Visibility::Private),
        Some(_) => Err(ApiError::validation(
            "visibility",
            "ERR_INCLUSION",
            "Visibility is not included in the list",
        )),
    }
}

/// Undoes the local account's boost of `status_id` (a boost: of the status it boosts)
/// and sends the `Undo` of its `Announce`. Idempotent. Errors: `NotFound` when the
/// account may not see the status.
pub async fn unreblog(state: &AppState, account_id: i64, status_id: i64) -> ApiResult<Marked> {
    let target = visible(state, account_id, status_id).await?;
    let original_id = target.reblog_of_id.unwrap_or(target.id);
    let boost = statuses::find_reblog(&state.db, account_id, original_id).await?;
    if let Some(boost) = &boost {
        let me = account(state, account_id).await?;
        remove_boost(state, &me, boost).await?;
    }
    Ok(Marked {
        status_id: original_id,
        changed: boost.is_some(),
    })
}

/// Removes the boost a remote account made with the `Announce` `announce_id` (its
/// `Undo`). Returns whether there was one.
pub async fn receive_undo_announce(
    state: &AppState,
    booster: &AccountRow,
    announce_id: &str,
) -> ApiResult<bool> {
    let Some(boost) = statuses::find_by_ap_id(&state.db, announce_id)
        .await?
        .filter(|boost| boost.account_id == booster.id && boost.reblog_of_id.is_some())
    else {
        return Ok(false);
    };
    remove_boost(state, booster, &boost).await?;
    Ok(true)
}

/// Deletes a boost (moving the counters back) and, for a local booster, sends the
/// `Undo` of its `Announce`.
async fn remove_boost(state: &AppState, booster: &AccountRow, boost: &StatusRow) -> ApiResult<()> {
    let mut transaction = state.db.begin().await?;
    if booster.is_local() {
        let original_id = boost.reblog_of_id.unwrap_or(boost.id);
        let original = statuses::find_many(&mut *transaction, &[original_id])
            .await?
            .pop()
            .ok_or(ApiError::NotFound)?;
        send_announce(
            state,
            &mut transaction,
            booster,
            boost,
            &original,
            Sending::Undo,
        )
        .await?;
    }
    statuses::delete(&mut transaction, boost.id).await?;
    transaction.commit().await?;
    Ok(())
}
