//! Inbound activities: one handler per activity type, each parsing its activity and
//! calling the service that owns the action, and the one outcome type they share.
//!
//! An inbound handler answers with [`Handled`]: done, or a [`Skip`] that says whether
//! the activity is to be kept as it is (ignored, with the reason) or tried again later.
//! [`dispatch`] is what the inbox worker (`federation::inbox::worker`) calls for every
//! stored row; claiming, ordering and retrying rows stay with the worker.
//!
//! Handled: Follow, Accept(Follow), Reject(Follow), Undo (of Like, Announce, Block,
//! Follow: see [`undo`]); Create, Update and Delete of posts; Like, Announce (of a post,
//! or of an activity a group shares: see [`shared_activity`]); Update of
//! the sender's own actor; Move of the sender (see [`move_`]); Block; Flag; Add and Remove of a featured `Hashtag`;
//! FEP-044f `QuoteRequest`; GoToSocial's `ReplyRequest`; stories (`Add`, `Delete` and
//! `View` of a `Story`, see [`stories`]); what an accepted relay forwards
//! or announces (see [`relayed`]). Every other type is kept as stored and marked
//! processed without effect, so later versions can replay it.
//!
//! Spec: <https://www.w3.org/TR/activitypub/#server-to-server-interactions>.

pub mod accept;
pub mod announce;
pub mod block;
pub mod create;
pub mod delete;
pub mod featured_tags;
pub mod flag;
pub mod follow;
pub mod like;
pub mod move_;
pub mod poll_votes;
pub mod quote_request;
pub mod reject;
pub mod relayed;
pub mod reply_request;
pub mod shared_activity;
pub mod stories;
pub mod undo;
pub mod update;
pub mod update_actor;

use crate::db::accounts::{self, AccountRow};
use crate::db::inbox::ClaimedActivity;
use crate::error::ApiError;
use crate::federation::protocol::activity::ActivityKind;
use crate::federation::protocol::raw;
use crate::services::stories::remote::Answer;
use crate::state::AppState;
use crate::urls;

/// Applies one stored activity from its (known) actor: the handler of its type, or
/// [`Skip::Ignored`] for a type Roost does not act on. The sender must be a stored
/// account by now (the inbox resolved it to verify the signature).
pub async fn dispatch(state: &AppState, activity: &ClaimedActivity) -> Handled {
    let actor = accounts::find_by_ap_id(&state.db, &activity.actor_ap_id)
        .await?
        .ok_or_else(|| Skip::ignored("actor unknown"))?;
    // The inbox stores an activity a relay passed on under the relay (its signer), not
    // under the activity's actor: it is confirmed at its origin before it counts.
    if raw::object_id(&activity.payload["actor"]) != Some(activity.actor_ap_id.as_str()) {
        return relayed::receive(state, &actor, activity).await;
    }
    apply(state, &actor, activity).await
}

/// Applies `activity` as `actor`'s: the handler of its type. `actor` must be the
/// activity's authenticated author: the signer of a stored row, or the actor of an
/// activity a group shared once [`shared_activity`] established it.
pub async fn apply(state: &AppState, actor: &AccountRow, activity: &ClaimedActivity) -> Handled {
    match ActivityKind::from(activity.activity_type.clone()) {
        ActivityKind::Follow => follow::receive(state, actor, activity).await,
        ActivityKind::Accept => accept::receive(state, actor, activity).await,
        ActivityKind::Reject => reject::receive(state, actor, activity).await,
        ActivityKind::Undo => undo::receive(state, actor, activity).await,
        ActivityKind::Create => create::receive(state, actor, activity).await,
        ActivityKind::Update if raw::is_actor(&activity.payload["object"]) => {
            update_actor::receive(state, actor, activity).await
        }
        ActivityKind::Update => update::receive(state, actor, activity).await,
        ActivityKind::Delete => delete::receive(state, actor, activity).await,
        ActivityKind::Like => like::receive(state, actor, activity).await,
        ActivityKind::Announce => announce::receive(state, actor, activity).await,
        ActivityKind::Block => block::receive(state, actor, activity).await,
        ActivityKind::Flag => flag::receive(state, actor, activity).await,
        ActivityKind::Move => move_::receive(state, actor, activity).await,
        ActivityKind::Add if stories::is_story(activity) => {
            stories::receive_add(state, actor, activity).await
        }
        ActivityKind::Add => featured_tags::receive(state, actor, activity, true).await,
        ActivityKind::Remove => featured_tags::receive(state, actor, activity, false).await,
        ActivityKind::Unknown(kind) if kind == "QuoteRequest" => {
            quote_request::receive(state, actor, activity).await
        }
        ActivityKind::Unknown(kind) if kind == "ReplyRequest" => {
            reply_request::receive(state, actor, activity).await
        }
        ActivityKind::Unknown(kind) if kind == "View" => {
            stories::receive_view(state, actor, activity).await
        }
        ActivityKind::Unknown(kind) if kind == "Story:Reply" => {
            stories::receive_answer(state, actor, activity, Answer::Reply).await
        }
        ActivityKind::Unknown(kind) if kind == "Story:Reaction" => {
            stories::receive_answer(state, actor, activity, Answer::Reaction).await
        }
        other => Err(Skip::Ignored(format!(
            "{} is not handled yet",
            other.as_str()
        ))),
    }
}

/// The local account an actor URL names (an ignored activity when it names none, or a
/// local account that is gone): the target of an inbound Follow or Block.
pub async fn local_account(state: &AppState, actor_url: Option<&str>) -> Result<AccountRow, Skip> {
    let username = actor_url
        .and_then(|url| urls::local_username(&state.config, url))
        .ok_or_else(|| Skip::ignored("object is not a local actor"))?;
    accounts::find_visible_by_acct(&state.db, username, None)
        .await?
        .ok_or_else(|| Skip::Ignored(format!("no local account {username}")))
}

/// Why an inbound activity had no effect (yet).
#[derive(Debug, thiserror::Error)]
pub enum Skip {
    /// Well-formed but meaningless or not allowed here (wrong target, unknown follow,
    /// a rule of the service refused it); the row is kept with this reason.
    #[error("ignored: {0}")]
    Ignored(String),
    /// A passing failure (database, a peer that did not answer): try again later.
    #[error(transparent)]
    Retry(#[from] anyhow::Error),
}

/// What an inbound handler returns.
pub type Handled = Result<(), Skip>;

impl Skip {
    /// An ignored activity, with its reason.
    pub fn ignored(reason: impl Into<String>) -> Skip {
        Skip::Ignored(reason.into())
    }
}

impl From<sqlx::Error> for Skip {
    fn from(error: sqlx::Error) -> Self {
        Skip::Retry(error.into())
    }
}

/// A service's refusal is final for this activity; only failures that are not the
/// sender's fault (the database, an unreachable peer) are worth another attempt.
impl From<ApiError> for Skip {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::Internal(error) | ApiError::Unavailable(error) => Skip::Retry(error),
            ApiError::Overloaded { .. } => Skip::Retry(anyhow::anyhow!("{error}")),
            refused => Skip::Ignored(refused.to_string()),
        }
    }
}
