//! Quote posts (Mastodon 4.5, FEP-044f): which post a new status may quote and whether
//! the quote is accepted at once, who may quote a status (its policy, the author's
//! default), the list of a post's quotes, revoking one, and telling quoters of an edit.
//! Posting calls [`plan`] before its transaction and [`record`] inside it.
//! Spec: <https://docs.joinmastodon.org/methods/statuses/#quotes>,
//! <https://docs.joinmastodon.org/methods/statuses/#revoke_quote>,
//! <https://docs.joinmastodon.org/methods/statuses/#interaction_policy>.

mod answers;
mod federation;

pub use answers::{receive_reject, receive_update, send_stamped_update};
pub use federation::{
    receive_accept, receive_request, receive_revocation, received, send_request, stamp,
};

use sqlx::PgConnection;

use crate::config::Config;
use crate::db::accounts::AccountRow;

use crate::db::notifications::Kind;
use crate::db::quotes::{self, NewQuote};
use crate::db::statuses::StatusRow;
use crate::db::{follows, Page};
use crate::domain::quotes::{QuotePolicy, QuoteState};
use crate::domain::{Id, Visibility};
use crate::error::{ApiError, ApiResult};
use crate::services::notifications::create::{notify, Cause};
use crate::state::AppState;

/// A quote a new post will make, as checked before it is written.
#[derive(Debug)]
pub struct Planned {
    /// The quoted status.
    pub quoted: StatusRow,
    /// Its author.
    pub author: AccountRow,
    /// Its URI (what the Note's `quote` names).
    pub uri: String,
    /// Accepted at once, or pending (manual approval, or a remote author's answer).
    pub state: QuoteState,
}

/// The quote of a new post by local account `author_id`, if `quoted_status_id` is
/// given: the status must be one the author may see (`NotFound`), public or unlisted
/// and its policy must not be `nobody` for anyone but its author (`Validation`, as
/// Mastodon's 422). A local post is accepted at once when its policy approves the
/// author, pending (manual approval) otherwise; a remote one waits for its server.
pub async fn plan(
    state: &AppState,
    author_id: i64,
    quoted_status_id: Option<&str>,
) -> ApiResult<Option<Planned>> {
    let Some(id) = quoted_status_id.filter(|id| !id.is_empty()) else {
        return Ok(None);
    };
    let id: Id = id.parse().map_err(|_| ApiError::NotFound)?;
    let quoted = super::statuses::visible(state, Some(author_id), id.0).await?;
    if quoted.reblog_of_id.is_some()
        || matches!(quoted.visibility, Visibility::Private | Visibility::Direct)
    {
        return Err(refused());
    }
    let author = crate::db::accounts::find_by_id(&state.db, quoted.account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let uri = status_uri(state, &quoted, &author);
    if quoted.account_id == author_id {
        return Ok(Some(Planned {
            quoted,
            author,
            uri,
            state: QuoteState::Accepted,
        }));
    }
    let policy = policy_of(&state.db, &quoted).await?;
    if policy == Some(QuotePolicy::Nobody) {
        return Err(refused());
    }
    let follows = follows::find_pair(&state.db, author_id, quoted.account_id)
        .await?
        .is_some_and(|follow| follow.accepted);
    let approved = quoted.local && policy.is_some_and(|policy| policy.approves(follows));
    let state = if approved {
        QuoteState::Accepted
    } else {
        QuoteState::Pending
    };
    Ok(Some(Planned {
        quoted,
        author,
        uri,
        state,
    }))
}

/// The URI of `status` by `author`: its `ap_id`, or the local one.
fn status_uri(state: &AppState, status: &StatusRow, author: &AccountRow) -> String {
    (status.ap_id.clone())
        .unwrap_or_else(|| crate::urls::status(&state.config, &author.username, status.id))
}

fn refused() -> ApiError {
    ApiError::validation(
        "quoted_status_id",
        "ERR_INVALID",
        "Quoted status is not allowed to be quoted",
    )
}

/// The policy of `status`: its own, else public for a local status posted before Roost
/// knew quotes, else none (a remote server that did not say).
async fn policy_of(
    db: impl sqlx::PgExecutor<'_>,
    status: &StatusRow,
) -> sqlx::Result<Option<QuotePolicy>> {
    let stored = quotes::policies(db, &[status.id]).await?;
    let stored = stored
        .first()
        .and_then(|(_, name)| QuotePolicy::parse(name));
    Ok(stored.or(status.local.then_some(QuotePolicy::Public)))
}

/// The policy a new local post gets: the one asked for, else the author's default
/// (as stored: `stored_default`); `nobody` for a private or direct post, which cannot be quoted anyway.
/// Errors: `Validation` for an unknown name.
pub fn policy_for_post(
    requested: Option<&str>,
    visibility: Visibility,
    stored_default: Option<&str>,
) -> ApiResult<QuotePolicy> {
    let requested = match requested.filter(|name| !name.is_empty()) {
        Some(name) => Some(parse_policy(name)?),
        None => None,
    };
    if matches!(visibility, Visibility::Private | Visibility::Direct) {
        return Ok(QuotePolicy::Nobody);
    }
    Ok(requested.unwrap_or_else(|| default_from(stored_default)))
}

/// Local account `account_id`'s default policy (`posting:default:quote_policy`).
pub async fn default_policy(state: &AppState, account_id: i64) -> ApiResult<QuotePolicy> {
    let stored = quotes::default_policy(&state.db, account_id).await?;
    Ok(default_from(stored.as_deref()))
}

/// The default quote policy a stored name gives (public when unset or unknown).
fn default_from(stored: Option<&str>) -> QuotePolicy {
    stored
        .and_then(QuotePolicy::parse)
        .unwrap_or(QuotePolicy::Public)
}

/// The default policy `source[quote_policy]` asks for, if any. Errors: `Validation`
/// for an unknown name.
pub fn default_policy_change(requested: Option<&str>) -> ApiResult<Option<QuotePolicy>> {
    requested
        .filter(|name| !name.is_empty())
        .map(|name| {
            QuotePolicy::parse(name).ok_or_else(|| {
                ApiError::validation(
                    "source[quote_policy]",
                    "ERR_INCLUSION",
                    "Quote policy is not included in the list",
                )
            })
        })
        .transpose()
}

fn parse_policy(name: &str) -> ApiResult<QuotePolicy> {
    QuotePolicy::parse(name).ok_or_else(|| {
        ApiError::validation(
            "quote_approval_policy",
            "ERR_INCLUSION",
            "Quote approval policy is not included in the list",
        )
    })
}

/// Writes the quote `quoting` (local or remote) makes, if `planned`, in the caller's
/// transaction, with Roost's stamp when it accepts a quote of a local post, and tells
/// a local quoted author (`quote`).
pub async fn record_quote(
    config: &Config,
    conn: &mut PgConnection,
    quoting: &StatusRow,
    planned: Option<&Planned>,
) -> sqlx::Result<()> {
    let Some(planned) = planned else {
        return Ok(());
    };
    let stamp = (planned.quoted.local && planned.state == QuoteState::Accepted)
        .then(|| crate::urls::quote_authorization(config, &planned.author.username, quoting.id));
    let quoted = &planned.quoted;
    quotes::insert(
        &mut *conn,
        &NewQuote {
            status_id: quoting.id,
            account_id: quoting.account_id,
            quoted_status_id: Some(quoted.id),
            quoted_account_id: Some(quoted.account_id),
            quoted_uri: &planned.uri,
            state: planned.state.as_str(),
            authorization_uri: stamp.as_deref(),
            request_uri: None,
        },
    )
    .await?;
    if quoted.local && quoted.account_id != quoting.account_id {
        let cause = Cause::new(Kind::Quote, quoting.account_id, Some(quoting.id));
        notify(conn, &cause, &[quoted.account_id]).await?;
    }
    Ok(())
}

/// A page of the accepted quotes of status `id` that `viewer` may see (the author sees
/// quotes in private posts too, as far as the audience rules let them).
/// Errors: `NotFound` (a status the viewer may not see).
pub async fn quotes_of(
    state: &AppState,
    viewer: i64,
    id: i64,
    page: &Page,
) -> ApiResult<Vec<StatusRow>> {
    let quoted = super::statuses::visible(state, Some(viewer), id).await?;
    Ok(quotes::quoting_page(&state.db, viewer, quoted.id, page).await?)
}

/// Revokes the quote that status `quoting_id` makes of status `id`, on behalf of
/// `account_id`, who must be the quoted author. Returns the quoting status.
/// Errors: `NotFound` (no such status or quote), `Forbidden` (not the author).
pub async fn revoke(
    state: &AppState,
    account_id: i64,
    id: i64,
    quoting_id: i64,
) -> ApiResult<StatusRow> {
    let quoted = super::statuses::visible(state, Some(account_id), id).await?;
    if quoted.account_id != account_id {
        return Err(ApiError::Forbidden(
            "only the quoted author may revoke a quote".into(),
        ));
    }
    let quote = quotes::find(&state.db, quoting_id)
        .await?
        .filter(|quote| quote.quoted_status_id == Some(quoted.id))
        .ok_or(ApiError::NotFound)?;
    let quoting = crate::db::statuses::find_many(&state.db, &[quote.status_id])
        .await?
        .pop()
        .ok_or(ApiError::NotFound)?;
    let author = crate::db::accounts::find_by_id(&state.db, account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut transaction = state.db.begin().await?;
    quotes::set_state(&mut *transaction, quote.status_id, "revoked", None).await?;
    federation::send_revocation(state, &mut transaction, &author, &quote).await?;
    transaction.commit().await?;
    Ok(quoting)
}

/// Sets who may quote local status `id` of `account_id` (`PUT …/interaction_policy`).
/// Returns the status. Errors: `NotFound` (not their own), `Validation`.
pub async fn set_policy(
    state: &AppState,
    account_id: i64,
    id: i64,
    policy: Option<&str>,
) -> ApiResult<StatusRow> {
    let status = super::statuses::own(state, account_id, id).await?;
    if let Some(name) = policy {
        let policy = parse_policy(name)?;
        let policy = if matches!(status.visibility, Visibility::Private | Visibility::Direct) {
            QuotePolicy::Nobody
        } else {
            policy
        };
        quotes::set_policy(&state.db, status.id, policy.as_str()).await?;
    }
    Ok(status)
}

/// `quoted_update` to the local authors of accepted quotes of status `status_id`, just
/// edited by `editor`. Run in the edit's transaction.
pub async fn notify_quoters(
    conn: &mut PgConnection,
    status_id: i64,
    editor: i64,
) -> sqlx::Result<()> {
    for quote in quotes::accepted_of(&mut *conn, status_id).await? {
        if quote.account_id == editor {
            continue;
        }
        let cause = Cause::new(Kind::QuotedUpdate, editor, Some(quote.status_id));
        notify(conn, &cause, &[quote.account_id]).await?;
    }
    Ok(())
}
