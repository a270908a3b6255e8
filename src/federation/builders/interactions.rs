//! Outbound favourites and boosts: the Like and Announce activities (and their Undo)
//! of a local account, queued to the inboxes that should hear of them.
//! (<https://www.w3.org/TR/activitypub/#like-activity-outbox>,
//! <https://www.w3.org/TR/activitypub/#announce-activity-outbox>)

use std::collections::BTreeSet;

use sqlx::PgConnection;
use url::Url;

use crate::db::accounts::{self, AccountRow};
use crate::db::follows;
use crate::db::statuses::StatusRow;
use crate::federation::posts::{ap_id_of, status_uri};
use crate::federation::protocol::activity::Undo;
use crate::federation::protocol::note::{Announce, Like, Visibility};
use crate::federation::{outbound, urls};
use crate::state::AppState;

fn parse(url: &str) -> anyhow::Result<Url> {
    Ok(Url::parse(url)?)
}

fn visibility_of(row: &StatusRow) -> Visibility {
    match row.visibility.as_str() {
        "public" => Visibility::Public,
        "unlisted" => Visibility::Unlisted,
        "private" => Visibility::Private,
        _ => Visibility::Direct,
    }
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
        let undo = Undo::of_like(parse(&urls::new_activity(&state.config))?, like);
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
        serde_json::to_value(Undo::of_announce(
            parse(&urls::new_activity(&state.config))?,
            announce,
        ))?
    } else {
        serde_json::to_value(announce)?
    };
    outbound::deliver(conn, &activity, booster, &inboxes).await?;
    Ok(())
}
