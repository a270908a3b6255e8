//! Quotes between servers (FEP-044f, as Mastodon 4.5 federates them):
//!
//! - a local quote of a remote post asks its author's server with a `QuoteRequest`
//!   ([`send_request`]) and becomes accepted when an `Accept` brings a stamp that
//!   verifies ([`receive_accept`]);
//! - a `QuoteRequest` for a local post is answered by the post's policy
//!   ([`receive_request`]): an `Accept` with a dereferenceable `QuoteAuthorization`
//!   ([`stamp`]), a `Reject` when nobody may quote, or pending (manual approval);
//! - revoking sends a `Delete` of the stamp ([`send_revocation`], [`receive_revocation`]);
//! - a received post's quote ([`received`]) is accepted when its stamp verifies, or when
//!   it is named only by the older properties (`quoteUrl`, `quoteUri`,
//!   `_misskey_quote`), as Mastodon shows those; pending otherwise.
//!
//! Spec: <https://codeberg.org/fediverse/fep/src/branch/main/fep/044f/fep-044f.md>.

use sqlx::PgConnection;
use url::Url;

use super::{policy_of, Planned};
use crate::db::accounts::{self, AccountRow};
use crate::db::notifications::Kind;
use crate::db::quotes::{self, NewQuote, QuoteRow};
use crate::db::{follows, statuses::StatusRow};
use crate::domain::quotes::{QuotePolicy, QuoteState};
use crate::domain::Visibility;
use crate::error::{ApiError, ApiResult};
use crate::federation::builders::quotes as build;
use crate::federation::outbound;
use crate::federation::protocol::interaction_policy::{QuoteAuthorization, QuoteRequest};
use crate::federation::protocol::note::Note;
use crate::federation::stamps::{self, Claim};
use crate::services::notifications::create::{notify, Cause};
use crate::state::AppState;
use crate::urls;

/// Queues the `QuoteRequest` of local status `quoting` by `author` for a pending quote
/// of a remote post, and remembers its id. Run in the posting transaction.
pub async fn send_request(
    state: &AppState,
    conn: &mut PgConnection,
    author: &AccountRow,
    quoting: &StatusRow,
    quote: Option<&QuoteRow>,
) -> ApiResult<()> {
    let Some(quote) = quote.filter(|q| q.state == "pending") else {
        return Ok(());
    };
    let Some(quoted_author) = quote.quoted_account_id else {
        return Ok(());
    };
    let Some(quoted_author) = accounts::find_by_id(&mut *conn, quoted_author).await? else {
        return Ok(());
    };
    if quoted_author.is_local() {
        return Ok(());
    }
    let id = Url::parse(&urls::new_activity(&state.config)).map_err(anyhow::Error::from)?;
    let own = urls::status(&state.config, &author.username, quoting.id);
    let request = build::request(
        &state.config,
        id.clone(),
        author,
        Url::parse(&own).map_err(anyhow::Error::from)?,
        Url::parse(&quote.quoted_uri).map_err(anyhow::Error::from)?,
    );
    quotes::set_request(&mut *conn, quote.status_id, id.as_str()).await?;
    outbound::deliver_to(conn, &request, author, &quoted_author).await?;
    Ok(())
}

/// Answers a `QuoteRequest` from `actor` for a local post: the quoting post (fetched if
/// unknown) must be the actor's; the quote is accepted (an `Accept` with the stamp is
/// queued, the author notified) when the post's policy approves the actor, refused
/// with a `Reject` when nobody may quote it, and left pending otherwise.
pub async fn receive_request(
    state: &AppState,
    actor: &AccountRow,
    request: &QuoteRequest,
) -> ApiResult<()> {
    let quoted = crate::services::statuses::status_by_uri(state, request.object.as_str())
        .await?
        .filter(|s| s.local && s.reblog_of_id.is_none())
        .ok_or(ApiError::NotFound)?;
    let instrument = request.instrument.as_ref().ok_or(ApiError::NotFound)?;
    let quoting = crate::services::statuses::fetch_known_or_remote(state, instrument.id())
        .await?
        .filter(|s| s.account_id == actor.id)
        .ok_or(ApiError::NotFound)?;
    let author = accounts::find_by_id(&state.db, quoted.account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let policy = policy_of(&state.db, &quoted).await?;
    let follows = follows::find_pair(&state.db, actor.id, author.id)
        .await?
        .is_some_and(|f| f.accepted);
    let public = matches!(quoted.visibility, Visibility::Public | Visibility::Unlisted);
    let approved = public && policy.is_some_and(|p| p.approves(follows));
    let mut transaction = state.db.begin().await?;
    let planned = Planned {
        uri: request.object.to_string(),
        quoted,
        author: author.clone(),
        state: if approved {
            QuoteState::Accepted
        } else {
            QuoteState::Pending
        },
    };
    let stamp = write_received(state, &mut transaction, &quoting, &planned, request).await?;
    if let Some(stamp) = stamp {
        let id = Url::parse(&urls::new_activity(&state.config)).map_err(anyhow::Error::from)?;
        let accept = build::accept(&state.config, id, &author, request, &stamp);
        outbound::deliver_to(&mut transaction, &accept, &author, actor).await?;
    } else if !public || policy == Some(QuotePolicy::Nobody) {
        let id = Url::parse(&urls::new_activity(&state.config)).map_err(anyhow::Error::from)?;
        let reject = build::reject(&state.config, id, &author, request);
        outbound::deliver_to(&mut transaction, &reject, &author, actor).await?;
    }
    transaction.commit().await?;
    Ok(())
}

/// Writes the quote a `QuoteRequest` asked for, with its stamp's URI when accepted
/// (returned), and tells the quoted author.
async fn write_received(
    state: &AppState,
    conn: &mut PgConnection,
    quoting: &StatusRow,
    planned: &Planned,
    request: &QuoteRequest,
) -> ApiResult<Option<Url>> {
    let accepted = planned.state == QuoteState::Accepted;
    let stamp = accepted
        .then(|| urls::quote_authorization(&state.config, &planned.author.username, quoting.id));
    quotes::insert(
        &mut *conn,
        &NewQuote {
            status_id: quoting.id,
            account_id: quoting.account_id,
            quoted_status_id: Some(planned.quoted.id),
            quoted_account_id: Some(planned.author.id),
            quoted_uri: &planned.uri,
            state: planned.state.as_str(),
            authorization_uri: stamp.as_deref(),
            request_uri: Some(request.id.as_str()),
        },
    )
    .await?;
    // The quoting post may have been stored (pending) before the request came.
    quotes::set_state(
        &mut *conn,
        quoting.id,
        planned.state.as_str(),
        stamp.as_deref(),
    )
    .await?;
    // Remembered for answering it later (the author's review).
    quotes::set_request(&mut *conn, quoting.id, request.id.as_str()).await?;
    let cause = Cause::new(Kind::Quote, quoting.account_id, Some(quoting.id));
    notify(conn, &cause, &[planned.author.id]).await?;
    Ok(stamp
        .map(|stamp| Url::parse(&stamp))
        .transpose()
        .map_err(anyhow::Error::from)?)
}

/// Applies an `Accept` of one of Roost's `QuoteRequest`s (`request_id`) by `actor`, the
/// quoted author: the stamp `result` must dereference to a `QuoteAuthorization` by
/// them for this quote. Returns whether the activity was about a quote at all.
pub async fn receive_accept(
    state: &AppState,
    actor: &AccountRow,
    request_id: &str,
    result: Option<&str>,
) -> ApiResult<bool> {
    let Some(quote) = quotes::find_by_request(&state.db, request_id).await? else {
        return Ok(false);
    };
    if quote.quoted_account_id != Some(actor.id) {
        return Err(ApiError::Forbidden("not the quoted author".into()));
    }
    let stamp = result.ok_or_else(|| ApiError::Unprocessable("no stamp".into()))?;
    if !stamp_verifies(state, actor, &quote, stamp).await? {
        return Err(ApiError::Unprocessable("the stamp does not verify".into()));
    }
    quotes::set_state(&state.db, quote.status_id, "accepted", Some(stamp)).await?;
    super::answers::send_stamped_update(state, &quote).await?;
    Ok(true)
}

/// Whether `stamp` (on the quoted author's server) dereferences to their authorization
/// of `quote`.
async fn stamp_verifies(
    state: &AppState,
    quoted_author: &AccountRow,
    quote: &QuoteRow,
    stamp: &str,
) -> ApiResult<bool> {
    let (Some(author), Ok(stamp)) = (quoted_author.ap_id.as_deref(), Url::parse(stamp)) else {
        return Ok(false);
    };
    let author = Url::parse(author).map_err(anyhow::Error::from)?;
    let quoting = quoting_uri(state, quote).await?;
    let quoted = Url::parse(&quote.quoted_uri).map_err(anyhow::Error::from)?;
    Ok(quote_stamp_verifies(state, &stamp, &author, &quoting, &quoted).await)
}

/// The URI of the status that makes `quote`.
async fn quoting_uri(state: &AppState, quote: &QuoteRow) -> ApiResult<Url> {
    let status = crate::db::statuses::find_many(&state.db, &[quote.status_id])
        .await?
        .pop()
        .ok_or(ApiError::NotFound)?;
    let mut conn = state.db.acquire().await?;
    let uri = crate::federation::posts::ap_id_of(state, &mut conn, &status)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Url::parse(&uri).map_err(anyhow::Error::from)?)
}

/// The stamp local account `username` issued for status `quoting_id` quoting theirs,
/// while the quote stands (`GET /users/:name/quote_authorizations/:id`).
pub async fn stamp(
    state: &AppState,
    username: &str,
    quoting_id: i64,
) -> ApiResult<QuoteAuthorization> {
    let uri = urls::quote_authorization(&state.config, username, quoting_id);
    let quote = quotes::find_by_authorization(&state.db, &uri)
        .await?
        .filter(|q| q.state == "accepted")
        .ok_or(ApiError::NotFound)?;
    let author = accounts::find_visible_by_acct(&state.db, username, None)
        .await?
        .ok_or(ApiError::NotFound)?;
    let quoting = quoting_uri(state, &quote).await?;
    let parse = |text: &str| Url::parse(text).map_err(|e| ApiError::Internal(e.into()));
    Ok(build::authorization(
        &state.config,
        parse(&uri)?,
        &author,
        quoting,
        parse(&quote.quoted_uri)?,
    ))
}

/// Queues the `Delete` of the stamp of `quote` (just revoked by `author`) to the remote
/// quoting author. Nothing for a local quoter or a quote without a stamp.
pub async fn send_revocation(
    state: &AppState,
    conn: &mut PgConnection,
    author: &AccountRow,
    quote: &QuoteRow,
) -> ApiResult<()> {
    let Some(stamp) = quote.authorization_uri.as_deref() else {
        return Ok(());
    };
    let Some(quoter) = accounts::find_by_id(&mut *conn, quote.account_id).await? else {
        return Ok(());
    };
    let Some(quoter_uri) = quoter.ap_id.as_deref().filter(|_| !quoter.is_local()) else {
        return Ok(());
    };
    let id = Url::parse(&urls::new_activity(&state.config)).map_err(anyhow::Error::from)?;
    let parse = |text: &str| Url::parse(text).map_err(anyhow::Error::from);
    let delete = build::revocation(
        &state.config,
        id,
        author,
        &parse(stamp)?,
        &parse(quoter_uri)?,
    );
    outbound::deliver_to(conn, &delete, author, &quoter).await?;
    Ok(())
}

/// Applies a `Delete` of stamp `stamp` by `actor`: the quote it approved is revoked.
/// Returns whether a stamp of theirs was known.
pub async fn receive_revocation(
    state: &AppState,
    actor: &AccountRow,
    stamp: &str,
) -> ApiResult<bool> {
    let Some(quote) = quotes::find_by_authorization(&state.db, stamp).await? else {
        return Ok(false);
    };
    if quote.quoted_account_id != Some(actor.id) {
        return Err(ApiError::Forbidden("not the quoted author".into()));
    }
    quotes::set_state(&state.db, quote.status_id, "revoked", None).await?;
    Ok(true)
}

/// The quote a received `note` by `author` makes, if the quoted post is known here
/// (or, when `fetch`, can be fetched): accepted when its stamp verifies or it uses only
/// the older properties, pending otherwise.
pub async fn received(state: &AppState, note: &Note, fetch: bool) -> ApiResult<Option<Planned>> {
    let Some(uri) = note.quote_url() else {
        return Ok(None);
    };
    let quoted = match crate::services::statuses::status_by_uri(state, uri.as_str()).await? {
        Some(found) => Some(found),
        None if fetch => {
            crate::services::statuses::fetch_known_or_remote(state, uri.as_url()).await?
        }
        None => None,
    };
    let Some(quoted) = quoted.filter(|q| q.reblog_of_id.is_none()) else {
        return Ok(None);
    };
    let author = accounts::find_by_id(&state.db, quoted.account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let accepted = note.is_legacy_quote() || stamped(state, note, &quoted, &author).await?;
    Ok(Some(Planned {
        uri: uri.to_string(),
        quoted,
        author,
        state: if accepted {
            QuoteState::Accepted
        } else {
            QuoteState::Pending
        },
    }))
}

/// Whether `note`'s `quoteAuthorization` approves it quoting `quoted` by `author`: a
/// stamp Roost issued (its quote row says so), or one that dereferences and matches.
pub(super) async fn stamped(
    state: &AppState,
    note: &Note,
    quoted: &StatusRow,
    author: &AccountRow,
) -> ApiResult<bool> {
    let Some(stamp) = note.quote_authorization.as_ref() else {
        return Ok(false);
    };
    if author.is_local() {
        let ours = quotes::find_by_authorization(&state.db, stamp.as_str()).await?;
        return Ok(
            ours.is_some_and(|q| q.state == "accepted" && q.quoted_status_id == Some(quoted.id))
        );
    }
    let (Some(quoted_uri), Some(author_uri)) = (
        note.quote_url(),
        author.ap_id.as_deref().and_then(|a| Url::parse(a).ok()),
    ) else {
        return Ok(false);
    };
    let (stamp, quoted) = (stamp.as_url(), quoted_uri.as_url());
    Ok(quote_stamp_verifies(state, stamp, &author_uri, &note.id, quoted).await)
}

/// Whether `stamp` is `author`'s `QuoteAuthorization` of `quoting` quoting `quoted`.
async fn quote_stamp_verifies(
    state: &AppState,
    stamp: &Url,
    author: &Url,
    quoting: &Url,
    quoted: &Url,
) -> bool {
    let claim = Claim {
        kind: "QuoteAuthorization",
        author,
        interacting: quoting,
        target: quoted,
    };
    stamps::verifies(state, stamp, claim).await
}
