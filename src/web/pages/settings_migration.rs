//! The settings of moving accounts, as Mastodon's: `/settings/aliases` (the other
//! accounts the user says are theirs, so those may move here) and
//! `/settings/migration` (moving this account to another, with the password; the
//! current redirect and the cooldown). Both call `services::account_moves`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use crate::db::account_moves::AliasRow;
use crate::db::web_sessions::LiveSession;
use crate::domain::Id;
use crate::error::ApiError;
use crate::extract::Path;
use crate::services::account_moves;
use crate::state::AppState;
use crate::urls::Address;
use crate::web::forms::WebForm;
use crate::web::frame::Frame;
use crate::web::render::{html, see_other, PageError, PageResult};
use crate::web::session::Visitor;
use crate::web::texts::EN;

fn signed_in(visitor: &Visitor) -> Result<&LiveSession, PageError> {
    visitor.session.as_ref().ok_or(PageError::Forbidden)
}

/// The frame of a settings page, with the message of the form that led here.
async fn frame(
    state: &AppState,
    visitor: &Visitor,
    title: &str,
    saved: bool,
) -> Result<Frame, PageError> {
    let frame = Frame::new(state, visitor, title).await?.at("settings");
    Ok(match saved {
        true => frame.with_flash(EN.saved, false),
        false => frame,
    })
}

/// A refused form's problems, "field: reason", or the error itself when it is no
/// refusal of the input.
fn problems(error: ApiError) -> Result<Vec<String>, PageError> {
    match error {
        ApiError::Validation(problems) => Ok(problems
            .into_iter()
            .map(|problem| format!("{}: {}", problem.field, problem.reason))
            .collect()),
        ApiError::Unprocessable(reason) => Ok(vec![reason]),
        other => Err(other.into()),
    }
}

/// A `?saved=1` after a successful form.
#[derive(Debug, Default, Deserialize)]
pub struct Saved {
    pub saved: Option<String>,
}

#[derive(Template)]
#[template(path = "settings_aliases.html")]
struct AliasesPage {
    page: Frame,
    aliases: Vec<AliasRow>,
    acct: String,
    errors: Vec<String>,
}

/// `GET /settings/aliases`.
pub async fn aliases(state: &AppState, visitor: &Visitor, saved: &Saved) -> PageResult {
    if visitor.session.is_none() {
        return Ok(see_other("/auth/sign_in?return_to=%2Fsettings%2Faliases"));
    }
    let form = AliasForm::default();
    aliases_page(state, visitor, saved.saved.is_some(), &form, Vec::new()).await
}

async fn aliases_page(
    state: &AppState,
    visitor: &Visitor,
    saved: bool,
    form: &AliasForm,
    errors: Vec<String>,
) -> PageResult {
    let session = signed_in(visitor)?;
    let status = match errors.is_empty() {
        true => StatusCode::OK,
        false => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let page = AliasesPage {
        page: frame(state, visitor, EN.aliases, saved).await?,
        aliases: account_moves::aliases(state, session.account_id).await?,
        acct: form.acct.clone(),
        errors,
    };
    Ok(html(status, &page))
}

/// The alias form.
#[derive(Debug, Default, Deserialize)]
pub struct AliasForm {
    #[serde(default)]
    acct: String,
}

/// `POST /settings/aliases`: adds an alias.
pub async fn add_alias(state: &AppState, visitor: &Visitor, form: AliasForm) -> PageResult {
    let session = signed_in(visitor)?;
    match account_moves::add_alias(state, session.account_id, &form.acct).await {
        Ok(_) => Ok(see_other("/settings/aliases?saved=1")),
        Err(error) => aliases_page(state, visitor, false, &form, problems(error)?).await,
    }
}

/// `POST /settings/aliases/:id/remove`.
pub async fn remove_alias(state: &AppState, visitor: &Visitor, id: i64) -> PageResult {
    let session = signed_in(visitor)?;
    account_moves::remove_alias(state, session.account_id, id).await?;
    Ok(see_other("/settings/aliases?saved=1"))
}

/// The account this one moved to, as the page links it.
struct MovedTo {
    /// `@user@domain`.
    handle: String,
    /// Its profile page.
    url: String,
}

#[derive(Template)]
#[template(path = "settings_migration.html")]
struct MigrationPage {
    page: Frame,
    moved_to: Option<MovedTo>,
    /// The day the user may move again, while the cooldown lasts.
    cooldown_until: Option<String>,
    acct: String,
    errors: Vec<String>,
}

/// `GET /settings/migration`.
pub async fn migration(state: &AppState, visitor: &Visitor, saved: &Saved) -> PageResult {
    if visitor.session.is_none() {
        return Ok(see_other("/auth/sign_in?return_to=%2Fsettings%2Fmigration"));
    }
    let form = MigrationForm::default();
    migration_page(state, visitor, saved.saved.is_some(), &form, Vec::new()).await
}

async fn migration_page(
    state: &AppState,
    visitor: &Visitor,
    saved: bool,
    form: &MigrationForm,
    errors: Vec<String>,
) -> PageResult {
    let session = signed_in(visitor)?;
    let (moved_to, until) = account_moves::current(state, session.account_id).await?;
    let moved_to = moved_to.map(|target| {
        let address = Address::of(&target, &state.config);
        let handle = match target.domain {
            Some(_) => format!("@{}", address.acct),
            None => format!("@{}@{}", address.acct, state.config.domain),
        };
        MovedTo {
            handle,
            url: address.url,
        }
    });
    let status = match errors.is_empty() {
        true => StatusCode::OK,
        false => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let page = MigrationPage {
        page: frame(state, visitor, EN.migration, saved).await?,
        moved_to,
        cooldown_until: until.map(|until| until.date_naive().to_string()),
        acct: form.acct.clone(),
        errors,
    };
    Ok(html(status, &page))
}

/// The move form.
#[derive(Debug, Default, Deserialize)]
pub struct MigrationForm {
    #[serde(default)]
    acct: String,
    #[serde(default)]
    current_password: String,
}

/// `POST /settings/migration`: moves the account (password required).
pub async fn move_account(state: &AppState, visitor: &Visitor, form: MigrationForm) -> PageResult {
    let session = signed_in(visitor)?;
    let account_id = session.account_id;
    let password = &form.current_password;
    match account_moves::move_out_with_password(state, account_id, password, &form.acct).await {
        Ok(_) => Ok(see_other("/settings/migration?saved=1")),
        Err(error) => migration_page(state, visitor, false, &form, problems(error)?).await,
    }
}

/// The routes of the two pages and their forms.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/settings/aliases",
            get(
                |State(state): State<AppState>, visitor: Visitor, Query(saved): Query<Saved>| async move {
                    aliases(&state, &visitor, &saved).await
                },
            )
            .post(
                |State(state): State<AppState>, visitor: Visitor, form: WebForm<AliasForm>| async move {
                    let form = form.checked(&visitor)?;
                    add_alias(&state, &visitor, form).await
                },
            ),
        )
        .route(
            "/settings/aliases/{id}/remove",
            post(
                |State(state): State<AppState>,
                 visitor: Visitor,
                 Path(id): Path<Id>,
                 form: WebForm<serde::de::IgnoredAny>| async move {
                    form.checked(&visitor)?;
                    remove_alias(&state, &visitor, id.0).await
                },
            ),
        )
        .route(
            "/settings/migration",
            get(
                |State(state): State<AppState>, visitor: Visitor, Query(saved): Query<Saved>| async move {
                    migration(&state, &visitor, &saved).await
                },
            )
            .post(
                |State(state): State<AppState>, visitor: Visitor, form: WebForm<MigrationForm>| async move {
                    let form = form.checked(&visitor)?;
                    move_account(&state, &visitor, form).await
                },
            ),
        )
}
