//! Manual review of quotes: GoToSocial's interaction requests client API, for quotes.
//! A quote of a local post that its policy does not approve at once (a `followers`
//! post quoted by someone who does not follow the author) waits, `pending`, for the
//! author to authorize it (the quote is accepted, Roost's `QuoteAuthorization` stamp is
//! issued, and a remote quoter's server gets an `Accept` carrying it) or to reject it
//! (`rejected`, and a `Reject`). A quote of a post nobody may quote is refused at once
//! and never waits here. The request's id is the quoting status's.
//! Spec: <https://docs.gotosocial.org/en/latest/api/swagger/> (`interaction_requests`),
//! <https://codeberg.org/fediverse/fep/src/branch/main/fep/044f/fep-044f.md>.

use sqlx::PgConnection;
use url::Url;

use crate::db::accounts::{self, AccountRow};
use crate::db::interaction_requests::{self as db, RequestRow};
use crate::db::statuses::StatusRow;
use crate::db::Page;
use crate::error::{ApiError, ApiResult};
use crate::federation::builders::quotes as build;
use crate::federation::outbound;
use crate::federation::protocol::interaction_policy::QuoteRequest;
use crate::state::AppState;
use crate::urls;

/// An interaction request and the statuses it names.
#[derive(Debug)]
pub struct Request {
    /// The quote, with when it was decided.
    pub row: RequestRow,
    /// The quoted status (the author's).
    pub status: StatusRow,
    /// The quoting status, awaiting (or past) review.
    pub quote: StatusRow,
}

/// A page of the pending requests on `account_id`'s posts (of status `status_id` only,
/// when given), newest first. `quotes`: whether quote requests are asked for (the only
/// kind Roost has; `false` gives an empty page).
pub async fn pending(
    state: &AppState,
    account_id: i64,
    status_id: Option<i64>,
    quotes: bool,
    page: &Page,
) -> ApiResult<Vec<Request>> {
    if !quotes {
        return Ok(Vec::new());
    }
    let rows = db::pending_page(&state.db, account_id, status_id, page).await?;
    with_statuses(state, rows).await
}

/// Request `id` on `account_id`'s posts, pending or decided by review. `NotFound` else.
pub async fn get(state: &AppState, account_id: i64, id: i64) -> ApiResult<Request> {
    let row = db::find(&state.db, account_id, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    with_statuses(state, vec![row])
        .await?
        .pop()
        .ok_or(ApiError::NotFound)
}

/// Loads the statuses of `rows`, leaving out those whose quoted status is gone.
async fn with_statuses(state: &AppState, rows: Vec<RequestRow>) -> ApiResult<Vec<Request>> {
    let mut ids: Vec<i64> = rows.iter().map(|r| r.quote.status_id).collect();
    ids.extend(rows.iter().filter_map(|r| r.quote.quoted_status_id));
    let statuses = crate::db::statuses::find_many(&state.db, &ids).await?;
    let find = |id: i64| statuses.iter().find(|s| s.id == id).cloned();
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let status = find(row.quote.quoted_status_id?)?;
            let quote = find(row.quote.status_id)?;
            Some(Request { row, status, quote })
        })
        .collect())
}

/// Authorizes pending request `id` on `account_id`'s posts: the quote is accepted with
/// a fresh stamp, a remote quoter's server is sent the `Accept`, and a local quoting
/// post's audience its `Update` (now carrying `quoteAuthorization`).
/// Errors: `NotFound`, `Unprocessable` (already decided).
pub async fn authorize(state: &AppState, account_id: i64, id: i64) -> ApiResult<Request> {
    decide(state, account_id, id, true).await
}

/// Rejects pending request `id` on `account_id`'s posts: the quote is rejected and a
/// remote quoter's server is sent a `Reject`. Errors: `NotFound`, `Unprocessable`.
pub async fn reject(state: &AppState, account_id: i64, id: i64) -> ApiResult<Request> {
    decide(state, account_id, id, false).await
}

async fn decide(state: &AppState, account_id: i64, id: i64, accept: bool) -> ApiResult<Request> {
    let request = get(state, account_id, id).await?;
    if request.row.quote.state != "pending" {
        return Err(ApiError::Unprocessable(
            "the interaction request was already decided".into(),
        ));
    }
    let author = accounts::find_by_id(&state.db, account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let quoter = accounts::find_by_id(&state.db, request.quote.account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let stamp = accept.then(|| urls::quote_authorization(&state.config, &author.username, id));
    let mut transaction = state.db.begin().await?;
    let row = db::decide(&mut *transaction, id, accept, stamp.as_deref())
        .await?
        .ok_or_else(|| {
            ApiError::Unprocessable("the interaction request was already decided".into())
        })?;
    if !quoter.is_local() {
        answer(
            state,
            &mut transaction,
            &author,
            &quoter,
            &row,
            stamp.as_deref(),
        )
        .await?;
    }
    transaction.commit().await?;
    if accept && quoter.is_local() {
        crate::services::quotes::send_stamped_update(state, &row.quote).await?;
    }
    Ok(Request { row, ..request })
}

/// Queues the `Accept` (with `stamp`) or the `Reject` of the `QuoteRequest` the remote
/// `quoter` sent for `row`. A quote that came without a request (only its Note was
/// received) has no request to answer: it is decided here only.
async fn answer(
    state: &AppState,
    conn: &mut PgConnection,
    author: &AccountRow,
    quoter: &AccountRow,
    row: &RequestRow,
    stamp: Option<&str>,
) -> ApiResult<()> {
    let Some(request) = received_request(state, conn, quoter, row).await? else {
        return Ok(());
    };
    let id = parse(&urls::new_activity(&state.config))?;
    let activity = match stamp {
        Some(stamp) => build::accept(&state.config, id, author, &request, &parse(stamp)?),
        None => build::reject(&state.config, id, author, &request),
    };
    outbound::deliver_to(conn, &activity, author, quoter).await?;
    Ok(())
}

/// The `QuoteRequest` `quoter` sent for `row`, as it is answered (its id, actor, object
/// and instrument), if one came.
async fn received_request(
    state: &AppState,
    conn: &mut PgConnection,
    quoter: &AccountRow,
    row: &RequestRow,
) -> ApiResult<Option<QuoteRequest>> {
    let (Some(id), Some(actor)) = (row.quote.request_uri.as_deref(), quoter.ap_id.as_deref())
    else {
        return Ok(None);
    };
    let quoting = crate::db::statuses::find_many(&mut *conn, &[row.quote.status_id])
        .await?
        .pop()
        .ok_or(ApiError::NotFound)?;
    let Some(instrument) = crate::federation::posts::ap_id_of(state, conn, &quoting).await? else {
        return Ok(None);
    };
    Ok(Some(QuoteRequest::new(
        parse(id)?,
        parse(actor)?,
        parse(&row.quote.quoted_uri)?,
        parse(&instrument)?,
    )))
}

fn parse(text: &str) -> ApiResult<Url> {
    Ok(Url::parse(text).map_err(anyhow::Error::from)?)
}
