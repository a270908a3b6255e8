//! Relays (admins only): subscribing the instance actor to Mastodon-style and LitePub
//! relays, ending a subscription, the relay's answer, which relays public posts go to,
//! and which relays' forwarded or announced posts are taken in.
//!
//! A relay is given by a URL. One whose path ends in `/inbox` is a Mastodon-style relay
//! (pub-relay, Activity-Relay, aode-relay's `/inbox`): Roost delivers to that URL a
//! `Follow` of `as:Public` from the instance actor. Any other URL must serve an actor
//! (a LitePub relay, e.g. Pleroma's `/relay`, aode-relay's `/actor`): Roost follows
//! that actor and delivers to its inbox. Adding a relay subscribes at once, as
//! Mastodon's admin does.
//!
//! States: `idle` (not subscribed) → `pending` (Follow sent) → `accepted` or
//! `rejected` (the relay's answer, recognised by the Follow's id, from an actor on the
//! relay's server). Only an `accepted` relay receives public posts (Create, Update,
//! Delete of public statuses, see `services::statuses`' delivery) and only an
//! `accepted` relay's forwarded activities and Announces are taken in (see
//! `federation::inbound::relayed`); disabling sends the `Undo` and goes back to idle.
//!
//! Spec: <https://docs.joinmastodon.org/admin/relays/> and Mastodon's
//! `app/models/relay.rb`.

use sqlx::PgConnection;
use url::Url;

use crate::db::accounts::AccountRow;
use crate::db::relays::{self, NewRelay, RelayRow};
use crate::error::{ApiError, ApiResult};
use crate::federation::builders::relays::{self as builders, Followed};
use crate::federation::protocol::raw::is_actor;
use crate::federation::{fetch, outbound, resolve};
use crate::state::AppState;
use crate::urls;

/// Most relays one server subscribes to: each receives every public post, so the
/// number bounds the deliveries a post costs.
pub const MAX_RELAYS: i64 = 50;
/// Longest relay URL accepted.
const MAX_URL_CHARS: usize = 2048;

/// The two kinds of relay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelayKind {
    /// Followed through `as:Public`, given by its inbox.
    Mastodon,
    /// Followed as an actor, given by its actor id.
    LitePub,
}

impl RelayKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RelayKind::Mastodon => "mastodon",
            RelayKind::LitePub => "litepub",
        }
    }
}

/// Every relay, oldest first.
pub async fn list(state: &AppState) -> ApiResult<Vec<RelayRow>> {
    Ok(relays::all(&state.db).await?)
}

/// The relay `id`. Errors: NotFound.
pub async fn find(state: &AppState, id: i64) -> ApiResult<RelayRow> {
    relays::find(&state.db, id).await?.ok_or(ApiError::NotFound)
}

/// The relay named by its id or by the URL it was added with (its inbox, or a LitePub
/// relay's actor), as an admin types it. Errors: NotFound.
pub async fn find_by_reference(state: &AppState, reference: &str) -> ApiResult<RelayRow> {
    let reference = reference.trim();
    if let Ok(id) = reference.parse::<i64>() {
        return find(state, id).await;
    }
    let all = relays::all(&state.db).await?;
    all.into_iter()
        .find(|relay| {
            relay.inbox_url == reference || relay.actor_ap_id.as_deref() == Some(reference)
        })
        .ok_or(ApiError::NotFound)
}

fn invalid_url(reason: &str) -> ApiError {
    ApiError::validation("inbox_url", "ERR_INVALID", format!("Inbox url {reason}"))
}

/// Adds the relay at `url` and subscribes to it (see the module documentation for how
/// its kind is told). Errors: Validation when the URL is blank, too long, not https
/// (http only under `ROOST_INSECURE_HTTP`), on a private address, neither an inbox nor
/// a fetchable actor, a relay already, or when [`MAX_RELAYS`] are there.
pub async fn add(state: &AppState, url: &str) -> ApiResult<RelayRow> {
    let url = url.trim();
    if url.is_empty() {
        return Err(ApiError::validation(
            "inbox_url",
            "ERR_BLANK",
            "Inbox url can't be blank",
        ));
    }
    if url.chars().count() > MAX_URL_CHARS {
        return Err(invalid_url("is too long"));
    }
    let parsed = Url::parse(url).map_err(|_| invalid_url("is not a URL"))?;
    fetch::check_destination(&state.config, &parsed)
        .await
        .map_err(|_| invalid_url("must be an https URL of a public server"))?;
    if relays::count(&state.db).await? >= MAX_RELAYS {
        return Err(ApiError::Unprocessable(format!(
            "At most {MAX_RELAYS} relays can be added"
        )));
    }
    let (kind, inbox, actor) = target(state, &parsed).await?;
    let new = NewRelay {
        inbox_url: inbox.as_str(),
        kind: kind.as_str(),
        actor_ap_id: actor.as_deref(),
    };
    let relay = relays::insert(&state.db, &new).await?.ok_or_else(|| {
        ApiError::validation("inbox_url", "ERR_TAKEN", "Inbox url has already been taken")
    })?;
    enable(state, relay.id).await
}

/// A relay's kind, inbox and (LitePub) actor id, from the URL an admin gave.
async fn target(state: &AppState, url: &Url) -> ApiResult<(RelayKind, Url, Option<String>)> {
    if url.path().ends_with("/inbox") {
        return Ok((RelayKind::Mastodon, url.clone(), None));
    }
    let document = fetch::fetch_object(state, url)
        .await
        .map_err(|_| invalid_url("is neither a relay's inbox nor an actor"))?;
    if !is_actor(&document) {
        return Err(invalid_url("is neither a relay's inbox nor an actor"));
    }
    let account = resolve::account_by_ap_id(state, url)
        .await
        .map_err(|_| invalid_url("names an actor that could not be read"))?;
    let inbox = account
        .inbox_url
        .as_deref()
        .and_then(|inbox| Url::parse(inbox).ok())
        .ok_or_else(|| invalid_url("names an actor without an inbox"))?;
    Ok((RelayKind::LitePub, inbox, account.ap_id))
}

/// What the relay's subscription follows.
fn followed(relay: &RelayRow) -> ApiResult<Followed> {
    if relay.kind != RelayKind::LitePub.as_str() {
        return Ok(Followed::Public);
    }
    let actor = relay
        .actor_ap_id
        .as_deref()
        .and_then(|actor| Url::parse(actor).ok())
        .ok_or_else(|| anyhow::anyhow!("LitePub relay {} has no actor", relay.id))?;
    Ok(Followed::Actor(actor))
}

fn instance_actor(state: &AppState) -> ApiResult<Url> {
    Ok(Url::parse(&urls::instance_actor(&state.config)).map_err(anyhow::Error::from)?)
}

fn inbox_of(relay: &RelayRow) -> ApiResult<Url> {
    Ok(Url::parse(&relay.inbox_url).map_err(anyhow::Error::from)?)
}

/// Subscribes to the relay `id` (again): a new `Follow` from the instance actor is
/// queued and the relay is pending until it answers. Errors: NotFound.
pub async fn enable(state: &AppState, id: i64) -> ApiResult<RelayRow> {
    let relay = find(state, id).await?;
    let follow_id = Url::parse(&urls::new_activity(&state.config)).map_err(anyhow::Error::from)?;
    let follow = builders::follow(
        follow_id.clone(),
        &instance_actor(state)?,
        &followed(&relay)?,
    );
    let mut transaction = state.db.begin().await?;
    let relay = relays::set_pending(&mut *transaction, id, follow_id.as_str())
        .await?
        .ok_or(ApiError::NotFound)?;
    outbound::deliver_as_instance(&mut transaction, &follow, &[inbox_of(&relay)?]).await?;
    transaction.commit().await?;
    Ok(relay)
}

/// Ends the subscription to the relay `id`: the `Undo` of its `Follow` is queued (if
/// one was sent) and the relay is idle. Idempotent. Errors: NotFound.
pub async fn disable(state: &AppState, id: i64) -> ApiResult<RelayRow> {
    let mut transaction = state.db.begin().await?;
    let relay = unsubscribe(state, &mut transaction, id).await?;
    transaction.commit().await?;
    Ok(relay)
}

/// Ends the subscription to the relay `id` and deletes it. Errors: NotFound.
pub async fn remove(state: &AppState, id: i64) -> ApiResult<()> {
    let mut transaction = state.db.begin().await?;
    unsubscribe(state, &mut transaction, id).await?;
    relays::delete(&mut *transaction, id).await?;
    transaction.commit().await?;
    Ok(())
}

async fn unsubscribe(state: &AppState, conn: &mut PgConnection, id: i64) -> ApiResult<RelayRow> {
    let relay = relays::find(&mut *conn, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let sent = relay.follow_activity_id.as_deref();
    if let Some(follow_id) = sent.and_then(|id| Url::parse(id).ok()) {
        let undo_id =
            Url::parse(&urls::new_activity(&state.config)).map_err(anyhow::Error::from)?;
        let actor = instance_actor(state)?;
        let undo = builders::undo(undo_id, follow_id, &actor, &followed(&relay)?);
        outbound::deliver_as_instance(&mut *conn, &undo, &[inbox_of(&relay)?]).await?;
    }
    relays::set_idle(&mut *conn, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The relay's answer to its subscription.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Accepted,
    Rejected,
}

/// Records `actor`'s `Accept` or `Reject` of the `Follow` `follow_id`, when that is a
/// relay subscription and `actor` speaks for the relay (its known actor, or for a
/// Mastodon-style relay an actor on the server of its inbox). Returns false when
/// `follow_id` is no relay's, so the caller tries the other follows.
pub async fn receive_answer(
    state: &AppState,
    actor: &AccountRow,
    follow_id: &str,
    answer: Answer,
) -> ApiResult<bool> {
    let Some(relay) = relays::find_by_follow(&state.db, follow_id).await? else {
        return Ok(false);
    };
    let Some(actor_id) = actor.ap_id.as_deref() else {
        return Ok(false);
    };
    let speaks_for_relay = match relay.actor_ap_id.as_deref() {
        Some(known) if relay.kind == RelayKind::LitePub.as_str() => known == actor_id,
        _ => crate::federation::protocol::raw::same_origin(actor_id, &relay.inbox_url),
    };
    if !speaks_for_relay {
        return Err(ApiError::Forbidden(
            "only the relay may answer its subscription".into(),
        ));
    }
    let state_name = match answer {
        Answer::Accepted => "accepted",
        Answer::Rejected => "rejected",
    };
    relays::answer(&state.db, relay.id, state_name, actor_id).await?;
    tracing::info!(
        relay = relay.inbox_url,
        state = state_name,
        "relay answered"
    );
    Ok(true)
}

/// Whether `actor` is the actor of an accepted relay, whose forwarded activities and
/// Announces are taken in.
pub async fn is_accepted_relay(state: &AppState, actor: &AccountRow) -> sqlx::Result<bool> {
    match actor.ap_id.as_deref() {
        Some(ap_id) => relays::is_accepted_actor(&state.db, ap_id).await,
        None => Ok(false),
    }
}

/// Takes in the post `object` (a URL) that the accepted relay `relay` announced or
/// forwarded: fetched from its origin and stored as its author's status, never
/// trusting what the relay sent; no boost and no notification of the relay. A post
/// known already is left as it is. Errors: NotFound when it cannot be had.
pub async fn receive_post(state: &AppState, relay: &AccountRow, object: &str) -> ApiResult<()> {
    let url = Url::parse(object).map_err(|_| ApiError::NotFound)?;
    if !is_accepted_relay(state, relay).await? {
        return Err(ApiError::Forbidden("not an accepted relay".into()));
    }
    crate::services::statuses::fetch_known_or_remote(state, &url)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(())
}
