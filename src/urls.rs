//! Every URL of this instance's own things, built in one place: actors
//! (`/users/NAME`), their keys and collections, profile pages (`/@NAME`), statuses
//! (`/users/NAME/statuses/ID`, pages at `/@NAME/ID`), hashtag pages (`/tags/NAME`)
//! and activity ids — and the reverse, the local name or id such a URL names.
//! Client-API entities, federation documents and HTML pages all call these, so the
//! ids other servers store forever stay the ones clients link to.
//!
//! Not here: the routes serving them (`federation::router`, `api::router`), remote
//! URLs (stored as received).

use crate::config::Config;
use crate::db::accounts::AccountRow;
use crate::federation::protocol::actor::LocalActorUrls;

/// `https://DOMAIN/users/NAME`: a local actor's id.
pub fn actor(config: &Config, username: &str) -> String {
    format!("{}/users/{username}", config.base_url())
}

/// `https://DOMAIN/@NAME`: a local account's profile page.
pub fn profile(config: &Config, username: &str) -> String {
    format!("{}/@{username}", config.base_url())
}

/// `https://DOMAIN/users/NAME/statuses/ID`: a local status's ActivityPub id.
pub fn status(config: &Config, username: &str, id: i64) -> String {
    format!("{}/statuses/{id}", actor(config, username))
}

/// `https://DOMAIN/users/NAME/statuses/ID/activity`: the id of the activity that
/// published a local status (its Create, or a boost's Announce).
pub fn status_activity(config: &Config, username: &str, id: i64) -> String {
    activity_of(&status(config, username, id))
}

/// `OBJECT/activity`: the id of the activity that published a local object, from the
/// object's id.
pub fn activity_of(object_id: &str) -> String {
    format!("{object_id}/activity")
}

/// `https://DOMAIN/@NAME/ID`: a local status's page.
pub fn status_page(config: &Config, username: &str, id: i64) -> String {
    format!("{}/{id}", profile(config, username))
}

/// `https://DOMAIN/tags/NAME`: a hashtag's page, keyed by the lowercase name.
pub fn tag(config: &Config, name: &str) -> String {
    format!("{}/tags/{}", config.base_url(), name.to_lowercase())
}

/// The id of any account: its stored actor id when remote, the local URL otherwise.
pub fn account_ap_id(config: &Config, account: &AccountRow) -> String {
    match (&account.ap_id, account.is_local()) {
        (Some(ap_id), false) => ap_id.clone(),
        _ => actor(config, &account.username),
    }
}

/// The key id of a local actor (`…#main-key`, as Mastodon).
pub fn key_id(config: &Config, username: &str) -> String {
    format!("{}#main-key", actor(config, username))
}

/// The instance actor (an `Application` that signs server-level fetches).
pub fn instance_actor(config: &Config) -> String {
    format!("{}/actor", config.base_url())
}

/// The instance actor's `preferredUsername`: the host name without port, as Mastodon
/// names its own instance actor.
pub fn instance_actor_username(config: &Config) -> String {
    base(config).host_str().unwrap_or_default().to_owned()
}

/// The key id of the instance actor.
pub fn instance_key_id(config: &Config) -> String {
    format!("{}#main-key", instance_actor(config))
}

/// A fresh, unique id for an outbound activity.
pub fn new_activity(config: &Config) -> String {
    format!("{}/activities/{}", config.base_url(), uuid::Uuid::new_v4())
}

/// The local username an actor URL of this instance names, if it is one
/// (`https://DOMAIN/users/NAME`).
pub fn local_username<'a>(config: &Config, actor_url: &'a str) -> Option<&'a str> {
    let prefix = format!("{}/users/", config.base_url());
    let rest = actor_url.strip_prefix(&prefix)?;
    (!rest.is_empty() && !rest.contains(['/', '#', '?'])).then_some(rest)
}

/// The local username a profile URL of this instance names, if it is one
/// (`https://DOMAIN/@NAME`).
pub fn local_profile_username<'a>(config: &Config, profile_url: &'a str) -> Option<&'a str> {
    let prefix = format!("{}/@", config.base_url());
    let rest = profile_url.strip_prefix(&prefix)?;
    (!rest.is_empty() && !rest.contains(['/', '?', '#'])).then_some(rest)
}

/// The local status a status id of this instance names, if it is one
/// (`https://DOMAIN/users/NAME/statuses/ID`).
pub fn local_status_id(config: &Config, uri: &str) -> Option<i64> {
    let rest = uri.strip_prefix(&format!("{}/users/", config.base_url()))?;
    let (_, id) = rest.split_once("/statuses/")?;
    id.parse().ok()
}

/// The instance's base URL, parsed (`https://DOMAIN/`).
pub fn base(config: &Config) -> url::Url {
    url::Url::parse(&format!("{}/", config.base_url()))
        .expect("ROOST_DOMAIN forms a valid URL: checked when the configuration is loaded")
}

/// Every URL of a local actor (inbox, outbox, followers, following, featured…), for
/// documents that need several of them.
pub fn local_actor(config: &Config, username: &str) -> LocalActorUrls {
    LocalActorUrls::new(&base(config), username)
        .expect("the base URL is an http(s) URL, so paths can be appended")
}
