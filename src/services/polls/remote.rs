//! Polls from other servers: the poll of a remote `Question` stored with its status,
//! refreshed by each `Update(Question)` (its server's counts are the truth), and
//! remote votes on local polls (`Create(Note)` with `name` = the option and
//! `inReplyTo` = the Question), counted and never stored as statuses. Duplicates (by
//! the vote's id, or a second vote in a single-choice poll), votes after the end and
//! votes for unknown options are ignored.
//!
//! Spec: <https://docs.joinmastodon.org/spec/activitypub/#Question>.

use chrono::Utc;
use sqlx::PgConnection;

use super::UPDATE_DELAY_SECONDS;
use crate::db::accounts::AccountRow;
use crate::db::polls::{self, NewPoll, PollRow, RemoteCounts};
use crate::db::statuses::{self, StatusRow};
use crate::domain::polls::{MAX_REMOTE_OPTIONS, MAX_REMOTE_OPTION_BYTES};
use crate::error::{ApiError, ApiResult};
use crate::federation::protocol::note::{Note, QuestionFields};
use crate::state::AppState;
use crate::urls;

/// Whether `note` is a vote rather than a post: a `name`, no content, and a reply to
/// a status of this server (only local polls receive votes).
pub fn is_vote(state: &AppState, note: &Note) -> bool {
    note.name.is_some()
        && note
            .html_content()
            .is_none_or(|html| html.trim().is_empty())
        && !note.question.is_poll()
        && note
            .in_reply_to_id()
            .is_some_and(|parent| urls::local_status_id(&state.config, parent.as_str()).is_some())
}

/// Counts remote `voter`'s vote (`note`, see [`is_vote`]) in the local poll it answers.
/// Errors (`Unprocessable`: the activity is ignored): no such poll, one the voter may
/// not see (a followers-only poll of someone they do not follow, or a block either
/// way: the rule local voters meet), ended, unknown option, already voted in a
/// single-choice poll, already counted.
pub async fn receive_vote(state: &AppState, voter: &AccountRow, note: &Note) -> ApiResult<()> {
    let ignored = |reason: &str| ApiError::Unprocessable(reason.to_owned());
    let status_id = note
        .in_reply_to_id()
        .and_then(|parent| urls::local_status_id(&state.config, parent.as_str()))
        .ok_or_else(|| ignored("not a vote on a local poll"))?;
    crate::db::statuses::find_visible(&state.db, Some(voter.id), status_id)
        .await?
        .ok_or_else(|| ignored("the voter may not see the poll"))?;
    let found = polls::for_statuses(&state.db, &[status_id])
        .await?
        .pop()
        .ok_or_else(|| ignored("the status has no poll"))?;
    let mut transaction = state.db.begin().await?;
    let poll = polls::lock(&mut transaction, found.id)
        .await?
        .ok_or_else(|| ignored("the poll is gone"))?;
    if poll.expired_at(Utc::now()) {
        return Err(ignored("the poll has ended"));
    }
    let name = note.name.as_deref().unwrap_or_default();
    let choice = (poll.options.iter())
        .position(|option| option == name)
        .and_then(|index| i32::try_from(index).ok())
        .ok_or_else(|| ignored("no such option"))?;
    let voted = polls::has_voted(&mut transaction, poll.id, voter.id).await?;
    if voted && !poll.multiple {
        return Err(ignored("already voted"));
    }
    let ap_id = Some(note.id.to_string());
    let written =
        polls::insert_votes(&mut transaction, poll.id, voter.id, &[choice], &[ap_id]).await?;
    if written.is_empty() {
        return Err(ignored("vote already counted"));
    }
    let delay = Some(UPDATE_DELAY_SECONDS);
    polls::count_votes(&mut transaction, poll.id, &written, !voted, delay).await?;
    transaction.commit().await?;
    Ok(())
}

/// Stores the poll of remote status `status` (just inserted from `note`), if the
/// note is a Question with options; run in the status's transaction.
pub async fn store(conn: &mut PgConnection, status: &StatusRow, note: &Note) -> sqlx::Result<()> {
    let question = &note.question;
    if !question.is_poll() {
        return Ok(());
    }
    let (options, counts) = options_of(question);
    polls::insert(
        conn,
        status.id,
        status.account_id,
        &NewPoll {
            options: &options,
            votes_counts: &counts,
            multiple: question.multiple(),
            hide_totals: false,
            expires_at: question.end_time,
            voters_count: voters_of(question, &counts),
            closed_at: question.closed_at(),
        },
    )
    .await?;
    Ok(())
}

/// The options (bounded in number and length) and their counts.
fn options_of(question: &QuestionFields) -> (Vec<String>, Vec<i64>) {
    question
        .options()
        .iter()
        .take(MAX_REMOTE_OPTIONS)
        .map(|option| (bounded(&option.name), option.votes()))
        .unzip()
}

/// `votersCount`, else (a single-choice poll, or a server that does not say) the sum.
fn voters_of(question: &QuestionFields, counts: &[i64]) -> i64 {
    question
        .voters_count
        .unwrap_or_else(|| counts.iter().sum())
        .max(0)
}

fn bounded(name: &str) -> String {
    let mut end = name.len().min(MAX_REMOTE_OPTION_BYTES);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name[..end].to_owned()
}

/// Applies what an `Update(Question)` by `author` says of a stored remote poll: its
/// counts, end and closing; other options (the author edited the poll) replace the
/// old ones and their votes. A status that had no poll gets one. Errors:
/// `Unprocessable` for an unknown post, `Forbidden` when `author` did not write it.
/// Returns whether the Update is also an edit of the post (its `updated` is newer
/// than the last edit known).
pub async fn receive_update(state: &AppState, author: &AccountRow, note: &Note) -> ApiResult<bool> {
    let Some(status) = statuses::find_by_ap_id(&state.db, note.id.as_str()).await? else {
        return Err(ApiError::Unprocessable("update of an unknown post".into()));
    };
    if status.account_id != author.id {
        return Err(ApiError::Forbidden(
            "only the author may update a poll".into(),
        ));
    }
    let mut transaction = state.db.begin().await?;
    let existing = polls::for_statuses(&mut *transaction, &[status.id])
        .await?
        .pop();
    match existing {
        Some(poll) if same_options(&poll, &note.question) => {
            refresh(&mut transaction, &poll, &note.question).await?;
        }
        Some(_) => {
            polls::delete_for_status(&mut transaction, status.id).await?;
            store(&mut transaction, &status, note).await?;
        }
        None => store(&mut transaction, &status, note).await?,
    }
    transaction.commit().await?;
    let last_edit = status.edited_at.unwrap_or(status.created_at);
    Ok(note.updated.is_some_and(|updated| updated > last_edit))
}

fn same_options(poll: &PollRow, question: &QuestionFields) -> bool {
    let (options, _) = options_of(question);
    options == poll.options && question.multiple() == poll.multiple
}

async fn refresh(
    conn: &mut PgConnection,
    poll: &PollRow,
    question: &QuestionFields,
) -> sqlx::Result<()> {
    let (_, counts) = options_of(question);
    polls::refresh(
        conn,
        poll,
        &RemoteCounts {
            votes_counts: &counts,
            voters_count: voters_of(question, &counts),
            expires_at: question.end_time,
            closed_at: question.closed_at(),
        },
    )
    .await
}
