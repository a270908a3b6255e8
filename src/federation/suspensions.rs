//! Suspensions across servers. When a local account is suspended, every server that
//! knows it through a follow gets a `Delete` of the actor (as Mastodon sends), and its
//! actor URL answers 410 Gone from then on. When a remote server deletes one of its
//! actors, Roost suspends the account here: its posts disappear and follows end.
//!
//! Spec: <https://www.w3.org/TR/activitypub/#delete-activity-inbox>,
//! <https://docs.joinmastodon.org/spec/activitypub/#Delete>.

use serde_json::json;
use sqlx::PgConnection;

use super::outbound;
use super::protocol::PUBLIC;
use crate::db::accounts::AccountRow;
use crate::db::moderation::{self, Restriction};
use crate::state::AppState;
use crate::urls;

/// Queues `Delete(actor)` of a local account to the inboxes of every remote account
/// that follows it or that it follows. Call before the follows are severed.
pub async fn send_actor_delete(
    state: &AppState,
    conn: &mut PgConnection,
    account: &AccountRow,
) -> anyhow::Result<u64> {
    let inboxes: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT coalesce(a.shared_inbox_url, a.inbox_url) FROM follows f \
         JOIN accounts a ON (a.id = f.account_id AND f.target_account_id = $1) \
                         OR (a.id = f.target_account_id AND f.account_id = $1) \
         WHERE a.domain IS NOT NULL AND coalesce(a.shared_inbox_url, a.inbox_url) IS NOT NULL",
    )
    .bind(account.id)
    .fetch_all(&mut *conn)
    .await?;
    let inboxes: Vec<url::Url> = inboxes
        .iter()
        .filter_map(|inbox| url::Url::parse(inbox).ok())
        .collect();
    if inboxes.is_empty() {
        return Ok(0);
    }
    let actor = urls::actor(&state.config, &account.username);
    let activity = outbound::activity(
        "Delete",
        &format!("{actor}#delete"),
        &actor,
        json!(actor),
        &[PUBLIC],
    );
    Ok(outbound::deliver(conn, &activity, account, &inboxes).await?)
}

/// A remote actor deleted itself: suspend it here (its posts are hidden from then on)
/// and end every follow with it.
pub async fn receive_actor_delete(state: &AppState, actor: &AccountRow) -> sqlx::Result<()> {
    let mut transaction = state.db.begin().await?;
    moderation::set_restriction(&mut *transaction, actor.id, Restriction::Suspended, true).await?;
    moderation::sever_follows(&mut transaction, actor.id).await?;
    transaction.commit().await
}
