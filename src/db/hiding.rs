//! What blocks, mutes and a user's domain blocks hide, as SQL conditions every read
//! shares (Mastodon's behaviour: <https://docs.joinmastodon.org/methods/accounts/#block>,
//! <https://docs.joinmastodon.org/methods/accounts/#mute>,
//! <https://docs.joinmastodon.org/methods/domain_blocks/>).
//!
//! - A block hides both sides from each other everywhere; that rule is part of
//!   [`super::statuses::VISIBLE_TO_VIEWER`], so every status read applies it.
//! - A mute and a domain block hide from feeds (home, public, hashtag timelines,
//!   threads, streams) but not from the account's own page: [`NOT_MUTED`]. The home
//!   timeline also leaves out posts mentioning blocked or muted accounts:
//!   [`NO_HIDDEN_MENTIONS`].
//! - Notifications are never created from (or listed for) a blocked or blocking
//!   account, an account muted with notifications, or a blocked domain the recipient
//!   does not follow into: [`notification_allowed`].

use sqlx::PgExecutor;

/// SQL condition on status `s` and viewer `$1` (NULL: anonymous, nothing hidden):
/// neither its author nor the author of the status it boosts is muted by the viewer
/// or on a domain the viewer blocked (unless the viewer follows that account).
pub const NOT_MUTED: &str = "NOT EXISTS (SELECT 1 FROM accounts ha \
    WHERE ha.id IN (s.account_id, (SELECT o.account_id FROM statuses o WHERE o.id = s.reblog_of_id)) \
      AND (EXISTS (SELECT 1 FROM mutes mu WHERE mu.account_id = $1 AND mu.target_account_id = ha.id \
                   AND (mu.expires_at IS NULL OR mu.expires_at > now())) \
        OR (EXISTS (SELECT 1 FROM account_domain_blocks db WHERE db.account_id = $1 AND db.domain = ha.domain) \
            AND NOT EXISTS (SELECT 1 FROM follows hf WHERE hf.account_id = $1 \
                            AND hf.target_account_id = ha.id AND hf.accepted))))";

/// SQL condition on status `s` and viewer `$1`, for the home timeline only (as
/// Mastodon's home feed): neither it nor the status it boosts mentions an account the
/// viewer blocks or mutes.
pub const NO_HIDDEN_MENTIONS: &str = "NOT EXISTS (SELECT 1 FROM mentions hm \
    WHERE hm.status_id IN (s.id, s.reblog_of_id) AND hm.account_id <> $1 \
      AND (EXISTS (SELECT 1 FROM blocks hb WHERE hb.account_id = $1 AND hb.target_account_id = hm.account_id) \
        OR EXISTS (SELECT 1 FROM mutes hmu WHERE hmu.account_id = $1 AND hmu.target_account_id = hm.account_id \
                   AND (hmu.expires_at IS NULL OR hmu.expires_at > now()))))";

/// SQL condition: the local `recipient` wants notifications caused by `sender` (both
/// SQL expressions yielding account ids): no block either way, no active mute with
/// notifications, and no domain block of the sender's domain unless the recipient
/// follows the sender.
pub fn notification_allowed(recipient: &str, sender: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM blocks nb WHERE (nb.account_id = {recipient} AND nb.target_account_id = {sender}) \
           OR (nb.account_id = {sender} AND nb.target_account_id = {recipient})) \
         AND NOT EXISTS (SELECT 1 FROM mutes nm WHERE nm.account_id = {recipient} \
           AND nm.target_account_id = {sender} AND nm.notifications \
           AND (nm.expires_at IS NULL OR nm.expires_at > now())) \
         AND NOT EXISTS (SELECT 1 FROM accounts na JOIN account_domain_blocks nd ON nd.domain = na.domain \
           WHERE na.id = {sender} AND nd.account_id = {recipient} \
           AND NOT EXISTS (SELECT 1 FROM follows nf WHERE nf.account_id = {recipient} \
             AND nf.target_account_id = {sender} AND nf.accepted))"
    )
}

/// Whether status `status_id` belongs in `viewer`'s feeds (home, public, hashtag
/// streams): not hidden by a mute or a domain block. Blocks are checked by the
/// visibility rule already.
pub async fn shown_in_feeds(
    db: impl PgExecutor<'_>,
    viewer: Option<i64>,
    status_id: i64,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(&format!(
        "SELECT {NOT_MUTED} FROM statuses s WHERE s.id = $2"
    ))
    .bind(viewer)
    .bind(status_id)
    .fetch_optional(db)
    .await
    .map(|shown| shown.unwrap_or(false))
}

/// Those of `status_ids` that belong in `viewer`'s feeds ([`shown_in_feeds`] for many).
pub async fn shown_in_feeds_among(
    db: impl PgExecutor<'_>,
    viewer: Option<i64>,
    status_ids: &[i64],
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(&format!(
        "SELECT s.id FROM statuses s WHERE s.id = ANY($2) AND {NOT_MUTED}"
    ))
    .bind(viewer)
    .bind(status_ids)
    .fetch_all(db)
    .await
}

/// Whether a block exists between two accounts, either way.
pub async fn blocked_between(
    db: impl PgExecutor<'_>,
    first: i64,
    second: i64,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM blocks WHERE (account_id = $1 AND target_account_id = $2) \
           OR (account_id = $2 AND target_account_id = $1))",
    )
    .bind(first)
    .bind(second)
    .fetch_one(db)
    .await
}

/// Of `ids`, those in a block with `viewer` either way (to leave out of search results).
pub async fn blocked_among(
    db: impl PgExecutor<'_>,
    viewer: i64,
    ids: &[i64],
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT t.id FROM unnest($2::bigint[]) AS t(id) WHERE EXISTS (SELECT 1 FROM blocks b \
           WHERE (b.account_id = $1 AND b.target_account_id = t.id) \
              OR (b.account_id = t.id AND b.target_account_id = $1))",
    )
    .bind(viewer)
    .bind(ids)
    .fetch_all(db)
    .await
}
