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
use crate::db::custom_emojis::CustomEmojiRow;
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

/// `https://DOMAIN/users/NAME/stories/ID`: a local story's ActivityPub id, served (to
/// a holder of its bearer token) by `federation::stories`.
pub fn story(config: &Config, username: &str, id: i64) -> String {
    format!("{}/stories/{id}", actor(config, username))
}

/// The bearcap URI of a local story (`bear:?t=TOKEN&u=URL`), the form Pixelfed sends
/// and fetches stories by: whoever holds it may read the story while it lives.
pub fn story_bearcap(story_url: &str, token: &str) -> String {
    let encode = |text: &str| {
        percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    format!("bear:?t={}&u={}", encode(token), encode(story_url))
}

/// `https://DOMAIN/users/NAME/statuses/ID/replies`: the replies collection of a local
/// status.
pub fn replies_collection(config: &Config, username: &str, id: i64) -> String {
    format!("{}/replies", status(config, username, id))
}

/// `https://DOMAIN/users/NAME/quote_authorizations/ID`: the FEP-044f stamp by local
/// account NAME approving their status being quoted by status ID.
pub fn quote_authorization(config: &Config, username: &str, quoting_status_id: i64) -> String {
    format!(
        "{}/quote_authorizations/{quoting_status_id}",
        actor(config, username)
    )
}

/// `https://DOMAIN/users/NAME/reply_authorizations/ID`: the GoToSocial
/// `ReplyAuthorization` stamp by local account NAME approving reply ID to their post.
pub fn reply_authorization(config: &Config, username: &str, reply_status_id: i64) -> String {
    format!(
        "{}/reply_authorizations/{reply_status_id}",
        actor(config, username)
    )
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

/// The id of a local actor's Ed25519 key (`…#ed25519-key`), its FEP-521a Multikey.
pub fn ed25519_key_id(config: &Config, username: &str) -> String {
    format!("{}#ed25519-key", actor(config, username))
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

/// `https://DOMAIN/users/NAME/followers_synchronization`: the partial followers
/// collection of FEP-8fcf (a signed GET; the followers on the signer's server).
pub fn followers_synchronization(config: &Config, username: &str) -> String {
    format!("{}/followers_synchronization", actor(config, username))
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

/// The author's username and the id of the local status a URL of this instance names,
/// in either form: its page (`https://DOMAIN/@NAME/ID`) or its ActivityPub id
/// (`https://DOMAIN/users/NAME/statuses/ID`). A query or fragment is ignored.
pub fn local_status_reference(config: &Config, url: &str) -> Option<(String, i64)> {
    let parsed = url::Url::parse(url).ok()?;
    if parsed.origin() != base(config).origin() {
        return None;
    }
    let segments: Vec<&str> = parsed.path_segments()?.collect();
    let (name, id) = match segments.as_slice() {
        [profile, id] => (profile.strip_prefix('@')?, *id),
        ["users", name, "statuses", id] => (*name, *id),
        _ => return None,
    };
    (!name.is_empty()).then_some(())?;
    Some((name.to_owned(), id.parse().ok()?))
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

/// How an account is addressed: its `acct` (`user` or `user@domain`), profile page
/// and ActivityPub id. What a mention shows, without rendering the whole account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    /// `user` for a local account, `user@domain` for a remote one.
    pub acct: String,
    /// The profile page (for a remote account, as its server gave it).
    pub url: String,
    /// The ActivityPub id.
    pub uri: String,
}

impl Address {
    /// The address of `row`; `config` supplies the instance's URLs for local accounts.
    pub fn of(row: &AccountRow, config: &Config) -> Address {
        match &row.domain {
            None => Address {
                acct: row.acct(),
                url: profile(config, &row.username),
                uri: actor(config, &row.username),
            },
            Some(_) => {
                let uri = row.ap_id.clone().unwrap_or_default();
                Address {
                    acct: row.acct(),
                    url: row.url.clone().unwrap_or_else(|| uri.clone()),
                    uri,
                }
            }
        }
    }
}

/// The avatar shown for `row`: its stored image (local media or the remote URL), or
/// Mastodon's placeholder, which a suspended account always shows.
pub fn avatar(config: &Config, row: &AccountRow) -> String {
    account_image(
        config,
        row,
        &row.avatar_key,
        &row.avatar_remote_url,
        "avatars",
    )
}

/// The header image shown for `row`, as [`avatar`].
pub fn header(config: &Config, row: &AccountRow) -> String {
    account_image(
        config,
        row,
        &row.header_key,
        &row.header_remote_url,
        "headers",
    )
}

fn account_image(
    config: &Config,
    row: &AccountRow,
    key: &Option<String>,
    remote: &Option<String>,
    missing: &str,
) -> String {
    key.as_deref()
        .map(|key| media_file(config, key))
        .or_else(|| remote.clone())
        .filter(|_| row.suspended_at.is_none())
        .unwrap_or_else(|| format!("{}/{missing}/original/missing.png", config.base_url()))
}

/// The URL a stored media file is shown at: under the S3 public URL when media live
/// in S3 and one is set, else `https://DOMAIN/system/KEY`, served by Roost itself
/// (see `media::storage`).
pub fn media_file(config: &Config, key: &str) -> String {
    let public = config.s3_public_url.trim_end_matches('/');
    if config.media_storage == crate::config::MediaStorageKind::S3 && !public.is_empty() {
        format!("{public}/{key}")
    } else {
        format!("{}/system/{key}", config.base_url())
    }
}

/// The ActivityPub id of a local custom emoji: `https://DOMAIN/emojis/ID` (Mastodon's).
pub fn custom_emoji(config: &Config, id: i64) -> String {
    format!("{}/emojis/{id}", config.base_url())
}

/// Where a custom emoji's image and its still copy are shown: the stored files of a
/// local one, the remote URL (both) of a remote one.
pub fn custom_emoji_images(config: &Config, emoji: &CustomEmojiRow) -> (String, String) {
    let file = |key: &Option<String>| key.as_deref().map(|key| media_file(config, key));
    let remote = emoji.image_url.clone().unwrap_or_default();
    let image = file(&emoji.image_key).unwrap_or_else(|| remote.clone());
    let still = file(&emoji.static_key).unwrap_or(remote);
    (image, still)
}
