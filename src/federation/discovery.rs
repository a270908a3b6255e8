//! How other servers find Roost and its people: WebFinger (RFC 7033, with Mastodon's
//! `acct:` use), host-meta (RFC 6415) and NodeInfo 2.0/2.1
//! (<https://nodeinfo.diaspora.software/>).

use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::protocol::nodeinfo::{NodeInfo, NodeInfoLinks, NodeInfoVersion, Software, Usage};
use super::protocol::webfinger::{AcctUri, Jrd, JrdLink, ACTIVITY_JSON, SELF_REL};
use crate::config::RegistrationMode;
use crate::db::accounts;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::urls;

/// Query of `GET /.well-known/webfinger`.
#[derive(Debug, Deserialize)]
pub struct WebfingerQuery {
    resource: Option<String>,
}

/// Answers `acct:user@DOMAIN` and actor/profile URLs of local accounts with a JRD.
pub async fn webfinger(
    State(state): State<AppState>,
    Query(query): Query<WebfingerQuery>,
) -> ApiResult<Response> {
    let resource = query.resource.unwrap_or_default();
    if resource.is_empty() || resource.len() > 512 {
        return Err(ApiError::BadRequest("resource is required".into()));
    }
    let username = match target(&state, &resource)? {
        Target::InstanceActor => return Ok(jrd_response(&instance_actor_jrd(&state))),
        Target::User(username) => username,
    };
    let account = accounts::find_visible_by_acct(&state.db, &username, None)
        .await?
        .ok_or(ApiError::NotFound)?;
    let acct = AcctUri {
        username: account.username.clone(),
        domain: state.config.domain.clone(),
    };
    let jrd = Jrd::local(
        &acct,
        &urls::local_actor(&state.config, &account.username),
        &urls::base(&state.config),
    )
    .map_err(|error| anyhow::anyhow!("building JRD: {error:?}"))?;
    Ok(jrd_response(&jrd))
}

fn jrd_response(jrd: &Jrd) -> Response {
    (
        [(CONTENT_TYPE, "application/jrd+json; charset=utf-8")],
        Json(jrd),
    )
        .into_response()
}

/// What a WebFinger resource names on this instance.
enum Target {
    /// A local user (not yet checked to exist).
    User(String),
    /// The instance actor.
    InstanceActor,
}

/// Reads a resource: `acct:name@DOMAIN` (any case, optional scheme), or this
/// instance's `/users/name`, `/@name` or `/actor` URL. Other domains' resources are
/// 404; text that is neither an acct URI nor a URL is 400 (RFC 7033 §4.2).
fn target(state: &AppState, resource: &str) -> ApiResult<Target> {
    match AcctUri::parse(resource) {
        Ok(acct) if !acct.domain.eq_ignore_ascii_case(&state.config.domain) => {
            Err(ApiError::NotFound)
        }
        Ok(acct)
            if acct
                .username
                .eq_ignore_ascii_case(&urls::instance_actor_username(&state.config)) =>
        {
            Ok(Target::InstanceActor)
        }
        Ok(acct) => Ok(Target::User(acct.username)),
        Err(_) if url::Url::parse(resource).is_ok() => {
            url_target(state, resource).ok_or(ApiError::NotFound)
        }
        Err(_) => Err(ApiError::BadRequest(
            "resource is not an acct: URI or a URL".into(),
        )),
    }
}

fn url_target(state: &AppState, resource: &str) -> Option<Target> {
    if resource == urls::instance_actor(&state.config) {
        return Some(Target::InstanceActor);
    }
    if let Some(name) = urls::local_username(&state.config, resource) {
        return Some(Target::User(name.to_owned()));
    }
    urls::local_profile_username(&state.config, resource).map(|name| Target::User(name.to_owned()))
}

/// The instance actor's JRD (Mastodon webfingers every actor it fetches, this one too).
fn instance_actor_jrd(state: &AppState) -> Jrd {
    let actor = urls::instance_actor(&state.config);
    Jrd {
        subject: format!(
            "acct:{}@{}",
            urls::instance_actor_username(&state.config),
            state.config.domain
        ),
        aliases: vec![actor.clone()],
        links: vec![JrdLink {
            rel: SELF_REL.to_owned(),
            media_type: Some(ACTIVITY_JSON.to_owned()),
            href: Some(actor),
            template: None,
        }],
    }
}

/// `GET /.well-known/host-meta`: points older clients at the WebFinger template.
pub async fn host_meta(State(state): State<AppState>) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  \
         <Link rel=\"lrdd\" template=\"{}/.well-known/webfinger?resource={{uri}}\"/>\n</XRD>\n",
        state.config.base_url()
    );
    ([(CONTENT_TYPE, "application/xrd+xml; charset=utf-8")], body).into_response()
}

/// `GET /.well-known/nodeinfo`: where the NodeInfo documents are.
pub async fn nodeinfo_links(State(state): State<AppState>) -> ApiResult<Json<NodeInfoLinks>> {
    let links = NodeInfoLinks::local(&urls::base(&state.config))
        .map_err(|error| anyhow::anyhow!("building NodeInfo links: {error:?}"))?;
    Ok(Json(links))
}

/// `GET /nodeinfo/2.0` and `/nodeinfo/2.1`.
pub async fn nodeinfo(
    State(state): State<AppState>,
    Path(version): Path<String>,
) -> ApiResult<Response> {
    let version = match version.as_str() {
        "2.0" => NodeInfoVersion::V2_0,
        "2.1" => NodeInfoVersion::V2_1,
        _ => return Err(ApiError::NotFound),
    };
    let profile = match version {
        NodeInfoVersion::V2_0 => "http://nodeinfo.diaspora.software/ns/schema/2.0#",
        _ => "http://nodeinfo.diaspora.software/ns/schema/2.1#",
    };
    let users = accounts::count_local(&state.db).await?;
    let active = accounts::count_active_local(&state.db).await?;
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    let posts = crate::db::statuses::count_local(&state.db).await?;
    let usage = Usage::new(count(users), count(active), count(active), count(posts));
    let mut metadata = Map::new();
    metadata.insert(
        "nodeName".into(),
        Value::String(state.config.instance_title.clone()),
    );
    // Lets client libraries (megalodon) recognise a Mastodon-compatible API.
    metadata.insert(
        "upstream".into(),
        json!({ "name": "mastodon", "version": "4.3.0" }),
    );
    let open = state.config.registration != RegistrationMode::Closed;
    let document = NodeInfo::local(version, Software::roost(), open, usage, metadata);
    let content_type = format!("application/json; profile=\"{profile}\"");
    Ok((
        StatusCode::OK,
        [(CONTENT_TYPE, content_type)],
        Json(document),
    )
        .into_response())
}
