//! Groups (FEP-1b12): Lemmy communities, Mbin magazines, PieFed and NodeBB
//! communities, Friendica forums. A group is a remote account of type `Group`
//! (`AccountRow::is_group`, shown with `group: true`) that is followed like any other
//! and shares what its members post by `Announce`-ing it to its followers.
//!
//! - A post a group shares is stored (kept because someone here follows the group) and
//!   shown to the group's followers as the group's boost, as Mastodon shows Lemmy
//!   posts. Comments (replies) a group shares are stored in their thread but not
//!   boosted, so a follower's home feed holds the community's posts, not every comment.
//!   The same post shared twice (Lemmy sends `Announce(Create(Page))` and, for
//!   Mastodon, `Announce(Page)`) is one boost.
//! - Every post is recorded in the group it belongs to (`db::status_groups`): the group
//!   that shared it, the known group its `audience`, `to` or `cc` names, or its
//!   parent's. A local reply takes its parent's group, and `services::statuses` sends
//!   it to the group's inbox with the group in `cc` and `audience`, so the group shares
//!   it with its members.
//!
//! Authenticating what a group shares is the inbound handler's business
//! (`federation::inbound::shared_activity`).
//!
//! Spec: <https://codeberg.org/fediverse/fep/src/branch/main/fep/1b12/fep-1b12.md>.

use sqlx::PgConnection;
use url::Url;

use crate::db::accounts::AccountRow;
use crate::db::status_groups;
use crate::db::statuses::StatusRow;
use crate::error::ApiResult;
use crate::federation::protocol::is_public;
use crate::federation::protocol::note::Note;
use crate::services::{interactions, statuses};
use crate::state::AppState;

/// How many addressees of a post are looked at to find its group.
const MAX_NAMED: usize = 20;

/// Stores the post `note` by `author` that `sharer` shared in its `Announce`
/// `announce_id`, records it in the sharer's group and shows it as the sharer's boost
/// (see the module documentation). Idempotent. Errors: `Unprocessable` when nobody
/// here follows the sharer or cares about the post otherwise; `Validation` for a post
/// that cannot be boosted.
pub async fn receive_shared_post(
    state: &AppState,
    sharer: &AccountRow,
    announce_id: &str,
    author: &AccountRow,
    note: &Note,
) -> ApiResult<()> {
    let post = statuses::receive_shared_note(state, author, note, sharer).await?;
    share(state, sharer, announce_id, &post).await
}

/// Like [`receive_shared_post`] for a group's `Announce` naming a post (Lemmy's
/// `Announce(Page)`, Mbin's boosts): the post is the one known here or fetched from
/// its server (`interactions::announced_status`). Errors: `NotFound` when it cannot be
/// had, as for [`receive_shared_post`] otherwise.
pub async fn receive_shared_post_by_id(
    state: &AppState,
    group: &AccountRow,
    announce_id: &str,
    object: &str,
) -> ApiResult<()> {
    let post = interactions::announced_status(state, group, object).await?;
    share(state, group, announce_id, &post).await
}

/// Records the stored `post` in `sharer`'s group (when it is one) and boosts it as
/// `sharer`, except a group's comment, which stays in its thread.
async fn share(
    state: &AppState,
    sharer: &AccountRow,
    announce_id: &str,
    post: &StatusRow,
) -> ApiResult<()> {
    if sharer.is_group() {
        status_groups::record(&state.db, post.id, sharer.id).await?;
        if post.in_reply_to_id.is_some() {
            return Ok(());
        }
    }
    interactions::receive_announce_of(state, sharer, announce_id, post).await?;
    Ok(())
}

/// Records the group a remote post just stored belongs to: the known group its
/// `audience`, `to` or `cc` names (in that order), else its parent's group. Run in
/// the transaction that stores the post.
pub async fn record_received(
    conn: &mut PgConnection,
    post: &StatusRow,
    note: &Note,
    parent: Option<&StatusRow>,
) -> sqlx::Result<()> {
    let named: Vec<&str> = (note.audience.iter())
        .chain(note.to.iter().chain(&note.cc))
        .map(Url::as_str)
        .filter(|uri| !is_public(uri))
        .take(MAX_NAMED)
        .collect();
    let group = match status_groups::first_known_group(&mut *conn, &named).await? {
        Some(group) => Some(group),
        None => inherited(conn, parent).await?,
    };
    match group {
        Some(group) => status_groups::record(conn, post.id, group.id).await,
        None => Ok(()),
    }
}

/// Records a local reply just written in the group of the post it replies to, if that
/// post belongs to one. Run in the transaction that writes the reply.
pub async fn record_reply(
    conn: &mut PgConnection,
    reply: &StatusRow,
    parent: Option<&StatusRow>,
) -> sqlx::Result<()> {
    match inherited(conn, parent).await? {
        Some(group) => status_groups::record(conn, reply.id, group.id).await,
        None => Ok(()),
    }
}

/// The group a status belongs to, if any: where its replies and changes are sent too.
pub async fn group_of(conn: &mut PgConnection, status_id: i64) -> sqlx::Result<Option<AccountRow>> {
    status_groups::group_of(conn, status_id).await
}

async fn inherited(
    conn: &mut PgConnection,
    parent: Option<&StatusRow>,
) -> sqlx::Result<Option<AccountRow>> {
    match parent {
        Some(parent) => status_groups::group_of(conn, parent.id).await,
        None => Ok(None),
    }
}
