//! The AsyncRefresh entity of Mastodon 4.5's `GET /api/v1_alpha/async_refreshes/:id`:
//! `{"async_refresh": {"id", "status", "result_count"}}`.

use serde::Serialize;

use crate::services::thread_backfill::AsyncRefresh;

/// A background refresh a client was told about in a `Mastodon-Async-Refresh` header.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AsyncRefreshEntity {
    pub async_refresh: AsyncRefreshBody,
}

/// The refresh itself.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AsyncRefreshBody {
    /// The id from the header.
    pub id: String,
    /// `running` or `finished`.
    pub status: &'static str,
    /// Posts fetched so far.
    pub result_count: i64,
}

impl AsyncRefreshEntity {
    /// The entity of `refresh`.
    pub fn render(refresh: &AsyncRefresh) -> AsyncRefreshEntity {
        AsyncRefreshEntity {
            async_refresh: AsyncRefreshBody {
                id: refresh.id.clone(),
                status: refresh.status.as_str(),
                result_count: refresh.result_count,
            },
        }
    }
}
