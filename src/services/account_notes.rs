//! What one account keeps about another: a private note, and endorsement (featuring
//! the account on one's profile), as Mastodon's account notes and account pins. Both
//! show in the Relationship; endorsements are listed by `/api/v1/endorsements` and on
//! the profile (`/api/v1/accounts/:id/endorsements`).
//!
//! Endorsements federate: a local actor publishes them as its `endorsements`
//! collection (`federation::actors::endorsements`) and sends its followers an `Update`
//! of itself when they change; a remote actor's are read from its collection
//! (`federation::endorsements`) and stored here with [`store_remote_endorsements`].
//!
//! Not here: the SQL (`db::account_notes`), the relationship query (`db::follows`).
//! Spec: <https://docs.joinmastodon.org/methods/accounts/#note>,
//! <https://docs.joinmastodon.org/methods/endorsements/>.

use crate::db::accounts::{self, AccountRow};
use crate::db::{account_notes, follows, Page};
use crate::error::{check_length, ApiError, ApiResult};
use crate::services::profile::queue_actor_update;
use crate::state::AppState;
use crate::urls;
use url::Url;

/// Longest note, in characters (Mastodon's `AccountNote` limit).
pub const MAX_NOTE: usize = 2000;
/// Most accounts one account may feature.
pub const MAX_ENDORSEMENTS: i64 = 100;
/// Most endorsements kept of a remote account (the first of its collection).
pub const MAX_REMOTE_ENDORSEMENTS: usize = 40;

/// Sets `owner`'s private note on `target`; an empty (or blank) note removes it.
/// Errors: `Validation` for a note over [`MAX_NOTE`] characters.
pub async fn set_note(
    state: &AppState,
    owner: i64,
    target: &AccountRow,
    comment: &str,
) -> ApiResult<()> {
    check_length("comment", Some(comment), MAX_NOTE)?;
    let comment = if comment.trim().is_empty() {
        ""
    } else {
        comment
    };
    account_notes::set_note(&state.db, owner, target.id, comment).await?;
    Ok(())
}

/// `owner` features `target` on their profile. Errors: `Unprocessable` for oneself, an
/// account `owner` does not follow (as Mastodon), or more than [`MAX_ENDORSEMENTS`].
pub async fn endorse(state: &AppState, owner: &AccountRow, target: &AccountRow) -> ApiResult<()> {
    if owner.id == target.id {
        return Err(ApiError::Unprocessable(
            "You cannot feature yourself".into(),
        ));
    }
    let following = follows::find_pair(&state.db, owner.id, target.id)
        .await?
        .is_some_and(|follow| follow.accepted);
    if !following {
        return Err(ApiError::Unprocessable(
            "You can only feature accounts you follow".into(),
        ));
    }
    let mut transaction = state.db.begin().await?;
    let endorsed = account_notes::count_endorsed_locked(&mut *transaction, owner.id).await?;
    if endorsed >= MAX_ENDORSEMENTS {
        return Err(ApiError::Unprocessable(format!(
            "You can feature at most {MAX_ENDORSEMENTS} accounts"
        )));
    }
    account_notes::endorse(&mut *transaction, owner.id, target.id).await?;
    queue_actor_update(state, &mut transaction, owner).await?;
    transaction.commit().await?;
    Ok(())
}

/// `owner` stops featuring `target` (nothing happens if they did not); followers on
/// other servers are sent the actor again, as for [`endorse`].
pub async fn unendorse(state: &AppState, owner: &AccountRow, target: &AccountRow) -> ApiResult<()> {
    let mut transaction = state.db.begin().await?;
    account_notes::unendorse(&mut *transaction, owner.id, target.id).await?;
    queue_actor_update(state, &mut transaction, owner).await?;
    transaction.commit().await?;
    Ok(())
}

/// Replaces the stored endorsements of remote account `owner` by the accounts of
/// `actor_ids` (its collection's items, in order) that Roost knows, at most
/// [`MAX_REMOTE_ENDORSEMENTS`]; unknown ones, repeats and `owner` itself are left out.
pub async fn store_remote_endorsements(
    state: &AppState,
    owner: &AccountRow,
    actor_ids: &[Url],
) -> ApiResult<()> {
    let listed = actor_ids.iter().take(MAX_REMOTE_ENDORSEMENTS);
    let (remote, local): (Vec<_>, Vec<_>) = listed
        .map(
            |id| match urls::local_username(&state.config, id.as_str()) {
                Some(username) => (None, Some(username.to_owned())),
                None => (Some(id.to_string()), None),
            },
        )
        .unzip();
    let known = account_notes::known_accounts(&state.db, &remote, &local).await?;
    let mut targets: Vec<i64> = Vec::with_capacity(known.len());
    for id in known {
        if id != owner.id && !targets.contains(&id) {
            targets.push(id);
        }
    }
    let mut transaction = state.db.begin().await?;
    account_notes::replace_endorsed(&mut transaction, owner.id, &targets).await?;
    transaction.commit().await?;
    Ok(())
}

/// A page of the accounts `account` features, without suspended ones, newest
/// endorsement first, with the endorsement ids of the page (its paging key).
pub async fn endorsed(
    state: &AppState,
    account: i64,
    page: &Page,
) -> ApiResult<(Vec<AccountRow>, Vec<i64>)> {
    let pairs = account_notes::endorsed(&state.db, account, page).await?;
    let ids: Vec<i64> = pairs.iter().map(|(_, target)| *target).collect();
    let mut found = accounts::find_many_visible(&state.db, &ids).await?;
    found.retain(|row| row.suspended_at.is_none());
    let ordered = ids
        .iter()
        .filter_map(|id| found.iter().position(|row| row.id == *id))
        .map(|at| found[at].clone())
        .collect();
    Ok((ordered, pairs.into_iter().map(|(key, _)| key).collect()))
}
