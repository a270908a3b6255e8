// SPDX-License-Identifier: AGPL-3.0-or-later
//! Stories: a photo or video that disappears after `ROOST_STORY_HOURS` (24 by default),
//! seen by the author's followers, by everyone signed in, or by their close friends;
//! never in a timeline. This module owns every rule about them for local and remote
//! authors alike: posting (one of the author's uploads, at most [`MAX_LIVE`] live
//! stories, with a music track checked by `services::music`), who sees what (`db::stories`'s one SQL rule), the row of stories with
//! unseen ones first, views and the author's viewers list, replies (a direct message
//! to the author), deletion, and the close friends list. Expiry is
//! [`expiry`]'s; stories from other servers are [`remote`]'s.
//!
//! Federation uses Pixelfed's vocabulary (`federation::protocol::story`): an `Add` of
//! the story to its audience's inboxes, a `Delete` when it is deleted or expires.

pub mod expiry;
pub mod remote;

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sqlx::PgConnection;

use crate::db::accounts::{self, AccountRow};
use crate::db::media::MediaRow;
use crate::db::music_tracks::{self, TrackRow};
use crate::db::stories::{self as db, NewStory, StoryRow, TrayRow};
use crate::db::Page;
use crate::domain::Id;
use crate::error::{check_length, ApiError, ApiResult};
use crate::federation::builders::stories::{self as builders, Addressing};
use crate::federation::outbound;
use crate::services::music::{self, CheckedTrack, TrackInput};
use crate::services::statuses::{self, NewPost, Posted};
use crate::state::AppState;
use crate::urls;

/// Live stories one account may have at a time.
pub const MAX_LIVE: i64 = 100;
/// Seconds a photo is shown when the author says nothing.
const PHOTO_SECONDS: i32 = 5;
/// Seconds a video is shown when the author says nothing (apps stop at its end).
const VIDEO_SECONDS: i32 = 15;
/// Longest display time an author may ask for, in seconds.
const MAX_SECONDS: u32 = 60;
/// Most accounts in the row of stories.
const TRAY_LIMIT: i64 = 100;
/// Most viewers listed at once.
pub const MAX_VIEWERS: i64 = 500;
/// Longest reply to a story, in characters (a status's limit).
pub(crate) const MAX_REPLY: usize = 500;

/// Who may see a story.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Everyone signed in.
    Public,
    /// The author's accepted followers.
    Followers,
    /// The author's close friends when it was posted.
    CloseFriends,
}

impl Audience {
    /// The audience named in the API (`public`, `followers`, `close_friends`).
    pub fn parse(text: &str) -> Option<Audience> {
        match text {
            "public" => Some(Audience::Public),
            "followers" | "private" => Some(Audience::Followers),
            "close_friends" => Some(Audience::CloseFriends),
            _ => None,
        }
    }

    /// Its name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::Followers => "followers",
            Audience::CloseFriends => "close_friends",
        }
    }
}

/// What a local author asks to post, as the client sent it.
#[derive(Debug, Default)]
pub struct NewStoryRequest<'a> {
    /// The upload (`POST /api/v2/media`) to show.
    pub media_id: Option<&'a str>,
    /// `public`, `followers` (default) or `close_friends`.
    pub audience: Option<&'a str>,
    /// Seconds to show it (1 to 60), as sent; a default by media type when absent.
    pub duration: Option<&'a str>,
    /// Whether replies are taken (default yes).
    pub can_reply: Option<bool>,
    /// A music track to play with it (`music[…]`, as on a post).
    pub music: TrackInput<'a>,
}

/// A story as a viewer sees it.
#[derive(Clone, Debug)]
pub struct StoryView {
    pub row: StoryRow,
    pub author: AccountRow,
    pub media: Option<MediaRow>,
    /// The music track it carries.
    pub music: Option<TrackRow>,
    /// The viewer has seen it.
    pub seen: bool,
}

/// One account in the row of stories.
#[derive(Clone, Debug)]
pub struct TrayEntry {
    pub account: AccountRow,
    pub counts: TrayRow,
}

/// Posts a story for local `author` from one of their uploads, and sends it to its
/// audience's servers.
///
/// # Errors
/// `Validation` for a missing or unusable `media_id`, an unknown audience, a bad
/// duration or music track; `Unprocessable` past [`MAX_LIVE`] live stories or for an
/// audio upload.
pub async fn post(
    state: &AppState,
    author: &AccountRow,
    request: &NewStoryRequest<'_>,
) -> ApiResult<StoryView> {
    super::account_moves::refuse_if_moved(state, author.id).await?;
    let media_id = parse_media_id(request.media_id)?;
    let audience = match request.audience.map(str::trim).filter(|a| !a.is_empty()) {
        None => Audience::Followers,
        Some(text) => Audience::parse(text)
            .ok_or_else(|| ApiError::validation("audience", "ERR_INCLUSION", "Unknown audience"))?,
    };
    let media = crate::services::media::own(state, author.id, media_id)
        .await
        .map_err(|_| unusable_media())?;
    let duration = duration_for(&media, request.duration)?;
    let track = music::check(state, author.id, &request.music).await?;
    if let Some(track) = &track {
        refuse_story_media_in_track(track, media.id)?;
    }
    if db::live_count(&state.db, author.id).await? >= MAX_LIVE {
        return Err(ApiError::Unprocessable(format!(
            "At most {MAX_LIVE} stories can be live at once"
        )));
    }
    let mut transaction = state.db.begin().await?;
    let id = db::next_id(&mut *transaction).await?;
    let uri = urls::story(&state.config, &author.username, id);
    let token = new_token();
    let now = Utc::now();
    let row = db::insert(
        &mut *transaction,
        &NewStory {
            id,
            account_id: author.id,
            uri: &uri,
            audience: audience.as_str(),
            duration,
            can_reply: request.can_reply.unwrap_or(true),
            bearer_token: Some(&token),
            created_at: now,
            expires_at: now + Duration::hours(i64::from(state.config.story_hours)),
        },
    )
    .await?
    .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("story id {id} taken")))?;
    if !db::attach_upload(&mut *transaction, author.id, id, media.id).await? {
        return Err(unusable_media());
    }
    if let Some(track) = &track {
        music::attach_to_story(&mut transaction, id, track).await?;
    }
    if audience == Audience::CloseFriends {
        let friends = db::close_friends(&mut *transaction, author.id).await?;
        db::add_recipients(&mut *transaction, id, &friends).await?;
    }
    let music = music_tracks::for_stories(&mut *transaction, &[id])
        .await?
        .pop();
    send_add(
        state,
        &mut transaction,
        author,
        &row,
        &media,
        music.as_ref(),
        &token,
    )
    .await?;
    transaction.commit().await?;
    Ok(StoryView {
        row,
        author: author.clone(),
        media: Some(media),
        music,
        seen: false,
    })
}

/// The story's own picture or video cannot also be its track's artwork or clip.
fn refuse_story_media_in_track(track: &CheckedTrack, media_id: i64) -> ApiResult<()> {
    let uses = |upload: &Option<MediaRow>| upload.as_ref().is_some_and(|m| m.id == media_id);
    if uses(&track.artwork) || uses(&track.clip) {
        return Err(ApiError::validation(
            "music[artwork_id]",
            "ERR_INVALID",
            "The story's own picture cannot be its music's artwork or clip",
        ));
    }
    Ok(())
}

/// The id of the upload to show; `Validation` when absent or malformed.
fn parse_media_id(text: Option<&str>) -> ApiResult<i64> {
    let text = text
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::validation(
                "media_id",
                "ERR_BLANK",
                "A story needs a picture or a video",
            )
        })?;
    text.parse::<Id>()
        .map(|id| id.0)
        .map_err(|_| unusable_media())
}

fn unusable_media() -> ApiError {
    ApiError::validation(
        "media_id",
        "ERR_INVALID",
        "Not one of your uploads that no post or story uses",
    )
}

/// How long `media` is shown: `asked` (1 to [`MAX_SECONDS`]) or a default by kind.
/// Audio alone is no story.
fn duration_for(media: &MediaRow, asked: Option<&str>) -> ApiResult<i32> {
    let default = match media.kind.as_str() {
        "image" => PHOTO_SECONDS,
        "video" | "gifv" => VIDEO_SECONDS,
        _ => {
            return Err(ApiError::Unprocessable(
                "A story is a picture or a video".into(),
            ))
        }
    };
    match asked.map(str::trim).filter(|text| !text.is_empty()) {
        None => Ok(default),
        Some(text) => match text.parse::<u32>() {
            Ok(seconds @ 1..=MAX_SECONDS) => Ok(seconds as i32),
            _ => Err(ApiError::validation(
                "duration",
                "ERR_INVALID",
                format!("Between 1 and {MAX_SECONDS} seconds"),
            )),
        },
    }
}

/// A random token for the bearcap Pixelfed fetches a story with.
fn new_token() -> String {
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Where a local story goes and how it is addressed: the followers' servers for a
/// public or followers story, the recipients' for a close friends one.
async fn audience_of(
    conn: &mut PgConnection,
    author: &AccountRow,
    story: &StoryRow,
) -> sqlx::Result<(Addressing, Vec<url::Url>)> {
    let parse = |urls: Vec<String>| -> Vec<url::Url> {
        urls.iter()
            .filter_map(|u| url::Url::parse(u).ok())
            .collect()
    };
    match story.audience.as_str() {
        "close_friends" => {
            let remote = db::remote_recipients(&mut *conn, story.id).await?;
            let actors = parse(remote.iter().map(|r| r.0.clone()).collect());
            let mut inboxes = parse(remote.into_iter().map(|r| r.1).collect());
            inboxes.sort();
            inboxes.dedup();
            Ok((Addressing::Accounts(actors), inboxes))
        }
        audience => {
            let inboxes = parse(crate::db::follows::follower_inboxes(&mut *conn, author.id).await?);
            let addressing = if audience == "public" {
                Addressing::Public
            } else {
                Addressing::Followers
            };
            Ok((addressing, inboxes))
        }
    }
}

/// Queues the `Add` of a new local story to its audience's servers.
async fn send_add(
    state: &AppState,
    conn: &mut PgConnection,
    author: &AccountRow,
    story: &StoryRow,
    media: &MediaRow,
    music: Option<&TrackRow>,
    token: &str,
) -> ApiResult<()> {
    let (addressing, inboxes) = audience_of(&mut *conn, author, story).await?;
    if inboxes.is_empty() {
        return Ok(());
    }
    let document = builders::story(
        &state.config,
        &author.username,
        story,
        media,
        music,
        &addressing,
    )?;
    let add = builders::add(&state.config, &author.username, &document, token);
    outbound::deliver(&mut *conn, &add, author, &inboxes).await?;
    Ok(())
}

/// Queues the `Delete` of a local story (deleted or expired) to where it went, in the
/// caller's transaction, before the story's rows go.
async fn send_delete(
    state: &AppState,
    conn: &mut PgConnection,
    author: &AccountRow,
    story: &StoryRow,
) -> ApiResult<()> {
    let (addressing, inboxes) = audience_of(&mut *conn, author, story).await?;
    if inboxes.is_empty() {
        return Ok(());
    }
    let uri = url::Url::parse(&story.uri).map_err(anyhow::Error::from)?;
    let delete = builders::delete(&state.config, &author.username, &uri, &addressing);
    outbound::deliver(&mut *conn, &delete, author, &inboxes).await?;
    Ok(())
}

/// The row of stories of `viewer`: their own first, then accounts they follow with
/// stories they have not seen (newest first), then those seen already.
pub async fn tray(state: &AppState, viewer: i64) -> ApiResult<Vec<TrayEntry>> {
    let rows = db::tray(&state.db, viewer, TRAY_LIMIT).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.account_id).collect();
    let accounts = accounts::find_many_visible(&state.db, &ids).await?;
    Ok(rows
        .into_iter()
        .filter_map(|counts| {
            let account = accounts.iter().find(|a| a.id == counts.account_id)?.clone();
            Some(TrayEntry { account, counts })
        })
        .collect())
}

/// The live stories of `account_id` that `viewer` may see, in the order they are
/// watched (oldest first). Errors: `NotFound` for an unknown account.
pub async fn of_account(
    state: &AppState,
    viewer: i64,
    account_id: i64,
) -> ApiResult<Vec<StoryView>> {
    let author = accounts::find_visible_by_id(&state.db, account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let rows = db::of_account(&state.db, viewer, account_id, MAX_LIVE).await?;
    views(state, viewer, rows, &author).await
}

/// Story `id` if `viewer` may see it. Errors: `NotFound` otherwise (expired included).
pub async fn show(state: &AppState, viewer: i64, id: i64) -> ApiResult<StoryView> {
    let row = db::find_visible(&state.db, viewer, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let author = accounts::find_by_id(&state.db, row.account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut views = views(state, viewer, vec![row], &author).await?;
    views.pop().ok_or(ApiError::NotFound)
}

/// `rows` (all by `author`) with their media and whether `viewer` saw each.
async fn views(
    state: &AppState,
    viewer: i64,
    rows: Vec<StoryRow>,
    author: &AccountRow,
) -> ApiResult<Vec<StoryView>> {
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let media = db::media_of(&state.db, &ids).await?;
    let tracks = music_tracks::for_stories(&state.db, &ids).await?;
    let seen = db::seen(&state.db, viewer, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| StoryView {
            media: media
                .iter()
                .find(|(story, _)| *story == row.id)
                .map(|(_, media)| media.clone()),
            music: tracks.iter().find(|t| t.owner_id == row.id).cloned(),
            seen: seen.contains(&row.id),
            author: author.clone(),
            row,
        })
        .collect())
}

/// Records that local `viewer` saw story `id` (once; the author's own views are not
/// counted). A remote story's author is told with a `View`, as Pixelfed does.
/// Errors: `NotFound` when the viewer may not see it.
pub async fn mark_seen(state: &AppState, viewer: &AccountRow, id: i64) -> ApiResult<()> {
    let story = db::find_visible(&state.db, viewer.id, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if story.account_id == viewer.id {
        return Ok(());
    }
    let mut transaction = state.db.begin().await?;
    let first = db::record_view(&mut *transaction, story.id, viewer.id).await?;
    let author = accounts::find_by_id(&mut *transaction, story.account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if first && !author.is_local() {
        let (Ok(story_uri), Some(Ok(author_id))) = (
            url::Url::parse(&story.uri),
            author.ap_id.as_deref().map(url::Url::parse),
        ) else {
            return Err(ApiError::NotFound);
        };
        let view = builders::view(
            &state.config,
            &viewer.username,
            story.id,
            &story_uri,
            &author_id,
        );
        outbound::deliver_to(&mut transaction, &view, viewer, &author).await?;
    }
    transaction.commit().await?;
    Ok(())
}

/// One viewer of a story, for its author.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub account: AccountRow,
    pub viewed_at: DateTime<Utc>,
}

/// Who saw story `id` of `author_id`, most recent first. Errors: `NotFound` for
/// anyone else's story.
pub async fn viewers(state: &AppState, author_id: i64, id: i64) -> ApiResult<Vec<Viewer>> {
    let story = db::find(&state.db, id)
        .await?
        .filter(|story| story.account_id == author_id)
        .ok_or(ApiError::NotFound)?;
    let views = db::viewers(&state.db, story.id, MAX_VIEWERS).await?;
    let ids: Vec<i64> = views.iter().map(|view| view.account_id).collect();
    let accounts = accounts::find_many_visible(&state.db, &ids).await?;
    Ok(views
        .into_iter()
        .filter_map(|view| {
            let account = accounts.iter().find(|a| a.id == view.account_id)?.clone();
            Some(Viewer {
                account,
                viewed_at: view.viewed_at,
            })
        })
        .collect())
}

/// Replies to story `id` as `viewer`: a direct message to its author (the story's
/// replies arrive as conversations), from `text`. Errors: `NotFound` when the viewer
/// may not see it; `Forbidden` when its author takes no replies or it is the viewer's
/// own; `Validation` for an empty or too long text.
pub async fn reply(
    state: &AppState,
    viewer: &AccountRow,
    id: i64,
    text: Option<&str>,
    application_id: Option<i64>,
) -> ApiResult<Posted> {
    let story = db::find_visible(&state.db, viewer.id, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if story.account_id == viewer.id {
        return Err(ApiError::Forbidden(
            "You cannot reply to your own story".into(),
        ));
    }
    if !story.can_reply {
        return Err(ApiError::Forbidden("This story takes no replies".into()));
    }
    let text = text
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::validation("status", "ERR_BLANK", "A reply needs some text"))?;
    check_length("status", Some(text), MAX_REPLY)?;
    let author = accounts::find_by_id(&state.db, story.account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let message = format!("@{} {text}", author.acct());
    statuses::post(
        state,
        viewer.id,
        &NewPost {
            text: Some(&message),
            visibility: Some("direct"),
            application_id,
            ..NewPost::default()
        },
    )
    .await
}

/// Deletes story `id` of local `author` and sends its `Delete` where it went.
/// Errors: `NotFound` for anyone else's story.
pub async fn delete(state: &AppState, author: &AccountRow, id: i64) -> ApiResult<()> {
    let mut transaction = state.db.begin().await?;
    let story = db::find(&mut *transaction, id)
        .await?
        .filter(|story| story.account_id == author.id)
        .ok_or(ApiError::NotFound)?;
    send_delete(state, &mut transaction, author, &story).await?;
    db::delete(&mut *transaction, author.id, story.id).await?;
    transaction.commit().await?;
    Ok(())
}

/// A page of `account_id`'s close friends.
pub async fn close_friends(
    state: &AppState,
    account_id: i64,
    page: &Page,
) -> ApiResult<Vec<AccountRow>> {
    let ids = db::close_friends_page(&state.db, account_id, page).await?;
    let accounts = accounts::find_many_visible(&state.db, &ids).await?;
    Ok(ids
        .iter()
        .filter_map(|id| accounts.iter().find(|a| a.id == *id).cloned())
        .collect())
}

/// Most close friends one account may have.
pub const MAX_CLOSE_FRIENDS: usize = 1000;

/// Adds (`add`) or removes accounts `ids` to or from `account_id`'s close friends.
/// Errors: `Validation` for malformed ids, the account itself or too many;
/// `NotFound` for an unknown account.
pub async fn change_close_friends(
    state: &AppState,
    account_id: i64,
    ids: &[String],
    add: bool,
) -> ApiResult<()> {
    let invalid = |reason: &str| ApiError::validation("account_ids", "ERR_INVALID", reason);
    if ids.is_empty() || ids.len() > MAX_CLOSE_FRIENDS {
        return Err(invalid("Give between 1 and 1000 account ids"));
    }
    let mut parsed = Vec::with_capacity(ids.len());
    for id in ids {
        let id = id
            .trim()
            .parse::<Id>()
            .map_err(|_| invalid("Not an account id"))?;
        parsed.push(id.0);
    }
    parsed.sort_unstable();
    parsed.dedup();
    if !add {
        db::remove_close_friends(&state.db, account_id, &parsed).await?;
        return Ok(());
    }
    if parsed.contains(&account_id) {
        return Err(invalid("You are not your own close friend"));
    }
    let found = accounts::find_many_visible(&state.db, &parsed).await?;
    if found.len() != parsed.len() {
        return Err(ApiError::NotFound);
    }
    let mut transaction = state.db.begin().await?;
    db::add_close_friends(&mut *transaction, account_id, &parsed).await?;
    if db::count_close_friends(&mut *transaction, account_id).await? > MAX_CLOSE_FRIENDS as i64 {
        return Err(invalid("At most 1000 close friends"));
    }
    transaction.commit().await?;
    Ok(())
}
