//! oEmbed (`GET /api/oembed`): which status a URL names, if it may be embedded
//! elsewhere. Only a public or unlisted status of a local account, neither deleted nor
//! a boost, named by one of its local URLs (`https://DOMAIN/@NAME/ID` or
//! `https://DOMAIN/users/NAME/statuses/ID`) with its author's name. Everything else is
//! `NotFound`, as Mastodon's `StatusFinder` and `require_public_status!`.
//!
//! Not here: the oEmbed document (`api::entities::oembed`).
//! Spec: <https://docs.joinmastodon.org/methods/oembed/>, <https://oembed.com/>.

use crate::db::accounts::{self, AccountRow};
use crate::db::statuses::StatusRow;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::urls;

/// Longest `url` parameter looked at; a longer one names nothing.
pub const MAX_URL: usize = 2048;

/// A status that may be embedded, with its author.
#[derive(Debug)]
pub struct Embeddable {
    /// The status.
    pub status: StatusRow,
    /// Its (local) author.
    pub author: AccountRow,
}

/// The embeddable status `url` names. Errors: `NotFound` for anything but a public or
/// unlisted local status named by one of its URLs.
pub async fn find(state: &AppState, url: &str) -> ApiResult<Embeddable> {
    if url.len() > MAX_URL {
        return Err(ApiError::NotFound);
    }
    let (username, id) =
        urls::local_status_reference(&state.config, url).ok_or(ApiError::NotFound)?;
    // What an anonymous reader may see: public and unlisted, not deleted, author not
    // suspended; private and direct statuses are never embedded.
    let status = super::statuses::visible(state, None, id).await?;
    if !status.local || status.reblog_of_id.is_some() {
        return Err(ApiError::NotFound);
    }
    let author = accounts::find_by_id(&state.db, status.account_id)
        .await?
        .filter(|author| author.username.eq_ignore_ascii_case(&username))
        .ok_or(ApiError::NotFound)?;
    Ok(Embeddable { status, author })
}
