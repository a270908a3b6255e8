//! Favourites, boosts, bookmarks and pins, and their undoing: the rules and the writes
//! shared by the client API and inbound federation.

use serde_json::Value;

use crate::db::accounts::AccountRow;
use crate::db::interactions::{self, Mark};
use crate::db::statuses::{self, NewStatus};
use crate::federation::inbox::object_id;
use crate::federation::receive_posts::{status_by_uri, PostSkip};
use crate::state::AppState;

fn ignored(reason: &str) -> PostSkip {
    PostSkip::Ignored(reason.to_owned())
}

/// A remote favourite (Like) of a post known here.
pub async fn receive_like(
    state: &AppState,
    liker: &AccountRow,
    like_id: &str,
    object: &Value,
) -> Result<(), PostSkip> {
    let uri = object_id(object).ok_or_else(|| ignored("Like without an object"))?;
    let status = status_by_uri(state, uri)
        .await?
        .ok_or_else(|| ignored("like of an unknown post"))?;
    if !status.local {
        return Err(ignored("likes are kept only for this server's posts"));
    }
    let mut transaction = state.db.begin().await?;
    interactions::add(
        &mut transaction,
        Mark::Favourite,
        liker.id,
        status.id,
        Some(like_id),
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

/// A remote boost (Announce) of a post known here.
pub async fn receive_announce(
    state: &AppState,
    booster: &AccountRow,
    activity: &Value,
) -> Result<(), PostSkip> {
    let announce_id = activity["id"]
        .as_str()
        .ok_or_else(|| ignored("Announce without an id"))?;
    let uri =
        object_id(&activity["object"]).ok_or_else(|| ignored("Announce without an object"))?;
    let original = status_by_uri(state, uri)
        .await?
        .ok_or_else(|| ignored("boost of an unknown post"))?;
    if !matches!(original.visibility.as_str(), "public" | "unlisted") {
        return Err(ignored("only public posts can be boosted"));
    }
    if statuses::find_by_ap_id(&state.db, announce_id)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let mut transaction = state.db.begin().await?;
    let inserted = statuses::insert(
        &mut transaction,
        &NewStatus::reblog(booster.id, false, Some(announce_id), original.id, "public"),
    )
    .await;
    match inserted {
        Ok(_) => transaction.commit().await?,
        // Already boosted by this account under another activity id.
        Err(error) if crate::db::violated_constraint(&error) == Some("statuses_one_reblog_key") => {
        }
        Err(error) => return Err(PostSkip::Transient(error.into())),
    }
    Ok(())
}

/// Undo of a Like or an Announce by its actor. Returns false when `object` names
/// neither (the caller then tries a Follow).
pub async fn receive_undo(
    state: &AppState,
    actor: &AccountRow,
    object: &Value,
) -> Result<bool, PostSkip> {
    let Some(id) = object_id(object) else {
        return Ok(false);
    };
    let kind = object["type"].as_str();
    if kind.is_none_or(|k| k == "Like" || k == "EmojiReact") {
        let mut transaction = state.db.begin().await?;
        let removed =
            interactions::remove_favourite_by_ap_id(&mut transaction, actor.id, id).await?;
        transaction.commit().await?;
        if removed.is_some() {
            return Ok(true);
        }
    }
    if kind.is_none_or(|k| k == "Announce") {
        if let Some(boost) = statuses::find_by_ap_id(&state.db, id)
            .await?
            .filter(|b| b.account_id == actor.id && b.reblog_of_id.is_some())
        {
            let mut transaction = state.db.begin().await?;
            statuses::delete(&mut transaction, boost.id).await?;
            transaction.commit().await?;
            return Ok(true);
        }
    }
    Ok(false)
}
