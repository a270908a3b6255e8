//! Posts between servers, outbound: the Note of a local status as served at its id
//! (read here, built by `builders::notes`), and the Like, Announce and Undo activities
//! of local accounts' interactions, queued on the caller's transaction. Create, Update
//! and Delete of a local status are sent by `services::statuses`.

use sqlx::PgConnection;

use super::builders::notes::{self, NoteParts};
use super::protocol::note::Note;
use crate::db::accounts::{self, AccountRow};
use crate::db::statuses::{self, StatusRow};
use crate::domain::Visibility;
use crate::state::AppState;
use crate::urls;

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
    urls::local_status_id(&state.config, uri)
}

/// The Note of a stored local status, as served at its id (and in the outbox): its
/// mentions, tags, parent, media and custom emoji read, then built by `builders::notes`.
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
    let emojis = crate::db::custom_emojis::of_status(&mut *conn, row.id).await?;
    let group = match row.visibility {
        Visibility::Public | Visibility::Unlisted => {
            crate::db::status_groups::group_of(&mut *conn, row.id).await?
        }
        _ => None,
    };
    let parts = NoteParts {
        author,
        status: row,
        mentioned: &mentioned,
        tags: &tags,
        in_reply_to: in_reply_to.as_deref(),
        media: &media,
        emojis: &emojis,
        group: group.as_ref().and_then(|group| group.ap_id.as_deref()),
    };
    let mut note = notes::note(&state.config, &parts)?;
    super::cards::add_to(&state.config, &mut *conn, row.id, &mut note).await?;
    if crate::db::reels::is_reel(&mut *conn, row.id).await? {
        note.reel = Some(true);
    }
    for track in crate::db::music_tracks::for_statuses(&mut *conn, &[row.id]).await? {
        let music = super::builders::music::attachments(&state.config, &track)?;
        note.attachment.extend(music);
    }
    let (quote, policy) = crate::db::quotes::of_local_status(&mut *conn, row.id).await?;
    super::builders::quotes::decorate(&state.config, &mut note, author, policy, quote.as_ref())?;
    let reply_policy = crate::services::reply_controls::policy_of(&mut *conn, row.id).await?;
    super::builders::replies::decorate(&state.config, &mut note, author, reply_policy, &mentioned);
    if row.in_reply_to_id.is_some() {
        // Only a reply can carry the stamp of the author it answers.
        note.reply_authorization = crate::db::reply_controls::received_stamp(&mut *conn, row.id)
            .await?
            .and_then(|stamp| crate::domain::HttpUrl::parse(&stamp).ok());
    }
    Ok(
        match crate::db::polls::for_statuses(&mut *conn, &[row.id])
            .await?
            .pop()
        {
            Some(poll) => super::builders::polls::question(note, &poll),
            None => note,
        },
    )
}
