//! The rest of a quote's life on the wire, as Mastodon 4.5 federates it:
//!
//! - the quoted author's server refuses one of Roost's `QuoteRequest`s with a `Reject`
//!   ([`receive_reject`]): the quote shows `rejected`;
//! - once a quote by a local author is accepted (an `Accept`, or the quoted local
//!   author's review), the quoting post's audience is sent an `Update` of its Note,
//!   now carrying `quoteAuthorization` ([`send_stamped_update`]);
//! - a remote quoting post's `Update` that brings a `quoteAuthorization` for a pending
//!   quote ([`receive_update`]) accepts it once the stamp verifies; an `Update` that
//!   adds a quote to a post that had none records it, as its `Create` would have.
//!
//! Spec: <https://codeberg.org/fediverse/fep/src/branch/main/fep/044f/fep-044f.md>,
//! <https://docs.joinmastodon.org/spec/activitypub/#quote-posts>.

use super::federation::stamped;
use crate::db::accounts::{self, AccountRow};
use crate::db::quotes::{self, QuoteRow};
use crate::db::statuses::StatusRow;
use crate::error::{ApiError, ApiResult};
use crate::federation::protocol::note::Note;
use crate::state::AppState;

/// Applies a `Reject` by `actor` of the `QuoteRequest` `request_id`: the quote is
/// rejected. Returns whether the activity was about a quote at all. Only the quoted
/// author may refuse it (`Forbidden`).
pub async fn receive_reject(
    state: &AppState,
    actor: &AccountRow,
    request_id: &str,
) -> ApiResult<bool> {
    let Some(quote) = quotes::find_by_request(&state.db, request_id).await? else {
        return Ok(false);
    };
    if quote.quoted_account_id != Some(actor.id) {
        return Err(ApiError::Forbidden("not the quoted author".into()));
    }
    quotes::set_state(&state.db, quote.status_id, "rejected", None).await?;
    Ok(true)
}

/// Sends the `Update` of the local status that makes `quote`, just accepted, to its
/// audience: its Note now carries the stamp, so other servers show the quote too.
pub async fn send_stamped_update(state: &AppState, quote: &QuoteRow) -> ApiResult<()> {
    let Some(quoting) = crate::db::statuses::find_many(&state.db, &[quote.status_id])
        .await?
        .pop()
        .filter(|status| status.local)
    else {
        return Ok(());
    };
    crate::services::statuses::send_policy_update(state, &quoting).await
}

/// Accepts the pending quote the remote status `row` (just updated to `note`) makes
/// when the Note now carries a `quoteAuthorization` that verifies; records the quote
/// the Note now makes when `row` made none.
pub async fn receive_update(state: &AppState, row: &StatusRow, note: &Note) -> ApiResult<()> {
    let Some(quote) = quotes::find(&state.db, row.id).await? else {
        return record_added(state, row, note).await;
    };
    let Some(stamp) = note.quote_authorization.as_ref() else {
        return Ok(());
    };
    let (Some(quoted_id), Some(author_id)) = (quote.quoted_status_id, quote.quoted_account_id)
    else {
        return Ok(());
    };
    if quote.state != "pending" {
        return Ok(());
    }
    let quoted = crate::db::statuses::find_many(&state.db, &[quoted_id])
        .await?
        .pop();
    let author = accounts::find_by_id(&state.db, author_id).await?;
    let (Some(quoted), Some(author)) = (quoted, author) else {
        return Ok(());
    };
    if stamped(state, note, &quoted, &author).await? {
        quotes::set_state(&state.db, row.id, "accepted", Some(stamp.as_str())).await?;
    }
    Ok(())
}

/// Records the quote an edit added to remote status `row` (now `note`), judged as a
/// received post's quote is (`super::received`: accepted with a stamp that verifies or
/// in the older forms, pending otherwise).
async fn record_added(state: &AppState, row: &StatusRow, note: &Note) -> ApiResult<()> {
    if note.quote_url().is_none() {
        return Ok(());
    }
    let Some(planned) = super::received(state, note, true).await? else {
        return Ok(());
    };
    let mut transaction = state.db.begin().await?;
    super::record_quote(&state.config, &mut transaction, row, Some(&planned)).await?;
    transaction.commit().await?;
    Ok(())
}
