//! The admin dashboard (<https://docs.joinmastodon.org/methods/admin/measures/>,
//! `/dimensions/`, `/retention/`): numbers computed from stored rows when asked, never
//! estimated. A key Roost cannot compute from what it stores is skipped, as Mastodon
//! skips unknown keys; docs/api.md lists them. Where each number comes from is the
//! catalogue in [`catalogue`]; the SQL is `db::admin_metrics`.

pub mod catalogue;

use chrono::{NaiveDate, NaiveTime};

use crate::db::admin_metrics::{self, CohortRow, MeasureRow};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use catalogue::{dimension_source, measure_source, DimensionSource};

/// Most keys one request may ask for.
pub const MAX_KEYS: usize = 20;
/// Longest window of measures and dimensions, in days.
pub const MAX_DAYS: i64 = 366;
/// Longest window of monthly retention, in days (ten years).
pub const MAX_MONTHLY_DAYS: i64 = 3660;
/// Most entries of one dimension.
pub const MAX_DIMENSION_LIMIT: i64 = 100;

/// The days a request covers, both included (UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Window {
    /// The window of `start_at`..`end_at` (dates, or times whose date is taken), at most
    /// `max_days` long. Errors: Validation for a missing or unreadable date, an end
    /// before the start, or a window too long.
    pub fn parse(start_at: Option<&str>, end_at: Option<&str>, max_days: i64) -> ApiResult<Window> {
        let start = date("start_at", start_at)?;
        let end = date("end_at", end_at)?;
        let days = (end - start).num_days() + 1;
        if !(1..=max_days).contains(&days) {
            return Err(ApiError::validation(
                "end_at",
                "ERR_INVALID",
                format!("end_at must be after start_at, at most {max_days} days later"),
            ));
        }
        Ok(Window { start, end })
    }

    /// Every day of the window, in order.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> {
        self.start
            .iter_days()
            .take_while(|day| *day <= self.end)
            .collect::<Vec<_>>()
            .into_iter()
    }
}

fn date(field: &'static str, value: Option<&str>) -> ApiResult<NaiveDate> {
    let value = value.map(str::trim).unwrap_or_default();
    value
        .get(..10)
        .and_then(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok())
        .ok_or_else(|| {
            ApiError::validation(field, "ERR_INVALID", format!("{field} must be a date"))
        })
}

/// A measure as computed: its key and unit, and its numbers.
#[derive(Clone, Debug)]
pub struct Measure {
    /// The measure's key (`new_users`, …).
    pub key: String,
    /// The unit of its values (none of Roost's measures has one yet).
    pub unit: Option<&'static str>,
    /// Its numbers.
    pub row: MeasureRow,
}

/// The measures of `keys` over `window`, in the order asked; unknown keys, keys asked
/// twice and keys missing their parameter (`params(key)`: a hashtag id or a domain)
/// are skipped. Errors: Validation for more than [`MAX_KEYS`] keys.
pub async fn measures(
    state: &AppState,
    keys: &[String],
    params: impl Fn(&str) -> Option<String>,
    window: Window,
) -> ApiResult<Vec<Measure>> {
    let mut measures = Vec::new();
    for key in distinct_keys(keys)? {
        let Some(source) = measure_source(key) else {
            continue;
        };
        let param = params(key);
        if source.needs.is_some() && param.is_none() {
            continue;
        }
        let row = admin_metrics::measure(
            &state.db,
            source.events,
            source.distinct,
            param.as_deref(),
            window.start,
            window.end,
        )
        .await?;
        measures.push(Measure {
            key: key.to_owned(),
            unit: None,
            row,
        });
    }
    Ok(measures)
}

/// `keys` without repeats; Validation past [`MAX_KEYS`].
fn distinct_keys(keys: &[String]) -> ApiResult<Vec<&str>> {
    let mut distinct: Vec<&str> = Vec::new();
    for key in keys {
        if !distinct.contains(&key.as_str()) {
            distinct.push(key);
        }
    }
    if distinct.len() > MAX_KEYS {
        return Err(ApiError::validation(
            "keys",
            "ERR_TOO_LONG",
            format!("at most {MAX_KEYS} keys"),
        ));
    }
    Ok(distinct)
}

/// One entry of a dimension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DimensionEntry {
    pub key: String,
    pub human_key: String,
    pub value: String,
    /// `bytes` for sizes.
    pub unit: Option<&'static str>,
}

/// A dimension as computed.
#[derive(Clone, Debug)]
pub struct Dimension {
    /// The dimension's key (`languages`, …).
    pub key: String,
    /// Its entries, largest first.
    pub data: Vec<DimensionEntry>,
}

/// The dimensions of `keys` over `window`, at most `limit` entries each (bounded to
/// 1..=[`MAX_DIMENSION_LIMIT`]); skipped as [`measures`] skips.
pub async fn dimensions(
    state: &AppState,
    keys: &[String],
    params: impl Fn(&str) -> Option<String>,
    window: Window,
    limit: i64,
) -> ApiResult<Vec<Dimension>> {
    let limit = limit.clamp(1, MAX_DIMENSION_LIMIT);
    let mut dimensions = Vec::new();
    for key in distinct_keys(keys)? {
        let Some(source) = dimension_source(key) else {
            continue;
        };
        let param = params(key);
        let data = match source {
            DimensionSource::Query { sql, needs } => {
                if needs.is_some() && param.is_none() {
                    continue;
                }
                let rows = admin_metrics::dimension(
                    &state.db,
                    sql,
                    param.as_deref(),
                    window.start,
                    window.end,
                    limit,
                )
                .await?;
                catalogue::entries(state, rows)
            }
            DimensionSource::SpaceUsage => catalogue::space_usage(state).await?,
            DimensionSource::SoftwareVersions => catalogue::software_versions(state).await?,
        };
        dimensions.push(Dimension {
            key: key.to_owned(),
            data,
        });
    }
    Ok(dimensions)
}

/// How sign-ups are grouped for retention.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frequency {
    Day,
    Month,
}

impl Frequency {
    /// Mastodon's `frequency` parameter (`day` when absent). Errors: Validation.
    pub fn parse(value: Option<&str>) -> ApiResult<Frequency> {
        match value.map(str::trim).filter(|v| !v.is_empty()) {
            None | Some("day") => Ok(Frequency::Day),
            Some("month") => Ok(Frequency::Month),
            Some(_) => Err(ApiError::validation(
                "frequency",
                "ERR_INCLUSION",
                "frequency must be day or month",
            )),
        }
    }

    /// Its name, as Mastodon writes it.
    pub fn name(self) -> &'static str {
        match self {
            Frequency::Day => "day",
            Frequency::Month => "month",
        }
    }
}

/// The sign-up cohorts of `window` by `frequency`, each with how many of it were active
/// in every period since (see `db::admin_metrics::ACTIVITY` for "active").
pub async fn retention(
    state: &AppState,
    window: Window,
    frequency: Frequency,
) -> ApiResult<Vec<CohortRow>> {
    Ok(admin_metrics::retention(&state.db, frequency.name(), window.start, window.end).await?)
}

/// Midnight (UTC) of `day`, as Mastodon's measures and cohorts date their buckets.
pub fn midnight(day: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}
