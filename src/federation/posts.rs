//! Posts between servers, outbound: the Note of a local status as served at its id
//! (read here, built by `builders::notes`), and the Like, Announce and Undo activities
//! of local accounts' interactions, queued on the caller's transaction. Create, Update
//! and Delete of a local status are sent by `services::statuses`.

use std::collections::BTreeSet;

use sqlx::PgConnection;
use url::Url;

use super::builders::notes::{self, NoteParts};
use super::protocol::note::{Announce, Like, Note, Visibility};
use super::{outbound, urls};
use crate::db::accounts::{self, AccountRow};
use crate::db::follows;
use crate::db::statuses::{self, StatusRow};
use crate::state::AppState;

/// The ActivityPub id of a local status: `https://DOMAIN/users/NAME/statuses/ID`.
pub fn status_uri(state: &AppState, author: &str, id: i64) -> String {
    notes::status_uri(&state.config, author, id)
}

/// The id of a status on any server: stored for remote statuses, derived for local.
pub async fn ap_id_of(
    state: &AppState,
    conn: &mut PgConnection,
    status: &StatusRow,
) -> sqlx::Result<Option<String>> {
    if let Some(ap_id) = &status.ap_id {
        return Ok(Some(ap_id.clone()));
    }
    let author = accounts::find_by_id(&mut *conn, status.account_id).await?;
    Ok(author.map(|author| status_uri(state, &author.username, status.id)))
}

/// The local status a URI of this instance names, if it is one.
pub fn local_status_id(state: &AppState, uri: &str) -> Option<i64> {
    let rest = uri.strip_prefix(&format!("{}/users/", state.config.base_url()))?;
    let (_, id) = rest.split_once("/statuses/")?;
    id.parse().ok()
}

fn visibility_of(row: &StatusRow) -> Visibility {
    row.visibility.into()
}

fn parse(url: &str) -> anyhow::Result<Url> {
    Ok(Url::parse(url)?)
}

/// The Note of a stored local status, as served at its id (and in the outbox): its
/// mentions, tags, parent and media read, then built by `builders::notes`.
pub async fn note_of(
    state: &AppState,
    conn: &mut PgConnection,
    author: &AccountRow,
    row: &StatusRow,
) -> anyhow::Result<Note> {
    let mentioned_ids: Vec<i64> = statuses::mentions(&mut *conn, &[row.id])
        .await?
        .into_iter()
        .map(|(_, account)| account)
        .collect();
    let mentioned = accounts::find_many(&mut *conn, &mentioned_ids).await?;
    let tags: Vec<String> = statuses::tags(&mut *conn, &[row.id])
        .await?
        .into_iter()
        .map(|(_, name)| name)
        .collect();
    let in_reply_to = match row.in_reply_to_id {
        Some(parent) => match statuses::find_many(&mut *conn, &[parent]).await?.pop() {
            Some(parent) => ap_id_of(state, conn, &parent).await?,
            None => None,
        },
        None => None,
    };
    let media = crate::db::media::for_statuses(&mut *conn, &[row.id]).await?;
    let parts = NoteParts {
        author,
        status: row,
        mentioned: &mentioned,
        tags: &tags,
        in_reply_to: in_reply_to.as_deref(),
        media: &media,
    };
    notes::note(&state.config, &parts)
}

/// Queues a Like (or its Undo) of a remote status by a local account.
pub async fn send_like(
    state: &AppState,
    conn: &mut PgConnection,
    liker: &AccountRow,
    status: &StatusRow,
    like_id: &str,
    undo: bool,
) -> anyhow::Result<()> {
    let Some(author) = accounts::find_by_id(&mut *conn, status.account_id)
        .await?
        .filter(|a| !a.is_local())
    else {
        return Ok(());
    };
    let (Some(object), Some(inbox)) = (status.ap_id.as_deref(), outbound::delivery_inbox(&author))
    else {
        return Ok(());
    };
    let actor = parse(&urls::actor(&state.config, &liker.username))?;
    let like = Like::new(
        parse(like_id)?,
        actor.clone(),
        parse(object)?,
        parse(&urls::account_ap_id(&state.config, &author))?,
    );
    let activity = if undo {
        let undo = super::protocol::activity::Undo::of_like(
            parse(&urls::new_activity(&state.config))?,
            like,
        );
        serde_json::to_value(undo)?
    } else {
        serde_json::to_value(like)?
    };
    outbound::deliver(conn, &activity, liker, &[inbox]).await?;
    Ok(())
}

/// Queues an Announce (or its Undo) of a status by a local account: to the booster's
/// followers and the original's remote author.
pub async fn send_announce(
    state: &AppState,
    conn: &mut PgConnection,
    booster: &AccountRow,
    boost: &StatusRow,
    original: &StatusRow,
    undo: bool,
) -> anyhow::Result<()> {
    let original_author = accounts::find_by_id(&mut *conn, original.account_id).await?;
    let mut inboxes: BTreeSet<String> = follows::follower_inboxes(&mut *conn, booster.id)
        .await?
        .into_iter()
        .collect();
    if let Some(inbox) = original_author
        .as_ref()
        .filter(|a| !a.is_local())
        .and_then(outbound::delivery_inbox)
    {
        inboxes.insert(inbox.to_string());
    }
    let inboxes: Vec<Url> = inboxes.iter().filter_map(|i| Url::parse(i).ok()).collect();
    let Some(object) = ap_id_of(state, conn, original).await? else {
        return Ok(());
    };
    if inboxes.is_empty() {
        return Ok(());
    }
    let actor_urls = urls::local_actor(&state.config, &booster.username);
    let recipients: Vec<Url> = original_author
        .iter()
        .filter_map(|a| Url::parse(&urls::account_ap_id(&state.config, a)).ok())
        .collect();
    let audience = visibility_of(boost).audience(&actor_urls.followers, &recipients);
    let announce_id = parse(&format!(
        "{}/activity",
        status_uri(state, &booster.username, boost.id)
    ))?;
    let announce = Announce::new(
        announce_id,
        actor_urls.id.clone(),
        parse(&object)?,
        audience,
        boost.created_at,
    );
    let activity = if undo {
        serde_json::to_value(super::protocol::activity::Undo::of_announce(
            parse(&urls::new_activity(&state.config))?,
            announce,
        ))?
    } else {
        serde_json::to_value(announce)?
    };
    outbound::deliver(conn, &activity, booster, &inboxes).await?;
    Ok(())
}
