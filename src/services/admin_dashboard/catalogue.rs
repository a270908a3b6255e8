//! Where each dashboard number comes from: the event source of every measure and the
//! source of every dimension Roost can compute (the SQL conventions are
//! `db::admin_metrics`'). Keys not listed here are not computed (docs/api.md says why).

use crate::db::admin_metrics::{self, ACTIVITY};
use crate::error::ApiResult;
use crate::state::AppState;

use super::DimensionEntry;

/// The parameter a key needs (`tag_accounts[id]`, `instance_accounts[domain]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    TagId,
    Domain,
}

/// How a measure is computed: its event source, counted distinctly or not.
#[derive(Clone, Copy, Debug)]
pub struct MeasureSource {
    pub events: &'static str,
    pub distinct: bool,
    pub needs: Option<Needs>,
}

const NEW_USERS: &str = "SELECT created_at AS at, id::text AS who FROM users";
/// Favourites, boosts and replies of local statuses.
const INTERACTIONS: &str = "SELECT f.created_at AS at, f.id::text AS who FROM favourites f \
      JOIN statuses s ON s.id = f.status_id WHERE s.local \
    UNION ALL SELECT b.created_at, b.id::text FROM statuses b JOIN statuses s ON s.id = b.reblog_of_id \
      WHERE s.local AND b.deleted_at IS NULL \
    UNION ALL SELECT r.created_at, r.id::text FROM statuses r JOIN statuses s ON s.id = r.in_reply_to_id \
      WHERE s.local AND r.deleted_at IS NULL";
const OPENED_REPORTS: &str = "SELECT created_at AS at, id::text AS who FROM reports";
const RESOLVED_REPORTS: &str = "SELECT action_taken_at AS at, id::text AS who FROM reports \
    WHERE action_taken_at IS NOT NULL";
/// Authors of statuses filed under the hashtag `$1`.
const TAG_ACCOUNTS: &str =
    "SELECT s.created_at AS at, s.account_id::text AS who FROM status_tags st \
    JOIN statuses s ON s.id = st.status_id WHERE st.tag_id::text = $1 AND s.deleted_at IS NULL";
/// Statuses filed under the hashtag `$1`.
const TAG_USES: &str = "SELECT s.created_at AS at, s.id::text AS who FROM status_tags st \
    JOIN statuses s ON s.id = st.status_id WHERE st.tag_id::text = $1 AND s.deleted_at IS NULL";
/// Servers of statuses filed under the hashtag `$1` (this one as '').
const TAG_SERVERS: &str =
    "SELECT s.created_at AS at, coalesce(a.domain, '') AS who FROM status_tags st \
    JOIN statuses s ON s.id = st.status_id JOIN accounts a ON a.id = s.account_id \
    WHERE st.tag_id::text = $1 AND s.deleted_at IS NULL";
const INSTANCE_ACCOUNTS: &str = "SELECT created_at AS at, id::text AS who FROM accounts \
    WHERE domain = lower($1)";
const INSTANCE_STATUSES: &str = "SELECT s.created_at AS at, s.id::text AS who FROM statuses s \
    JOIN accounts a ON a.id = s.account_id WHERE a.domain = lower($1) AND s.deleted_at IS NULL";
/// Follows by the domain's accounts.
const INSTANCE_FOLLOWS: &str = "SELECT f.created_at AS at, f.id::text AS who FROM follows f \
    JOIN accounts a ON a.id = f.account_id WHERE a.domain = lower($1)";
/// Follows of the domain's accounts.
const INSTANCE_FOLLOWERS: &str = "SELECT f.created_at AS at, f.id::text AS who FROM follows f \
    JOIN accounts a ON a.id = f.target_account_id WHERE a.domain = lower($1)";
const INSTANCE_REPORTS: &str = "SELECT r.created_at AS at, r.id::text AS who FROM reports r \
    JOIN accounts a ON a.id = r.target_account_id WHERE a.domain = lower($1)";

/// The source of the measure `key`, if Roost computes it.
pub fn measure_source(key: &str) -> Option<MeasureSource> {
    let plain = |events, distinct| (events, distinct, None);
    let (events, distinct, needs) = match key {
        "active_users" => plain(ACTIVITY, true),
        "new_users" => plain(NEW_USERS, false),
        "interactions" => plain(INTERACTIONS, false),
        "opened_reports" => plain(OPENED_REPORTS, false),
        "resolved_reports" => plain(RESOLVED_REPORTS, false),
        "tag_accounts" => (TAG_ACCOUNTS, true, Some(Needs::TagId)),
        "tag_uses" => (TAG_USES, false, Some(Needs::TagId)),
        "tag_servers" => (TAG_SERVERS, true, Some(Needs::TagId)),
        "instance_accounts" => (INSTANCE_ACCOUNTS, false, Some(Needs::Domain)),
        "instance_statuses" => (INSTANCE_STATUSES, false, Some(Needs::Domain)),
        "instance_follows" => (INSTANCE_FOLLOWS, false, Some(Needs::Domain)),
        "instance_followers" => (INSTANCE_FOLLOWERS, false, Some(Needs::Domain)),
        "instance_reports" => (INSTANCE_REPORTS, false, Some(Needs::Domain)),
        _ => return None,
    };
    Some(MeasureSource {
        events,
        distinct,
        needs,
    })
}

/// How a dimension is computed.
#[derive(Clone, Copy, Debug)]
pub enum DimensionSource {
    /// A `SELECT key, value` over the window (see `db::admin_metrics`).
    Query {
        sql: &'static str,
        needs: Option<Needs>,
    },
    /// The database's size and the stored media's.
    SpaceUsage,
    /// Roost's and PostgreSQL's versions.
    SoftwareVersions,
}

/// Languages of local statuses, by how many local accounts posted in each.
const LANGUAGES: &str =
    "SELECT language AS key, count(DISTINCT account_id) AS value FROM statuses \
    WHERE local AND deleted_at IS NULL AND created_at >= $2 AND created_at < $3 GROUP BY language";
/// Other servers, by how many of their statuses arrived.
const SERVERS: &str = "SELECT a.domain AS key, count(*) AS value FROM statuses s \
    JOIN accounts a ON a.id = s.account_id WHERE a.domain IS NOT NULL AND s.deleted_at IS NULL \
      AND s.created_at >= $2 AND s.created_at < $3 GROUP BY a.domain";
/// Servers using the hashtag `$1` (this one as ''), by statuses.
const TAG_SERVERS_DIMENSION: &str = "SELECT coalesce(a.domain, '') AS key, count(*) AS value \
    FROM status_tags st JOIN statuses s ON s.id = st.status_id JOIN accounts a ON a.id = s.account_id \
    WHERE st.tag_id::text = $1 AND s.deleted_at IS NULL AND s.created_at >= $2 AND s.created_at < $3 \
    GROUP BY coalesce(a.domain, '')";
/// Languages of statuses with the hashtag `$1`.
const TAG_LANGUAGES: &str = "SELECT s.language AS key, count(*) AS value FROM status_tags st \
    JOIN statuses s ON s.id = st.status_id WHERE st.tag_id::text = $1 AND s.deleted_at IS NULL \
      AND s.created_at >= $2 AND s.created_at < $3 GROUP BY s.language";
/// The domain `$1`'s most followed accounts (the window does not apply: followers are
/// counted as they are now).
const INSTANCE_ACCOUNTS_DIMENSION: &str = "SELECT username AS key, followers_count AS value \
    FROM accounts WHERE domain = lower($1) AND $2::timestamptz IS NOT NULL AND $3::timestamptz IS NOT NULL";
/// Languages of the domain `$1`'s statuses.
const INSTANCE_LANGUAGES: &str = "SELECT s.language AS key, count(*) AS value FROM statuses s \
    JOIN accounts a ON a.id = s.account_id WHERE a.domain = lower($1) AND s.deleted_at IS NULL \
      AND s.created_at >= $2 AND s.created_at < $3 GROUP BY s.language";

/// The source of the dimension `key`, if Roost computes it.
pub fn dimension_source(key: &str) -> Option<DimensionSource> {
    let query = |sql, needs| Some(DimensionSource::Query { sql, needs });
    match key {
        "languages" => query(LANGUAGES, None),
        "servers" => query(SERVERS, None),
        "tag_servers" => query(TAG_SERVERS_DIMENSION, Some(Needs::TagId)),
        "tag_languages" => query(TAG_LANGUAGES, Some(Needs::TagId)),
        "instance_accounts" => query(INSTANCE_ACCOUNTS_DIMENSION, Some(Needs::Domain)),
        "instance_languages" => query(INSTANCE_LANGUAGES, Some(Needs::Domain)),
        "space_usage" => Some(DimensionSource::SpaceUsage),
        "software_versions" => Some(DimensionSource::SoftwareVersions),
        _ => None,
    }
}

/// The entries of a queried dimension: the key shown as itself, except this server
/// (`''`) shown as its domain.
pub fn entries(state: &AppState, rows: Vec<(String, i64)>) -> Vec<DimensionEntry> {
    rows.into_iter()
        .map(|(key, value)| {
            let key = if key.is_empty() {
                state.config.domain.clone()
            } else {
                key
            };
            DimensionEntry {
                human_key: key.clone(),
                key,
                value: value.to_string(),
                unit: None,
            }
        })
        .collect()
}

/// The database's size and the media files' (as recorded at upload), in bytes.
pub async fn space_usage(state: &AppState) -> ApiResult<Vec<DimensionEntry>> {
    let database = admin_metrics::database_size(&state.db).await?;
    let media = admin_metrics::media_size(&state.db).await?;
    let entry = |key: &str, human: &str, value: i64| DimensionEntry {
        key: key.to_owned(),
        human_key: human.to_owned(),
        value: value.to_string(),
        unit: Some("bytes"),
    };
    Ok(vec![
        entry("postgresql", "PostgreSQL", database),
        entry("media", "Media files", media),
    ])
}

/// Roost's version and PostgreSQL's.
pub async fn software_versions(state: &AppState) -> ApiResult<Vec<DimensionEntry>> {
    let postgres = admin_metrics::postgres_version(&state.db).await?;
    let entry = |key: &str, human: &str, value: String| DimensionEntry {
        key: key.to_owned(),
        human_key: human.to_owned(),
        value,
        unit: None,
    };
    Ok(vec![
        entry("roost", "Roost", env!("CARGO_PKG_VERSION").to_owned()),
        entry("postgresql", "PostgreSQL", postgres),
    ])
}
