//! The signed-in user's settings: the profile (avatar, header, name, bio, fields, who
//! may follow and find them), the account's security (e-mail, password, signed-in
//! browsers, authorized apps, two-factor sign-in) and deleting the account. Each form posts to the same
//! services as the client API and comes back here with a message.

use askama::Template;
use axum::http::StatusCode;
use serde::Deserialize;

use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::Router;

use crate::api::params::{FileFields, ParamsWithFiles};
use crate::db::accounts::ProfileImage;
use crate::db::oauth::AuthorizedApp;
use crate::db::web_sessions::{LiveSession, SessionSummary};
use crate::domain::Id;
use crate::error::{ApiError, FieldError};
use crate::extract::Path;
use crate::services::account_deletion;
use crate::services::email_confirmation::{self, EmailChange};
use crate::services::profile::{self, FieldInput, ProfileChanges};
use crate::services::web_sessions;
use crate::state::AppState;
use crate::web::forms::WebForm;
use crate::web::frame::Frame;
use crate::web::render::{html, see_other, see_other_with_cookie, PageError, PageResult};
use crate::web::session::{clear_session_cookie, Visitor};
use crate::web::texts::EN;

/// Profile fields shown in the form.
const FIELD_ROWS: usize = 4;

fn signed_in(visitor: &Visitor) -> Result<&LiveSession, PageError> {
    visitor.session.as_ref().ok_or(PageError::Forbidden)
}

/// The frame of a settings page, with the message of the form that led here.
async fn settings_frame(
    state: &AppState,
    visitor: &Visitor,
    title: &str,
    flash: Option<&'static str>,
) -> Result<Frame, PageError> {
    let frame = Frame::new(state, visitor, title).await?.at("settings");
    Ok(match flash {
        Some(message) => frame.with_flash(message, false),
        None => frame,
    })
}

/// A refused form's problems as the page lists them: "field: reason".
fn field_messages(problems: Vec<FieldError>) -> Vec<String> {
    problems
        .into_iter()
        .map(|problem| format!("{}: {}", problem.field, problem.reason))
        .collect()
}

/// A `?saved=1` after a successful form (`?saved=email` after asking for a new
/// address that awaits confirmation).
#[derive(Debug, Default, Deserialize)]
pub struct Saved {
    pub saved: Option<String>,
}

impl Saved {
    fn flash(&self) -> Option<&'static str> {
        match self.saved.as_deref()? {
            "email" => Some(EN.email_sent_to),
            _ => Some(EN.saved),
        }
    }
}

/// One row of the fields table, as typed.
pub struct FieldRow {
    pub index: usize,
    pub name: String,
    pub value: String,
    pub verified: bool,
}

#[derive(Template)]
#[template(path = "settings_profile.html")]
struct ProfileSettings {
    page: Frame,
    display_name: String,
    note: String,
    fields: Vec<FieldRow>,
    locked: bool,
    discoverable: bool,
    indexable: bool,
    avatar: String,
    errors: Vec<String>,
}

/// `GET /settings/profile`.
pub async fn profile_form(state: &AppState, visitor: &Visitor, saved: &Saved) -> PageResult {
    let Some(session) = &visitor.session else {
        return Ok(see_other("/auth/sign_in?return_to=%2Fsettings%2Fprofile"));
    };
    profile_page(
        state,
        visitor,
        session,
        saved.saved.is_some(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

async fn profile_page(
    state: &AppState,
    visitor: &Visitor,
    session: &LiveSession,
    saved: bool,
    errors: Vec<String>,
    status: StatusCode,
) -> PageResult {
    let own = profile::own(state, session.account_id).await?;
    let account = &own.account;
    let mut fields: Vec<FieldRow> = account
        .fields
        .iter()
        .take(FIELD_ROWS)
        .enumerate()
        .map(|(index, field)| FieldRow {
            index,
            name: field.name.clone(),
            value: field.source.clone().unwrap_or_else(|| field.value.clone()),
            verified: field.verified_at.is_some(),
        })
        .collect();
    while fields.len() < FIELD_ROWS {
        fields.push(FieldRow {
            index: fields.len(),
            name: String::new(),
            value: String::new(),
            verified: false,
        });
    }
    let frame = settings_frame(state, visitor, EN.edit_profile, saved.then_some(EN.saved)).await?;
    let entity = crate::api::entities::Account::from_row(account, &state.config);
    Ok(html(
        status,
        &ProfileSettings {
            page: frame,
            display_name: account.display_name.clone(),
            note: account.note_source.clone(),
            fields,
            locked: account.locked,
            discoverable: account.discoverable,
            indexable: account.indexable,
            avatar: entity.avatar,
            errors,
        },
    ))
}

/// The profile form's fields (multipart: it may carry an avatar and a header).
#[derive(Debug, Default, Deserialize)]
pub struct ProfileFields {
    #[serde(default)]
    authenticity_token: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    note: String,
    locked: Option<String>,
    discoverable: Option<String>,
    indexable: Option<String>,
    field_name_0: Option<String>,
    field_value_0: Option<String>,
    field_name_1: Option<String>,
    field_value_1: Option<String>,
    field_name_2: Option<String>,
    field_value_2: Option<String>,
    field_name_3: Option<String>,
    field_value_3: Option<String>,
}

impl FileFields for ProfileFields {
    const FILES: &'static [&'static str] = &["avatar", "header"];
}

impl ProfileFields {
    fn fields(&self) -> Vec<FieldInput> {
        let pairs = [
            (&self.field_name_0, &self.field_value_0),
            (&self.field_name_1, &self.field_value_1),
            (&self.field_name_2, &self.field_value_2),
            (&self.field_name_3, &self.field_value_3),
        ];
        pairs
            .into_iter()
            .map(|(name, value)| FieldInput {
                name: name.clone().unwrap_or_default(),
                value: value.clone().unwrap_or_default(),
            })
            .collect()
    }
}

/// `POST /settings/profile`.
pub async fn update_profile(
    state: &AppState,
    visitor: &Visitor,
    form: Result<ParamsWithFiles<ProfileFields>, ApiError>,
) -> PageResult {
    let session = signed_in(visitor)?;
    let mut form = match form {
        Ok(form) => form,
        Err(error) => return profile_refused(state, visitor, session, error).await,
    };
    if !visitor.csrf_matches(&form.params.authenticity_token) {
        return Err(PageError::BadForm);
    }
    let mut images = Vec::new();
    for (name, kind) in [
        ("avatar", ProfileImage::Avatar),
        ("header", ProfileImage::Header),
    ] {
        if let Some(file) = form.take_file(name).filter(|file| !file.file.is_empty()) {
            images.push((kind, file.file));
        }
    }
    let fields = &form.params;
    let changes = ProfileChanges {
        display_name: Some(fields.display_name.clone()),
        note: Some(fields.note.clone()),
        locked: Some(fields.locked.is_some()),
        discoverable: Some(fields.discoverable.is_some()),
        indexable: Some(fields.indexable.is_some()),
        fields: Some(fields.fields()),
        images,
        ..ProfileChanges::default()
    };
    match profile::update_credentials(state, session.account_id, changes).await {
        Ok(_) => Ok(see_other("/settings/profile?saved=1")),
        Err(error) => profile_refused(state, visitor, session, error).await,
    }
}

async fn profile_refused(
    state: &AppState,
    visitor: &Visitor,
    session: &LiveSession,
    error: ApiError,
) -> PageResult {
    let errors = match error {
        ApiError::Validation(problems) => field_messages(problems),
        ApiError::PayloadTooLarge => vec!["The images are too large.".to_owned()],
        ApiError::Unprocessable(reason) | ApiError::BadRequest(reason) => vec![reason],
        other => return Err(other.into()),
    };
    profile_page(
        state,
        visitor,
        session,
        false,
        errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

#[derive(Template)]
#[template(path = "settings_security.html")]
struct SecuritySettings {
    page: Frame,
    sessions: Vec<SessionSummary>,
    current_session: i64,
    apps: Vec<AuthorizedApp>,
    email: String,
    pending_email: Option<String>,
    errors: Vec<String>,
}

/// `GET /settings/security`.
pub async fn security(state: &AppState, visitor: &Visitor, saved: &Saved) -> PageResult {
    let Some(session) = &visitor.session else {
        return Ok(see_other("/auth/sign_in?return_to=%2Fsettings%2Fsecurity"));
    };
    security_page(
        state,
        visitor,
        session,
        saved.flash(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

async fn security_page(
    state: &AppState,
    visitor: &Visitor,
    session: &LiveSession,
    flash: Option<&'static str>,
    errors: Vec<String>,
    status: StatusCode,
) -> PageResult {
    let frame = settings_frame(state, visitor, EN.settings, flash).await?;
    let address = email_confirmation::address(state, session.account_id).await?;
    Ok(html(
        status,
        &SecuritySettings {
            page: frame,
            sessions: web_sessions::list(state, session.user_id).await?,
            current_session: session.id,
            apps: web_sessions::authorized_apps(state, session.account_id).await?,
            email: address.email,
            pending_email: address.unconfirmed_email,
            errors,
        },
    ))
}

/// The password form.
#[derive(Debug, Default, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
}

/// `POST /settings/password`: other browsers and every app token are signed out.
pub async fn change_password(
    state: &AppState,
    visitor: &Visitor,
    form: PasswordForm,
) -> PageResult {
    let session = signed_in(visitor)?;
    match web_sessions::change_password(state, session, &form.current_password, &form.password)
        .await
    {
        Ok(()) => Ok(see_other("/settings/security?saved=1")),
        Err(error) => security_refused(state, visitor, session, error).await,
    }
}

/// Shows the security page again with what was wrong in a form (422), or fails.
async fn security_refused(
    state: &AppState,
    visitor: &Visitor,
    session: &LiveSession,
    error: ApiError,
) -> PageResult {
    let errors = match error {
        ApiError::Validation(problems) => field_messages(problems),
        other => return Err(other.into()),
    };
    security_page(
        state,
        visitor,
        session,
        None,
        errors,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// The e-mail form.
#[derive(Debug, Default, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    current_password: String,
}

/// `POST /settings/email`: with mail on, the new address gets a confirmation link.
pub async fn change_email(state: &AppState, visitor: &Visitor, form: EmailForm) -> PageResult {
    let session = signed_in(visitor)?;
    match email_confirmation::request_change(
        state,
        session.account_id,
        &form.current_password,
        &form.email,
    )
    .await
    {
        Ok(EmailChange::AwaitingConfirmation(_)) => Ok(see_other("/settings/security?saved=email")),
        Ok(EmailChange::Changed) => Ok(see_other("/settings/security?saved=1")),
        Err(error) => security_refused(state, visitor, session, error).await,
    }
}

#[derive(Template)]
#[template(path = "settings_delete.html")]
struct DeleteSettings {
    page: Frame,
    errors: Vec<String>,
}

/// `GET /settings/delete`: the warning and the password to delete the account with.
pub async fn delete_form(state: &AppState, visitor: &Visitor) -> PageResult {
    if visitor.session.is_none() {
        return Ok(see_other("/auth/sign_in?return_to=%2Fsettings%2Fdelete"));
    }
    delete_page(state, visitor, Vec::new(), StatusCode::OK).await
}

async fn delete_page(
    state: &AppState,
    visitor: &Visitor,
    errors: Vec<String>,
    status: StatusCode,
) -> PageResult {
    let frame = settings_frame(state, visitor, EN.delete_account, None).await?;
    Ok(html(
        status,
        &DeleteSettings {
            page: frame,
            errors,
        },
    ))
}

/// The account deletion form.
#[derive(Debug, Default, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    current_password: String,
}

/// `POST /settings/delete`: deletes the account (`services::account_deletion`) and
/// signs this browser out with the others.
pub async fn delete_account(state: &AppState, visitor: &Visitor, form: DeleteForm) -> PageResult {
    let session = signed_in(visitor)?;
    match account_deletion::delete_own(state, session.account_id, &form.current_password).await {
        Ok(()) => Ok(see_other_with_cookie(
            "/auth/deleted",
            clear_session_cookie(&state.config),
        )),
        Err(ApiError::Validation(problems)) => {
            let errors = field_messages(problems);
            delete_page(state, visitor, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => Err(error.into()),
    }
}

/// `POST /settings/sessions/:id/revoke`.
pub async fn revoke_session(state: &AppState, visitor: &Visitor, id: i64) -> PageResult {
    let session = signed_in(visitor)?;
    web_sessions::revoke(state, session.user_id, id).await?;
    if id == session.id {
        return Ok(see_other("/"));
    }
    Ok(see_other("/settings/security?saved=1"))
}

/// `POST /settings/apps/:id/revoke`.
pub async fn revoke_app(state: &AppState, visitor: &Visitor, app_id: i64) -> PageResult {
    let session = signed_in(visitor)?;
    web_sessions::revoke_app(state, session.account_id, app_id).await?;
    Ok(see_other("/settings/security?saved=1"))
}

/// The settings pages and their forms (two-factor sign-in is `two_factor`'s).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/settings/profile",
            get(
                |State(state): State<AppState>, visitor: Visitor, Query(saved): Query<Saved>| async move {
                    profile_form(&state, &visitor, &saved).await
                },
            )
            .post(
                |State(state): State<AppState>,
                 visitor: Visitor,
                 form: Result<ParamsWithFiles<ProfileFields>, ApiError>| async move {
                    update_profile(&state, &visitor, form).await
                },
            ),
        )
        .route(
            "/settings/security",
            get(
                |State(state): State<AppState>, visitor: Visitor, Query(saved): Query<Saved>| async move {
                    security(&state, &visitor, &saved).await
                },
            ),
        )
        .route(
            "/settings/password",
            post(
                |State(state): State<AppState>, visitor: Visitor, form: WebForm<PasswordForm>| async move {
                    let form = form.checked(&visitor)?;
                    change_password(&state, &visitor, form).await
                },
            ),
        )
        .route(
            "/settings/email",
            post(
                |State(state): State<AppState>, visitor: Visitor, form: WebForm<EmailForm>| async move {
                    let form = form.checked(&visitor)?;
                    change_email(&state, &visitor, form).await
                },
            ),
        )
        .route(
            "/settings/delete",
            get(|State(state): State<AppState>, visitor: Visitor| async move {
                delete_form(&state, &visitor).await
            })
            .post(
                |State(state): State<AppState>, visitor: Visitor, form: WebForm<DeleteForm>| async move {
                    let form = form.checked(&visitor)?;
                    delete_account(&state, &visitor, form).await
                },
            ),
        )
        .route(
            "/settings/sessions/{id}/revoke",
            post(
                |State(state): State<AppState>,
                 visitor: Visitor,
                 Path(id): Path<Id>,
                 form: WebForm<serde::de::IgnoredAny>| async move {
                    form.checked(&visitor)?;
                    revoke_session(&state, &visitor, id.0).await
                },
            ),
        )
        .route(
            "/settings/apps/{id}/revoke",
            post(
                |State(state): State<AppState>,
                 visitor: Visitor,
                 Path(id): Path<Id>,
                 form: WebForm<serde::de::IgnoredAny>| async move {
                    form.checked(&visitor)?;
                    revoke_app(&state, &visitor, id.0).await
                },
            ),
        )
}
