//! Moderation of accounts: the states admins set (suspended, silenced, sensitized,
//! disabled, approved) and the account list of the admin API, with Mastodon's filters.

use sqlx::{PgConnection, PgExecutor};

use super::accounts::AccountRow;
use super::{BindPage, Page};
use crate::domain::Role;

/// A per-account moderation state that can be set and lifted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Restriction {
    /// Hidden everywhere; a local account cannot sign in.
    Suspended,
    /// Kept out of public timelines.
    Silenced,
    /// Media always marked sensitive.
    Sensitized,
}

impl Restriction {
    fn column(self) -> &'static str {
        match self {
            Restriction::Suspended => "suspended_at",
            Restriction::Silenced => "silenced_at",
            Restriction::Sensitized => "sensitized_at",
        }
    }
}

/// The inboxes (shared when offered) of the remote accounts that follow `account_id`
/// or that it follows: where a suspended local account's `Delete` goes. Read before
/// [`sever_follows`] ends those follows.
pub async fn follow_inboxes(conn: &mut PgConnection, account_id: i64) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT DISTINCT coalesce(a.shared_inbox_url, a.inbox_url) FROM follows f \
         JOIN accounts a ON (a.id = f.account_id AND f.target_account_id = $1) \
                         OR (a.id = f.target_account_id AND f.account_id = $1) \
         WHERE a.domain IS NOT NULL AND coalesce(a.shared_inbox_url, a.inbox_url) IS NOT NULL",
    )
    .bind(account_id)
    .fetch_all(conn)
    .await
}

/// The inbox of every remote server this one knows an account of (its shared inbox
/// where it has one), suspended accounts and blocked servers aside: where a local
/// account's self-deletion is announced.
pub async fn known_inboxes(conn: &mut PgConnection) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT DISTINCT coalesce(a.shared_inbox_url, a.inbox_url) FROM accounts a \
         WHERE a.domain IS NOT NULL AND a.suspended_at IS NULL \
           AND coalesce(a.shared_inbox_url, a.inbox_url) IS NOT NULL \
           AND NOT EXISTS (SELECT 1 FROM domain_blocks b \
                           WHERE b.severity = 'suspend' AND (a.domain = b.domain OR a.domain LIKE '%.' || b.domain))",
    )
    .fetch_all(conn)
    .await
}

/// Sets (`on`) or lifts a restriction. Setting keeps the original time when already set.
pub async fn set_restriction(
    db: impl PgExecutor<'_>,
    account_id: i64,
    restriction: Restriction,
    on: bool,
) -> sqlx::Result<()> {
    let column = restriction.column();
    let value = if on {
        format!("coalesce({column}, now())")
    } else {
        "NULL".to_owned()
    };
    sqlx::query(&format!(
        "UPDATE accounts SET {column} = {value}, updated_at = now() WHERE id = $1"
    ))
    .bind(account_id)
    .execute(db)
    .await?;
    if restriction == Restriction::Suspended {
        super::oauth::wrote_auth_state();
    }
    Ok(())
}

/// Ends every follow (and follow request) from or to the account.
pub async fn sever_follows(conn: &mut PgConnection, account_id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM follows WHERE account_id = $1 OR target_account_id = $1")
        .bind(account_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Disables (or enables) a local user's sign-in.
pub async fn set_disabled(
    db: impl PgExecutor<'_>,
    account_id: i64,
    on: bool,
) -> sqlx::Result<bool> {
    let result = sqlx::query("UPDATE users SET disabled = $2 WHERE account_id = $1")
        .bind(account_id)
        .bind(on)
        .execute(db)
        .await?;
    super::oauth::wrote_auth_state();
    Ok(result.rows_affected() == 1)
}

/// The role of the account's local user (`None`: a remote account, or a local one
/// without a user), locked against changes until the caller's transaction ends, so a
/// permission check and the action it permits see the same role.
pub async fn lock_role(conn: &mut PgConnection, account_id: i64) -> sqlx::Result<Option<Role>> {
    let role: Option<String> =
        sqlx::query_scalar("SELECT role FROM users WHERE account_id = $1 FOR SHARE")
            .bind(account_id)
            .fetch_optional(conn)
            .await?;
    Ok(role.as_deref().map(Role::from_db))
}

/// Approves a local user waiting for approval; false when none was waiting.
pub async fn approve(db: impl PgExecutor<'_>, account_id: i64) -> sqlx::Result<bool> {
    let result =
        sqlx::query("UPDATE users SET approved = true WHERE account_id = $1 AND NOT approved")
            .bind(account_id)
            .execute(db)
            .await?;
    super::oauth::wrote_auth_state();
    Ok(result.rows_affected() == 1)
}

/// Rejects a local sign-up waiting for approval: the account and user are deleted,
/// and its home feed (which has no foreign key, see the `home_feeds` migration).
/// False when no such sign-up was waiting.
pub async fn reject(db: impl PgExecutor<'_>, account_id: i64) -> sqlx::Result<bool> {
    let deleted: i64 = sqlx::query_scalar(
        "WITH gone AS (DELETE FROM accounts a USING users u \
             WHERE a.id = $1 AND a.domain IS NULL AND u.account_id = a.id AND NOT u.approved \
             RETURNING a.id), \
         feed AS (DELETE FROM home_feed_entries h USING gone WHERE h.account_id = gone.id) \
         SELECT count(*) FROM gone",
    )
    .bind(account_id)
    .fetch_one(db)
    .await?;
    super::oauth::wrote_auth_state();
    Ok(deleted == 1)
}

/// The filters of `GET /api/v2/admin/accounts`.
#[derive(Clone, Debug, Default)]
pub struct AccountFilter<'a> {
    /// `Some(true)`: local only; `Some(false)`: remote only.
    pub local: Option<bool>,
    /// `active`, `pending`, `disabled`, `silenced` or `suspended`.
    pub status: Option<&'a str>,
    /// Only moderators and admins.
    pub staff: bool,
    pub username: Option<&'a str>,
    pub display_name: Option<&'a str>,
    pub domain: Option<&'a str>,
    pub email: Option<&'a str>,
}

/// SQL condition of a `status` filter over `a` (accounts) and `u` (users, may be NULL).
fn status_condition(status: &str) -> &'static str {
    match status {
        "active" => "a.suspended_at IS NULL AND coalesce(u.approved, true) AND NOT coalesce(u.disabled, false)",
        "pending" => "u.account_id IS NOT NULL AND NOT u.approved",
        "disabled" => "coalesce(u.disabled, false)",
        "silenced" => "a.silenced_at IS NOT NULL",
        "suspended" => "a.suspended_at IS NOT NULL",
        _ => "true",
    }
}

/// A page of accounts for the admin API, newest first, paged by account id.
pub async fn list(
    db: impl PgExecutor<'_>,
    filter: &AccountFilter<'_>,
    bounds: &Page,
) -> sqlx::Result<Vec<AccountRow>> {
    let mut conditions = vec![status_condition(filter.status.unwrap_or("")).to_owned()];
    match filter.local {
        Some(true) => conditions.push("a.domain IS NULL".into()),
        Some(false) => conditions.push("a.domain IS NOT NULL".into()),
        None => {}
    }
    if filter.staff {
        conditions.push("u.role IN ('moderator', 'admin')".into());
    }
    let cut = bounds.cut("a.id", 5);
    let columns = super::accounts::columns_of("a");
    let rows: Vec<AccountRow> = sqlx::query_as(&format!(
        "SELECT {columns} FROM accounts a LEFT JOIN users u ON u.account_id = a.id \
         WHERE {} \
           AND ($1::text IS NULL OR lower(a.username) LIKE lower($1) || '%') \
           AND ($2::text IS NULL OR lower(a.display_name) LIKE '%' || lower($2) || '%') \
           AND ($3::text IS NULL OR lower(a.domain) = lower($3)) \
           AND ($4::text IS NULL OR lower(u.email) LIKE '%' || lower($4) || '%') \
           AND {cut}",
        conditions.join(" AND ")
    ))
    .bind(filter.username)
    .bind(filter.display_name)
    .bind(filter.domain)
    .bind(filter.email)
    .bind_page(bounds)
    .fetch_all(db)
    .await?;
    Ok(bounds.newest_first(rows))
}

/// The local users of these accounts (remote accounts have none).
pub async fn users_of(
    db: impl PgExecutor<'_>,
    account_ids: &[i64],
) -> sqlx::Result<Vec<super::users::UserRow>> {
    sqlx::query_as(&format!(
        "SELECT {} FROM users WHERE account_id = ANY($1)",
        super::users::COLUMNS
    ))
    .bind(account_ids)
    .fetch_all(db)
    .await
}

/// Which of these accounts are sensitized.
pub async fn sensitized(db: impl PgExecutor<'_>, account_ids: &[i64]) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT id FROM accounts WHERE id = ANY($1) AND sensitized_at IS NOT NULL")
        .bind(account_ids)
        .fetch_all(db)
        .await
}
