//! The admin dashboard's entities: Admin::Measure, Admin::Dimension and Admin::Cohort
//! (<https://docs.joinmastodon.org/entities/Admin_Measure/>,
//! <https://docs.joinmastodon.org/entities/Admin_Dimension/>,
//! <https://docs.joinmastodon.org/entities/Admin_Cohort/>). Numbers are strings, as
//! Mastodon sends them; retention rates are numbers.

use serde::Serialize;
use utoipa::ToSchema;

use crate::api::entities::timestamp;
use crate::db::admin_metrics::CohortRow;
use crate::services::admin_dashboard::{midnight, Dimension, DimensionEntry, Measure, Window};

/// One day of a measure.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MeasureData {
    /// Midnight (UTC) of the day.
    pub date: String,
    pub value: String,
}

/// A measure over the requested days.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AdminMeasure {
    pub key: String,
    /// The unit of the values, if any.
    pub unit: Option<String>,
    /// The whole window's total.
    pub total: String,
    /// The total of the window as long just before it.
    pub previous_total: String,
    /// One entry per day.
    pub data: Vec<MeasureData>,
}

impl AdminMeasure {
    /// The entity of `measure` over `window`.
    pub fn from_measure(measure: &Measure, window: Window) -> AdminMeasure {
        let data = window
            .days()
            .zip(measure.row.data.iter())
            .map(|(day, value)| MeasureData {
                date: timestamp(midnight(day)),
                value: value.to_string(),
            })
            .collect();
        AdminMeasure {
            key: measure.key.clone(),
            unit: measure.unit.map(str::to_owned),
            total: measure.row.total.to_string(),
            previous_total: measure.row.previous_total.to_string(),
            data,
        }
    }
}

/// One entry of a dimension.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DimensionData {
    pub key: String,
    pub human_key: String,
    pub value: String,
    /// `bytes` for sizes; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The value for people (`12.5 MB`); absent when it is a plain count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub human_value: Option<String>,
}

/// A dimension: its entries, largest first.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AdminDimension {
    pub key: String,
    pub data: Vec<DimensionData>,
}

impl AdminDimension {
    /// The entity of `dimension`.
    pub fn from_dimension(dimension: &Dimension) -> AdminDimension {
        AdminDimension {
            key: dimension.key.clone(),
            data: dimension.data.iter().map(entry).collect(),
        }
    }
}

fn entry(entry: &DimensionEntry) -> DimensionData {
    let bytes = entry.unit == Some("bytes");
    DimensionData {
        key: entry.key.clone(),
        human_key: entry.human_key.clone(),
        value: entry.value.clone(),
        unit: entry.unit.map(str::to_owned),
        human_value: bytes
            .then(|| entry.value.parse::<i64>().ok().map(human_bytes))
            .flatten(),
    }
}

/// `12345678` as `11.8 MB`.
fn human_bytes(bytes: i64) -> String {
    let units = ["B", "KB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < units.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", units[unit])
    }
}

/// One later period of a cohort.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CohortData {
    /// The period's start (UTC).
    pub date: String,
    /// The share of the cohort active in it, 0 to 1.
    pub rate: f64,
    /// How many of the cohort were active in it.
    pub value: String,
}

/// The users who signed up in one period, and how many stayed active.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AdminCohort {
    /// The period's start (UTC).
    pub period: String,
    /// `day` or `month`.
    pub frequency: String,
    pub data: Vec<CohortData>,
}

impl AdminCohort {
    /// The entity of `row`, whose later periods start at `periods` (from its own on).
    pub fn from_row(row: &CohortRow, frequency: &str, periods: &[String]) -> AdminCohort {
        let data = periods
            .iter()
            .zip(row.active.iter())
            .map(|(date, active)| CohortData {
                date: date.clone(),
                rate: if row.size == 0 {
                    0.0
                } else {
                    *active as f64 / row.size as f64
                },
                value: active.to_string(),
            })
            .collect();
        AdminCohort {
            period: timestamp(row.period),
            frequency: frequency.to_owned(),
            data,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::human_bytes;

    #[test]
    fn sizes_read_in_the_largest_fitting_unit() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1536), "1.5 KB");
        assert_eq!(human_bytes(5 * 1024 * 1024), "5.0 MB");
    }
}
