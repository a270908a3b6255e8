//! The buttons of the pages: like, boost, bookmark and delete a post; follow, unfollow,
//! mute, unmute, block and unblock an account. Each is a form post that calls the same
//! service as the client API and goes back to the page it came from (`Referer`, when it
//! is one of ours), so they work without JavaScript.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::Router;

use crate::db::accounts::{self, AccountRow};
use crate::domain::Id;
use crate::error::ApiError;
use crate::extract::Path;
use crate::services::blocks::{self, MuteOptions};
use crate::services::follows::{self, FollowRequest};
use crate::services::{interactions, statuses};
use crate::state::AppState;
use crate::web::forms::WebForm;
use crate::web::render::{see_other, PageError, PageResult};
use crate::web::session::Visitor;

/// The signed-in visitor's account, or "forbidden" (forms of signed-out pages never
/// show these buttons).
async fn me(state: &AppState, visitor: &Visitor) -> Result<AccountRow, PageError> {
    let session = visitor.session.as_ref().ok_or(PageError::Forbidden)?;
    accounts::find_by_id(&state.db, session.account_id)
        .await?
        .ok_or(PageError::Forbidden)
}

/// `POST /actions/statuses/:id/:action`.
pub async fn on_status(
    state: &AppState,
    visitor: &Visitor,
    id: i64,
    action: &str,
    back: &str,
) -> PageResult {
    let me = me(state, visitor).await?;
    match action {
        "favourite" => drop(interactions::favourite(state, me.id, id).await?),
        "unfavourite" => drop(interactions::unfavourite(state, me.id, id).await?),
        "bookmark" => drop(interactions::bookmark(state, me.id, id).await?),
        "unbookmark" => drop(interactions::unbookmark(state, me.id, id).await?),
        "reblog" => drop(interactions::reblog(state, me.id, id, None).await?),
        "unreblog" => drop(interactions::unreblog(state, me.id, id).await?),
        "delete" => {
            let row = statuses::own(state, me.id, id).await?;
            statuses::delete(state, me.id, &row).await?;
            return Ok(see_other(&format!("/@{}", me.username)));
        }
        _ => return Err(PageError::NotFound),
    }
    Ok(see_other(&format!("{back}#post-{id}")))
}

/// `POST /actions/accounts/:id/:action`.
pub async fn on_account(
    state: &AppState,
    visitor: &Visitor,
    id: i64,
    action: &str,
    back: &str,
) -> PageResult {
    let me = me(state, visitor).await?;
    let target = accounts::find_visible_by_id(&state.db, id)
        .await?
        .ok_or(PageError::NotFound)?;
    let result: Result<(), ApiError> = match action {
        "follow" => follows::request(state, &me, &target, FollowRequest::default())
            .await
            .map(drop),
        "unfollow" => follows::unfollow(state, &me, &target).await.map(drop),
        "mute" => {
            let options = MuteOptions {
                notifications: true,
                duration_seconds: None,
            };
            blocks::mute(state, &me, &target, options).await.map(drop)
        }
        "unmute" => blocks::unmute(state, &me, &target).await.map(drop),
        "block" => blocks::block(state, &me, &target, None).await.map(drop),
        "unblock" => blocks::unblock(state, &me, &target).await.map(drop),
        _ => return Err(PageError::NotFound),
    };
    result?;
    Ok(see_other(back))
}

/// The buttons on posts and profiles: `/actions/statuses/:id/like`,
/// `/actions/accounts/:id/follow` and so on; each goes back to the page it was on.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/actions/statuses/{id}/{action}",
            post(
                |State(state): State<AppState>,
                 visitor: Visitor,
                 Path((id, action)): Path<(Id, String)>,
                 headers: HeaderMap,
                 form: WebForm<serde::de::IgnoredAny>| async move {
                    form.checked(&visitor)?;
                    on_status(&state, &visitor, id.0, &action, &back(&state, &headers)).await
                },
            ),
        )
        .route(
            "/actions/accounts/{id}/{action}",
            post(
                |State(state): State<AppState>,
                 visitor: Visitor,
                 Path((id, action)): Path<(Id, String)>,
                 headers: HeaderMap,
                 form: WebForm<serde::de::IgnoredAny>| async move {
                    form.checked(&visitor)?;
                    on_account(&state, &visitor, id.0, &action, &back(&state, &headers)).await
                },
            ),
        )
}

/// The local page a button was pressed on (from `Referer`), to go back to.
fn back(state: &AppState, headers: &HeaderMap) -> String {
    let base = state.config.base_url();
    headers
        .get(axum::http::header::REFERER)
        .and_then(|value| value.to_str().ok())
        .and_then(|referer| referer.strip_prefix(&base))
        .filter(|path| path.starts_with('/'))
        .map(|path| path.split('#').next().unwrap_or("/").to_owned())
        .unwrap_or_else(|| "/home".to_owned())
}
