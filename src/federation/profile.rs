//! Profile changes between servers: the `icon` and `image` of local actors,
//! `Update(Person)` sent to a local account's followers when its profile changes, and
//! applied when a remote actor sends one.
//!
//! Spec: <https://docs.joinmastodon.org/spec/activitypub/#profile> (Mastodon sends the
//! whole actor document as the object of an `Update`, addressed to the public).

use serde_json::Value;
use sqlx::PgConnection;
use url::Url;

use super::protocol::{Image, PUBLIC};
use super::{actors, outbound, resolve};
use crate::db::accounts::{self, AccountRow};
use crate::db::follows;
use crate::domain::HttpUrl;
use crate::state::AppState;
use crate::urls;

/// Queues an `Update` carrying the current actor document of `account` to its
/// followers' inboxes, in the caller's transaction.
pub async fn send_profile_update(
    state: &AppState,
    conn: &mut PgConnection,
    account: &AccountRow,
) -> anyhow::Result<()> {
    let inboxes: Vec<Url> = follows::follower_inboxes(&mut *conn, account.id)
        .await?
        .iter()
        .filter_map(|inbox| Url::parse(inbox).ok())
        .collect();
    if inboxes.is_empty() {
        return Ok(());
    }
    let mut document = actors::actor_document(state, account)
        .map_err(|error| anyhow::anyhow!("actor document: {error}"))?;
    document.context = None;
    let actor = urls::actor(&state.config, &account.username);
    let activity = outbound::activity(
        "Update",
        &urls::new_activity(&state.config),
        &actor,
        serde_json::to_value(document)?,
        &[PUBLIC],
    );
    outbound::deliver(conn, &activity, account, &inboxes).await?;
    Ok(())
}

/// The `icon`/`image` of a local actor for an uploaded profile image (by its key).
pub fn profile_image(state: &AppState, key: Option<&str>) -> Option<Image> {
    let key = key?;
    let url = HttpUrl::parse(&crate::media::public_url(&state.config, key)).ok()?;
    let media_type = key
        .rsplit_once('.')
        .and_then(|(_, extension)| crate::media::Format::from_extension(extension))
        .map(|format| format.content_type().to_owned());
    Some(Image::new(url, media_type))
}

/// Why a received actor update was not applied.
#[derive(Debug, thiserror::Error)]
pub enum ProfileSkip {
    #[error("{0}")]
    Ignored(String),
    #[error(transparent)]
    Transient(#[from] anyhow::Error),
}

/// Applies `Update(Person)` (or another actor type) from `sender`: the object must be
/// the sender itself, on the same origin; its profile, keys, avatar and header replace
/// the stored ones, exactly as a refetch of the actor would.
pub async fn receive_actor_update(
    state: &AppState,
    sender: &AccountRow,
    object: &Value,
) -> Result<(), ProfileSkip> {
    let sender_id = sender
        .ap_id
        .as_deref()
        .and_then(|id| Url::parse(id).ok())
        .ok_or_else(|| ProfileSkip::Ignored("sender has no actor id".into()))?;
    if object["id"].as_str() != Some(sender_id.as_str()) {
        return Err(ProfileSkip::Ignored(
            "an actor may only update itself".into(),
        ));
    }
    let actor = resolve::remote_actor(object, &sender_id)
        .map_err(|error| ProfileSkip::Ignored(error.to_string()))?;
    if actor.ap_id != sender_id.as_str() {
        return Err(ProfileSkip::Ignored("actor id mismatch".into()));
    }
    accounts::upsert_remote(&state.db, &actor)
        .await
        .map_err(anyhow::Error::from)?;
    Ok(())
}
