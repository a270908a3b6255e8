//! Mastodon's stream channels, named once for both transports: a Server-Sent Events
//! path (`/api/v1/streaming/public/local?only_media=true`) and a WebSocket `stream=` or
//! `subscribe` message (`public:local:media`) resolve to the same [`Channel`].
//!
//! A channel is a [`Subscription`] (what the hub filters on) and its label, the
//! `stream` array of WebSocket messages: `["user:notification"]`, `["hashtag", tag]`
//! (the tag as the client sent it), `["list", id]`, as masto.js and other clients
//! dispatch on it. Opening checks what Mastodon's streaming server checks: a signed-in
//! token for personal channels with `read:statuses` (`read:notifications` for
//! `user:notification`), a tag for hashtag channels, and ownership of a list.
//! Spec: <https://docs.joinmastodon.org/methods/streaming/#streams>.

use serde::Deserialize;

use crate::api::params::lenient_opt_bool;
use crate::auth::extractor::TokenInfo;
use crate::auth::scoped::{require, ReadNotifications, ReadStatuses, ReadStatusesOrNotifications};
use crate::domain::Id;
use crate::error::{ApiError, ApiResult};
use crate::events::{Origin, Subscription};
use crate::state::AppState;

/// The longest hashtag a stream accepts (the longest a status may carry).
const MAX_TAG_CHARS: usize = 100;

/// The parameters a channel may take, from a query string or a `subscribe` message.
#[derive(Debug, Default, Deserialize)]
pub struct ChannelParams {
    /// The hashtag, without `#`, of `hashtag` and `hashtag:local`.
    pub tag: Option<String>,
    /// The list id of `list`.
    pub list: Option<String>,
    /// On Server-Sent Events paths of public timelines: only statuses with media.
    #[serde(default, deserialize_with = "lenient_opt_bool")]
    pub only_media: Option<bool>,
}

/// An opened channel: what the hub filters on, and how WebSocket messages label it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Channel {
    /// The `stream` array of WebSocket messages.
    pub label: Vec<String>,
    /// What the subscriber receives.
    pub subscription: Subscription,
}

/// The channel name of a Server-Sent Events path below `/api/v1/streaming/`, with
/// `only_media` choosing the `:media` form of public timelines, as Mastodon maps them.
pub fn name_of_path(path: &str, only_media: bool) -> Option<String> {
    let name = match path {
        "user" => "user",
        "user/notification" => "user:notification",
        "public" | "public/local" | "public/remote" => {
            let name = path.replace('/', ":");
            return Some(if only_media {
                format!("{name}:media")
            } else {
                name
            });
        }
        "hashtag" => "hashtag",
        "hashtag/local" => "hashtag:local",
        "list" => "list",
        "direct" => "direct",
        _ => return None,
    };
    Some(name.to_owned())
}

/// Opens channel `name` with `params` for the caller with `token`.
pub async fn open(
    state: &AppState,
    name: &str,
    params: &ChannelParams,
    token: Option<&TokenInfo>,
) -> ApiResult<Channel> {
    let label = vec![name.to_owned()];
    let public = |origin, only_media| Subscription::Public { origin, only_media };
    let subscription = match name {
        "public" => public(Origin::Any, false),
        "public:media" => public(Origin::Any, true),
        "public:local" => public(Origin::Local, false),
        "public:local:media" => public(Origin::Local, true),
        "public:remote" => public(Origin::Remote, false),
        "public:remote:media" => public(Origin::Remote, true),
        "hashtag" | "hashtag:local" => return hashtag(name, params),
        "user" => Subscription::user(personal::<ReadStatusesOrNotifications>(token)?),
        "user:notification" => Subscription::User {
            viewer: personal::<ReadNotifications>(token)?,
            notifications_only: true,
        },
        "list" => return list(state, params, personal::<ReadStatuses>(token)?).await,
        "direct" => Subscription::Direct {
            viewer: personal::<ReadStatuses>(token)?,
        },
        _ => return Err(ApiError::BadRequest("Unknown stream type".into())),
    };
    Ok(Channel {
        label,
        subscription,
    })
}

/// The signed-in account of `token`, which must hold scope `S` (or `read`).
fn personal<S: crate::auth::scoped::Scope>(token: Option<&TokenInfo>) -> ApiResult<i64> {
    let token = token.ok_or_else(|| ApiError::Unauthorized("Missing access token".into()))?;
    let account = token
        .account_id
        .ok_or_else(|| ApiError::Unauthorized("Missing access token".into()))?;
    require::<S>(token)?;
    Ok(account)
}

fn hashtag(name: &str, params: &ChannelParams) -> ApiResult<Channel> {
    let given = params.tag.as_deref().unwrap_or_default();
    let tag = given.trim_start_matches('#');
    if tag.is_empty() || tag.chars().count() > MAX_TAG_CHARS {
        return Err(ApiError::BadRequest("No tag for stream provided".into()));
    }
    let origin = if name == "hashtag:local" {
        Origin::Local
    } else {
        Origin::Any
    };
    Ok(Channel {
        label: vec![name.to_owned(), given.to_owned()],
        subscription: Subscription::hashtag(tag, origin),
    })
}

/// The `list` channel of one of `viewer`'s lists (another's list is not found).
async fn list(state: &AppState, params: &ChannelParams, viewer: i64) -> ApiResult<Channel> {
    let given = params.list.as_deref().unwrap_or_default();
    let id: Id = given.parse().map_err(|_| ApiError::NotFound)?;
    let list = crate::services::lists::find(state, viewer, id.0).await?;
    Ok(Channel {
        label: vec!["list".to_owned(), list.id.to_string()],
        subscription: Subscription::List {
            viewer,
            list_id: list.id,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_mastodons_channel_names() {
        assert_eq!(
            name_of_path("user/notification", false).as_deref(),
            Some("user:notification")
        );
        assert_eq!(
            name_of_path("public/remote", true).as_deref(),
            Some("public:remote:media")
        );
        assert_eq!(name_of_path("public", false).as_deref(), Some("public"));
        assert_eq!(
            name_of_path("hashtag/local", true).as_deref(),
            Some("hashtag:local")
        );
        assert_eq!(name_of_path("user/other", false), None);
    }

    #[test]
    fn a_hashtag_channel_is_labelled_with_the_tag_as_sent() {
        let params = ChannelParams {
            tag: Some("Rust".into()),
            ..ChannelParams::default()
        };
        let channel = hashtag("hashtag:local", &params).expect("a tag");
        assert_eq!(channel.label, ["hashtag:local", "Rust"]);
        assert_eq!(
            channel.subscription,
            Subscription::hashtag("rust", Origin::Local)
        );
        assert!(hashtag("hashtag", &ChannelParams::default()).is_err());
    }
}
