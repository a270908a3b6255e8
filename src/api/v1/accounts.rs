//! Account endpoints: registration, the signed-in user's profile, and viewing accounts
//! (<https://docs.joinmastodon.org/methods/accounts/>).

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use super::check_length;
use crate::api::entities::profile::Profile;
use crate::api::entities::{Account, CredentialAccount, Token};
use crate::api::params::{
    lenient_bool, lenient_opt_bool, record_list, FileFields, IdsQuery, Params, ParamsWithFiles,
};
use crate::api::ClientIp;
use crate::auth::scoped::{ReadAccounts, ReadAccountsOrProfile, WriteAccounts};
use crate::auth::signup::{self, SignUp, SignUpError, SignUpOrigin};
use crate::auth::tokens::Grant;
use crate::auth::{Bearer, OptionalToken, Scopes, User};
use crate::config::RegistrationMode;
use crate::db::accounts::{self, ProfileImage};
use crate::db::oauth;
use crate::domain::{Id, Role};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::extract::Path;
use crate::media::spool::SpooledFile;
use crate::services::profile::{self, FieldInput, OwnProfile, ProfileChanges};
use crate::state::AppState;

/// Parameters of `POST /api/v1/accounts`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RegisterParams {
    username: Option<String>,
    email: Option<String>,
    password: Option<String>,
    /// Must be true: the user accepts the server's rules.
    #[serde(default, deserialize_with = "lenient_bool")]
    agreement: bool,
    locale: Option<String>,
    /// Why the user wants to join (shown to moderators under approval mode).
    reason: Option<String>,
    /// Roost extension: the id of a phone verification this app completed
    /// (`POST /api/v1/roost/phone_verifications`); required when the server asks for a
    /// verified phone number at sign-up.
    phone_verification: Option<String>,
}

/// Registers a local account with an app token and returns a user token.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts",
    security(("bearer" = ["write:accounts"])), request_body = RegisterParams,
    responses((status = 200, body = Token), (status = 403, description = "Registrations closed"),
              (status = 422, description = "Invalid or taken"), (status = 429, description = "Rate limited")))]
pub async fn register(
    State(state): State<AppState>,
    Bearer {
        token: app_token, ..
    }: Bearer<WriteAccounts>,
    ClientIp(ip): ClientIp,
    Params(params): Params<RegisterParams>,
) -> ApiResult<Json<Token>> {
    let mode = state.config.registration;
    if mode == RegistrationMode::Closed {
        return Err(ApiError::Forbidden(
            "Registrations are closed on this server".into(),
        ));
    }
    if !params.agreement {
        return Err(ApiError::validation(
            "agreement",
            "ERR_ACCEPTED",
            "Agreement must be accepted",
        ));
    }
    check_length("reason", params.reason.as_deref(), 1000)?;
    let phone_verification = match params.phone_verification.as_deref() {
        None | Some("") => None,
        Some(id) => Some(id.parse::<Id>().map_err(|_| {
            ApiError::validation(
                "phone_verification",
                "ERR_INVALID",
                "Phone verification is invalid or expired",
            )
        })?),
    };
    let ip = ip.to_string();
    let input = SignUp {
        username: params.username.as_deref().unwrap_or_default(),
        email: params.email.as_deref().unwrap_or_default(),
        password: params.password.as_deref().unwrap_or_default(),
        role: Role::User,
        approved: mode == RegistrationMode::Open,
        locale: params.locale.as_deref().unwrap_or("en"),
        reason: params.reason.as_deref(),
        ip: Some(&ip),
        origin: SignUpOrigin::Api,
        app_id: Some(app_token.app_id),
        phone_verification: phone_verification.map(|Id(id)| id),
    };
    let (account, _user) = signup::sign_up(&state.db, &state.passwords, &state.config, &input)
        .await
        .map_err(sign_up_error)?;
    user_token(&state, app_token.app_id, account.id)
        .await
        .map(Json)
}

/// A token for the new account `account_id` through the app `app_id` that registered
/// it: like Mastodon, it carries the app's registered scopes.
async fn user_token(state: &AppState, app_id: i64, account_id: i64) -> ApiResult<Token> {
    let app = oauth::find_app(&state.db, app_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let scopes = Scopes::from_stored(app.scopes.clone());
    let mut transaction = state.db.begin().await?;
    let grant = Grant {
        app_id: app.id,
        client_id: &app.client_id,
        account_id: Some(account_id),
        scopes: &scopes,
        family_id: uuid::Uuid::new_v4(),
        with_refresh_token: true,
    };
    let issued = state.tokens.issue(&mut transaction, &grant).await?;
    transaction.commit().await?;
    Ok(Token::from_issued(issued, &scopes))
}

fn sign_up_error(error: SignUpError) -> ApiError {
    match error {
        SignUpError::Invalid(problems) => ApiError::Validation(
            problems
                .into_iter()
                .map(|(field, why)| FieldError {
                    field,
                    code: why.code,
                    reason: why.reason,
                })
                .collect(),
        ),
        SignUpError::IpBlocked => ApiError::Forbidden(error.to_string()),
        SignUpError::Busy(busy) => busy.into(),
        SignUpError::Internal(error) => ApiError::from(error),
    }
}

/// The signed-in user's account with `source` and `role`.
#[utoipa::path(get, path = "/api/v1/accounts/verify_credentials", tag = "accounts",
    security(("bearer" = ["read:accounts", "profile"])),
    responses((status = 200, body = CredentialAccount), (status = 401), (status = 403)))]
pub async fn verify_credentials(
    State(state): State<AppState>,
    user: User<ReadAccountsOrProfile>,
) -> ApiResult<Json<CredentialAccount>> {
    let own = profile::own(&state, user.account_id).await?;
    Ok(Json(credential_account(&state, &own)))
}

/// Removes the signed-in user's avatar (Mastodon 4.2).
#[utoipa::path(delete, path = "/api/v1/profile/avatar", tag = "accounts",
    security(("bearer" = ["write:accounts"])),
    responses((status = 200, body = CredentialAccount), (status = 401), (status = 403)))]
pub async fn delete_avatar(
    State(state): State<AppState>,
    user: User<WriteAccounts>,
) -> ApiResult<Json<CredentialAccount>> {
    let own = profile::remove_image(&state, user.account_id, ProfileImage::Avatar).await?;
    Ok(Json(credential_account(&state, &own)))
}

/// Removes the signed-in user's header image (Mastodon 4.2).
#[utoipa::path(delete, path = "/api/v1/profile/header", tag = "accounts",
    security(("bearer" = ["write:accounts"])),
    responses((status = 200, body = CredentialAccount), (status = 401), (status = 403)))]
pub async fn delete_header(
    State(state): State<AppState>,
    user: User<WriteAccounts>,
) -> ApiResult<Json<CredentialAccount>> {
    let own = profile::remove_image(&state, user.account_id, ProfileImage::Header).await?;
    Ok(Json(credential_account(&state, &own)))
}

fn credential_account(state: &AppState, own: &OwnProfile) -> CredentialAccount {
    CredentialAccount::from_rows(&own.account, &own.user, &state.config)
}

/// One profile field as submitted.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct FieldAttribute {
    #[serde(default)]
    name: String,
    #[serde(default)]
    value: String,
}

/// Posting defaults in `source[…]`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct SourceParams {
    privacy: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    sensitive: Option<bool>,
    language: Option<String>,
    quote_policy: Option<String>,
    reply_policy: Option<String>,
}

/// Parameters of `PATCH /api/v1/accounts/update_credentials`; absent ones are kept.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct UpdateCredentialsParams {
    display_name: Option<String>,
    note: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    locked: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    bot: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    discoverable: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    indexable: Option<bool>,
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    hide_collections: Option<bool>,
    /// Up to four fields; replaces all fields. Array or `fields_attributes[i][name]` form.
    #[serde(default, deserialize_with = "record_list")]
    fields_attributes: Option<Vec<FieldAttribute>>,
    source: Option<SourceParams>,
}

impl FileFields for UpdateCredentialsParams {
    const FILES: &'static [&'static str] = &["avatar", "header"];
}

/// Updates the signed-in user's profile and returns it.
#[utoipa::path(patch, path = "/api/v1/accounts/update_credentials", tag = "accounts",
    security(("bearer" = ["write:accounts"])), request_body = UpdateCredentialsParams,
    responses((status = 200, body = CredentialAccount), (status = 422, description = "Invalid")))]
pub async fn update_credentials(
    State(state): State<AppState>,
    user: User<WriteAccounts>,
    mut form: ParamsWithFiles<UpdateCredentialsParams>,
) -> ApiResult<Json<CredentialAccount>> {
    let images = [ProfileImage::Avatar, ProfileImage::Header]
        .into_iter()
        .filter_map(|which| Some((which, form.take_file(which.as_str())?.file)))
        .collect();
    let changes = form.params.into_changes(images);
    let own = profile::update_credentials(&state, user.account_id, changes).await?;
    Ok(Json(credential_account(&state, &own)))
}

/// The signed-in user's profile with its source values (Mastodon 4.6).
#[utoipa::path(get, path = "/api/v1/profile", tag = "accounts",
    security(("bearer" = ["read:accounts", "profile"])), responses((status = 200, body = Profile)))]
pub async fn profile(
    State(state): State<AppState>,
    user: User<ReadAccountsOrProfile>,
) -> ApiResult<Json<Profile>> {
    let (own, featured) = profile::with_featured_tags(&state, user.account_id).await?;
    Ok(Json(Profile::from_row(
        &own.account,
        &featured,
        &state.config,
    )))
}

/// Updates the signed-in user's profile (the parameters of `update_credentials`) and
/// returns it as a Profile (Mastodon 4.6).
#[utoipa::path(patch, path = "/api/v1/profile", tag = "accounts",
    security(("bearer" = ["write:accounts"])), request_body = UpdateCredentialsParams,
    responses((status = 200, body = Profile), (status = 422, description = "Invalid")))]
pub async fn update_profile(
    State(state): State<AppState>,
    user: User<WriteAccounts>,
    mut form: ParamsWithFiles<UpdateCredentialsParams>,
) -> ApiResult<Json<Profile>> {
    let images = [ProfileImage::Avatar, ProfileImage::Header]
        .into_iter()
        .filter_map(|which| Some((which, form.take_file(which.as_str())?.file)))
        .collect();
    let changes = form.params.into_changes(images);
    profile::update_credentials(&state, user.account_id, changes).await?;
    let (own, featured) = profile::with_featured_tags(&state, user.account_id).await?;
    Ok(Json(Profile::from_row(
        &own.account,
        &featured,
        &state.config,
    )))
}

impl UpdateCredentialsParams {
    /// The service's input: these parameters and the uploaded images.
    fn into_changes(self, images: Vec<(ProfileImage, SpooledFile)>) -> ProfileChanges {
        let source = self.source.unwrap_or_default();
        let fields = self.fields_attributes.map(|fields| {
            fields
                .into_iter()
                .map(|field| FieldInput {
                    name: field.name,
                    value: field.value,
                })
                .collect()
        });
        ProfileChanges {
            display_name: self.display_name,
            note: self.note,
            locked: self.locked,
            bot: self.bot,
            discoverable: self.discoverable,
            indexable: self.indexable,
            hide_collections: self.hide_collections,
            fields,
            privacy: source.privacy,
            sensitive: source.sensitive,
            language: source.language,
            quote_policy: source.quote_policy,
            reply_policy: source.reply_policy,
            images,
        }
    }
}

/// Most ids `GET /api/v1/accounts?id[]=` takes (Mastodon's `DEFAULT_ACCOUNTS_LIMIT`).
const MAX_ACCOUNT_IDS: usize = 40;

/// Several accounts at once, in the order asked; unknown ones are left out.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts", params(IdsQuery),
    responses((status = 200, body = Vec<Account>), (status = 422, description = "More than 40 ids")))]
pub async fn index(
    State(state): State<AppState>,
    // Extracted for its scope check only: profiles are the same for every viewer.
    _token: OptionalToken<ReadAccounts>,
    Params(query): Params<IdsQuery>,
) -> ApiResult<Json<Vec<Account>>> {
    let ids = query.ids(MAX_ACCOUNT_IDS)?;
    let mut found = accounts::find_many_visible(&state.db, &ids).await?;
    found.sort_by_key(|row| ids.iter().position(|id| *id == row.id));
    let rendered = found
        .iter()
        .map(|row| Account::from_row(row, &state.config));
    Ok(Json(rendered.collect()))
}

/// Any account's public profile.
#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts",
    params(("id" = String, Path, description = "Account id")),
    responses((status = 200, body = Account), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    // Extracted for its scope check only: a profile is the same for every viewer.
    _token: OptionalToken<ReadAccounts>,
    Path(id): Path<Id>,
) -> ApiResult<Json<Account>> {
    let account = accounts::find_visible_by_id(&state.db, id.0)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(Account::from_row(&account, &state.config)))
}

/// Query of `GET /api/v1/accounts/lookup`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupQuery {
    /// `user`, `@user`, `user@domain` or `@user@domain`.
    acct: Option<String>,
    /// Roost extension: with a signed-in user, look an unknown remote handle up on its
    /// server through WebFinger (as `GET /api/v2/search?resolve=true` does).
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    #[param(value_type = Option<bool>)]
    resolve: Option<bool>,
}

/// Finds an account by its handle; remote handles unknown here are resolved only with
/// `resolve=true` and a signed-in user.
#[utoipa::path(get, path = "/api/v1/accounts/lookup", tag = "accounts",
    params(LookupQuery), responses((status = 200, body = Account), (status = 404)))]
pub async fn lookup(
    State(state): State<AppState>,
    token: OptionalToken<ReadAccounts>,
    Params(query): Params<LookupQuery>,
) -> ApiResult<Json<Account>> {
    let acct = query.acct.unwrap_or_default();
    let acct = acct.trim().trim_start_matches('@');
    if acct.is_empty() || acct.len() > 300 {
        return Err(ApiError::NotFound);
    }
    let (username, domain) = match acct.split_once('@') {
        Some((user, domain)) if domain.eq_ignore_ascii_case(&state.config.domain) => (user, None),
        Some((user, domain)) => (user, Some(domain)),
        None => (acct, None),
    };
    let known = accounts::find_visible_by_acct(&state.db, username, domain).await?;
    let signed_in = token.account_id().is_some();
    let account = match (known, domain) {
        (Some(account), _) => account,
        (None, Some(domain)) if query.resolve == Some(true) && signed_in => {
            crate::federation::resolve::resolve_acct(&state, username, domain)
                .await
                .map_err(|error| {
                    tracing::info!(%error, username, domain, "lookup could not resolve");
                    ApiError::NotFound
                })?
        }
        _ => return Err(ApiError::NotFound),
    };
    Ok(Json(Account::from_row(&account, &state.config)))
}
