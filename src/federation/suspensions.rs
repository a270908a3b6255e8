//! Suspensions across servers, as the inbox sees them: when a remote server deletes
//! one of its actors, Roost suspends the account here (its posts disappear and follows
//! end). The rule itself lives in `services::moderation`, which also sends the
//! `Delete` of a suspended local account (built by `federation::builders::actors`).
//!
//! Spec: <https://www.w3.org/TR/activitypub/#delete-activity-inbox>,
//! <https://docs.joinmastodon.org/spec/activitypub/#Delete>.

use crate::db::accounts::AccountRow;
use crate::services::moderation;
use crate::state::AppState;

/// A remote actor deleted itself: suspend it here and end every follow with it
/// (`services::moderation::suspend_deleted_actor`).
pub async fn receive_actor_delete(state: &AppState, actor: &AccountRow) -> sqlx::Result<()> {
    moderation::suspend_deleted_actor(state, actor).await
}
