//! Polls: the poll of a local post (checked with the post, written in its
//! transaction, replaced by an edit), reading one as a viewer may, and voting, local
//! and remote alike. A local vote on a remote poll is sent to the poll's author as a
//! `Create(Note)`; votes on a local poll make its `Update(Question)` due, shared by
//! the votes of a burst and sent by [`closing`], which also closes polls on time.
//! Remote Questions and votes arrive through [`remote`].
//!
//! Spec: <https://docs.joinmastodon.org/methods/polls/>,
//! <https://docs.joinmastodon.org/spec/activitypub/#Question>.

pub mod closing;
pub mod remote;

use chrono::{Duration, Utc};
use sqlx::PgConnection;
use url::Url;

use crate::db::accounts::{self, AccountRow};
use crate::db::custom_emojis::{self, CustomEmojiRow};
use crate::db::polls::{self, NewPoll, PollRow};
use crate::db::statuses::{self, StatusRow};
use crate::domain::polls::{choices, PollRequest, PollRuleError, ValidPoll};
use crate::error::{ApiError, ApiResult};
use crate::federation::builders::polls::{vote as vote_activity, Vote};
use crate::federation::outbound;
use crate::state::AppState;
use crate::urls;

/// How long a local poll's `Update(Question)` waits for more votes, in seconds: the
/// votes of a burst are sent as one Update.
pub const UPDATE_DELAY_SECONDS: i64 = 30;

/// A poll as one viewer sees it: the row and, for a signed-in viewer, their choices.
#[derive(Clone, Debug)]
pub struct Viewed {
    /// The poll.
    pub poll: PollRow,
    /// The viewer's choices (empty when they did not vote); `None` without a viewer.
    pub own_votes: Option<Vec<i32>>,
    /// The custom emoji of its status (read by [`show`] and [`vote`], which render the
    /// poll alone; left empty where the status is rendered with its emoji).
    pub emojis: Vec<CustomEmojiRow>,
}

fn rule_error(error: PollRuleError) -> ApiError {
    let field = match error {
        PollRuleError::InvalidChoice | PollRuleError::SingleChoice => "choices",
        _ => "poll",
    };
    ApiError::validation(field, "ERR_INVALID", error.to_string())
}

fn refused(reason: &str) -> ApiError {
    ApiError::validation("poll", "ERR_INVALID", reason)
}

/// The poll a new post or an edit asks for, checked: `None` when it asks for none.
/// A poll and media together are refused, as Mastodon does. Errors: `Validation`.
pub fn check(request: Option<&PollRequest<'_>>, has_media: bool) -> ApiResult<Option<ValidPoll>> {
    let Some(request) = request else {
        return Ok(None);
    };
    if has_media {
        return Err(ApiError::validation(
            "media_ids",
            "ERR_INVALID",
            "Media attachments and a poll cannot be combined",
        ));
    }
    request.validate().map(Some).map_err(rule_error)
}

/// Writes the poll of local status `status` (just inserted) in the post's transaction.
pub async fn create(
    conn: &mut PgConnection,
    status: &StatusRow,
    poll: Option<&ValidPoll>,
) -> sqlx::Result<Option<PollRow>> {
    let Some(poll) = poll else {
        return Ok(None);
    };
    let expires_at = status.created_at + Duration::seconds(poll.expires_in);
    let row = polls::insert(
        conn,
        status.id,
        status.account_id,
        &new_poll(poll, expires_at),
    )
    .await?;
    Ok(Some(row))
}

fn new_poll(poll: &ValidPoll, expires_at: chrono::DateTime<Utc>) -> NewPoll<'_> {
    NewPoll {
        options: &poll.options,
        votes_counts: &[],
        multiple: poll.multiple,
        hide_totals: poll.hide_totals,
        expires_at: Some(expires_at),
        voters_count: 0,
        closed_at: None,
    }
}

/// The poll of local status `status` after an edit asking for `poll` (its versions
/// keep the options each had), as Mastodon edits one: none asked removes it; other options (or another `multiple`) reset
/// every vote; otherwise the votes stay and the settings and end change.
pub async fn edit(
    conn: &mut PgConnection,
    status: &StatusRow,
    poll: Option<&ValidPoll>,
) -> sqlx::Result<Option<PollRow>> {
    let existing = polls::for_statuses(&mut *conn, &[status.id]).await?.pop();
    let before = existing.as_ref().map(|poll| poll.options.as_slice());
    let after = poll.map(|poll| poll.options.as_slice());
    polls::record_version_options(conn, status.id, before, after).await?;
    let (Some(asked), Some(existing)) = (poll, existing.as_ref()) else {
        if poll.is_none() {
            polls::delete_for_status(conn, status.id).await?;
            return Ok(None);
        }
        return create_at_now(conn, status, poll).await;
    };
    let expires_at = Utc::now() + Duration::seconds(asked.expires_in);
    let fresh = new_poll(asked, expires_at);
    if existing.options != asked.options || existing.multiple != asked.multiple {
        return polls::reset(conn, existing.id, &fresh).await.map(Some);
    }
    polls::update_settings(conn, existing.id, asked.hide_totals, expires_at)
        .await
        .map(Some)
}

async fn create_at_now(
    conn: &mut PgConnection,
    status: &StatusRow,
    poll: Option<&ValidPoll>,
) -> sqlx::Result<Option<PollRow>> {
    let Some(poll) = poll else {
        return Ok(None);
    };
    let expires_at = Utc::now() + Duration::seconds(poll.expires_in);
    let row = polls::insert(
        conn,
        status.id,
        status.account_id,
        &new_poll(poll, expires_at),
    )
    .await?;
    Ok(Some(row))
}

/// Poll `id` as `viewer` sees it; `NotFound` unless its status is visible to them.
pub async fn show(state: &AppState, viewer: Option<i64>, id: i64) -> ApiResult<Viewed> {
    let poll = polls::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    crate::services::statuses::visible(state, viewer, poll.status_id).await?;
    let own_votes = match viewer {
        Some(viewer) => Some(own_choices(&state.db, viewer, poll.id).await?),
        None => None,
    };
    let emojis = custom_emojis::of_status(&state.db, poll.status_id).await?;
    Ok(Viewed {
        poll,
        own_votes,
        emojis,
    })
}

async fn own_choices(
    db: impl sqlx::PgExecutor<'_>,
    account_id: i64,
    poll_id: i64,
) -> sqlx::Result<Vec<i32>> {
    Ok(polls::choices_of(db, account_id, &[poll_id])
        .await?
        .into_iter()
        .map(|(_, choice)| choice)
        .collect())
}

/// Casts local account `voter_id`'s vote for `raw_choices` (option indexes) in poll
/// `id`: once per account, never in one's own poll, never after its end, each choice
/// an existing option, several only in a multiple-choice poll (422 each, Mastodon's
/// messages; nothing is written then). The poll's row is locked while counting, so
/// concurrent votes all count. A vote on a remote poll is queued to its author.
pub async fn vote(
    state: &AppState,
    voter_id: i64,
    id: i64,
    raw_choices: &[String],
) -> ApiResult<Viewed> {
    let found = polls::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let status = crate::services::statuses::visible(state, Some(voter_id), found.status_id).await?;
    let mut transaction = state.db.begin().await?;
    let poll = polls::lock(&mut transaction, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if poll.expired_at(Utc::now()) {
        return Err(refused("The poll has already ended"));
    }
    if poll.account_id == voter_id {
        return Err(refused("You cannot vote in your own polls"));
    }
    let chosen = choices(raw_choices, poll.options.len(), poll.multiple).map_err(rule_error)?;
    if polls::has_voted(&mut transaction, poll.id, voter_id).await? {
        return Err(refused("You have already voted on this poll"));
    }
    let vote_ids: Vec<Option<String>> = chosen
        .iter()
        .map(|_| (!status.local).then(|| urls::new_activity(&state.config)))
        .collect();
    polls::insert_votes(&mut transaction, poll.id, voter_id, &chosen, &vote_ids).await?;
    let delay = status.local.then_some(UPDATE_DELAY_SECONDS);
    let poll = polls::count_votes(&mut transaction, poll.id, &chosen, true, delay).await?;
    if !status.local {
        send_votes(
            state,
            &mut transaction,
            voter_id,
            &status,
            &poll,
            (&chosen, &vote_ids),
        )
        .await?;
    }
    transaction.commit().await?;
    let emojis = custom_emojis::of_status(&state.db, poll.status_id).await?;
    Ok(Viewed {
        poll,
        own_votes: Some(chosen),
        emojis,
    })
}

/// Queues one `Create(Note)` per choice of local `voter_id` to the remote author of
/// `status`'s poll.
async fn send_votes(
    state: &AppState,
    conn: &mut PgConnection,
    voter_id: i64,
    status: &StatusRow,
    poll: &PollRow,
    (chosen, vote_ids): (&[i32], &[Option<String>]),
) -> ApiResult<()> {
    let voter = account(conn, voter_id).await?;
    let author = account(conn, status.account_id).await?;
    let (Some(question), Some(author_id)) = (status.ap_id.as_deref(), author.ap_id.as_deref())
    else {
        return Ok(());
    };
    let voter_url = urls::local_actor(&state.config, &voter.username).id;
    for (choice, vote_id) in chosen.iter().zip(vote_ids) {
        let (Some(option), Some(vote_id)) = (poll.options.get(*choice as usize), vote_id) else {
            continue;
        };
        let create = vote_activity(&Vote {
            id: Url::parse(vote_id).map_err(anyhow::Error::from)?,
            voter: voter_url.clone(),
            question: Url::parse(question).map_err(anyhow::Error::from)?,
            poll_author: Url::parse(author_id).map_err(anyhow::Error::from)?,
            option,
        })?;
        outbound::deliver_to(conn, &create, &voter, &author).await?;
    }
    Ok(())
}

async fn account(conn: &mut PgConnection, id: i64) -> ApiResult<AccountRow> {
    accounts::find_by_id(&mut *conn, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The polls of a page of statuses as `viewer` sees them, with their choices in each
/// from `chosen` ((poll id, choice) pairs, by poll then choice; see
/// [`crate::db::page_facts`]).
pub fn viewed(viewer: Option<i64>, rows: Vec<PollRow>, chosen: &[(i64, i32)]) -> Vec<Viewed> {
    (rows.into_iter())
        .map(|poll| {
            let own = viewer.map(|_| {
                (chosen.iter())
                    .filter(|(id, _)| *id == poll.id)
                    .map(|(_, choice)| *choice)
                    .collect()
            });
            Viewed {
                poll,
                own_votes: own,
                emojis: Vec::new(),
            }
        })
        .collect()
}

/// The status a poll belongs to (deleted or not), for the workers.
async fn status_of(conn: &mut PgConnection, poll: &PollRow) -> sqlx::Result<Option<StatusRow>> {
    Ok(statuses::find_many(&mut *conn, &[poll.status_id])
        .await?
        .pop())
}
