//! Signing in and out of the web pages, the two-factor step, and creating an account.
//! Sign-in also serves `/oauth/authorize`: a visitor who is not signed in is sent here
//! with `return_to` and comes back signed in. Rate limits (per IP, the API's budgets)
//! are applied by the router.

use askama::Template;
use axum::http::StatusCode;
use serde::Deserialize;

use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::Router;

use crate::auth::signup::{self, SignUp, SignUpError, SignUpOrigin};
use crate::config::RegistrationMode;
use crate::db::rules::RuleRow;
use crate::db::web_sessions::LiveSession;
use crate::domain::Role;
use crate::rate_limit::Bucket;
use crate::services::phone_verification;
use crate::services::web_sessions::{self, SignInError};
use crate::sms::settings::PhoneAtSignUp;
use crate::state::AppState;
use crate::web::forms::WebForm;
use crate::web::frame::Frame;
use crate::web::render::{self, html, see_other, see_other_with_cookie, PageError, PageResult};
use crate::web::session::{clear_session_cookie, session_cookie, Visitor};
use crate::web::texts::EN;

/// Where to go after signing in (a local path; anything else means home).
#[derive(Debug, Default, Deserialize)]
pub struct ReturnTo {
    pub return_to: Option<String>,
}

/// The sign-in form.
#[derive(Debug, Default, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    return_to: Option<String>,
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    page: Frame,
    login: String,
    return_to: String,
    error: Option<String>,
}

/// A local path to return to, or `/home`.
fn safe_return(path: Option<&str>) -> String {
    match path {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_owned()
        }
        _ => "/home".to_owned(),
    }
}

/// `GET /auth/sign_in`.
pub async fn sign_in_form(state: &AppState, visitor: &Visitor, query: &ReturnTo) -> PageResult {
    let return_to = safe_return(query.return_to.as_deref());
    if visitor.session.is_some() {
        return Ok(see_other(&return_to));
    }
    if visitor.pending.is_some() {
        return Ok(see_other(&format!(
            "/auth/two_factor?return_to={}",
            encode(&return_to)
        )));
    }
    let page = Frame::new(state, visitor, EN.sign_in).await?.at("sign_in");
    render::ok(&SignInPage {
        page,
        login: String::new(),
        return_to,
        error: None,
    })
}

/// `POST /auth/sign_in`: opens a session (awaiting the code when two-factor sign-in is
/// on) and sets its cookie.
pub async fn sign_in(state: &AppState, visitor: &Visitor, form: SignInForm) -> PageResult {
    let return_to = safe_return(form.return_to.as_deref());
    match web_sessions::sign_in(state, &form.login, &form.password, &visitor.client).await {
        Ok(opened) => {
            let cookie = session_cookie(&state.config, &opened.token);
            let next = if opened.awaiting_second_factor {
                format!("/auth/two_factor?return_to={}", encode(&return_to))
            } else {
                return_to
            };
            Ok(see_other_with_cookie(&next, cookie))
        }
        Err(SignInError::Api(error)) => Err(error.into()),
        Err(error) => {
            let page = Frame::new(state, visitor, EN.sign_in).await?.at("sign_in");
            let status = match error {
                SignInError::Unusable(_) => StatusCode::FORBIDDEN,
                _ => StatusCode::UNAUTHORIZED,
            };
            Ok(html(
                status,
                &SignInPage {
                    page,
                    login: form.login.chars().take(320).collect(),
                    return_to,
                    error: Some(error.to_string()),
                },
            ))
        }
    }
}

#[derive(Template)]
#[template(path = "two_factor.html")]
struct TwoFactorPage {
    page: Frame,
    return_to: String,
    error: Option<String>,
    /// Whether the user can have a code texted (two-factor sign-in by SMS is on).
    sms: bool,
    /// Where a code was just texted (mostly hidden).
    notice: Option<String>,
}

/// Whether the half-signed-in `session`'s user can have a sign-in code texted.
async fn sms_sign_in(state: &AppState, session: &LiveSession) -> Result<bool, PageError> {
    let phone = crate::db::phone_verifications::user_phone(&state.db, session.user_id).await?;
    Ok(state.sms.enabled() && phone.is_some_and(|phone| phone.two_factor))
}

/// The two-factor form.
#[derive(Debug, Default, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    return_to: Option<String>,
}

/// `GET /auth/two_factor`: asks a half-signed-in visitor for their code.
pub async fn two_factor_form(state: &AppState, visitor: &Visitor, query: &ReturnTo) -> PageResult {
    let return_to = safe_return(query.return_to.as_deref());
    let Some(pending) = &visitor.pending else {
        return Ok(see_other("/auth/sign_in"));
    };
    let page = Frame::new(state, visitor, EN.two_factor)
        .await?
        .at("sign_in");
    render::ok(&TwoFactorPage {
        page,
        return_to,
        error: None,
        sms: sms_sign_in(state, pending).await?,
        notice: None,
    })
}

/// `POST /auth/two_factor/sms`: texts a sign-in code to the half-signed-in user's
/// number (two-factor sign-in by SMS), then asks for it as for any code.
pub async fn text_sign_in_code(state: &AppState, visitor: &Visitor, form: CodeForm) -> PageResult {
    let return_to = safe_return(form.return_to.as_deref());
    let Some(pending) = &visitor.pending else {
        return Ok(see_other("/auth/sign_in"));
    };
    let ip = visitor.ip.to_string();
    let sent = phone_verification::send_sign_in_code(state, pending.user_id, &ip).await;
    let (status, notice, error) = match sent {
        Ok(started) => (StatusCode::OK, Some(started.masked), None),
        Err(error) => {
            let (status, errors) = field_errors(error, "code")?;
            let why = errors.into_iter().map(|(_, why)| why).next();
            (status, None, why)
        }
    };
    let page = Frame::new(state, visitor, EN.two_factor)
        .await?
        .at("sign_in");
    Ok(html(
        status,
        &TwoFactorPage {
            page,
            return_to,
            error,
            sms: sms_sign_in(state, pending).await?,
            notice,
        },
    ))
}

/// `POST /auth/two_factor`: a right code finishes signing in.
pub async fn two_factor(state: &AppState, visitor: &Visitor, form: CodeForm) -> PageResult {
    let return_to = safe_return(form.return_to.as_deref());
    let Some(pending) = &visitor.pending else {
        return Ok(see_other("/auth/sign_in"));
    };
    let code: String = form
        .code
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(64)
        .collect();
    match web_sessions::complete_second_factor(state, pending, &code).await {
        Ok(()) => Ok(see_other(&return_to)),
        Err(SignInError::Api(error)) => Err(error.into()),
        Err(error) => {
            let page = Frame::new(state, visitor, EN.two_factor)
                .await?
                .at("sign_in");
            Ok(html(
                StatusCode::UNAUTHORIZED,
                &TwoFactorPage {
                    page,
                    return_to,
                    error: Some(error.to_string()),
                    sms: sms_sign_in(state, pending).await?,
                    notice: None,
                },
            ))
        }
    }
}

/// `POST /auth/sign_out`: ends the session (a pending one too) and clears the cookie.
pub async fn sign_out(state: &AppState, visitor: &Visitor) -> PageResult {
    if let Some(session) = visitor.session.as_ref().or(visitor.pending.as_ref()) {
        web_sessions::sign_out(state, session).await?;
    }
    Ok(see_other_with_cookie(
        "/",
        clear_session_cookie(&state.config),
    ))
}

/// The sign-up form.
#[derive(Debug, Default, Deserialize)]
pub struct SignUpForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    reason: String,
    agreement: Option<String>,
    /// The phone verification the page's "Send code" started (when SMS is on).
    #[serde(default)]
    phone_verification: String,
    /// The code the user received, checked with the sign-up itself.
    #[serde(default)]
    phone_code: String,
}

/// The "Send code" form of the sign-up page (`POST /auth/sign_up/phone`).
#[derive(Debug, Default, Deserialize)]
pub struct PhoneForm {
    #[serde(default)]
    phone_number: String,
}

#[derive(Template)]
#[template(path = "sign_up.html")]
struct SignUpPage {
    page: Frame,
    rules: Vec<RuleRow>,
    approval: bool,
    username: String,
    email: String,
    reason: String,
    errors: Vec<(String, String)>,
    /// Whether the page asks for a phone number (SMS on and sign-up asks for one).
    phone: bool,
    /// The verification a code was sent for, and where it went (mostly hidden).
    phone_verification: Option<(String, String)>,
}

impl SignUpPage {
    /// The problem with `field`, if any (for `aria-describedby` and the message).
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, why)| why.as_str())
    }
}

/// `GET /auth/sign_up`.
pub async fn sign_up_form(state: &AppState, visitor: &Visitor) -> PageResult {
    if visitor.session.is_some() {
        return Ok(see_other("/home"));
    }
    if state.config.registration == RegistrationMode::Closed {
        return closed(state, visitor).await;
    }
    sign_up_page(
        state,
        visitor,
        SignUpForm::default(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

async fn closed(state: &AppState, visitor: &Visitor) -> PageResult {
    let page = Frame::new(state, visitor, EN.sign_up)
        .await?
        .with_flash(EN.registrations_closed, true);
    Ok(html(
        StatusCode::FORBIDDEN,
        &SignUpPage {
            page,
            rules: Vec::new(),
            approval: false,
            username: String::new(),
            email: String::new(),
            reason: String::new(),
            errors: Vec::new(),
            phone: false,
            phone_verification: None,
        },
    ))
}

async fn sign_up_page(
    state: &AppState,
    visitor: &Visitor,
    form: SignUpForm,
    errors: Vec<(String, String)>,
    status: StatusCode,
) -> PageResult {
    sign_up_page_with(state, visitor, form, errors, status, None).await
}

/// The sign-up page; `sent` is the verification a code was just sent for and where.
async fn sign_up_page_with(
    state: &AppState,
    visitor: &Visitor,
    form: SignUpForm,
    errors: Vec<(String, String)>,
    status: StatusCode,
    sent: Option<(String, String)>,
) -> PageResult {
    let page = Frame::new(state, visitor, EN.sign_up).await?;
    let phone = state.sms.enabled() && state.config.sms.at_sign_up != PhoneAtSignUp::Off;
    Ok(html(
        status,
        &SignUpPage {
            page,
            rules: crate::db::rules::all(&state.db).await?,
            approval: state.config.registration == RegistrationMode::Approval,
            username: form.username.chars().take(64).collect(),
            email: form.email.chars().take(320).collect(),
            reason: form.reason.chars().take(1000).collect(),
            errors,
            phone,
            phone_verification: sent,
        },
    ))
}

/// `POST /auth/sign_up/phone`: texts a code to the number (the web page's first step
/// when the server asks for a phone number) and shows the form again with the code
/// field; the code is checked with the sign-up.
pub async fn send_sign_up_code(state: &AppState, visitor: &Visitor, form: PhoneForm) -> PageResult {
    if state.config.registration == RegistrationMode::Closed {
        return closed(state, visitor).await;
    }
    let ip = visitor.ip.to_string();
    let purpose = phone_verification::Purpose::WebSignUp;
    let started = phone_verification::start(state, purpose, &form.phone_number, &ip).await;
    match started {
        Ok(started) => {
            let sent = Some((started.id.to_string(), started.masked));
            let form = SignUpForm::default();
            sign_up_page_with(state, visitor, form, Vec::new(), StatusCode::OK, sent).await
        }
        Err(error) => {
            let (status, errors) = field_errors(error, "phone_number")?;
            sign_up_page(state, visitor, SignUpForm::default(), errors, status).await
        }
    }
}

/// A refusal of the phone service as the page's list of errors, with its status; a
/// failure that is not about the input stays an error page.
fn field_errors(
    error: crate::error::ApiError,
    field: &str,
) -> Result<(StatusCode, Vec<(String, String)>), PageError> {
    use crate::error::ApiError;
    let status = match &error {
        ApiError::Validation(_) | ApiError::Unprocessable(_) | ApiError::NotFound => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
        ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => return Err(error.into()),
    };
    let reasons = match error {
        ApiError::Validation(problems) => problems.into_iter().map(|p| p.reason).collect(),
        ApiError::NotFound => vec!["Phone verification is invalid or expired".to_owned()],
        ApiError::Unavailable(_) => {
            vec!["The text message could not be sent; try again later".to_owned()]
        }
        other => vec![other.to_string()],
    };
    Ok((
        status,
        reasons
            .into_iter()
            .map(|why| (field.to_owned(), why))
            .collect(),
    ))
}

/// `POST /auth/sign_up`: creates the account through the same path as the API (same
/// rules, blocks and staff notices); on an open instance the new user is signed in.
pub async fn sign_up(state: &AppState, visitor: &Visitor, form: SignUpForm) -> PageResult {
    let mode = state.config.registration;
    if mode == RegistrationMode::Closed {
        return closed(state, visitor).await;
    }
    let mut errors = Vec::new();
    if form.agreement.is_none() {
        errors.push((
            "agreement".to_owned(),
            "Agreement must be accepted".to_owned(),
        ));
    }
    if form.reason.chars().count() > 1000 {
        errors.push((
            "reason".to_owned(),
            "Reason is too long (maximum is 1000 characters)".to_owned(),
        ));
    }
    if !errors.is_empty() {
        return sign_up_page(
            state,
            visitor,
            form,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let phone_verification = match confirm_phone(state, &form).await? {
        Ok(verification) => verification,
        Err((status, errors)) => {
            let sent = sent_verification(&form);
            return sign_up_page_with(state, visitor, form, errors, status, sent).await;
        }
    };
    let ip = visitor.ip.to_string();
    let input = SignUp {
        username: &form.username,
        email: &form.email,
        password: &form.password,
        role: Role::User,
        approved: mode == RegistrationMode::Open,
        locale: "en",
        reason: Some(form.reason.as_str()).filter(|r| !r.trim().is_empty()),
        ip: Some(&ip),
        origin: SignUpOrigin::Api,
        app_id: None,
        phone_verification,
    };
    let created = signup::sign_up(&state.db, &state.passwords, &state.config, &input).await;
    let (_, user) = match created {
        Ok(created) => created,
        Err(SignUpError::Invalid(problems)) => {
            let errors = problems
                .into_iter()
                .map(|(field, why)| (field.to_owned(), why.reason))
                .collect();
            return sign_up_page(
                state,
                visitor,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Err(SignUpError::IpBlocked) => return Err(PageError::Forbidden),
        Err(SignUpError::Busy(busy)) => return Err(crate::error::ApiError::from(busy).into()),
        Err(SignUpError::Internal(error)) => return Err(PageError::Internal(error)),
    };
    if user.confirmed_at.is_none() {
        return Ok(see_other("/auth/confirm_email"));
    }
    if !user.approved {
        return Ok(see_other("/auth/pending"));
    }
    let opened = web_sessions::open(state, &user, false, &visitor.client).await?;
    Ok(see_other_with_cookie(
        "/home",
        session_cookie(&state.config, &opened.token),
    ))
}

/// Checks the code entered with the sign-up form against the page's verification:
/// `Ok(Ok(Some(id)))` when it is right, `Ok(Ok(None))` when the form has no
/// verification (sign-up then says whether one is required), `Ok(Err(..))` with the
/// page's errors when the code is wrong.
async fn confirm_phone(
    state: &AppState,
    form: &SignUpForm,
) -> Result<Result<Option<i64>, (StatusCode, Vec<(String, String)>)>, PageError> {
    let Some((id, _)) = sent_verification(form) else {
        return Ok(Ok(None));
    };
    let Ok(id) = id.parse::<i64>() else {
        return Ok(Err(field_errors(
            crate::error::ApiError::NotFound,
            "phone_code",
        )?));
    };
    let purpose = phone_verification::Purpose::WebSignUp;
    match phone_verification::confirm(state, purpose, id, &form.phone_code).await {
        Ok(_) => Ok(Ok(Some(id))),
        Err(error) => Ok(Err(field_errors(error, "phone_code")?)),
    }
}

/// The verification the form carries (id, and no masked number: the page only
/// needs the id to ask for the code again).
fn sent_verification(form: &SignUpForm) -> Option<(String, String)> {
    let id = form.phone_verification.trim();
    (!id.is_empty() && id.len() <= 20).then(|| (id.to_owned(), String::new()))
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    page: Frame,
    heading: &'static str,
    text: &'static str,
}

/// `GET /auth/confirm_email`: what a new account sees until its address is confirmed.
pub async fn confirm_email(state: &AppState, visitor: &Visitor) -> PageResult {
    let page = Frame::new(state, visitor, EN.sign_up).await?;
    render::ok(&MessagePage {
        page,
        heading: EN.welcome,
        text: EN.confirm_email,
    })
}

/// `GET /auth/deleted`: where a user who deleted their account lands, signed out.
pub async fn deleted(state: &AppState, visitor: &Visitor) -> PageResult {
    let page = Frame::new(state, visitor, EN.account_deleted).await?;
    render::ok(&MessagePage {
        page,
        heading: EN.account_deleted,
        text: EN.account_deleted_text,
    })
}

/// `GET /auth/pending`: what a new account waiting for a moderator sees.
pub async fn pending(state: &AppState, visitor: &Visitor) -> PageResult {
    let page = Frame::new(state, visitor, EN.sign_up).await?;
    render::ok(&MessagePage {
        page,
        heading: EN.welcome,
        text: EN.registrations_approval,
    })
}

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Signing up, in and out, and the pages a new account waits on.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/auth/sign_in",
            get(
                |State(state): State<AppState>, visitor: Visitor, Query(query): Query<ReturnTo>| async move {
                    sign_in_form(&state, &visitor, &query).await
                },
            )
            .post(
                |State(state): State<AppState>, visitor: Visitor, form: WebForm<SignInForm>| async move {
                    let form = form.checked(&visitor)?;
                    limit(&state, Bucket::SignIn, &visitor)?;
                    sign_in(&state, &visitor, form).await
                },
            ),
        )
        .route(
            "/auth/two_factor",
            get(
                |State(state): State<AppState>, visitor: Visitor, Query(query): Query<ReturnTo>| async move {
                    two_factor_form(&state, &visitor, &query).await
                },
            )
            .post(
                |State(state): State<AppState>, visitor: Visitor, form: WebForm<CodeForm>| async move {
                    let form = form.checked(&visitor)?;
                    limit(&state, Bucket::SignIn, &visitor)?;
                    two_factor(&state, &visitor, form).await
                },
            ),
        )
        .route(
            "/auth/two_factor/sms",
            post(
                |State(state): State<AppState>, visitor: Visitor, form: WebForm<CodeForm>| async move {
                    let form = form.checked(&visitor)?;
                    limit(&state, Bucket::SignIn, &visitor)?;
                    text_sign_in_code(&state, &visitor, form).await
                },
            ),
        )
        .route(
            "/auth/sign_out",
            post(
                |State(state): State<AppState>, visitor: Visitor, form: WebForm<serde::de::IgnoredAny>| async move {
                    form.checked(&visitor)?;
                    sign_out(&state, &visitor).await
                },
            ),
        )
        .route(
            "/auth/sign_up",
            get(|State(state): State<AppState>, visitor: Visitor| async move {
                sign_up_form(&state, &visitor).await
            })
            .post(
                |State(state): State<AppState>, visitor: Visitor, form: WebForm<SignUpForm>| async move {
                    let form = form.checked(&visitor)?;
                    limit(&state, Bucket::SignUp, &visitor)?;
                    sign_up(&state, &visitor, form).await
                },
            ),
        )
        .route(
            "/auth/sign_up/phone",
            post(
                |State(state): State<AppState>, visitor: Visitor, form: WebForm<PhoneForm>| async move {
                    let form = form.checked(&visitor)?;
                    limit(&state, Bucket::SignUp, &visitor)?;
                    send_sign_up_code(&state, &visitor, form).await
                },
            ),
        )
        .route(
            "/auth/pending",
            get(|State(state): State<AppState>, visitor: Visitor| async move {
                pending(&state, &visitor).await
            }),
        )
        .route(
            "/auth/deleted",
            get(|State(state): State<AppState>, visitor: Visitor| async move {
                deleted(&state, &visitor).await
            }),
        )
        .route(
            "/auth/confirm_email",
            get(|State(state): State<AppState>, visitor: Visitor| async move {
                confirm_email(&state, &visitor).await
            }),
        )
}

/// Counts a form post against the visitor's per-IP budget (the API's buckets, so
/// the sign-in form and the token endpoint share one budget per kind).
fn limit(state: &AppState, bucket: Bucket, visitor: &Visitor) -> Result<(), PageError> {
    if state.rate_limiter.check(bucket, visitor.ip).allowed {
        Ok(())
    } else {
        Err(PageError::RateLimited)
    }
}
