//! Scheduled statuses (<https://docs.joinmastodon.org/methods/scheduled_statuses/>):
//! a post with `scheduled_at` is validated as any post is (`services::statuses::post`
//! calls [`schedule`]), kept with its parameters and its media reserved, and published
//! by the worker in [`publish`] once it is due. Mastodon's rules: at least five minutes
//! ahead, at most 300 waiting and 25 on one (UTC) day per account.

mod publish;

pub use publish::{run_forever, run_once, QUEUE_NAME};

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::db::media::{self, MediaRow};
use crate::db::scheduled_statuses::{self as db, ScheduledRow};
use crate::db::Page;
use crate::domain::polls::{PollRequest, ValidPoll};
use crate::domain::{Id, Visibility};
use crate::error::{ApiError, ApiResult};
use crate::services::statuses::NewPost;
use crate::state::AppState;

/// How far ahead a status must be scheduled (Mastodon's `MIN_SCHEDULE_OFFSET`).
const MIN_OFFSET: chrono::Duration = chrono::Duration::minutes(5);
/// Scheduled statuses one account may have waiting (Mastodon's `TOTAL_LIMIT`).
const TOTAL_LIMIT: i64 = 300;
/// Scheduled statuses one account may have on one UTC day (Mastodon's `DAILY_LIMIT`).
const DAILY_LIMIT: i64 = 25;

/// The parameters a status was scheduled with, in the keys Mastodon's
/// ScheduledStatus entity shows; the worker posts them unchanged.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Params {
    pub text: Option<String>,
    pub poll: Option<ScheduledPoll>,
    pub media_ids: Option<Vec<String>>,
    pub sensitive: Option<bool>,
    pub spoiler_text: Option<String>,
    pub visibility: Option<String>,
    /// Always null here, as in Mastodon (the time is the entity's own field).
    pub scheduled_at: Option<String>,
    pub in_reply_to_id: Option<String>,
    pub language: Option<String>,
    pub application_id: Option<i64>,
    pub idempotency: Option<String>,
    pub with_rate_limit: bool,
    /// The status it quotes (Mastodon 4.5).
    pub quoted_status_id: Option<String>,
    /// Who may quote it.
    pub quote_approval_policy: Option<String>,
    /// Who may reply to it (Roost's reply controls).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_policy: Option<String>,
}

/// The poll of a scheduled status, as validated when it was scheduled (its duration
/// counts from publication).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct ScheduledPoll {
    pub options: Vec<String>,
    pub expires_in: i64,
    pub multiple: bool,
    pub hide_totals: bool,
}

impl Params {
    /// The post these parameters make, publishing scheduled status `id`.
    fn to_post(&self, id: i64) -> NewPost<'_> {
        NewPost {
            text: self.text.as_deref(),
            in_reply_to_id: self.in_reply_to_id.as_deref(),
            visibility: self.visibility.as_deref(),
            spoiler_text: self.spoiler_text.as_deref(),
            sensitive: self.sensitive,
            language: self.language.as_deref(),
            media_ids: self.media_ids.as_deref(),
            idempotency_key: None,
            application_id: self.application_id,
            scheduled_at: None,
            from_schedule: Some(id),
            quoted_status_id: self.quoted_status_id.as_deref(),
            quote_approval_policy: self.quote_approval_policy.as_deref(),
            reply_policy: self.reply_policy.as_deref(),
            kind: crate::services::statuses::PostKind::Post,
            music: Default::default(),
            poll: self.poll.as_ref().map(|poll| PollRequest {
                options: &poll.options,
                expires_in: Some(poll.expires_in),
                multiple: poll.multiple,
                hide_totals: poll.hide_totals,
            }),
        }
    }
}

/// A scheduled status with the media reserved for it.
#[derive(Debug)]
pub struct Scheduled {
    pub row: ScheduledRow,
    pub media: Vec<MediaRow>,
}

/// What posting validated before [`schedule`] keeps it for later.
#[derive(Debug)]
pub struct Checked<'a> {
    /// The media to reserve, in order.
    pub media_ids: Option<&'a [i64]>,
    /// The visibility asked for, or the author's default.
    pub visibility: Visibility,
    /// The status it replies to.
    pub in_reply_to_id: Option<i64>,
    /// The language kept.
    pub language: Option<&'a str>,
    /// The `Idempotency-Key` of the request, trimmed.
    pub idempotency_key: Option<&'a str>,
    /// The poll, validated.
    pub poll: Option<&'a ValidPoll>,
}

/// `scheduled_at` as sent (ISO 8601), when it is far enough ahead. Errors:
/// `Validation` for a time that does not parse or is less than five minutes away.
pub fn publish_time(text: &str) -> ApiResult<DateTime<Utc>> {
    let at = DateTime::parse_from_rfc3339(text.trim())
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| {
            ApiError::validation("scheduled_at", "ERR_INVALID", "Scheduled at is invalid")
        })?;
    if at <= Utc::now() + MIN_OFFSET {
        return Err(ApiError::validation(
            "scheduled_at",
            "ERR_TOO_SOON",
            "Scheduled at The scheduled date must be in the future",
        ));
    }
    Ok(at)
}

/// The scheduled status an earlier request of `author_id` with this
/// `Idempotency-Key` created, if any.
pub async fn repeated(state: &AppState, author_id: i64, key: &str) -> ApiResult<Option<Scheduled>> {
    match db::find_by_idempotency_key(&state.db, author_id, key).await? {
        Some(row) => Ok(Some(with_media(state, row).await?)),
        None => Ok(None),
    }
}

/// Keeps a validated post of local account `author_id` for `at`, reserving its media,
/// within the account's limits. Errors: `Validation` over a limit or when an upload was
/// taken meanwhile.
pub async fn schedule(
    state: &AppState,
    author_id: i64,
    new: &NewPost<'_>,
    checked: &Checked<'_>,
    at: DateTime<Utc>,
) -> ApiResult<Scheduled> {
    let params = Params {
        text: new.text.map(str::to_owned),
        media_ids: checked
            .media_ids
            .map(|ids| ids.iter().map(|id| Id(*id).to_string()).collect()),
        sensitive: new.sensitive,
        spoiler_text: new.spoiler_text.map(str::to_owned),
        visibility: Some(checked.visibility.as_str().to_owned()),
        in_reply_to_id: checked.in_reply_to_id.map(|id| Id(id).to_string()),
        language: checked.language.map(str::to_owned),
        application_id: new.application_id,
        idempotency: checked.idempotency_key.map(str::to_owned),
        quoted_status_id: new.quoted_status_id.map(str::to_owned),
        quote_approval_policy: new.quote_approval_policy.map(str::to_owned),
        reply_policy: new.reply_policy.map(str::to_owned),
        poll: checked.poll.map(|poll| ScheduledPoll {
            options: poll.options.clone(),
            expires_in: poll.expires_in,
            multiple: poll.multiple,
            hide_totals: poll.hide_totals,
        }),
        ..Params::default()
    };
    let params = serde_json::to_value(&params).map_err(|e| ApiError::Internal(e.into()))?;
    let mut transaction = state.db.begin().await?;
    check_limits(&mut transaction, author_id, at, false).await?;
    let row = db::insert(
        &mut transaction,
        author_id,
        at,
        &params,
        checked.idempotency_key,
    )
    .await?;
    if let Some(ids) = checked.media_ids.filter(|ids| !ids.is_empty()) {
        if !media::reserve_for_scheduled(&mut transaction, author_id, row.id, ids).await? {
            return Err(ApiError::validation(
                "media_ids",
                "ERR_INVALID",
                "Media attachments must be your own unattached uploads",
            ));
        }
    }
    let media = media::for_scheduled(&mut *transaction, &[row.id]).await?;
    transaction.commit().await?;
    let media = media.into_iter().map(|m| m.media).collect();
    Ok(Scheduled { row, media })
}

/// Mastodon's two limits, counted under a lock of the account row: the total (unless
/// `moving`, an existing row that counts already) and the day of `at`.
async fn check_limits(
    conn: &mut sqlx::PgConnection,
    author_id: i64,
    at: DateTime<Utc>,
    moving: bool,
) -> ApiResult<()> {
    let (total, on_day) = db::count_locked(conn, author_id, at).await?;
    let over = |reason: String| Err(ApiError::validation("scheduled_at", "ERR_LIMIT", reason));
    if !moving && total >= TOTAL_LIMIT {
        return over(format!(
            "You have exceeded the limit of {TOTAL_LIMIT} scheduled posts"
        ));
    }
    if on_day >= DAILY_LIMIT {
        return over(format!(
            "You have exceeded the limit of {DAILY_LIMIT} scheduled posts for today"
        ));
    }
    Ok(())
}

/// A page of `account_id`'s scheduled statuses, newest first, with their media.
pub async fn list(state: &AppState, account_id: i64, page: &Page) -> ApiResult<Vec<Scheduled>> {
    let rows = db::page(&state.db, account_id, page).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let mut by_status: HashMap<i64, Vec<MediaRow>> = HashMap::new();
    for reserved in media::for_scheduled(&state.db, &ids).await? {
        (by_status.entry(reserved.scheduled_status_id).or_default()).push(reserved.media);
    }
    Ok(rows
        .into_iter()
        .map(|row| Scheduled {
            media: by_status.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect())
}

/// One of `account_id`'s scheduled statuses. `NotFound` otherwise.
pub async fn show(state: &AppState, account_id: i64, id: i64) -> ApiResult<Scheduled> {
    let row = db::find_own(&state.db, account_id, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    with_media(state, row).await
}

/// Moves one of `account_id`'s scheduled statuses to `scheduled_at` (the same rules
/// as scheduling: five minutes ahead, the limits of the new day). A missing
/// `scheduled_at` changes nothing, as in Mastodon.
pub async fn reschedule(
    state: &AppState,
    account_id: i64,
    id: i64,
    scheduled_at: Option<&str>,
) -> ApiResult<Scheduled> {
    let current = show(state, account_id, id).await?;
    let Some(text) = scheduled_at.filter(|t| !t.trim().is_empty()) else {
        return Ok(current);
    };
    let at = publish_time(text)?;
    let mut transaction = state.db.begin().await?;
    if current.row.scheduled_at.date_naive() != at.date_naive() {
        check_limits(&mut transaction, account_id, at, true).await?;
    }
    let row = db::reschedule(&mut transaction, account_id, id, at)
        .await?
        .ok_or(ApiError::NotFound)?;
    transaction.commit().await?;
    Ok(Scheduled {
        row,
        media: current.media,
    })
}

/// Cancels one of `account_id`'s scheduled statuses; its uploads are free again.
pub async fn cancel(state: &AppState, account_id: i64, id: i64) -> ApiResult<()> {
    if db::delete_own(&state.db, account_id, id).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

async fn with_media(state: &AppState, row: ScheduledRow) -> ApiResult<Scheduled> {
    let media = media::for_scheduled(&state.db, &[row.id]).await?;
    Ok(Scheduled {
        row,
        media: media.into_iter().map(|m| m.media).collect(),
    })
}
