//! Sending a local status's changes to other servers: who its audience is (followers'
//! inboxes unless direct, the accepted relays' when public, mentioned remote accounts,
//! the remote author it replies to, the group it was posted in unless followers-only
//! or direct (FEP-1b12: a reply to a Lemmy post goes to the community, which shares
//! it), each server's shared inbox once) and the delivery rows of the activity the
//! pure builders of `federation::builders::notes` make, queued in the service's
//! transaction.
//! Signing and sending are the delivery worker's business.

use std::collections::BTreeSet;

use serde::Serialize;
use sqlx::PgConnection;
use url::Url;

use super::Written;
use crate::db::accounts::{self, AccountRow};
use crate::db::follows;
use crate::db::statuses::StatusRow;
use crate::domain::Visibility;
use crate::error::ApiResult;
use crate::federation::builders::notes::{self, NoteParts};
use crate::federation::builders::{quotes, replies};
use crate::federation::outbound;
use crate::state::AppState;
use crate::urls;

/// Which change of a local status is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Change {
    /// A new status: `Create`.
    Created,
    /// An edited status: `Update`.
    Updated,
}

/// Queues the `Create` or `Update` of the local status in `written` to its audience.
/// `parent` is the status it replies to, if any. Nothing is built when nobody elsewhere
/// is in the audience.
pub(super) async fn send(
    state: &AppState,
    conn: &mut PgConnection,
    written: &Written,
    parent: Option<&StatusRow>,
    change: Change,
) -> ApiResult<()> {
    let parent_author = reply_target_author(conn, &written.row, &written.mentioned).await?;
    let just_created = matches!(change, Change::Created);
    let group = shared_with_group(conn, &written.row, just_created).await?;
    let inboxes = audience_inboxes(
        conn,
        &written.author,
        &written.row,
        &written.mentioned,
        [parent_author.as_ref(), group.as_ref()],
    )
    .await?;
    if inboxes.is_empty() {
        return Ok(());
    }
    let in_reply_to = parent.zip(parent_author.as_ref()).map(|(parent, author)| {
        parent
            .ap_id
            .clone()
            .unwrap_or_else(|| notes::status_uri(&state.config, &author.username, parent.id))
    });
    let mut note = notes::note(
        &state.config,
        &NoteParts {
            author: &written.author,
            status: &written.row,
            mentioned: &written.mentioned,
            tags: &written.tags,
            in_reply_to: in_reply_to.as_deref(),
            media: &written.media,
            emojis: &written.emojis,
            group: group.as_ref().and_then(|group| group.ap_id.as_deref()),
        },
    )?;
    let (policy, quote) = (written.quote_policy, written.quote.as_ref());
    quotes::decorate(&state.config, &mut note, &written.author, policy, quote)?;
    let (author, mentioned) = (&written.author, &written.mentioned);
    replies::decorate(
        &state.config,
        &mut note,
        author,
        written.reply_policy,
        mentioned,
    );
    if written.kind == super::PostKind::Reel {
        note.reel = Some(true);
    }
    for track in crate::db::music_tracks::for_statuses(&mut *conn, &[written.row.id]).await? {
        let music = crate::federation::builders::music::attachments(&state.config, &track)?;
        note.attachment.extend(music);
    }
    let note = match &written.poll {
        Some(poll) => crate::federation::builders::polls::question(note, poll),
        None => note,
    };
    let id = new_activity_id(state)?;
    match change {
        Change::Created => {
            let create = notes::create(&state.config, id, &written.author, note);
            queue(conn, &create, &written.author, &inboxes).await
        }
        Change::Updated => {
            let update = notes::update(&state.config, id, &written.author, note);
            queue(conn, &update, &written.author, &inboxes).await
        }
    }
}

/// Queues an `Update` of local status `row` by `author` whose text did not change (a
/// new interaction policy) to its audience, its Note built as it is served.
pub(super) async fn send_unchanged(
    state: &AppState,
    conn: &mut PgConnection,
    author: &AccountRow,
    row: &StatusRow,
) -> ApiResult<()> {
    let mentioned = super::mentioned_in(conn, row.id).await?;
    let parent_author = reply_target_author(conn, row, &mentioned).await?;
    let group = shared_with_group(conn, row, false).await?;
    let also = [parent_author.as_ref(), group.as_ref()];
    let inboxes = audience_inboxes(conn, author, row, &mentioned, also).await?;
    if inboxes.is_empty() {
        return Ok(());
    }
    let note = crate::federation::posts::note_of(state, conn, author, row).await?;
    let update = notes::update(&state.config, new_activity_id(state)?, author, note);
    queue(conn, &update, author, &inboxes).await
}

/// Queues the `Delete` of local status `status` by `author` to its audience.
pub(super) async fn send_delete(
    state: &AppState,
    conn: &mut PgConnection,
    author: &AccountRow,
    status: &StatusRow,
    mentioned: &[AccountRow],
) -> ApiResult<()> {
    let parent_author = reply_target_author(conn, status, mentioned).await?;
    let group = shared_with_group(conn, status, false).await?;
    let also = [parent_author.as_ref(), group.as_ref()];
    let inboxes = audience_inboxes(conn, author, status, mentioned, also).await?;
    if inboxes.is_empty() {
        return Ok(());
    }
    let id = new_activity_id(state)?;
    let delete = notes::delete(&state.config, id, author, status, mentioned)?;
    queue(conn, &delete, author, &inboxes).await
}

/// The author of the status `status` replies to (`in_reply_to_account_id`): among the
/// mentioned accounts already in hand, or read.
async fn reply_target_author(
    conn: &mut PgConnection,
    status: &StatusRow,
    mentioned: &[AccountRow],
) -> sqlx::Result<Option<AccountRow>> {
    let Some(id) = status.in_reply_to_account_id else {
        return Ok(None);
    };
    if let Some(known) = mentioned.iter().find(|a| a.id == id) {
        return Ok(Some(known.clone()));
    }
    accounts::find_by_id(&mut *conn, id).await
}

/// The group a status is sent to as well (FEP-1b12): the one it belongs to
/// (`services::groups`), unless the status is followers-only or direct, which a group
/// would share with all its members. A new status that replies to nothing belongs to
/// none yet (a new one joins its parent's group; only a group's later `Announce`
/// adds others), so it is not looked up when `just_created`.
async fn shared_with_group(
    conn: &mut PgConnection,
    status: &StatusRow,
    just_created: bool,
) -> sqlx::Result<Option<AccountRow>> {
    if !matches!(status.visibility, Visibility::Public | Visibility::Unlisted) {
        return Ok(None);
    }
    if just_created && status.in_reply_to_id.is_none() {
        return Ok(None);
    }
    crate::services::groups::group_of(conn, status.id).await
}

/// Where a status of `author` goes: followers' inboxes (unless direct), the accepted
/// relays' inboxes (when public), mentioned remote accounts, and, unless direct, the
/// remote accounts in `also` (the author of the status it replies to, the group it is
/// shared with), each once.
async fn audience_inboxes(
    conn: &mut PgConnection,
    author: &AccountRow,
    status: &StatusRow,
    mentioned: &[AccountRow],
    also: [Option<&AccountRow>; 2],
) -> sqlx::Result<Vec<Url>> {
    let direct = status.visibility == Visibility::Direct;
    let mut inboxes: BTreeSet<String> = BTreeSet::new();
    if !direct {
        // Mastodon's StatusReachFinder: public statuses (not unlisted) go to every
        // accepted relay too.
        let public = status.visibility == Visibility::Public;
        let reached = follows::follower_and_relay_inboxes(&mut *conn, author.id, public).await?;
        inboxes.extend(reached);
    }
    let also = also.into_iter().flatten().filter(|_| !direct);
    for account in mentioned.iter().chain(also) {
        if let Some(inbox) = outbound::delivery_inbox(account).filter(|_| !account.is_local()) {
            inboxes.insert(inbox.to_string());
        }
    }
    Ok(inboxes
        .iter()
        .filter_map(|inbox| Url::parse(inbox).ok())
        .collect())
}

fn new_activity_id(state: &AppState) -> anyhow::Result<Url> {
    Ok(Url::parse(&urls::new_activity(&state.config))?)
}

/// Queues one delivery row per inbox of `activity`, signed by `author` at send time.
async fn queue(
    conn: &mut PgConnection,
    activity: &impl Serialize,
    author: &AccountRow,
    inboxes: &[Url],
) -> ApiResult<()> {
    let activity = serde_json::to_value(activity).map_err(anyhow::Error::from)?;
    outbound::deliver(conn, &activity, author, inboxes).await?;
    Ok(())
}
