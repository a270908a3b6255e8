//! Posts between servers, inbound: Create, Update and Delete of notes, Like and
//! Announce and their Undo, applied to the same tables local actions use. Only the
//! author may change or delete a post; posts nobody here cares about (no local
//! follower of the author, no local mention, no local parent) are not stored.

use serde_json::Value;

use super::attachments;
use super::inbox::object_id;
use super::posts::local_status_id;
use super::protocol::note::{Note, Visibility};
use crate::db::accounts::{self, AccountRow};
use crate::db::interactions::{self, Mark};
use crate::db::statuses::{self, NewStatus, StatusEdit, StatusRow};
use crate::domain::text::sanitize_html;
use crate::domain::HttpUrl;
use crate::state::AppState;
use crate::urls;

/// Why an inbound post activity had no effect.
#[derive(Debug, thiserror::Error)]
pub enum PostSkip {
    /// Meaningless or not allowed here; kept with this reason.
    #[error("{0}")]
    Ignored(String),
    /// Worth retrying (database).
    #[error(transparent)]
    Transient(#[from] anyhow::Error),
}

impl From<sqlx::Error> for PostSkip {
    fn from(error: sqlx::Error) -> Self {
        PostSkip::Transient(error.into())
    }
}

fn ignored(reason: &str) -> PostSkip {
    PostSkip::Ignored(reason.to_owned())
}

/// Largest remote post content stored.
const MAX_CONTENT_BYTES: usize = 100_000;

/// The status an AS2 id names: a local one, or a known remote one.
pub async fn status_by_uri(state: &AppState, uri: &str) -> sqlx::Result<Option<StatusRow>> {
    if let Some(id) = local_status_id(state, uri) {
        return Ok(statuses::find_many(&state.db, &[id])
            .await?
            .pop()
            .filter(|s| s.deleted_at.is_none()));
    }
    statuses::find_by_ap_id(&state.db, uri).await
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

fn parse_note(object: &Value) -> Result<Note, PostSkip> {
    serde_json::from_value(object.clone())
        .map_err(|error| PostSkip::Ignored(format!("not a note: {error}")))
}

fn visibility_name(visibility: Visibility) -> &'static str {
    match visibility {
        Visibility::Public => "public",
        Visibility::Unlisted => "unlisted",
        Visibility::Private => "private",
        // Limited posts are shown only to their addressees: the direct rule.
        Visibility::Limited | Visibility::Direct => "direct",
    }
}

/// Stores a remote post (Create). Duplicates (same id) are ignored; an unknown parent
/// is fetched (a few levels up at most) so the reply hangs in its thread.
pub async fn receive_create(
    state: &AppState,
    author: &AccountRow,
    object: &Value,
) -> Result<(), PostSkip> {
    let note = parse_note(object)?;
    if note.author_id().map(url::Url::as_str) != author.ap_id.as_deref() {
        return Err(ignored("the note is not the actor's"));
    }
    // A server may only create notes under its own ids.
    let author_origin = author
        .ap_id
        .as_deref()
        .and_then(|a| url::Url::parse(a).ok())
        .map(|a| a.origin());
    if author_origin != Some(note.id.origin()) {
        return Err(ignored("the note's id is not on the actor's server"));
    }
    if statuses::find_by_ap_id(&state.db, note.id.as_str())
        .await?
        .is_some()
    {
        return Ok(());
    }
    let mentioned = mentioned_accounts(state, &note).await?;
    let known_parent = match note.in_reply_to_id() {
        Some(parent) => status_by_uri(state, parent.as_str()).await?,
        None => None,
    };
    // Decided before any fetch, so unwanted posts cannot make Roost fetch others.
    let wanted = statuses::has_local_followers(&state.db, author.id).await?
        || mentioned.iter().any(AccountRow::is_local)
        || known_parent.as_ref().is_some_and(|p| p.local);
    if !wanted {
        return Err(ignored("nobody here follows the author or is addressed"));
    }
    let parent = match known_parent {
        Some(parent) => Some(parent),
        None => parent_of(state, &note, PARENT_FETCH_DEPTH).await?,
    };
    store_note(state, author, &note, &mentioned, parent.as_ref()).await?;
    Ok(())
}

/// How many unknown ancestors of a reply are fetched at most.
const PARENT_FETCH_DEPTH: u8 = 3;

/// The parent of `note`: known here, or fetched from its server (within `depth`).
async fn parent_of(
    state: &AppState,
    note: &Note,
    depth: u8,
) -> Result<Option<StatusRow>, PostSkip> {
    let Some(parent) = note.in_reply_to_id() else {
        return Ok(None);
    };
    if let Some(known) = status_by_uri(state, parent.as_str()).await? {
        return Ok(Some(known));
    }
    if depth == 0 || local_status_id(state, parent.as_str()).is_some() {
        return Ok(None);
    }
    Box::pin(fetch_status(state, parent, depth - 1)).await
}

/// Fetches and stores a remote post Roost lacks. The post and its author must be on the
/// server it came from; failures only mean "not found".
async fn fetch_status(
    state: &AppState,
    uri: &url::Url,
    depth: u8,
) -> Result<Option<StatusRow>, PostSkip> {
    let Ok(document) = super::fetch::fetch_object(state, uri).await else {
        return Ok(None);
    };
    let Ok(note) = parse_note(&document) else {
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
    let Ok(author) = super::resolve::account_by_ap_id(state, author_id).await else {
        return Ok(None);
    };
    let parent = parent_of(state, &note, depth).await?;
    let mentioned = mentioned_accounts(state, &note).await?;
    store_note(state, &author, &note, &mentioned, parent.as_ref())
        .await
        .map(Some)
}

/// Inserts a remote note as a status (content sanitised, visibility from its audience).
async fn store_note(
    state: &AppState,
    author: &AccountRow,
    note: &Note,
    mentioned: &[AccountRow],
    parent: Option<&StatusRow>,
) -> Result<StatusRow, PostSkip> {
    let followers = author
        .followers_url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok());
    let mentioned_urls: Vec<url::Url> = note.mentions().cloned().collect();
    let visibility = visibility_name(note.visibility(followers.as_ref(), &mentioned_urls));
    let content = sanitize_html(&truncate(&note.text_for_display(), MAX_CONTENT_BYTES));
    let tags: Vec<String> = note
        .hashtags()
        .take(30)
        .map(|t| t.to_lowercase())
        .filter(|t| !t.is_empty() && t.len() <= 100)
        .collect();
    let mentioned_ids: Vec<i64> = mentioned.iter().map(|a| a.id).collect();
    let mut transaction = state.db.begin().await?;
    let row = statuses::insert(
        &mut transaction,
        &NewStatus {
            account_id: author.id,
            local: false,
            ap_id: Some(note.id.as_str()),
            url: note.web_url().map(HttpUrl::as_str),
            text: "",
            content: &content,
            spoiler_text: &truncate(note.content_warning().unwrap_or_default(), 1000),
            sensitive: note.sensitive.unwrap_or(false),
            visibility,
            language: None,
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
        },
    )
    .await?;
    attachments::store_remote(state, &mut transaction, author.id, row.id, &note.attachment).await?;
    transaction.commit().await?;
    Ok(row)
}

fn truncate(text: &str, max_bytes: usize) -> String {
    let mut end = text.len().min(max_bytes);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// Applies an edit (Update of a note) by its author.
pub async fn receive_update(
    state: &AppState,
    author: &AccountRow,
    object: &Value,
) -> Result<(), PostSkip> {
    let note = parse_note(object)?;
    let Some(row) = statuses::find_by_ap_id(&state.db, note.id.as_str()).await? else {
        return Err(ignored("update of an unknown post"));
    };
    if row.account_id != author.id {
        return Err(ignored("only the author may edit a post"));
    }
    let content = sanitize_html(&truncate(&note.text_for_display(), MAX_CONTENT_BYTES));
    let tags: Vec<String> = note.hashtags().take(30).map(|t| t.to_lowercase()).collect();
    let mentioned: Vec<i64> = mentioned_accounts(state, &note)
        .await?
        .iter()
        .map(|a| a.id)
        .collect();
    let mut transaction = state.db.begin().await?;
    statuses::edit(
        &mut transaction,
        &row,
        &StatusEdit {
            text: "",
            content: &content,
            spoiler_text: &truncate(note.content_warning().unwrap_or_default(), 1000),
            sensitive: note.sensitive.unwrap_or(row.sensitive),
            language: None,
            mentioned_account_ids: &mentioned,
            tags: &tags,
        },
    )
    .await?;
    attachments::store_remote(state, &mut transaction, author.id, row.id, &note.attachment).await?;
    transaction.commit().await?;
    Ok(())
}

/// Deletes a post (Delete of a note or Tombstone) by its author.
pub async fn receive_delete(
    state: &AppState,
    author: &AccountRow,
    object: &Value,
) -> Result<(), PostSkip> {
    let id = object_id(object).ok_or_else(|| ignored("Delete without an object"))?;
    if Some(id) == author.ap_id.as_deref() {
        super::suspensions::receive_actor_delete(state, author).await?;
        return Ok(());
    }
    let Some(row) = statuses::find_by_ap_id(&state.db, id).await? else {
        return Err(ignored("delete of an unknown post"));
    };
    if row.account_id != author.id {
        return Err(ignored("only the author may delete a post"));
    }
    let mut transaction = state.db.begin().await?;
    statuses::delete(&mut transaction, row.id).await?;
    transaction.commit().await?;
    Ok(())
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
