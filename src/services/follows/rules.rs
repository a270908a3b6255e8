//! Who may follow whom: the rules of a follow request, written once for local and
//! remote followers alike (Mastodon's `FollowService` and
//! `ActivityPub::Activity::Follow`). What a refusal causes is the caller's
//! (`super::request`).

use sqlx::PgConnection;

use crate::db::accounts::AccountRow;
use crate::db::{follows, hiding};
use crate::error::ApiError;

/// Why a follow is refused. The rules are Mastodon's (`FollowService` and
/// `ActivityPub::Activity::Follow`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Refusal {
    /// An account cannot follow itself.
    OwnAccount,
    /// A suspended account cannot be followed.
    Suspended,
    /// Neither side of a block can follow the other.
    Blocked,
    /// A user who blocked a domain cannot start following an account there.
    DomainBlocked,
    /// An account that moved cannot be followed (its followers follow the new one).
    Moved,
}

impl Refusal {
    /// The error a refused follow answers with.
    pub(super) fn error(self) -> ApiError {
        let reason = match self {
            Refusal::OwnAccount => "You cannot follow yourself",
            Refusal::Suspended => "This account is suspended",
            Refusal::Blocked | Refusal::DomainBlocked | Refusal::Moved => {
                "This action is not allowed"
            }
        };
        ApiError::Forbidden(reason.into())
    }
}

/// The follow rules, for local and remote followers alike: whether `follower` may
/// (ask to) follow `target`. A remote follower has no domain blocks of its own here,
/// so that rule only ever refuses local users.
pub(super) async fn refusal(
    conn: &mut PgConnection,
    follower: &AccountRow,
    target: &AccountRow,
) -> sqlx::Result<Option<Refusal>> {
    if follower.id == target.id {
        return Ok(Some(Refusal::OwnAccount));
    }
    if target.suspended_at.is_some() {
        return Ok(Some(Refusal::Suspended));
    }
    if target.moved_to_account_id.is_some() {
        return Ok(Some(Refusal::Moved));
    }
    if hiding::blocked_between(&mut *conn, follower.id, target.id).await? {
        return Ok(Some(Refusal::Blocked));
    }
    let relation = follows::relationships(&mut *conn, follower.id, &[target.id]).await?;
    let domain_blocked = relation
        .first()
        .is_some_and(|r| r.domain_blocking && !r.following && !r.requested);
    Ok(domain_blocked.then_some(Refusal::DomainBlocked))
}
