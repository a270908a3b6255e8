//! `POST /api/v1/apps` and `GET /api/v1/apps/verify_credentials`
//! (<https://docs.joinmastodon.org/methods/apps/>).

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use super::check_length;
use crate::api::entities::Application;
use crate::api::params::{string_list, Params};
use crate::auth::grants::OUT_OF_BAND;
use crate::auth::{random_token, sha256_hex, AnyToken, Scopes};
use crate::db::oauth::{self, NewApp};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// At most this many redirect URIs per app.
const MAX_REDIRECT_URIS: usize = 16;
/// Schemes a browser would execute or read locally instead of handing to an app.
const FORBIDDEN_SCHEMES: &[&str] = &["javascript", "data", "vbscript", "file", "blob", "about"];
/// Longest redirect URI or website accepted.
const MAX_URI_LEN: usize = 2000;

/// Parameters of `POST /api/v1/apps`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateAppParams {
    client_name: Option<String>,
    /// One URI, several separated by whitespace, or an array.
    #[serde(default, deserialize_with = "string_list")]
    redirect_uris: Option<Vec<String>>,
    /// Space-separated scopes; defaults to `read`.
    scopes: Option<String>,
    website: Option<String>,
}

/// Registers a client application and returns its credentials (once).
#[utoipa::path(post, path = "/api/v1/apps", tag = "apps",
    request_body = CreateAppParams,
    responses((status = 200, body = Application), (status = 422, description = "Invalid parameters")))]
pub async fn create(
    State(state): State<AppState>,
    Params(params): Params<CreateAppParams>,
) -> ApiResult<Json<Application>> {
    let name = validate_name(params.client_name.as_deref())?;
    let redirect_uris = validate_redirect_uris(params.redirect_uris.unwrap_or_default())?;
    let scopes = Scopes::parse(params.scopes.as_deref().unwrap_or("read"))
        .map_err(|reason| ApiError::validation("scopes", "ERR_INVALID", reason))?;
    let website = validate_website(params.website.as_deref())?;
    let client_id = random_token(32);
    let client_secret = random_token(32);
    let row = oauth::insert_app(
        &state.db,
        &NewApp {
            name,
            website,
            redirect_uris: &redirect_uris,
            scopes: scopes.as_slice(),
            client_id: &client_id,
            client_secret_hash: &sha256_hex(&client_secret),
        },
    )
    .await?;
    let mut app = Application::with_credentials(&row, client_secret);
    app.vapid_key = crate::api::v1::push::server_key(&state).await?;
    Ok(Json(app))
}

/// The app's name, trimmed: not blank, at most 255 characters.
fn validate_name(name: Option<&str>) -> ApiResult<&str> {
    let name = name.map(str::trim).unwrap_or_default();
    if name.is_empty() {
        return Err(ApiError::validation(
            "client_name",
            "ERR_BLANK",
            "Name can't be blank",
        ));
    }
    check_length("client_name", Some(name), 255)?;
    Ok(name)
}

/// The app's website, trimmed (`None` when blank): an http(s) URL of bounded length.
fn validate_website(website: Option<&str>) -> ApiResult<Option<&str>> {
    let Some(website) = website.map(str::trim).filter(|w| !w.is_empty()) else {
        return Ok(None);
    };
    check_length("website", Some(website), MAX_URI_LEN)?;
    if !is_web_url(website) {
        return Err(ApiError::validation(
            "website",
            "ERR_INVALID",
            "Website is invalid",
        ));
    }
    Ok(Some(website))
}

/// Each URI must be the out-of-band URN or an absolute URI without a fragment
/// (custom schemes such as `myapp://callback` are allowed for native apps).
fn validate_redirect_uris(uris: Vec<String>) -> ApiResult<Vec<String>> {
    let invalid =
        |reason: &str| ApiError::validation("redirect_uris", "ERR_INVALID", reason.to_owned());
    if uris.is_empty() {
        return Err(ApiError::validation(
            "redirect_uris",
            "ERR_BLANK",
            "Redirect URI can't be blank",
        ));
    }
    if uris.len() > MAX_REDIRECT_URIS {
        return Err(invalid("Too many redirect URIs"));
    }
    for uri in &uris {
        if uri == OUT_OF_BAND {
            continue;
        }
        let parsed =
            url::Url::parse(uri).map_err(|_| invalid("Redirect URI must be an absolute URI."))?;
        if FORBIDDEN_SCHEMES.contains(&parsed.scheme()) {
            return Err(invalid("Redirect URI uses a forbidden scheme."));
        }
        if uri.len() > MAX_URI_LEN || parsed.fragment().is_some() {
            return Err(invalid(
                "Redirect URI cannot contain a fragment and must be at most 2000 characters.",
            ));
        }
    }
    Ok(uris)
}

fn is_web_url(text: &str) -> bool {
    url::Url::parse(text)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// Confirms that the token is valid and shows its app.
#[utoipa::path(get, path = "/api/v1/apps/verify_credentials", tag = "apps",
    security(("bearer" = [])),
    responses((status = 200, body = Application), (status = 401, description = "Invalid token")))]
pub async fn verify_credentials(
    State(state): State<AppState>,
    AnyToken(token): AnyToken,
) -> ApiResult<Json<Application>> {
    let app = oauth::find_app(&state.db, token.app_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut app = Application::from_row(&app);
    app.vapid_key = crate::api::v1::push::server_key(&state).await?;
    Ok(Json(app))
}
