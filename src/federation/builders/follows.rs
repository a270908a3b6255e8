//! Builders of the follow activities Roost sends: `Follow`, and the `Accept`, `Reject`
//! and `Undo` that answer or end one. Input: the follow row (or the id of the remote's
//! `Follow`), the two parties' actor ids and, for a new activity, its id; output: the
//! typed activity of [`crate::federation::protocol::activity`]. No database, no
//! AppState: the follows service calls these with what it just wrote and queues the
//! result in its own transaction.
//!
//! Spec: <https://www.w3.org/TR/activitypub/#follow-activity-inbox>,
//! <https://www.w3.org/TR/activitypub/#accept-activity-inbox>.

use url::Url;

use crate::db::follows::FollowRow;
use crate::federation::protocol::activity::{Accept, Follow, FollowType, Reject, Undo};

/// The embedded form of the follow `follow_id` of `followed` by `follower`, as
/// `Accept`, `Reject` and `Undo` carry it: no `@context`, no addressing.
fn embedded(follow_id: &str, follower: &Url, followed: &Url) -> Result<Follow, url::ParseError> {
    Ok(Follow {
        context: None,
        id: Url::parse(follow_id)?,
        kind: FollowType::Follow,
        actor: follower.clone(),
        object: followed.clone(),
        to: Vec::new(),
    })
}

/// The `Follow` a local `follower` sends for `follow` to the remote `followed`,
/// addressed to it. Errors only when the stored follow id is not a URL.
pub fn follow(
    follow: &FollowRow,
    follower: &Url,
    followed: &Url,
) -> Result<Follow, url::ParseError> {
    Ok(Follow::new(
        Url::parse(&follow.ap_id)?,
        follower.clone(),
        followed.clone(),
    ))
}

/// The `Accept` (id `id`) the local `followed` sends for the follow `follow_id` (the
/// id of the remote follower's latest `Follow`), addressed to the follower.
pub fn accept(
    id: Url,
    follow_id: &str,
    follower: &Url,
    followed: &Url,
) -> Result<Accept, url::ParseError> {
    let follow = embedded(follow_id, follower, followed)?;
    Ok(Accept::new(id, followed.clone(), follow))
}

/// The `Reject` (id `id`) the local `followed` sends for the follow `follow_id`
/// (refused, or an existing follower removed), addressed to the follower.
pub fn reject(
    id: Url,
    follow_id: &str,
    follower: &Url,
    followed: &Url,
) -> Result<Reject, url::ParseError> {
    let follow = embedded(follow_id, follower, followed)?;
    Ok(Reject::new(id, followed.clone(), follow))
}

/// The `Undo(Follow)` (id `id`) the local `follower` sends when it ends `follow` of the
/// remote `followed`, addressed to the followed actor.
pub fn undo(
    id: Url,
    follow: &FollowRow,
    follower: &Url,
    followed: &Url,
) -> Result<Undo, url::ParseError> {
    undo_follow_id(id, &follow.ap_id, follower, followed)
}

/// [`undo`] of the follow whose `Follow` had the id `follow_id`, also for a follow
/// Roost has no row of (follower synchronisation found the other server listing one):
/// receivers match an unknown id by the embedded actor and object.
pub fn undo_follow_id(
    id: Url,
    follow_id: &str,
    follower: &Url,
    followed: &Url,
) -> Result<Undo, url::ParseError> {
    let follow = embedded(follow_id, follower, followed)?;
    Ok(Undo::new(id, follower.clone(), follow))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).expect("a test URL")
    }

    fn row() -> FollowRow {
        FollowRow {
            id: 1,
            account_id: 2,
            target_account_id: 3,
            accepted: false,
            show_reblogs: true,
            notify: false,
            ap_id: "https://roost.example/activities/1".into(),
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn an_undo_of_a_follow_embeds_it_bare_and_is_addressed_to_the_followed_actor() {
        let alice = url("https://roost.example/users/alice");
        let bob = url("https://other.example/users/bob");
        let undo = undo(
            url("https://roost.example/activities/2"),
            &row(),
            &alice,
            &bob,
        )
        .expect("valid ids");
        let sent = serde_json::to_value(&undo).expect("serializes");
        assert_eq!(sent["type"], "Undo");
        assert_eq!(sent["actor"], alice.as_str());
        assert_eq!(sent["to"], json!([bob.as_str()]));
        assert_eq!(
            sent["object"],
            json!({
                "id": "https://roost.example/activities/1",
                "type": "Follow",
                "actor": alice.as_str(),
                "object": bob.as_str(),
            })
        );
    }

    #[test]
    fn an_accept_comes_from_the_followed_actor_and_goes_to_the_follower() {
        let bob = url("https://other.example/users/bob");
        let alice = url("https://roost.example/users/alice");
        let accept = accept(
            url("https://roost.example/activities/3"),
            "https://other.example/follows/9",
            &bob,
            &alice,
        )
        .expect("valid ids");
        let sent = serde_json::to_value(&accept).expect("serializes");
        assert_eq!(sent["type"], "Accept");
        assert_eq!(sent["actor"], alice.as_str());
        assert_eq!(sent["to"], json!([bob.as_str()]));
        assert_eq!(sent["object"]["id"], "https://other.example/follows/9");
        assert_eq!(sent["object"]["actor"], bob.as_str());
    }

    #[test]
    fn a_follow_is_addressed_to_the_followed_actor() {
        let alice = url("https://roost.example/users/alice");
        let bob = url("https://other.example/users/bob");
        let sent = serde_json::to_value(follow(&row(), &alice, &bob).expect("valid ids"))
            .expect("serializes");
        assert_eq!(sent["type"], "Follow");
        assert_eq!(sent["id"], "https://roost.example/activities/1");
        assert_eq!(sent["object"], bob.as_str());
        assert_eq!(sent["to"], json!([bob.as_str()]));
        assert!(sent.get("@context").is_some());
    }
}
