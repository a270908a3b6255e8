//! Processing stored inbound activities. Workers claim rows of `inbox_activities`
//! (`FOR UPDATE SKIP LOCKED`, leased), apply each activity, and mark it processed.
//!
//! Handled here: Follow, Accept(Follow), Reject(Follow), Undo(Follow); Create, Update
//! and Delete of posts, Like, Announce and their Undo (see `receive_posts`); Update of
//! the sender's own actor (see `profile`); Block and Undo(Block) (see `blocks`); Flag
//! (see `reports`). Every
//! other type is kept as stored and marked processed without effect, so later
//! versions can replay it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use serde_json::Value;

use super::inbox::object_id;
use super::receive_posts as posts;
use super::{blocks, follows, reports};
use crate::db::accounts::{self, AccountRow};
use crate::db::follows::{self as follow_rows, FollowRow};
use crate::db::inbox::{self, ClaimedActivity};
use crate::state::AppState;
use crate::urls;

/// Activities processed per claim.
const BATCH: i64 = 32;
const LEASE_SECS: i64 = 60;
const IDLE_POLL: Duration = Duration::from_secs(5);
/// Attempts before a failing activity is set aside (processed, with its error).
const MAX_ATTEMPTS: i32 = 5;

/// Why an activity had no effect.
#[derive(Debug, thiserror::Error)]
enum Skip {
    /// It is well-formed but makes no sense here (wrong target, unknown follow…).
    #[error("ignored: {0}")]
    Ignored(String),
    /// A passing failure (database): try again later.
    #[error(transparent)]
    Transient(#[from] anyhow::Error),
}

impl From<posts::PostSkip> for Skip {
    fn from(skip: posts::PostSkip) -> Self {
        match skip {
            posts::PostSkip::Ignored(reason) => Skip::Ignored(reason),
            posts::PostSkip::Transient(error) => Skip::Transient(error),
        }
    }
}

impl From<reports::FlagSkip> for Skip {
    fn from(skip: reports::FlagSkip) -> Self {
        match skip {
            reports::FlagSkip::Ignored(reason) => Skip::Ignored(reason),
            reports::FlagSkip::Transient(error) => Skip::Transient(error),
        }
    }
}

impl From<sqlx::Error> for Skip {
    fn from(error: sqlx::Error) -> Self {
        Skip::Transient(error.into())
    }
}

/// Actors whose activities are settled at the same time.
const ACTORS_IN_FLIGHT: usize = 8;

/// Processes every pending activity once; returns how many were handled.
pub async fn run_once(state: &AppState) -> anyhow::Result<usize> {
    let mut handled = 0;
    loop {
        let mut batch = inbox::claim(&state.db, BATCH, LEASE_SECS).await?;
        if batch.is_empty() {
            return Ok(handled);
        }
        handled += batch.len();
        batch.sort_by_key(|activity| activity.id);
        settle_batch(state, batch).await?;
    }
}

/// Settles a batch: one actor's activities one after another, in the order they were
/// received (a Follow is never overtaken by its own Undo, nor a Create by its Update),
/// and different actors' at the same time, at most [`ACTORS_IN_FLIGHT`], so that one
/// sender's slow activity does not hold up the others.
async fn settle_batch(state: &AppState, batch: Vec<ClaimedActivity>) -> sqlx::Result<()> {
    let mut groups: Vec<Vec<ClaimedActivity>> = Vec::new();
    let mut group_of: HashMap<String, usize> = HashMap::new();
    for activity in batch {
        match group_of.get(&activity.actor_ap_id) {
            Some(&index) => groups[index].push(activity),
            None => {
                group_of.insert(activity.actor_ap_id.clone(), groups.len());
                groups.push(vec![activity]);
            }
        }
    }
    let slots = Arc::new(tokio::sync::Semaphore::new(ACTORS_IN_FLIGHT));
    let mut tasks = tokio::task::JoinSet::new();
    for group in groups {
        let Ok(slot) = slots.clone().acquire_owned().await else {
            break;
        };
        let state = state.clone();
        tasks.spawn(async move {
            let _slot = slot;
            for activity in &group {
                settle(&state, activity).await?;
            }
            Ok::<(), sqlx::Error>(())
        });
    }
    let mut outcome = Ok(());
    while let Some(done) = tasks.join_next().await {
        if let Ok(Err(error)) = done {
            outcome = Err(error);
        }
    }
    outcome
}

/// Runs until `stop` turns true, woken by NOTIFY when activities are stored.
pub async fn run_forever(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    let mut listener = crate::db::listen(&state.db, inbox::NOTIFY_CHANNEL).await;
    while !*stop.borrow() {
        match run_once(&state).await {
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "inbox worker pass failed"),
        }
        tokio::select! {
            _ = stop.changed() => {}
            _ = crate::db::notified(&mut listener) => {}
            _ = tokio::time::sleep(IDLE_POLL) => {}
        }
    }
}

/// Applies one activity and records the result on its row.
#[tracing::instrument(skip_all, fields(id = %activity.activity_id, kind = %activity.activity_type))]
async fn settle(state: &AppState, activity: &ClaimedActivity) -> sqlx::Result<()> {
    match apply(state, activity).await {
        Ok(()) => inbox::mark_processed(&state.db, activity.id, None).await,
        Err(Skip::Ignored(reason)) => {
            tracing::info!(%reason, "activity ignored");
            inbox::mark_processed(&state.db, activity.id, Some(&reason)).await
        }
        Err(Skip::Transient(error)) if activity.attempts < MAX_ATTEMPTS => {
            let wait = chrono::Duration::seconds(30 * i64::from(activity.attempts.max(1)));
            tracing::warn!(error = %format!("{error:#}"), "activity failed; will retry");
            inbox::mark_retry(
                &state.db,
                activity.id,
                &format!("{error:#}"),
                Utc::now() + wait,
            )
            .await
        }
        Err(Skip::Transient(error)) => {
            tracing::warn!(error = %format!("{error:#}"), "activity failed for the last time");
            inbox::mark_processed(&state.db, activity.id, Some(&format!("{error:#}"))).await
        }
    }
}

async fn apply(state: &AppState, activity: &ClaimedActivity) -> Result<(), Skip> {
    let actor = accounts::find_by_ap_id(&state.db, &activity.actor_ap_id)
        .await?
        .ok_or_else(|| Skip::Ignored("actor unknown".into()))?;
    let object = &activity.payload["object"];
    match activity.activity_type.as_str() {
        "Follow" => receive_follow(state, &actor, &activity.activity_id, object).await,
        "Accept" => receive_answer(state, &actor, object, true).await,
        "Reject" => receive_answer(state, &actor, object, false).await,
        "Undo" => receive_undo(state, &actor, object).await,
        "Create" => Ok(posts::receive_create(state, &actor, object).await?),
        "Update" if is_actor(object) => {
            match super::profile::receive_actor_update(state, &actor, object).await {
                Ok(()) => Ok(()),
                Err(super::profile::ProfileSkip::Ignored(reason)) => Err(Skip::Ignored(reason)),
                Err(super::profile::ProfileSkip::Transient(error)) => Err(Skip::Transient(error)),
            }
        }
        "Update" => Ok(posts::receive_update(state, &actor, object).await?),
        "Delete" => Ok(posts::receive_delete(state, &actor, object).await?),
        "Like" => Ok(posts::receive_like(state, &actor, &activity.activity_id, object).await?),
        "Announce" => Ok(posts::receive_announce(state, &actor, &activity.payload).await?),
        "Block" => receive_block(state, &actor, &activity.activity_id, object).await,
        "Flag" => {
            Ok(
                reports::receive_flag(state, &actor, &activity.activity_id, &activity.payload)
                    .await?,
            )
        }
        other => Err(Skip::Ignored(format!("{other} is not handled yet"))),
    }
}

/// Whether an embedded object is an actor (Update(Person) and its kin).
fn is_actor(object: &Value) -> bool {
    object["type"].as_str().is_some_and(|kind| {
        matches!(
            kind,
            "Person" | "Service" | "Application" | "Group" | "Organization"
        )
    })
}

/// The local account an actor URL names.
async fn local_account(state: &AppState, actor_url: Option<&str>) -> Result<AccountRow, Skip> {
    let username = actor_url
        .and_then(|url| urls::local_username(&state.config, url))
        .ok_or_else(|| Skip::Ignored("object is not a local actor".into()))?;
    accounts::find_visible_by_acct(&state.db, username, None)
        .await?
        .ok_or_else(|| Skip::Ignored(format!("no local account {username}")))
}

async fn receive_follow(
    state: &AppState,
    follower: &AccountRow,
    follow_id: &str,
    object: &Value,
) -> Result<(), Skip> {
    let target = local_account(state, object_id(object)).await?;
    if target.suspended_at.is_some() {
        return Err(Skip::Ignored("target suspended".into()));
    }
    follows::receive_follow(state, follower, &target, follow_id).await?;
    Ok(())
}

/// The follow an Accept/Reject/Undo refers to: by the Follow's id, or (for peers that
/// embed a Follow with an id Roost does not know) by the pair it names.
async fn referenced_follow(state: &AppState, object: &Value) -> Result<FollowRow, Skip> {
    if object.is_object() && object["type"].as_str().is_some_and(|kind| kind != "Follow") {
        return Err(Skip::Ignored("object is not a Follow".into()));
    }
    if let Some(id) = object_id(object) {
        if let Some(follow) = follow_rows::find_by_ap_id(&state.db, id).await? {
            return Ok(follow);
        }
    }
    let follower = object_id(&object["actor"]);
    let followed = object_id(&object["object"]);
    if let (Some(follower), Some(followed)) = (follower, followed) {
        let follower = account_by_actor_url(state, follower).await?;
        let followed = account_by_actor_url(state, followed).await?;
        if let Some(follow) = follow_rows::find_pair(&state.db, follower.id, followed.id).await? {
            return Ok(follow);
        }
    }
    Err(Skip::Ignored("no such follow".into()))
}

async fn account_by_actor_url(state: &AppState, url: &str) -> Result<AccountRow, Skip> {
    if urls::local_username(&state.config, url).is_some() {
        return local_account(state, Some(url)).await;
    }
    accounts::find_by_ap_id(&state.db, url)
        .await?
        .ok_or_else(|| Skip::Ignored(format!("unknown actor {url}")))
}

async fn receive_answer(
    state: &AppState,
    sender: &AccountRow,
    object: &Value,
    accepted: bool,
) -> Result<(), Skip> {
    let follow = referenced_follow(state, object).await?;
    if follow.target_account_id != sender.id {
        return Err(Skip::Ignored(
            "only the followed account may answer a follow".into(),
        ));
    }
    if accepted {
        follows::receive_accept(state, sender, &follow).await?;
    } else {
        follows::receive_removal(state, &follow).await?;
    }
    Ok(())
}

async fn receive_undo(state: &AppState, sender: &AccountRow, object: &Value) -> Result<(), Skip> {
    if posts::receive_undo(state, sender, object).await? {
        return Ok(());
    }
    if blocks::receive_undo(state, sender, object).await? {
        return Ok(());
    }
    let follow = referenced_follow(state, object).await?;
    if follow.account_id != sender.id {
        return Err(Skip::Ignored("only the follower may undo a follow".into()));
    }
    follows::receive_removal(state, &follow).await?;
    Ok(())
}

async fn receive_block(
    state: &AppState,
    blocker: &AccountRow,
    block_id: &str,
    object: &Value,
) -> Result<(), Skip> {
    let target = local_account(state, object_id(object)).await?;
    blocks::receive_block(state, blocker, &target, block_id).await?;
    Ok(())
}
