//! The URLs of Roost's own ActivityPub objects. One place builds them, so ids stay
//! stable: other servers store them forever.

use crate::config::Config;
use crate::db::accounts::AccountRow;

/// `https://DOMAIN/users/NAME`: a local actor's id.
pub fn actor(config: &Config, username: &str) -> String {
    format!("{}/users/{username}", config.base_url())
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

/// The instance's base URL, parsed (`https://DOMAIN/`).
pub fn base(config: &Config) -> url::Url {
    url::Url::parse(&format!("{}/", config.base_url()))
        .expect("ROOST_DOMAIN forms a valid URL: checked when the configuration is loaded")
}

/// Every URL of a local actor, for documents that need several of them.
pub fn local_actor(config: &Config, username: &str) -> super::protocol::actor::LocalActorUrls {
    super::protocol::actor::LocalActorUrls::new(&base(config), username)
        .expect("the base URL is an http(s) URL, so paths can be appended")
}
