//! Statuses other servers post, stored through the same insert and edit paths as local
//! ones: which posts are kept (only those someone here cares about: a local follower of
//! the author or of a group sharing the post, a local mention, a local parent), which
//! group a post belongs to (`services::groups`), what happens to a reply whose parent
//! Roost lacks (stored with the parent's id in `in_reply_to_ap_id`, linked when the
//! parent arrives; a received one queues `services::thread_backfill`, which fetches
//! the parents in the background), and what is kept of a Note (content sanitised and
//! bounded, visibility from its addressing, media and custom emoji as references).
//! Checking that an
//! activity's actor may speak for the Note is the inbound handler's business.
//!
//! Spec: <https://docs.joinmastodon.org/spec/activitypub/#status>.

use url::Url;

use super::{apply_edit, insert};
use crate::db::accounts::{self, AccountRow};
use crate::db::statuses::{self, NewStatus, StatusEdit, StatusRow};
use crate::db::thread_backfills::{self, Scope};
use crate::domain::text::sanitize_html;
use crate::domain::{HttpUrl, Visibility};
use crate::error::{ApiError, ApiResult};
use crate::federation::attachments;
use crate::federation::posts::local_status_id;
use crate::federation::protocol::note::Note;
use crate::services::{custom_emojis, quotes};
use crate::state::AppState;
use crate::urls;

/// Largest remote post content stored.
const MAX_CONTENT_BYTES: usize = 100_000;
/// Longest remote content warning stored, in bytes.
const MAX_SUMMARY_BYTES: usize = 1000;

/// The status an AS2 id names: a local one, or a known remote one (live ones only).
pub async fn status_by_uri(state: &AppState, uri: &str) -> sqlx::Result<Option<StatusRow>> {
    if let Some(id) = local_status_id(state, uri) {
        return Ok(statuses::find_many(&state.db, &[id])
            .await?
            .pop()
            .filter(|s| s.deleted_at.is_none()));
    }
    statuses::find_by_ap_id(&state.db, uri).await
}

/// Stores a remote post by `author` (a Create). A post already stored is left as it is;
/// a reply to a post Roost lacks is stored at once and its parents are fetched in the
/// background (a `Parents` thread backfill), so the inbox never waits on them. Errors: `Unprocessable` when nobody here follows the author, is mentioned or
/// wrote the parent (the post is not kept).
pub async fn receive_note(state: &AppState, author: &AccountRow, note: &Note) -> ApiResult<()> {
    receive(state, author, note, None).await.map(drop)
}

/// Stores a remote post by `author` that `sharer` shared (a group's `Announce` of its
/// member's `Create`, FEP-1b12) and returns it, or the stored copy when it is known.
/// Kept when someone here follows the sharer, or for [`receive_note`]'s reasons.
/// Errors: as [`receive_note`].
pub async fn receive_shared_note(
    state: &AppState,
    author: &AccountRow,
    note: &Note,
    sharer: &AccountRow,
) -> ApiResult<StatusRow> {
    receive(state, author, note, Some(sharer)).await
}

async fn receive(
    state: &AppState,
    author: &AccountRow,
    note: &Note,
    sharer: Option<&AccountRow>,
) -> ApiResult<StatusRow> {
    if let Some(known) = statuses::find_by_ap_id(&state.db, note.id.as_str()).await? {
        return Ok(known);
    }
    let mentioned = mentioned_accounts(state, note).await?;
    let known_parent = match note.in_reply_to_id() {
        Some(parent) => status_by_uri(state, parent.as_str()).await?,
        None => None,
    };
    // Decided before any fetch, so unwanted posts cannot make Roost fetch others.
    let wanted = statuses::has_local_followers(&state.db, author.id).await?
        || mentioned.iter().any(AccountRow::is_local)
        || known_parent.as_ref().is_some_and(|p| p.local)
        || (note.quote_url()).is_some_and(|q| local_status_id(state, q.as_str()).is_some())
        || match sharer {
            Some(sharer) => statuses::has_local_followers(&state.db, sharer.id).await?,
            None => false,
        };
    if !wanted {
        return Err(ApiError::Unprocessable(
            "nobody here follows the author or is addressed".into(),
        ));
    }
    let parent = known_parent;
    crate::services::reply_controls::check_remote(state, author, parent.as_ref(), &note.id).await?;
    let quote = quotes::received(state, note, true).await?;
    let row = store(
        state,
        author,
        note,
        &mentioned,
        parent.as_ref(),
        quote.as_ref(),
    )
    .await?;
    if parent.is_none() && note.in_reply_to_id().is_some() {
        thread_backfills::enqueue(&state.db, row.id, Scope::Parents).await?;
    }
    Ok(row)
}

/// A post named by `uri`: known here, or fetched from its server and stored (without
/// its unknown ancestors). `None` when it cannot be had.
pub async fn fetch_known_or_remote(state: &AppState, uri: &Url) -> ApiResult<Option<StatusRow>> {
    if let Some(known) = status_by_uri(state, uri.as_str()).await? {
        return Ok(Some(known));
    }
    if local_status_id(state, uri.as_str()).is_some() {
        return Ok(None);
    }
    Box::pin(fetch_status(state, uri, 0)).await
}

/// Applies an edit (an Update of a Note) by `author`. Errors: `Unprocessable` for an
/// unknown post, `Forbidden` when `author` did not write it.
pub async fn receive_edit(state: &AppState, author: &AccountRow, note: &Note) -> ApiResult<()> {
    let Some(row) = statuses::find_by_ap_id(&state.db, note.id.as_str()).await? else {
        return Err(ApiError::Unprocessable("update of an unknown post".into()));
    };
    if row.account_id != author.id {
        return Err(ApiError::Forbidden(
            "only the author may edit a post".into(),
        ));
    }
    let content = content_of(note);
    let tags: Vec<String> = note.hashtags().take(30).map(|t| t.to_lowercase()).collect();
    let mentioned: Vec<i64> = mentioned_accounts(state, note)
        .await?
        .iter()
        .map(|a| a.id)
        .collect();
    let mut transaction = state.db.begin().await?;
    let emojis = custom_emojis::remote_used(&mut transaction, author, &note.tag).await?;
    let emoji_ids: Vec<i64> = emojis.iter().map(|emoji| emoji.id).collect();
    let summary = summary_of(note);
    let sensitive = note.sensitive.unwrap_or(row.sensitive);
    // An Update that changes no text (a new interaction policy) is no edit.
    let unchanged =
        content == row.content && summary == row.spoiler_text && sensitive == row.sensitive;
    if !unchanged {
        apply_edit(
            &mut transaction,
            &row,
            &StatusEdit {
                text: "",
                content: &content,
                spoiler_text: &summary,
                sensitive,
                language: note.language().as_deref(),
                mentioned_account_ids: &mentioned,
                tags: &tags,
                emoji_ids: &emoji_ids,
            },
        )
        .await?;
    }
    let media = crate::federation::builders::music::post_media(note);
    attachments::store_remote(state, &mut transaction, author.id, row.id, &media).await?;
    crate::services::music::receive_edit(&mut transaction, note, row.id).await?;
    let followers = (author.followers_url.as_deref()).and_then(|u| Url::parse(u).ok());
    crate::services::reply_controls::store_remote(&mut transaction, &row, note, followers.as_ref())
        .await?;
    transaction.commit().await?;
    crate::services::quotes::receive_update(state, &row, note).await?;
    crate::services::reply_controls::receive_stamp(state, author, &row, note).await?;
    Ok(())
}

/// Accounts (local, or known remote) for the Mention hrefs of a note.
async fn mentioned_accounts(state: &AppState, note: &Note) -> sqlx::Result<Vec<AccountRow>> {
    let mut found = Vec::new();
    for href in note.mentions().take(50) {
        let account = match urls::local_username(&state.config, href.as_str()) {
            Some(name) => accounts::find_visible_by_acct(&state.db, name, None).await?,
            None => accounts::find_by_ap_id(&state.db, href.as_str()).await?,
        };
        if let Some(account) = account.filter(|a| !found.iter().any(|f: &AccountRow| f.id == a.id))
        {
            found.push(account);
        }
    }
    Ok(found)
}

/// The parent of `note` when Roost has it (an unknown one is fetched by
/// `services::thread_backfill`, never here).
async fn known_parent(state: &AppState, note: &Note) -> ApiResult<Option<StatusRow>> {
    match note.in_reply_to_id() {
        Some(parent) => Ok(status_by_uri(state, parent.as_str()).await?),
        None => Ok(None),
    }
}

/// Fetches and stores a remote post Roost lacks (not its unknown parents). The post
/// and its author must be on the server it came from, and the author not suspended
/// here; failures only mean "not found". `depth` > 0 lets a quoted post be fetched too.
async fn fetch_status(state: &AppState, uri: &Url, depth: u8) -> ApiResult<Option<StatusRow>> {
    let Ok(document) = crate::federation::fetch::fetch_object(state, uri).await else {
        return Ok(None);
    };
    let Ok(note) = serde_json::from_value::<Note>(document) else {
        return Ok(None);
    };
    let Some(author_id) = note
        .author_id()
        .filter(|author| author.origin() == note.id.origin())
    else {
        return Ok(None);
    };
    if note.id.origin() != uri.origin() {
        return Ok(None);
    }
    // Fetched by its page's URL, a post may turn out to be known by its id.
    if let Some(known) = statuses::find_by_ap_id(&state.db, note.id.as_str()).await? {
        return Ok(Some(known));
    }
    let Ok(author) = crate::federation::resolve::account_by_ap_id(state, author_id).await else {
        return Ok(None);
    };
    if author.suspended_at.is_some() {
        return Ok(None);
    }
    let parent = known_parent(state, &note).await?;
    let mentioned = mentioned_accounts(state, &note).await?;
    let quote = Box::pin(quotes::received(state, &note, depth > 0)).await?;
    store(
        state,
        &author,
        &note,
        &mentioned,
        parent.as_ref(),
        quote.as_ref(),
    )
    .await
    .map(Some)
}

/// Inserts a remote note as a status (content sanitised, visibility from its audience)
/// with its media.
async fn store(
    state: &AppState,
    author: &AccountRow,
    note: &Note,
    mentioned: &[AccountRow],
    parent: Option<&StatusRow>,
    quote: Option<&quotes::Planned>,
) -> ApiResult<StatusRow> {
    let followers = author
        .followers_url
        .as_deref()
        .and_then(|u| Url::parse(u).ok());
    let mentioned_urls: Vec<Url> = note.mentions().cloned().collect();
    let visibility: Visibility = note.visibility(followers.as_ref(), &mentioned_urls).into();
    let tags: Vec<String> = note
        .hashtags()
        .take(30)
        .map(|t| t.to_lowercase())
        .filter(|t| !t.is_empty() && t.len() <= 100)
        .collect();
    let mentioned_ids: Vec<i64> = mentioned.iter().map(|a| a.id).collect();
    // Judged before the transaction: it may fetch the stamp the reply names.
    let joins_thread =
        crate::services::reply_controls::joins_thread(state, author, parent, note).await?;
    let mut transaction = state.db.begin().await?;
    let emojis = custom_emojis::remote_used(&mut transaction, author, &note.tag).await?;
    let emoji_ids: Vec<i64> = emojis.iter().map(|emoji| emoji.id).collect();
    let row = insert(
        &mut transaction,
        &NewStatus {
            account_id: author.id,
            local: false,
            ap_id: Some(note.id.as_str()),
            url: note.web_url().map(HttpUrl::as_str),
            text: "",
            content: &content_of(note),
            spoiler_text: &summary_of(note),
            sensitive: note.sensitive.unwrap_or(false),
            visibility,
            language: note.language().as_deref(),
            application_id: None,
            in_reply_to_id: parent.map(|p| p.id),
            in_reply_to_account_id: parent.map(|p| p.account_id),
            reblog_of_id: None,
            conversation: note
                .conversation
                .as_deref()
                .filter(|c| c.len() <= 500)
                .or_else(|| parent.and_then(|p| p.conversation.as_deref())),
            created_at: note.published,
            mentioned_account_ids: &mentioned_ids,
            tags: &tags,
            emoji_ids: &emoji_ids,
        },
    )
    .await?;
    let media = crate::federation::builders::music::post_media(note);
    attachments::store_remote(state, &mut transaction, author.id, row.id, &media).await?;
    crate::services::cards::on_received(state, &mut transaction, &row, author, &note.attachment)
        .await?;
    if note.reel == Some(true) {
        let media = crate::db::media::for_statuses(&mut *transaction, &[row.id]).await?;
        crate::services::reels::receive(&mut transaction, note, row.id, &media).await?;
    }
    crate::services::music::receive(&mut transaction, note, row.id).await?;
    crate::services::polls::remote::store(&mut transaction, &row, note).await?;
    crate::services::groups::record_received(&mut transaction, &row, note, parent).await?;
    quotes::record_quote(&state.config, &mut transaction, &row, quote).await?;
    if let Some(rule) = note
        .interaction_policy
        .as_ref()
        .and_then(|p| p.can_quote.as_ref())
    {
        let policy = rule.quote_policy(followers.as_ref());
        crate::db::quotes::set_policy(&mut *transaction, row.id, policy.as_str()).await?;
    }
    crate::services::reply_controls::store_remote(&mut transaction, &row, note, followers.as_ref())
        .await?;
    if !joins_thread {
        crate::db::reply_controls::set_hidden(&mut *transaction, row.id, true).await?;
    }
    if let Some(parent_uri) = note.in_reply_to_id().filter(|_| parent.is_none()) {
        thread_backfills::record_orphan(&mut transaction, row.id, parent_uri.as_str()).await?;
    }
    transaction.commit().await?;
    adopt_orphans(state, &row).await?;
    Ok(row)
}

/// Links the stored replies that waited for `parent` (received before it, their
/// `in_reply_to_ap_id` naming it) to it, counting them on it. A reply its policy does
/// not let in (the parent's `canReply`, without the stamp check a received reply gets)
/// is hidden, as `reply_controls::joins_thread` hides one received after its parent.
pub async fn adopt_orphans(state: &AppState, parent: &StatusRow) -> ApiResult<()> {
    let Some(parent_uri) = parent.ap_id.as_deref() else {
        return Ok(());
    };
    let mut transaction = state.db.begin().await?;
    let adopted =
        thread_backfills::adopt(&mut transaction, parent.id, parent.account_id, parent_uri).await?;
    if adopted.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = adopted.iter().map(|reply| reply.id).collect();
    thread_backfills::count_adopted(&mut transaction, parent.id, &ids).await?;
    // Hidden after counting: hiding takes a reply off its parent's count.
    for reply in &adopted {
        if !crate::services::reply_controls::may_reply(state, reply.account_id, parent).await? {
            crate::db::reply_controls::set_hidden(&mut *transaction, reply.id, true).await?;
        }
    }
    transaction.commit().await?;
    Ok(())
}

/// The HTML kept of a remote note: bounded, then sanitised.
fn content_of(note: &Note) -> String {
    sanitize_html(&truncate(&note.text_for_display(), MAX_CONTENT_BYTES))
}

/// The content warning kept of a remote note.
fn summary_of(note: &Note) -> String {
    truncate(
        note.content_warning().unwrap_or_default(),
        MAX_SUMMARY_BYTES,
    )
}

fn truncate(text: &str, max_bytes: usize) -> String {
    let mut end = text.len().min(max_bytes);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}
