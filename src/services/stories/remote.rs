// SPDX-License-Identifier: AGPL-3.0-or-later
//! Stories from other servers (Roost or Pixelfed): an `Add` of a story becomes a story
//! here when someone here may see it — a follower of its author for a public or
//! followers story, or an account it names — with its picture or video kept as a
//! reference to the origin's file. A story that only carries a bearcap (Pixelfed's) is
//! fetched with its token from the author's own server. A music track another Roost
//! sent with it is kept as a post's is (`services::music`). Its `Delete` removes it, and a
//! `View` of a local story by a remote account is counted, and a Pixelfed user's
//! `Story:Reply` or `Story:Reaction` arrives as a direct message. The `Story` document a
//! server fetches by a local story's bearcap is served from here too ([`document`]).

use chrono::{Duration, Utc};
use serde_json::Value;
use url::Url;

use crate::db::accounts::{self, AccountRow};
use crate::db::stories::{self as db, NewStory};
use crate::error::{ApiError, ApiResult};
use crate::federation::attachments::store_remote_story;
use crate::federation::fetch::fetch_with_bearer;
use crate::federation::protocol::is_public;
use crate::federation::protocol::raw::same_origin;
use crate::federation::protocol::story::Story;
use crate::state::AppState;
use crate::urls;

/// The longest a remote story is kept, whatever its `expiresAt` says.
const LONGEST_LIFE_HOURS: i64 = 168;
/// Most local recipients one remote story may name.
const MAX_RECIPIENTS: usize = 1000;

/// Receives a story `object` that `actor` added, addressed to `to` and `cc`. Returns
/// whether it was stored (`false`: a redelivery, or nobody here may see it).
///
/// # Errors
/// `Unprocessable` for a story that is not the actor's, is malformed or expired;
/// `Unavailable` when its server did not answer the fetch.
pub async fn receive_add(
    state: &AppState,
    actor: &AccountRow,
    object: &Value,
    addressed: &[Url],
) -> ApiResult<bool> {
    let actor_id = actor.ap_id.as_deref().unwrap_or_default();
    let mut story: Story = serde_json::from_value(object.clone())
        .map_err(|_| ApiError::Unprocessable("not a story".into()))?;
    if !story.is_complete() {
        story = fetch(state, actor_id, &story).await?;
    }
    if !same_origin(story.id.as_str(), actor_id)
        || story.attributed_to.as_ref().map(Url::as_str) != Some(actor_id)
    {
        return Err(ApiError::Unprocessable(
            "the story is not the actor's".into(),
        ));
    }
    if db::find_by_uri(&state.db, story.id.as_str())
        .await?
        .is_some()
    {
        return Ok(false);
    }
    let now = Utc::now();
    let expires_at = story
        .expires_at
        .filter(|at| *at > now)
        .ok_or_else(|| ApiError::Unprocessable("the story expired".into()))?
        .min(now + Duration::hours(LONGEST_LIFE_HOURS));
    let everyone: Vec<&Url> = addressed.iter().chain(&story.to).chain(&story.cc).collect();
    let audience = audience_of(actor, &everyone);
    let recipients = match audience {
        "close_friends" => local_recipients(state, &everyone).await?,
        _ => Vec::new(),
    };
    let interested = match audience {
        "close_friends" => !recipients.is_empty(),
        _ => db::has_local_follower(&state.db, actor.id).await?,
    };
    if !interested {
        return Ok(false);
    }
    let attachment = story
        .attachment
        .as_ref()
        .ok_or_else(|| ApiError::Unprocessable("a story without media".into()))?;
    let mut transaction = state.db.begin().await?;
    let Some(media) = store_remote_story(&mut transaction, actor.id, attachment).await? else {
        return Err(ApiError::Unprocessable(
            "the story's media is unusable".into(),
        ));
    };
    let id = db::next_id(&mut *transaction).await?;
    let inserted = db::insert(
        &mut *transaction,
        &NewStory {
            id,
            account_id: actor.id,
            uri: story.id.as_str(),
            audience,
            duration: story.duration.unwrap_or(5).clamp(1, 300) as i32,
            can_reply: story.can_reply.unwrap_or(true),
            bearer_token: None,
            created_at: story
                .published
                .filter(|at| *at < expires_at)
                .unwrap_or(now)
                .min(now),
            expires_at,
        },
    )
    .await?;
    if inserted.is_none() {
        return Ok(false);
    }
    db::set_media(&mut *transaction, id, media.id).await?;
    crate::services::music::receive_for_story(&mut transaction, &story.music, id).await?;
    db::add_recipients(&mut *transaction, id, &recipients).await?;
    transaction.commit().await?;
    Ok(true)
}

/// The story a bearcap-only `Add` points at, fetched with its token from the actor's
/// own server.
async fn fetch(state: &AppState, actor_id: &str, story: &Story) -> ApiResult<Story> {
    let (token, url) = story
        .bearcap()
        .ok_or_else(|| ApiError::Unprocessable("a story with neither body nor bearcap".into()))?;
    if !same_origin(url.as_str(), actor_id) {
        return Err(ApiError::Unprocessable(
            "the bearcap points at another server".into(),
        ));
    }
    let document = fetch_with_bearer(state, &url, &token)
        .await
        .map_err(|error| ApiError::Unavailable(anyhow::anyhow!("fetching a story: {error}")))?;
    let fetched: Story = serde_json::from_value(document)
        .map_err(|_| ApiError::Unprocessable("the fetched story is malformed".into()))?;
    if fetched.id != story.id || !fetched.is_complete() {
        return Err(ApiError::Unprocessable(
            "the fetched story is another or incomplete".into(),
        ));
    }
    Ok(fetched)
}

/// The audience a remote story's addressing means: public when it names the public
/// collection, followers when it names the author's followers, else the accounts named.
fn audience_of(actor: &AccountRow, addressed: &[&Url]) -> &'static str {
    if addressed.iter().any(|url| is_public(url.as_str())) {
        "public"
    } else if addressed
        .iter()
        .any(|url| Some(url.as_str()) == actor.followers_url.as_deref())
    {
        "followers"
    } else {
        "close_friends"
    }
}

/// The local accounts among `addressed`.
async fn local_recipients(state: &AppState, addressed: &[&Url]) -> ApiResult<Vec<i64>> {
    let mut ids = Vec::new();
    for url in addressed.iter().take(MAX_RECIPIENTS) {
        let Some(username) = urls::local_username(&state.config, url.as_str()) else {
            continue;
        };
        if let Some(account) = accounts::find_visible_by_acct(&state.db, username, None).await? {
            ids.push(account.id);
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Deletes the story `uri` when `actor` wrote it; `false` when there is no such story
/// of theirs.
pub async fn receive_delete(state: &AppState, actor: &AccountRow, uri: &str) -> ApiResult<bool> {
    let Some(story) = db::find_by_uri(&state.db, uri).await? else {
        return Ok(false);
    };
    if story.account_id != actor.id {
        return Ok(false);
    }
    Ok(db::delete(&state.db, actor.id, story.id).await?.is_some())
}

/// Counts remote `actor`'s view of local story `uri`, when they may see it.
///
/// # Errors
/// `NotFound` for no such story or one they may not see.
pub async fn receive_view(state: &AppState, actor: &AccountRow, uri: &str) -> ApiResult<()> {
    let story = db::find_by_uri(&state.db, uri)
        .await?
        .ok_or(ApiError::NotFound)?;
    let story = db::find_visible(&state.db, actor.id, story.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if story.account_id != actor.id {
        db::record_view(&state.db, story.id, actor.id).await?;
    }
    Ok(())
}

/// How a Pixelfed user answered a story: `Story:Reply` (text) or `Story:Reaction` (an
/// emoji).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Reply,
    Reaction,
}

impl Answer {
    /// The longest answer of this kind taken, in characters.
    fn max_chars(self) -> usize {
        match self {
            Answer::Reply => super::MAX_REPLY,
            Answer::Reaction => 32,
        }
    }
}

/// Receives remote `actor`'s answer (`id`, Pixelfed's `Story:Reply` or
/// `Story:Reaction`) to local story `story_uri`: `content`, as plain text, becomes a
/// direct message from the actor to the story's author mentioning them, the way a
/// reply from this server arrives (a conversation and a mention notification). A
/// redelivery is stored once.
///
/// # Errors
/// `NotFound` for no such live local story or one the actor may not see; `Forbidden`
/// when it takes no replies; `Unprocessable` for an id on another server than the
/// actor's or an empty or too long answer.
pub async fn receive_answer(
    state: &AppState,
    actor: &AccountRow,
    id: &str,
    story_uri: &str,
    content: &str,
    answer: Answer,
) -> ApiResult<()> {
    let actor_id = actor.ap_id.as_deref().unwrap_or_default();
    if !same_origin(id, actor_id) {
        return Err(ApiError::Unprocessable(
            "the answer's id is not on the actor's server".into(),
        ));
    }
    let story = db::find_by_uri(&state.db, story_uri)
        .await?
        .ok_or(ApiError::NotFound)?;
    let story = db::find_visible(&state.db, actor.id, story.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let author = accounts::find_by_id(&state.db, story.account_id)
        .await?
        .filter(AccountRow::is_local)
        .ok_or(ApiError::NotFound)?;
    if !story.can_reply {
        return Err(ApiError::Forbidden("This story takes no replies".into()));
    }
    let text = crate::domain::text::html_to_plain(content);
    let text = text.trim();
    if text.is_empty() || content.chars().count() > answer.max_chars() * 8 {
        return Err(ApiError::Unprocessable(
            "an empty or oversized answer".into(),
        ));
    }
    if text.chars().count() > answer.max_chars() {
        return Err(ApiError::Unprocessable("the answer is too long".into()));
    }
    let note = answer_note(state, actor_id, id, &author, text)?;
    crate::services::statuses::receive_note(state, actor, &note).await
}

/// The direct Note an answer to `author`'s story becomes: Pixelfed's id without its
/// `/activity` suffix (as Pixelfed stores it), addressed to the author and mentioning
/// them before the text.
fn answer_note(
    state: &AppState,
    actor_id: &str,
    id: &str,
    author: &AccountRow,
    text: &str,
) -> ApiResult<crate::federation::protocol::note::Note> {
    let author_url = urls::local_actor(&state.config, &author.username).id;
    let escape = crate::domain::text::escape_html;
    let content = format!(
        "<p><span class=\"h-card\"><a href=\"{url}\" class=\"u-url mention\">@<span>{name}</span></a></span> {text}</p>",
        url = escape(author_url.as_str()),
        name = escape(&author.username),
        text = escape(text),
    );
    let document = serde_json::json!({
        "id": id.strip_suffix("/activity").unwrap_or(id),
        "type": "Note",
        "attributedTo": actor_id,
        "to": [author_url],
        "content": content,
        "published": Utc::now(),
        "tag": [{
            "type": "Mention",
            "href": author_url,
            "name": format!("@{}@{}", author.username, state.config.domain),
        }],
    });
    serde_json::from_value(document)
        .map_err(|_| ApiError::Unprocessable("the answer makes no post".into()))
}

/// The `Story` document of local story `id` by `username` for a holder of its bearer
/// `token` (a Pixelfed server fetching its bearcap). Errors: `NotFound` for no such live
/// story or a wrong token (the same answer, so tokens cannot be probed).
pub async fn document(
    state: &AppState,
    username: &str,
    id: i64,
    token: Option<&str>,
) -> ApiResult<Story> {
    use subtle::ConstantTimeEq;
    let story = db::find(&state.db, id)
        .await?
        .filter(|story| story.expires_at > Utc::now())
        .ok_or(ApiError::NotFound)?;
    let author = accounts::find_by_id(&state.db, story.account_id)
        .await?
        .filter(|author| author.is_local() && author.username == username)
        .filter(|author| author.suspended_at.is_none())
        .ok_or(ApiError::NotFound)?;
    let expected = story.bearer_token.as_deref().unwrap_or_default();
    let given = token.unwrap_or_default();
    if expected.is_empty() || !bool::from(expected.as_bytes().ct_eq(given.as_bytes())) {
        return Err(ApiError::NotFound);
    }
    let media = db::media_of(&state.db, &[story.id])
        .await?
        .pop()
        .map(|(_, media)| media)
        .ok_or(ApiError::NotFound)?;
    let mut conn = state.db.acquire().await?;
    let (addressing, _) = super::audience_of(&mut conn, &author, &story).await?;
    let music = crate::db::music_tracks::for_stories(&mut *conn, &[story.id]).await?;
    Ok(crate::federation::builders::stories::story(
        &state.config,
        &author.username,
        &story,
        &media,
        music.first(),
        &addressing,
    )?)
}
