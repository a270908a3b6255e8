//! A local user's aliases: the other accounts they say are theirs, which their actor
//! document publishes as `alsoKnownAs` so that those accounts may move here
//! (Mastodon's `AccountAlias`). Adding or removing one sends the actor's `Update`.

use sqlx::PgConnection;

use crate::db::account_moves::{self, AliasRow};
use crate::db::accounts::{self, AccountRow};
use crate::error::{ApiError, ApiResult};
use crate::federation::fetch::FetchError;
use crate::federation::resolve::{self, ResolveError};
use crate::services::profile;
use crate::services::search::split_handle;
use crate::state::AppState;
use crate::urls;

/// Most aliases one account may have.
pub const MAX_ALIASES: usize = 10;

/// The aliases of `account_id`, oldest first.
pub async fn aliases(state: &AppState, account_id: i64) -> ApiResult<Vec<AliasRow>> {
    Ok(account_moves::aliases(&state.db, account_id).await?)
}

/// Adds the account `handle` names (`user@domain`, or a local `user`) to the aliases of
/// local account `account_id`, and tells the followers' servers. Errors (`Validation`
/// on `acct`, 422): no such account, the account itself, already an alias, too many.
pub async fn add_alias(state: &AppState, account_id: i64, handle: &str) -> ApiResult<AliasRow> {
    let account = local_account(state, account_id).await?;
    if account_moves::aliases(&state.db, account.id).await?.len() >= MAX_ALIASES {
        let reason = format!("at most {MAX_ALIASES} aliases");
        return Err(ApiError::validation("acct", "ERR_TOO_MANY", reason));
    }
    let alias = find_fresh(state, handle)
        .await?
        .ok_or_else(|| ApiError::validation("acct", "ERR_NOT_FOUND", "could not be found"))?;
    if alias.id == account.id {
        return Err(ApiError::validation(
            "acct",
            "ERR_SELF",
            "cannot be the current account",
        ));
    }
    let uri = urls::account_ap_id(&state.config, &alias);
    let acct = urls::Address::of(&alias, &state.config).acct;
    let acct = match alias.is_local() {
        true => format!("{acct}@{}", state.config.domain),
        false => acct,
    };
    let mut transaction = state.db.begin().await?;
    let row = account_moves::insert_alias(&mut *transaction, account.id, &acct, &uri)
        .await?
        .ok_or_else(|| ApiError::validation("acct", "ERR_TAKEN", "is already an alias"))?;
    publish(state, &mut transaction, account.id).await?;
    transaction.commit().await?;
    Ok(row)
}

/// Removes alias `alias_id` of local account `account_id` and tells the followers'
/// servers. Errors: `NotFound` when the account has no such alias.
pub async fn remove_alias(state: &AppState, account_id: i64, alias_id: i64) -> ApiResult<()> {
    let account = local_account(state, account_id).await?;
    let mut transaction = state.db.begin().await?;
    account_moves::delete_alias(&mut *transaction, account.id, alias_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    publish(state, &mut transaction, account.id).await?;
    transaction.commit().await?;
    Ok(())
}

/// Mirrors the aliases into `also_known_as` and queues the actor's `Update`.
async fn publish(state: &AppState, conn: &mut PgConnection, account_id: i64) -> ApiResult<()> {
    account_moves::mirror_aliases(&mut *conn, account_id).await?;
    let account = accounts::find_by_id(&mut *conn, account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    profile::queue_actor_update(state, conn, &account).await
}

async fn local_account(state: &AppState, account_id: i64) -> ApiResult<AccountRow> {
    accounts::find_by_id(&state.db, account_id)
        .await?
        .filter(AccountRow::is_local)
        .ok_or(ApiError::NotFound)
}

/// The account `handle` names: a local one, or a remote one resolved through
/// WebFinger and fetched now (so its `alsoKnownAs` is current). `None` when there is none or its server does not answer usably.
pub(super) async fn find_fresh(state: &AppState, handle: &str) -> ApiResult<Option<AccountRow>> {
    let handle = handle.trim().trim_start_matches('@');
    if handle.is_empty() || handle.len() > 300 {
        return Ok(None);
    }
    let (username, domain) = match handle.contains('@') {
        true => match split_handle(handle, &state.config.domain) {
            Some(parts) => parts,
            None => return Ok(None),
        },
        false => (handle, None),
    };
    let Some(domain) = domain else {
        return Ok(accounts::find_visible_by_acct(&state.db, username, None).await?);
    };
    let found = match resolve::resolve_acct(state, username, domain).await {
        Ok(found) => found,
        Err(ResolveError::Database(error)) => return Err(error.into()),
        Err(error) => {
            tracing::info!(%error, username, domain, "account to move to not resolved");
            return Ok(None);
        }
    };
    let Some(url) = found
        .ap_id
        .as_deref()
        .and_then(|id| url::Url::parse(id).ok())
    else {
        return Ok(Some(found));
    };
    // Refetched even when known (Mastodon's `skip_cache`): an alias added a moment ago
    // must count.
    match resolve::fetch_actor(state, &url).await {
        Ok(refetched) => Ok(Some(refetched)),
        Err(ResolveError::Database(error)) => Err(error.into()),
        Err(error) => {
            tracing::info!(%error, %url, "account to move to not refetched");
            Ok(None)
        }
    }
}

/// A failed fetch of an account a move names: worth another try later when the
/// network or the server failed, a refusal otherwise.
pub(super) fn unreachable(error: ResolveError) -> ApiError {
    match error {
        ResolveError::Database(error) => error.into(),
        ResolveError::Fetch(FetchError::Network(_)) => ApiError::Unavailable(anyhow::anyhow!(
            "the account's server did not answer: {error}"
        )),
        ResolveError::Fetch(FetchError::Status(status)) if status >= 500 => {
            ApiError::Unavailable(anyhow::anyhow!("the account's server answered {status}"))
        }
        other => ApiError::Unprocessable(format!("the account could not be fetched: {other}")),
    }
}
