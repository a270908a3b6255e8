//! The signed-in user's settings: the profile (avatar, header, name, bio, fields, who
//! may follow and find them) and the account's security (password, signed-in
//! browsers, authorized apps, two-factor sign-in). Each form posts to the same
//! services as the client API and comes back here with a message.

use askama::Template;
use axum::http::StatusCode;
use serde::Deserialize;

use crate::api::params::{FileFields, ParamsWithFiles};
use crate::db::accounts::ProfileImage;
use crate::db::oauth::AuthorizedApp;
use crate::db::web_sessions::{LiveSession, SessionSummary};
use crate::error::ApiError;
use crate::services::profile::{self, FieldInput, ProfileChanges};
use crate::services::web_sessions;
use crate::state::AppState;
use crate::web::frame::Frame;
use crate::web::render::{html, see_other, PageError, PageResult};
use crate::web::session::Visitor;
use crate::web::texts::EN;

/// Profile fields shown in the form.
const FIELD_ROWS: usize = 4;

fn signed_in(visitor: &Visitor) -> Result<&LiveSession, PageError> {
    visitor.session.as_ref().ok_or(PageError::Forbidden)
}

/// A `?saved=1` after a successful form.
#[derive(Debug, Default, Deserialize)]
pub struct Saved {
    pub saved: Option<String>,
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
    let mut frame = Frame::new(state, visitor, EN.edit_profile)
        .await?
        .at("settings");
    if saved {
        frame = frame.with_flash(EN.saved, false);
    }
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
        ApiError::Validation(problems) => problems
            .into_iter()
            .map(|p| format!("{}: {}", p.field, p.reason))
            .collect(),
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
        saved.saved.is_some(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

async fn security_page(
    state: &AppState,
    visitor: &Visitor,
    session: &LiveSession,
    saved: bool,
    errors: Vec<String>,
    status: StatusCode,
) -> PageResult {
    let mut frame = Frame::new(state, visitor, EN.settings)
        .await?
        .at("settings");
    if saved {
        frame = frame.with_flash(EN.saved, false);
    }
    Ok(html(
        status,
        &SecuritySettings {
            page: frame,
            sessions: web_sessions::list(state, session.user_id).await?,
            current_session: session.id,
            apps: web_sessions::authorized_apps(state, session.account_id).await?,
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
        Err(ApiError::Validation(problems)) => {
            let errors = problems
                .into_iter()
                .map(|p| format!("{}: {}", p.field, p.reason))
                .collect();
            security_page(
                state,
                visitor,
                session,
                false,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
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
