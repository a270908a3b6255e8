//! Posting, editing and deleting statuses, for every transport: the client API
//! (`api::v1::statuses`) and the inbound federation handlers (`federation::inbound`
//! create, update and delete) call these functions, so a rule is written once.
//!
//! - [`post`] validates what a local author typed (text, media, content warning,
//!   visibility, the parent it replies to), composes it, and writes the status, its
//!   notifications, its media and the `Create` for its audience in one transaction.
//! - [`edit`] and [`delete`] change a local or a remote status; only its author may.
//!   Local changes are sent to the audience (`Update`, `Delete`); remote ones came from
//!   there.
//! - [`receive_note`] and [`receive_edit`] store what other servers post
//!   (`remote` below: which posts are kept, how their threads are completed).
//!
//! [`insert`] is the one path by which a status (local or remote) and its
//! notifications are written, and [`apply_edit`] the one by which an edit is.
//! Boosts and favourites are `services::interactions`' business.
//! Spec: <https://docs.joinmastodon.org/methods/statuses/>.

mod compose;
mod delivery;
mod media;
mod remote;
mod rules;

pub use compose::{compose, Composed};
pub use remote::{
    adopt_orphans, fetch_known_or_remote, receive_edit, receive_note, receive_shared_note,
    status_by_uri,
};
pub use rules::MAX_SPOILER_CHARACTERS;

use sqlx::PgConnection;

use crate::db::accounts::{self, AccountRow};
use crate::db::custom_emojis::CustomEmojiRow;
use crate::db::media::MediaRow;
use crate::db::oauth::AppRow;
use crate::db::quotes::QuoteRow;
use crate::db::statuses::{self, EditRow, NewStatus, StatusEdit, StatusRow};
use crate::domain::quotes::QuotePolicy;
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::services::notifications::create as notifications;
use crate::services::quotes;
use crate::services::scheduled_statuses::{self, Scheduled};
use crate::state::AppState;
use delivery::Change;
use rules::{check_body, conversation, language, visibility, Body, Defaults};

/// Longest `Idempotency-Key` remembered (longer ones are ignored, as absent).
const MAX_IDEMPOTENCY_KEY: usize = 128;

/// What a local author asks to post, as the client sent it (the service validates it).
#[derive(Debug, Default)]
pub struct NewPost<'a> {
    /// The text as typed.
    pub text: Option<&'a str>,
    /// The id of the status it replies to.
    pub in_reply_to_id: Option<&'a str>,
    /// `public`, `unlisted`, `private` or `direct`; the author's default when absent.
    pub visibility: Option<&'a str>,
    /// Content warning.
    pub spoiler_text: Option<&'a str>,
    /// Whether media is hidden by default (always, with a content warning).
    pub sensitive: Option<bool>,
    /// ISO 639 language code (ignored unless 2 to 8 characters); the author's
    /// `source[language]` when absent.
    pub language: Option<&'a str>,
    /// The author's uploads to attach.
    pub media_ids: Option<&'a [String]>,
    /// The `Idempotency-Key` header: a repeat within a day returns the first status.
    pub idempotency_key: Option<&'a str>,
    /// The OAuth app of the token it is posted with (shown as `application`).
    pub application_id: Option<i64>,
    /// When to publish it (ISO 8601, five minutes ahead at least): it is then kept as a
    /// scheduled status (`services::scheduled_statuses`) instead.
    pub scheduled_at: Option<&'a str>,
    /// The scheduled status this post publishes (set by its worker only): the row is
    /// taken in the post's transaction, so it is published once, with its media.
    pub from_schedule: Option<i64>,
    /// The poll to attach (`poll[...]`), as sent.
    pub poll: Option<crate::domain::polls::PollRequest<'a>>,
    /// The id of the status it quotes (Mastodon 4.5).
    pub quoted_status_id: Option<&'a str>,
    /// Who may quote it: `public`, `followers` or `nobody`; the author's default when absent.
    pub quote_approval_policy: Option<&'a str>,
    /// Who may reply: `everyone` (default), `followers`, `mentioned` or `nobody`.
    pub reply_policy: Option<&'a str>,
    /// An ordinary post or a reel (`services::reels` checks a reel's video).
    pub kind: PostKind,
    /// The music track it carries (`music[…]`; empty: none), see `services::music`.
    pub music: super::music::TrackInput<'a>,
}

/// What kind of post a status is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PostKind {
    /// An ordinary status.
    #[default]
    Post,
    /// A reel: one short vertical video, also listed in the reels feeds.
    Reel,
}

/// A status its author has just written, with everything it was made of.
#[derive(Debug)]
pub struct Written {
    /// The row as inserted or updated.
    pub row: StatusRow,
    /// The author, read after the write (its counters include it).
    pub author: AccountRow,
    /// The accounts it mentions.
    pub mentioned: Vec<AccountRow>,
    /// Its hashtags, lowercased.
    pub tags: Vec<String>,
    /// Its media, in position order.
    pub media: Vec<MediaRow>,
    /// The custom emoji it uses.
    pub emojis: Vec<CustomEmojiRow>,
    /// The OAuth app it was posted with, if known.
    pub application: Option<AppRow>,
    /// Its poll, if it has one.
    pub poll: Option<crate::db::polls::PollRow>,
    /// The quote it makes, if any.
    pub quote: Option<QuoteRow>,
    /// Who may quote it.
    pub quote_policy: QuotePolicy,
    /// Who may reply to it.
    pub reply_policy: crate::domain::replies::ReplyPolicy,
    /// Whether it is a reel.
    pub kind: PostKind,
    /// The id of its music track, if it carries one.
    pub music: Option<i64>,
}

/// What [`post`] did.
#[derive(Debug)]
pub enum Posted {
    /// A new status (boxed: it carries the author and the mentioned accounts).
    New(Box<Written>),
    /// The status an earlier request with the same `Idempotency-Key` created.
    Again(Box<StatusRow>),
    /// Kept for later (`scheduled_at`), or kept by an earlier request with the same
    /// `Idempotency-Key`.
    Scheduled(Box<Scheduled>),
}

/// Posts a status (or a reply) by local account `author_id`: validates, writes the
/// status with its mentions, tags, notifications and media, and queues its `Create`
/// to the audience, all in one transaction. Errors: `Validation` (text, media, content
/// warning, visibility), `NotFound` (a parent the author may not see),
/// `Unprocessable` (an account that moved: `services::account_moves`).
pub async fn post(state: &AppState, author_id: i64, new: &NewPost<'_>) -> ApiResult<Posted> {
    let settings = crate::db::users::posting_settings(&state.db, author_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    super::account_moves::refuse_moved(settings.moved_to_account_id)?;
    let idempotency_key = new
        .idempotency_key
        .map(str::trim)
        .filter(|key| !key.is_empty() && key.len() <= MAX_IDEMPOTENCY_KEY);
    let scheduled_at = (new.scheduled_at.filter(|at| !at.trim().is_empty()))
        .map(scheduled_statuses::publish_time)
        .transpose()?;
    if let Some(key) = idempotency_key {
        if let Some(again) = repeated(state, author_id, key, scheduled_at.is_some()).await? {
            return Ok(again);
        }
    }
    let text = new.text.unwrap_or_default();
    let body = Body {
        text,
        spoiler_text: new.spoiler_text,
        media_ids: new.media_ids,
        scheduled_id: new.from_schedule,
    };
    let media_ids = check_body(state, author_id, None, &body).await?;
    if new.kind == PostKind::Reel {
        if scheduled_at.is_some() || new.from_schedule.is_some() {
            let reason = "A reel cannot be scheduled";
            return Err(ApiError::validation("scheduled_at", "ERR_INVALID", reason));
        }
        super::reels::check(state, author_id, media_ids.as_deref()).await?;
    }
    let music = super::music::check(state, author_id, &new.music).await?;
    if music.is_some() && (scheduled_at.is_some() || new.from_schedule.is_some()) {
        let reason = "A post with music cannot be scheduled";
        return Err(ApiError::validation("scheduled_at", "ERR_INVALID", reason));
    }
    let poll = super::polls::check(
        new.poll.as_ref(),
        media_ids.as_ref().is_some_and(|m| !m.is_empty()),
    )?;
    let parent = reply_parent(state, author_id, new.in_reply_to_id).await?;
    let approval = super::reply_controls::check(state, author_id, parent.as_ref()).await?;
    let reply_policy =
        super::reply_controls::policy_for_post(new.reply_policy, settings.reply_policy.as_deref())?;
    let defaults = Defaults::of(&settings);
    let visibility = visibility(new.visibility, defaults.visibility)?;
    let language = language(new.language).or(defaults.language.as_deref());
    let quote = quotes::plan(state, author_id, new.quoted_status_id).await?;
    let quote_policy = quotes::policy_for_post(
        new.quote_approval_policy,
        visibility,
        settings.quote_policy.as_deref(),
    )?;
    if let Some(at) = scheduled_at {
        let checked = scheduled_statuses::Checked {
            media_ids: media_ids.as_deref(),
            visibility,
            in_reply_to_id: parent.as_ref().map(|p| p.id),
            language,
            idempotency_key,
            poll: poll.as_ref(),
        };
        let kept = scheduled_statuses::schedule(state, author_id, new, &checked, at).await?;
        return Ok(Posted::Scheduled(Box::new(kept)));
    }
    let spoiler_text = new.spoiler_text.unwrap_or_default();
    let composed = compose(state, text, spoiler_text, poll.as_ref()).await?;
    let mentioned: Vec<i64> = composed.mentioned.iter().map(|a| a.id).collect();
    let emoji_ids: Vec<i64> = composed.emojis.iter().map(|e| e.id).collect();
    let conversation = conversation(state, parent.as_ref());
    let mut transaction = state.db.begin().await?;
    if let Some(id) = new.from_schedule {
        if !crate::db::scheduled_statuses::take(&mut transaction, id).await? {
            return Err(ApiError::NotFound);
        }
    }
    let (row, author) = insert_with_author(
        &mut transaction,
        &NewStatus {
            account_id: author_id,
            local: true,
            ap_id: None,
            url: None,
            text,
            content: &composed.html,
            spoiler_text,
            sensitive: new.sensitive.unwrap_or(false) || !spoiler_text.is_empty(),
            visibility,
            language,
            application_id: new.application_id,
            in_reply_to_id: parent.as_ref().map(|p| p.id),
            in_reply_to_account_id: parent.as_ref().map(|p| p.account_id),
            reblog_of_id: None,
            conversation: Some(&conversation),
            created_at: None,
            mentioned_account_ids: &mentioned,
            tags: &composed.tags,
            emoji_ids: &emoji_ids,
        },
    )
    .await?;
    if let Some(key) = idempotency_key {
        statuses::remember_idempotency_key(&mut transaction, author_id, key, row.id).await?;
    }
    super::groups::record_reply(&mut transaction, &row, parent.as_ref()).await?;
    let poll = super::polls::create(&mut transaction, &row, poll.as_ref()).await?;
    quotes::record_quote(&state.config, &mut transaction, &row, quote.as_ref()).await?;
    super::reply_controls::record(
        &mut transaction,
        row.id,
        quote_policy,
        reply_policy,
        approval,
    )
    .await?;
    if new.kind == PostKind::Reel {
        super::reels::record(&mut transaction, row.id).await?;
    }
    let track = match &music {
        Some(track) => Some(super::music::attach(&mut transaction, row.id, track).await?),
        None => None,
    };
    let known = Known::New {
        quotes: quote.is_some(),
        quote_policy,
        reply_policy,
        kind: new.kind,
    };
    let mut written = finish_local(
        state,
        &mut transaction,
        row,
        author,
        composed,
        media_ids.as_deref(),
        known,
    )
    .await?;
    written.poll = poll;
    written.music = track;
    delivery::send(
        state,
        &mut transaction,
        &written,
        parent.as_ref(),
        Change::Created,
    )
    .await?;
    crate::services::cards::on_posted(state, &mut transaction, &written.row, &written.author)
        .await?;
    let (author, quote) = (&written.author, written.quote.as_ref());
    quotes::send_request(state, &mut transaction, author, &written.row, quote).await?;
    transaction.commit().await?;
    Ok(Posted::New(Box::new(written)))
}

/// What an earlier request of `author_id` with this `Idempotency-Key` made: a scheduled
/// status when this one is `scheduling`, else a status the author may still see.
async fn repeated(
    state: &AppState,
    author_id: i64,
    key: &str,
    scheduling: bool,
) -> ApiResult<Option<Posted>> {
    if scheduling {
        let kept = scheduled_statuses::repeated(state, author_id, key).await?;
        return Ok(kept.map(|kept| Posted::Scheduled(Box::new(kept))));
    }
    match statuses::idempotent_status(&state.db, author_id, key).await? {
        Some(existing) => {
            let row = visible(state, Some(author_id), existing).await?;
            Ok(Some(Posted::Again(Box::new(row))))
        }
        None => Ok(None),
    }
}

/// The status a new post replies to: one its author may see (`NotFound` otherwise).
async fn reply_parent(
    state: &AppState,
    author_id: i64,
    in_reply_to_id: Option<&str>,
) -> ApiResult<Option<StatusRow>> {
    match in_reply_to_id.filter(|id| !id.is_empty()) {
        Some(id) => {
            let id: Id = id.parse().map_err(|_| ApiError::NotFound)?;
            Ok(Some(visible(state, Some(author_id), id.0).await?))
        }
        None => Ok(None),
    }
}

/// What the caller of [`finish_local`] knows of the status already.
enum Known {
    /// A status just posted, with what posting decided (no read needed but the quote
    /// row, when it quotes).
    New {
        quotes: bool,
        quote_policy: QuotePolicy,
        reply_policy: crate::domain::replies::ReplyPolicy,
        kind: PostKind,
    },
    /// An edited status: its media, quote, policies and kind are read.
    Edited,
}

/// Attaches the media of a local status just inserted or edited and gathers what it is
/// rendered and sent from. An edited status may carry media already, so they are read
/// even when no `media_ids` came. The author is `author` when the insert answered it,
/// else read on the transaction's own connection (a request never waits for a second
/// pooled connection while holding one), after the write moved its counters.
async fn finish_local(
    state: &AppState,
    conn: &mut PgConnection,
    row: StatusRow,
    author: Option<AccountRow>,
    composed: Composed,
    media_ids: Option<&[i64]>,
    known: Known,
) -> ApiResult<Written> {
    let author = match author {
        Some(author) => author,
        None => accounts::find_by_id(&mut *conn, row.account_id)
            .await?
            .ok_or(ApiError::NotFound)?,
    };
    media::attach_media(&mut *conn, row.account_id, row.id, media_ids).await?;
    let had_media = matches!(known, Known::Edited);
    let media = if had_media || media_ids.is_some_and(|ids| !ids.is_empty()) {
        crate::db::media::for_statuses(&mut *conn, &[row.id]).await?
    } else {
        Vec::new()
    };
    let application = match row.application_id {
        Some(id) => state.apps.find(&mut *conn, id).await?,
        None => None,
    };
    let (quote, quote_policy, reply_policy, kind) = match known {
        Known::New {
            quotes,
            quote_policy,
            reply_policy,
            kind,
        } => {
            let quote = match quotes {
                true => crate::db::quotes::find(&mut *conn, row.id).await?,
                false => None,
            };
            (quote, quote_policy, reply_policy, kind)
        }
        Known::Edited => {
            let (quote, quote_policy) =
                crate::db::quotes::of_local_status(&mut *conn, row.id).await?;
            let reply_policy = super::reply_controls::policy_of(&mut *conn, row.id).await?;
            let kind = match crate::db::reels::is_reel(&mut *conn, row.id).await? {
                true => PostKind::Reel,
                false => PostKind::Post,
            };
            (quote, quote_policy, reply_policy, kind)
        }
    };
    Ok(Written {
        row,
        author,
        mentioned: composed.mentioned,
        tags: composed.tags,
        media,
        emojis: composed.emojis,
        application,
        poll: None,
        quote,
        quote_policy,
        reply_policy,
        kind,
        music: None,
    })
}

/// Writes a status, local or remote, with its mentions and tags, and notifies the
/// mentioned and (unless direct) the followers who asked to hear of new posts. The one
/// insert path of statuses; run it in the caller's transaction.
pub async fn insert(conn: &mut PgConnection, new: &NewStatus<'_>) -> sqlx::Result<StatusRow> {
    let row = statuses::insert(&mut *conn, new).await?;
    notify_inserted(conn, &row, new).await?;
    Ok(row)
}

/// [`insert`], also answering the author as the insert's counters left it (see
/// `db::statuses::insert_with_author`), which a local post is shown with.
async fn insert_with_author(
    conn: &mut PgConnection,
    new: &NewStatus<'_>,
) -> sqlx::Result<(StatusRow, Option<AccountRow>)> {
    let (row, author) = statuses::insert_with_author(&mut *conn, new).await?;
    notify_inserted(conn, &row, new).await?;
    Ok((row, author))
}

/// What follows a status's insert: the mentioned and the followers who asked to hear
/// of new posts notified, the conversation recorded (not for boosts).
async fn notify_inserted(
    conn: &mut PgConnection,
    row: &StatusRow,
    new: &NewStatus<'_>,
) -> sqlx::Result<()> {
    if row.reblog_of_id.is_none() {
        notifications::notify_new_status(
            conn,
            row.id,
            row.account_id,
            row.visibility,
            new.mentioned_account_ids,
        )
        .await?;
        super::conversations::record(conn, row, new.mentioned_account_ids).await?;
    }
    Ok(())
}

/// Replaces the text of a status, local or remote (every version is kept), and tells
/// the local accounts that boosted, favourited or were mentioned in it. The one edit
/// path of statuses; run it in the caller's transaction.
pub async fn apply_edit(
    conn: &mut PgConnection,
    row: &StatusRow,
    edit: &StatusEdit<'_>,
) -> sqlx::Result<StatusRow> {
    let edited = statuses::edit(&mut *conn, row, edit).await?;
    notifications::notify_edit(conn, row.id, row.account_id).await?;
    quotes::notify_quoters(conn, row.id, row.account_id).await?;
    Ok(edited)
}

/// A status `viewer` may see, by id. `NotFound` otherwise.
pub async fn visible(state: &AppState, viewer: Option<i64>, id: i64) -> ApiResult<StatusRow> {
    statuses::find_visible(&state.db, viewer, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// A page of the direct replies to `row` that `viewer` may see, newest first, as the
/// thread shows them (`db::statuses::replies`): the comments of a post.
pub async fn replies(
    state: &AppState,
    viewer: Option<i64>,
    row: &StatusRow,
    page: &crate::db::Page,
) -> ApiResult<Vec<StatusRow>> {
    Ok(statuses::replies(&state.db, viewer, row.id, page).await?)
}

/// Posts shown above a status in its thread (the API's 40).
const THREAD_ANCESTORS: i64 = 40;
/// Posts shown below a status in its thread (the API's 60).
const THREAD_DESCENDANTS: i64 = 60;

/// The thread around `row` as `viewer` may see it: the posts it answers (oldest
/// first) and the replies below it. Skips the walk up for a post that answers nothing,
/// and for a signed-out viewer the walk down for a post nobody answered
/// (`replies_count`, which most posts are): a signed-in one may also see their own
/// replies that await the author's approval, which are not counted.
pub async fn thread(
    state: &AppState,
    viewer: Option<i64>,
    row: &StatusRow,
) -> ApiResult<(Vec<StatusRow>, Vec<StatusRow>)> {
    let ancestors = if row.in_reply_to_id.is_some() {
        statuses::ancestors(&state.db, viewer, row.id, THREAD_ANCESTORS).await?
    } else {
        Vec::new()
    };
    let descendants = if row.replies_count > 0 || viewer.is_some() {
        statuses::descendants(&state.db, viewer, row.id, THREAD_DESCENDANTS).await?
    } else {
        Vec::new()
    };
    Ok((ancestors, descendants))
}

/// The statuses of `ids` that `viewer` may see, in the order asked; the others are
/// left out (as Mastodon's `GET /api/v1/statuses?id[]=`).
pub async fn visible_many(
    state: &AppState,
    viewer: Option<i64>,
    ids: &[i64],
) -> ApiResult<Vec<StatusRow>> {
    let mut rows = statuses::find_many_visible(&state.db, viewer, ids).await?;
    rows.sort_by_key(|row| ids.iter().position(|id| *id == row.id));
    Ok(rows)
}

/// A status of account `account_id` (not a boost), by id: what its author may edit,
/// delete or read the source of. `NotFound` otherwise.
pub async fn own(state: &AppState, account_id: i64, id: i64) -> ApiResult<StatusRow> {
    let row = visible(state, Some(account_id), id).await?;
    if row.account_id != account_id || row.reblog_of_id.is_some() {
        return Err(ApiError::NotFound);
    }
    Ok(row)
}

/// Sends the `Update` of local status `row` whose interaction policy (not its text)
/// changed, to its audience.
pub async fn send_policy_update(state: &AppState, row: &StatusRow) -> ApiResult<()> {
    let author = accounts::find_by_id(&state.db, row.account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut transaction = state.db.begin().await?;
    delivery::send_unchanged(state, &mut transaction, &author, row).await?;
    transaction.commit().await?;
    Ok(())
}

/// Status `id` as `viewer` may see it, with every version of it, oldest first (a
/// status never edited is its own only version). `NotFound` otherwise.
pub async fn history(
    state: &AppState,
    viewer: Option<i64>,
    id: i64,
) -> ApiResult<(StatusRow, Vec<EditRow>)> {
    let row = visible(state, viewer, id).await?;
    let mut versions = statuses::versions(&state.db, row.id).await?;
    if versions.is_empty() {
        versions.push(EditRow {
            text: row.text.clone(),
            content: row.content.clone(),
            spoiler_text: row.spoiler_text.clone(),
            sensitive: row.sensitive,
            created_at: row.created_at,
            poll_options: crate::db::polls::for_statuses(&state.db, &[row.id])
                .await?
                .pop()
                .map(|poll| poll.options),
        });
    }
    Ok((row, versions))
}

/// What a local author changes in an edit (`PUT /api/v1/statuses/:id`), as sent;
/// absent fields keep their value.
#[derive(Debug, Default)]
pub struct PostEdit<'a> {
    /// The new text.
    pub text: Option<&'a str>,
    /// The new content warning.
    pub spoiler_text: Option<&'a str>,
    /// Whether media is hidden by default.
    pub sensitive: Option<bool>,
    /// ISO 639 language code.
    pub language: Option<&'a str>,
    /// The media the status keeps or gains (absent: unchanged).
    pub media_ids: Option<&'a [String]>,
    /// The poll it has after the edit (absent: none, as Mastodon).
    pub poll: Option<crate::domain::polls::PollRequest<'a>>,
}

/// Edits status `id` of local account `author_id` (the same rules as posting), keeps the
/// earlier version, notifies who interacted with it, and queues its `Update` to the
/// audience. Returns the edited row. Errors: `NotFound` (not the author's own status),
/// `Validation`.
pub async fn edit(
    state: &AppState,
    author_id: i64,
    id: i64,
    change: &PostEdit<'_>,
) -> ApiResult<StatusRow> {
    let row = own(state, author_id, id).await?;
    let text = change.text.unwrap_or(&row.text);
    let spoiler_text = change.spoiler_text.unwrap_or(&row.spoiler_text);
    let body = Body {
        text,
        spoiler_text: Some(spoiler_text),
        media_ids: change.media_ids,
        scheduled_id: None,
    };
    let media_ids = check_body(state, author_id, Some(&row), &body).await?;
    // A reel stays one vertical video whatever an edit sends.
    if media_ids.is_some() && crate::db::reels::is_reel(&state.db, row.id).await? {
        super::reels::check(state, author_id, media_ids.as_deref()).await?;
    }
    let has_media = media::has_media(state, &row, media_ids.as_deref()).await?;
    let poll = super::polls::check(change.poll.as_ref(), has_media)?;
    let composed = compose(state, text, spoiler_text, poll.as_ref()).await?;
    let mentioned: Vec<i64> = composed.mentioned.iter().map(|a| a.id).collect();
    let emoji_ids: Vec<i64> = composed.emojis.iter().map(|e| e.id).collect();
    let mut transaction = state.db.begin().await?;
    let edited = apply_edit(
        &mut transaction,
        &row,
        &StatusEdit {
            text,
            content: &composed.html,
            spoiler_text,
            sensitive: change.sensitive.unwrap_or(row.sensitive) || !spoiler_text.is_empty(),
            language: language(change.language),
            mentioned_account_ids: &mentioned,
            tags: &composed.tags,
            emoji_ids: &emoji_ids,
        },
    )
    .await?;
    let mut written = finish_local(
        state,
        &mut transaction,
        edited,
        None,
        composed,
        media_ids.as_deref(),
        Known::Edited,
    )
    .await?;
    written.poll = super::polls::edit(&mut transaction, &written.row, poll.as_ref()).await?;
    crate::services::cards::on_edited(state, &mut transaction, &written.row).await?;
    // Mentions are only ever added: the audience is everyone the status ever named.
    written.mentioned = mentioned_in(&mut transaction, written.row.id).await?;
    let parent = parent_of(&mut transaction, &written.row).await?;
    delivery::send(
        state,
        &mut transaction,
        &written,
        parent.as_ref(),
        Change::Updated,
    )
    .await?;
    transaction.commit().await?;
    Ok(written.row)
}

/// Deletes `status` (and the boosts of it) on behalf of account `author_id`, who must be
/// its author, local or remote. A local status's `Delete` is queued to its audience
/// first, while its mentions still tell who that is. Errors: `Forbidden` (not the
/// author).
pub async fn delete(state: &AppState, author_id: i64, status: &StatusRow) -> ApiResult<()> {
    if status.account_id != author_id {
        return Err(ApiError::Forbidden(
            "only the author may delete a post".into(),
        ));
    }
    let mut transaction = state.db.begin().await?;
    if status.local {
        let author = accounts::find_by_id(&mut *transaction, author_id)
            .await?
            .ok_or(ApiError::NotFound)?;
        let mentioned = mentioned_in(&mut transaction, status.id).await?;
        delivery::send_delete(state, &mut transaction, &author, status, &mentioned).await?;
    }
    statuses::delete(&mut transaction, status.id).await?;
    crate::db::quotes::quoted_deleted(&mut *transaction, status.id).await?;
    super::conversations::forget(&mut transaction, status).await?;
    transaction.commit().await?;
    Ok(())
}

/// Every account status `status_id` mentions.
async fn mentioned_in(conn: &mut PgConnection, status_id: i64) -> sqlx::Result<Vec<AccountRow>> {
    let ids: Vec<i64> = statuses::mentions(&mut *conn, &[status_id])
        .await?
        .into_iter()
        .map(|(_, account)| account)
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    accounts::find_many(&mut *conn, &ids).await
}

/// The status `row` replies to, deleted or not (its id stays the thread's link).
async fn parent_of(conn: &mut PgConnection, row: &StatusRow) -> sqlx::Result<Option<StatusRow>> {
    match row.in_reply_to_id {
        Some(parent) => Ok(statuses::find_many(&mut *conn, &[parent]).await?.pop()),
        None => Ok(None),
    }
}
