//! The `polls` and `poll_votes` tables: a status's poll with its per-option counts,
//! and one vote row per account per chosen option. Counts move in the voting
//! transaction, after [`lock`] took the poll's row, so concurrent votes never lose an
//! increment; closing and the coalesced `Update(Question)` are claimed with
//! `FOR UPDATE SKIP LOCKED`, so several workers may run at once. The rules are
//! `services::polls`'.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

/// A `polls` row (also read as JSON, by [`super::page_facts`]).
#[derive(Clone, Debug, sqlx::FromRow, serde::Deserialize)]
pub struct PollRow {
    pub id: i64,
    pub status_id: i64,
    pub account_id: i64,
    pub options: Vec<String>,
    /// `votes_counts[i]` counts the votes for `options[i]`.
    pub votes_counts: Vec<i64>,
    pub multiple: bool,
    pub hide_totals: bool,
    pub expires_at: Option<DateTime<Utc>>,
    pub voters_count: i64,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl PollRow {
    /// Whether the poll has ended (closed, or past its end) at `now`.
    pub fn expired_at(&self, now: DateTime<Utc>) -> bool {
        self.closed_at.is_some() || self.expires_at.is_some_and(|end| end <= now)
    }

    /// The total of votes, every option's.
    pub fn votes_count(&self) -> i64 {
        self.votes_counts.iter().sum()
    }
}

pub(super) const COLUMNS: &str =
    "id, status_id, account_id, options, votes_counts, multiple, hide_totals, \
                       expires_at, voters_count, closed_at, created_at";

/// What a new poll row holds (a remote poll arrives with its counts).
#[derive(Debug)]
pub struct NewPoll<'a> {
    pub options: &'a [String],
    /// Per option; zeros when empty.
    pub votes_counts: &'a [i64],
    pub multiple: bool,
    pub hide_totals: bool,
    pub expires_at: Option<DateTime<Utc>>,
    pub voters_count: i64,
    /// A remote poll that arrived already closed.
    pub closed_at: Option<DateTime<Utc>>,
}

/// Writes the poll of status `status_id` by `account_id`.
pub async fn insert(
    db: impl PgExecutor<'_>,
    status_id: i64,
    account_id: i64,
    poll: &NewPoll<'_>,
) -> sqlx::Result<PollRow> {
    let counts = counts_for(poll.options, poll.votes_counts);
    sqlx::query_as(&format!(
        "INSERT INTO polls (status_id, account_id, options, votes_counts, multiple, hide_totals, \
                            expires_at, voters_count, closed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLUMNS}"
    ))
    .bind(status_id)
    .bind(account_id)
    .bind(poll.options)
    .bind(&counts)
    .bind(poll.multiple)
    .bind(poll.hide_totals)
    .bind(poll.expires_at)
    .bind(poll.voters_count)
    .bind(poll.closed_at)
    .fetch_one(db)
    .await
}

/// `counts` fitted to `options` (missing ones are zero).
fn counts_for(options: &[String], counts: &[i64]) -> Vec<i64> {
    (0..options.len())
        .map(|i| counts.get(i).copied().unwrap_or(0).max(0))
        .collect()
}

/// Poll `id`.
pub async fn find(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<PollRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM polls WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The polls of `status_ids` (a page of statuses), in any order.
pub async fn for_statuses(
    db: impl PgExecutor<'_>,
    status_ids: &[i64],
) -> sqlx::Result<Vec<PollRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM polls WHERE status_id = ANY($1)"
    ))
    .bind(status_ids)
    .fetch_all(db)
    .await
}

/// Poll `id`, its row locked until the transaction ends (votes on it wait).
pub async fn lock(conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<PollRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM polls WHERE id = $1 FOR UPDATE"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The choices `account_id` made in each of `poll_ids`: (poll id, choice) pairs.
pub async fn choices_of(
    db: impl PgExecutor<'_>,
    account_id: i64,
    poll_ids: &[i64],
) -> sqlx::Result<Vec<(i64, i32)>> {
    sqlx::query_as(
        "SELECT poll_id, choice FROM poll_votes WHERE account_id = $1 AND poll_id = ANY($2) \
         ORDER BY poll_id, choice",
    )
    .bind(account_id)
    .bind(poll_ids)
    .fetch_all(db)
    .await
}

/// Records `account_id`'s vote for each of `choices` (with the vote's Note id, by
/// choice, when known); a choice already recorded, or an `ap_id` seen before, is
/// skipped. Returns the choices written.
pub async fn insert_votes(
    conn: &mut PgConnection,
    poll_id: i64,
    account_id: i64,
    choices: &[i32],
    ap_ids: &[Option<String>],
) -> sqlx::Result<Vec<i32>> {
    sqlx::query_scalar(
        "INSERT INTO poll_votes (poll_id, account_id, choice, ap_id) \
         SELECT $1, $2, c, a FROM unnest($3::int[], $4::text[]) AS t(c, a) \
         ON CONFLICT DO NOTHING RETURNING choice",
    )
    .bind(poll_id)
    .bind(account_id)
    .bind(choices)
    .bind(ap_ids)
    .fetch_all(conn)
    .await
}

/// Adds one vote to each of `choices` of locked poll `id`, one voter when
/// `new_voter`, and (a local poll) sets its `Update(Question)` due `delay_seconds`
/// from now unless one is due already: votes in a burst share one Update.
pub async fn count_votes(
    conn: &mut PgConnection,
    id: i64,
    choices: &[i32],
    new_voter: bool,
    update_delay_seconds: Option<i64>,
) -> sqlx::Result<PollRow> {
    sqlx::query_as(&format!(
        "UPDATE polls SET \
           votes_counts = (SELECT array_agg(c + CASE WHEN (i - 1)::int = ANY($2) THEN 1 ELSE 0 END \
                                            ORDER BY i) \
                           FROM unnest(votes_counts) WITH ORDINALITY AS t(c, i)), \
           voters_count = voters_count + CASE WHEN $3 THEN 1 ELSE 0 END, \
           update_due_at = CASE WHEN $4::bigint IS NULL THEN update_due_at \
                           ELSE coalesce(update_due_at, now() + make_interval(secs => $4)) END \
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(choices)
    .bind(new_voter)
    .bind(update_delay_seconds)
    .fetch_one(conn)
    .await
}

/// Whether `account_id` has voted in poll `poll_id` (any choice).
pub async fn has_voted(
    conn: &mut PgConnection,
    poll_id: i64,
    account_id: i64,
) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM poll_votes WHERE poll_id = $1 AND account_id = $2)",
    )
    .bind(poll_id)
    .bind(account_id)
    .fetch_one(conn)
    .await
}

/// What a remote poll's server says of it now (an `Update(Question)`).
#[derive(Debug)]
pub struct RemoteCounts<'a> {
    pub votes_counts: &'a [i64],
    pub voters_count: i64,
    pub expires_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// Replaces the counts of remote poll `id` with its server's. A poll its server
/// closed ends here then too (its end moves up), and the closing worker closes it and
/// notifies the local voters.
pub async fn refresh(
    db: impl PgExecutor<'_>,
    poll: &PollRow,
    counts: &RemoteCounts<'_>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE polls SET votes_counts = $2, voters_count = $3, \
           expires_at = least(coalesce($4, expires_at), $5) WHERE id = $1",
    )
    .bind(poll.id)
    .bind(counts_for(&poll.options, counts.votes_counts))
    .bind(counts.voters_count)
    .bind(counts.expires_at)
    .bind(counts.closed_at)
    .execute(db)
    .await?;
    Ok(())
}

/// Replaces the options of poll `id` (an edit that changed them): every vote goes and
/// the counts start again, as Mastodon does.
pub async fn reset(conn: &mut PgConnection, id: i64, poll: &NewPoll<'_>) -> sqlx::Result<PollRow> {
    sqlx::query("DELETE FROM poll_votes WHERE poll_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query_as(&format!(
        "UPDATE polls SET options = $2, votes_counts = $3, multiple = $4, hide_totals = $5, \
           expires_at = $6, voters_count = 0, closed_at = NULL WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(poll.options)
    .bind(counts_for(poll.options, &[]))
    .bind(poll.multiple)
    .bind(poll.hide_totals)
    .bind(poll.expires_at)
    .fetch_one(conn)
    .await
}

/// Removes the poll of status `status_id` (an edit that dropped it).
pub async fn delete_for_status(conn: &mut PgConnection, status_id: i64) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM polls WHERE status_id = $1")
        .bind(status_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Claims up to `limit` polls past their end and not yet closed (rows other workers
/// hold are skipped) and marks them closed; the caller announces them in the same
/// transaction.
pub async fn close_due(
    conn: &mut PgConnection,
    as_of: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<PollRow>> {
    sqlx::query_as(&format!(
        "UPDATE polls SET closed_at = least(expires_at, now()), update_due_at = NULL \
         WHERE id IN ( \
           SELECT id FROM polls WHERE closed_at IS NULL AND expires_at <= $2 \
           ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED) \
         RETURNING {COLUMNS}"
    ))
    .bind(limit)
    .bind(as_of)
    .fetch_all(conn)
    .await
}

/// Claims up to `limit` polls whose counts `Update(Question)` is due and clears it;
/// the caller queues the Updates in the same transaction.
pub async fn take_due_updates(
    conn: &mut PgConnection,
    as_of: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<PollRow>> {
    sqlx::query_as(&format!(
        "UPDATE polls SET update_due_at = NULL WHERE id IN ( \
           SELECT id FROM polls WHERE update_due_at <= $2 \
           ORDER BY update_due_at LIMIT $1 FOR UPDATE SKIP LOCKED) \
         RETURNING {COLUMNS}"
    ))
    .bind(limit)
    .bind(as_of)
    .fetch_all(conn)
    .await
}

/// Every account that voted in poll `poll_id`, once each.
pub async fn voters(conn: &mut PgConnection, poll_id: i64) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar("SELECT DISTINCT account_id FROM poll_votes WHERE poll_id = $1")
        .bind(poll_id)
        .fetch_all(conn)
        .await
}

/// The inboxes (shared preferred) of the remote accounts that voted in poll `poll_id`.
pub async fn remote_voter_inboxes(
    conn: &mut PgConnection,
    poll_id: i64,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT DISTINCT coalesce(a.shared_inbox_url, a.inbox_url) FROM poll_votes v \
         JOIN accounts a ON a.id = v.account_id \
         WHERE v.poll_id = $1 AND a.domain IS NOT NULL \
           AND coalesce(a.shared_inbox_url, a.inbox_url) IS NOT NULL",
    )
    .bind(poll_id)
    .fetch_all(conn)
    .await
}

/// Changes the settings of poll `id` that keep its votes (an edit with the same
/// options): whether totals are hidden, and its end.
pub async fn update_settings(
    conn: &mut PgConnection,
    id: i64,
    hide_totals: bool,
    expires_at: DateTime<Utc>,
) -> sqlx::Result<PollRow> {
    sqlx::query_as(&format!(
        "UPDATE polls SET hide_totals = $2, expires_at = $3, closed_at = NULL \
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(hide_totals)
    .bind(expires_at)
    .fetch_one(conn)
    .await
}

/// Notes the poll options of the version an edit of status `status_id` just wrote
/// (`after`) and, on its first edit, of the original version (`before`).
pub async fn record_version_options(
    conn: &mut PgConnection,
    status_id: i64,
    before: Option<&[String]>,
    after: Option<&[String]>,
) -> sqlx::Result<()> {
    sqlx::query(
        "WITH versions AS (SELECT id, row_number() OVER (ORDER BY id) AS n, \
                                  count(*) OVER () AS total \
                           FROM status_edits WHERE status_id = $1) \
         UPDATE status_edits e SET poll_options = CASE WHEN v.n = v.total THEN $3 ELSE $2 END \
         FROM versions v WHERE e.id = v.id AND (v.n = v.total OR (v.total = 2 AND v.n = 1))",
    )
    .bind(status_id)
    .bind(before)
    .bind(after)
    .execute(conn)
    .await?;
    Ok(())
}
