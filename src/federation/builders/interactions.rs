//! Outbound favourites and boosts of local accounts: the `Like` and `Announce`
//! activities and their `Undo`, built from the rows `services::interactions` wrote.
//! Where they are delivered is the service's business; this module only shapes them.
//!
//! Spec: <https://www.w3.org/TR/activitypub/#like-activity-outbox>,
//! <https://www.w3.org/TR/activitypub/#announce-activity-outbox>,
//! <https://www.w3.org/TR/activitypub/#undo-activity-outbox>; the addressing is
//! Mastodon's (`ActivityPub::TagManager`).

use url::Url;

use crate::db::statuses::StatusRow;
use crate::federation::protocol::activity::Undo;
use crate::federation::protocol::actor::LocalActorUrls;
use crate::federation::protocol::note::{Announce, Like, Visibility};

/// The `Like` by a local actor (`actor`, its URLs) of the remote status `status`,
/// under the id `like_id` stored with the favourite, addressed to the status's author
/// (`author_uri`, an actor id). Fails when a stored URL does not parse, or `status` has
/// no ActivityPub id (it is not remote).
pub fn like(
    actor: &LocalActorUrls,
    like_id: &str,
    status: &StatusRow,
    author_uri: &str,
) -> anyhow::Result<Like> {
    let object = status
        .ap_id
        .as_deref()
        .ok_or_else(|| anyhow::anyhow!("status {} has no ActivityPub id", status.id))?;
    Ok(Like::new(
        Url::parse(like_id)?,
        actor.id.clone(),
        Url::parse(object)?,
        Url::parse(author_uri)?,
    ))
}

/// The `Undo` (id `undo_id`) of the `Like` that [`like`] builds from the same input,
/// sent to everyone the like went to.
pub fn undo_like(
    actor: &LocalActorUrls,
    like_id: &str,
    status: &StatusRow,
    author_uri: &str,
    undo_id: &str,
) -> anyhow::Result<Undo<Like>> {
    let like = like(actor, like_id, status, author_uri)?;
    Ok(Undo::of_like(Url::parse(undo_id)?, like))
}

/// What an `Announce` names: the boost row and the URIs it refers to.
#[derive(Clone, Copy, Debug)]
pub struct Boost<'a> {
    /// The boost status the service wrote (its visibility and time are the activity's).
    pub row: &'a StatusRow,
    /// The boost's own ActivityPub id (`…/statuses/ID`); the activity's id is
    /// `…/statuses/ID/activity`, as Mastodon's.
    pub uri: &'a str,
    /// The ActivityPub id of the boosted status.
    pub original_uri: &'a str,
    /// The actor id of the boosted status's author, who is told of the boost (cc).
    pub original_author_uri: Option<&'a str>,
}

/// The `Announce` of a boost by a local actor (`actor`, its URLs), addressed by the
/// boost's visibility (public: to Public, cc the followers and the original's author).
/// Fails when a URL does not parse.
pub fn announce(actor: &LocalActorUrls, boost: Boost<'_>) -> anyhow::Result<Announce> {
    let recipients: Vec<Url> = boost
        .original_author_uri
        .iter()
        .filter_map(|author| Url::parse(author).ok())
        .collect();
    // A boost is public, unlisted or followers-only; anything else is addressed as direct.
    let visibility = Visibility::from(boost.row.visibility);
    Ok(Announce::new(
        Url::parse(&crate::urls::activity_of(boost.uri))?,
        actor.id.clone(),
        Url::parse(boost.original_uri)?,
        visibility.audience(&actor.followers, &recipients),
        boost.row.created_at,
    ))
}

/// The `Undo` (id `undo_id`) of the `Announce` that [`announce`] builds from the same
/// boost, sent to everyone the boost went to.
pub fn undo_announce(
    actor: &LocalActorUrls,
    boost: Boost<'_>,
    undo_id: &str,
) -> anyhow::Result<Undo<Announce>> {
    let announce = announce(actor, boost)?;
    Ok(Undo::of_announce(Url::parse(undo_id)?, announce))
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};
    use serde_json::json;

    use super::*;

    fn alice() -> LocalActorUrls {
        let base = Url::parse("https://roost.example/").expect("a valid URL");
        LocalActorUrls::new(&base, "alice").expect("an http base URL")
    }

    fn status(ap_id: Option<&str>, visibility: &str) -> StatusRow {
        let at: DateTime<Utc> = "2026-11-24T12:00:00Z".parse().expect("a timestamp");
        StatusRow {
            id: 2,
            account_id: 1,
            ap_id: ap_id.map(str::to_owned),
            url: None,
            local: ap_id.is_none(),
            text: String::new(),
            content: String::new(),
            spoiler_text: String::new(),
            sensitive: false,
            visibility: crate::domain::Visibility::parse(visibility).expect("a visibility name"),
            language: None,
            in_reply_to_id: None,
            in_reply_to_account_id: None,
            reblog_of_id: None,
            conversation: None,
            replies_count: 0,
            reblogs_count: 0,
            favourites_count: 0,
            created_at: at,
            edited_at: None,
            deleted_at: None,
            application_id: None,
        }
    }

    #[test]
    fn a_like_names_the_remote_status_and_is_addressed_to_its_author() {
        let remote = status(Some("https://b.example/users/bob/statuses/9"), "public");
        let like_id = "https://roost.example/activities/1";
        let bob = "https://b.example/users/bob";
        let like = like(&alice(), like_id, &remote, bob).expect("builds");
        let value = serde_json::to_value(&like).expect("serializes");
        assert_eq!(value["type"], "Like");
        assert_eq!(value["id"], like_id);
        assert_eq!(value["actor"], "https://roost.example/users/alice");
        assert_eq!(value["object"], "https://b.example/users/bob/statuses/9");
        assert_eq!(value["to"], json!([bob]));
        let undo = undo_like(
            &alice(),
            like_id,
            &remote,
            bob,
            "https://roost.example/activities/2",
        )
        .expect("builds");
        let value = serde_json::to_value(&undo).expect("serializes");
        assert_eq!(value["type"], "Undo");
        assert_eq!(value["object"]["id"], like_id);
        assert_eq!(value["to"], json!([bob]));
    }

    #[test]
    fn a_local_status_has_nothing_to_like_remotely() {
        let local = status(None, "public");
        assert!(like(
            &alice(),
            "https://roost.example/activities/1",
            &local,
            "https://b.example/users/bob"
        )
        .is_err());
    }

    #[test]
    fn a_boost_is_addressed_by_its_visibility_and_copies_the_original_author() {
        let row = status(None, "unlisted");
        let boost = Boost {
            row: &row,
            uri: "https://roost.example/users/alice/statuses/2",
            original_uri: "https://b.example/users/bob/statuses/9",
            original_author_uri: Some("https://b.example/users/bob"),
        };
        let value =
            serde_json::to_value(announce(&alice(), boost).expect("builds")).expect("serializes");
        assert_eq!(
            value["id"],
            "https://roost.example/users/alice/statuses/2/activity"
        );
        assert_eq!(value["object"], "https://b.example/users/bob/statuses/9");
        assert_eq!(
            value["to"],
            json!(["https://roost.example/users/alice/followers"])
        );
        assert_eq!(
            value["cc"],
            json!([
                "https://www.w3.org/ns/activitystreams#Public",
                "https://b.example/users/bob"
            ])
        );
        assert_eq!(value["published"], "2026-11-24T12:00:00Z");
        let undo =
            undo_announce(&alice(), boost, "https://roost.example/activities/3").expect("builds");
        let value = serde_json::to_value(&undo).expect("serializes");
        assert_eq!(value["object"]["type"], "Announce");
        assert_eq!(value["to"].as_array().map(Vec::len), Some(3));
    }
}
