//! Two-factor sign-in in the settings (`/settings/two_factor`): turning it on (a QR code
//! of the `otpauth://` URI and the key to type, then a first code to confirm), the
//! recovery codes shown once, and turning it off with the password. The rules are
//! `services::two_factor`'s.

use askama::Template;
use axum::http::StatusCode;
use serde::Deserialize;

use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;

use crate::db::users::{self, UserRow};
use crate::extract::Path;
use crate::services::two_factor::{self, TwoFactorError, TwoFactorStatus};
use crate::state::AppState;
use crate::web::forms::WebForm;
use crate::web::frame::Frame;
use crate::web::render::{html, see_other, PageError, PageResult};
use crate::web::session::Visitor;
use crate::web::texts::EN;

/// What the page shows.
enum Step {
    /// Off, or on: the status and the buttons.
    Status(TwoFactorStatus),
    /// A setup waiting for its first code.
    Setup { qr: String, secret: String },
    /// Just turned on: the recovery codes, shown this once.
    Codes(Vec<String>),
}

#[derive(Template)]
#[template(path = "two_factor_settings.html")]
struct TwoFactorSettings {
    page: Frame,
    enabled: bool,
    codes_left: i64,
    setup: Option<(String, String)>,
    codes: Vec<String>,
    error: Option<String>,
}

async fn user(state: &AppState, visitor: &Visitor) -> Result<UserRow, PageError> {
    let session = visitor.session.as_ref().ok_or(PageError::Forbidden)?;
    users::find_by_account_id(&state.db, session.account_id)
        .await?
        .ok_or(PageError::Forbidden)
}

async fn show(
    state: &AppState,
    visitor: &Visitor,
    step: Step,
    error: Option<String>,
) -> PageResult {
    let frame = Frame::new(state, visitor, EN.two_factor)
        .await?
        .at("settings");
    let mut page = TwoFactorSettings {
        page: frame,
        enabled: false,
        codes_left: 0,
        setup: None,
        codes: Vec::new(),
        error,
    };
    match step {
        Step::Status(TwoFactorStatus::Enabled {
            recovery_codes_left,
        }) => {
            page.enabled = true;
            page.codes_left = recovery_codes_left;
        }
        Step::Status(_) => {}
        Step::Setup { qr, secret } => page.setup = Some((qr, secret)),
        Step::Codes(codes) => {
            page.enabled = true;
            page.codes_left = codes.len() as i64;
            page.codes = codes;
        }
    }
    let status = if page.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(html(status, &page))
}

/// `GET /settings/two_factor`.
pub async fn page(state: &AppState, visitor: &Visitor) -> PageResult {
    if visitor.session.is_none() {
        return Ok(see_other(
            "/auth/sign_in?return_to=%2Fsettings%2Ftwo_factor",
        ));
    }
    let user = user(state, visitor).await?;
    let status = two_factor::status(state, &user).await.map_err(api)?;
    show(state, visitor, Step::Status(status), None).await
}

/// `POST /settings/two_factor/setup`: a new secret to scan.
pub async fn setup(state: &AppState, visitor: &Visitor) -> PageResult {
    let user = user(state, visitor).await?;
    let setup = two_factor::begin_setup(state, &user).await.map_err(api)?;
    let step = Step::Setup {
        qr: crate::web::qr::qr_svg(&setup.otpauth_uri),
        secret: setup.secret_base32,
    };
    show(state, visitor, step, None).await
}

/// The code or password of the forms.
#[derive(Debug, Default, Deserialize)]
pub struct TwoFactorForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
}

/// `POST /settings/two_factor/confirm`: the first code turns it on.
pub async fn confirm(state: &AppState, visitor: &Visitor, form: TwoFactorForm) -> PageResult {
    let user = user(state, visitor).await?;
    let code: String = form
        .code
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(64)
        .collect();
    match two_factor::confirm_setup(state, &user, &code).await {
        Ok(codes) => show(state, visitor, Step::Codes(codes.0), None).await,
        Err(error @ (TwoFactorError::InvalidCode | TwoFactorError::NoPendingSetup)) => {
            // The secret is not shown again (it may have been seen); start over.
            let status = two_factor::status(state, &user).await.map_err(api)?;
            show(
                state,
                visitor,
                Step::Status(status),
                Some(error.to_string()),
            )
            .await
        }
        Err(error) => Err(api(error)),
    }
}

/// `POST /settings/two_factor/disable`: the password turns it off.
pub async fn disable(state: &AppState, visitor: &Visitor, form: TwoFactorForm) -> PageResult {
    let user = user(state, visitor).await?;
    match two_factor::disable(state, &user, &form.password).await {
        Ok(()) => Ok(see_other("/settings/two_factor")),
        Err(TwoFactorError::WrongPassword) => {
            let status = two_factor::status(state, &user).await.map_err(api)?;
            show(
                state,
                visitor,
                Step::Status(status),
                Some(TwoFactorError::WrongPassword.to_string()),
            )
            .await
        }
        Err(error) => Err(api(error)),
    }
}

fn api(error: TwoFactorError) -> PageError {
    crate::error::ApiError::from(error).into()
}

/// The two-factor settings page and its three steps (setup, confirm, disable).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/settings/two_factor",
            get(
                |State(state): State<AppState>, visitor: Visitor| async move {
                    page(&state, &visitor).await
                },
            ),
        )
        .route("/settings/two_factor/{step}", post(step))
}

async fn step(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(step): Path<String>,
    form: WebForm<TwoFactorForm>,
) -> PageResult {
    let form = form.checked(&visitor)?;
    match step.as_str() {
        "setup" => setup(&state, &visitor).await,
        "confirm" => confirm(&state, &visitor, form).await,
        "disable" => disable(&state, &visitor, form).await,
        _ => Err(PageError::NotFound),
    }
}
