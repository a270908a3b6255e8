//! Reading fields of ActivityStreams JSON that is kept raw: a stored activity's
//! `object`, an embedded object that is not parsed into a typed struct yet. Each helper
//! accepts the spellings peers send (a bare URI or an object with an `id`, a value or
//! an array) and answers `None`/`false` rather than failing.
//!
//! Like the rest of `protocol`, these only read shapes: they decide nothing about trust
//! (the inbox compares what they return with the signer).
//!
//! Spec: <https://www.w3.org/TR/activitystreams-core/#object> (an object may be given by
//! its URI or embedded), <https://www.w3.org/TR/activitypub/#obj-id>.

use serde_json::Value;
use url::Url;

use super::ActorKind;

/// The id of a property that is either a URI or an object with an `id`; `None` when it
/// is absent, `null`, or something else (not checked to be a URL).
pub fn object_id(value: &Value) -> Option<&str> {
    match value {
        Value::String(id) => Some(id),
        Value::Object(object) => object.get("id").and_then(Value::as_str),
        _ => None,
    }
}

/// `attributedTo` of an object (the first entry if several), as a URI, if any.
pub fn attributed_to(object: &Value) -> Option<&str> {
    match &object["attributedTo"] {
        Value::Array(entries) => entries.first().and_then(object_id),
        other => object_id(other),
    }
}

/// Whether two URLs share scheme, host and port; false if either is not a URL.
pub fn same_origin(first: &str, second: &str) -> bool {
    match (Url::parse(first), Url::parse(second)) {
        (Ok(first), Ok(second)) => first.origin() == second.origin(),
        _ => false,
    }
}

/// Whether an object's `type` is one of the actor types (`Person`, `Service`,
/// `Application`, `Group`, `Organization`): `Update(Person)` and its kin change a
/// profile, not a post.
pub fn is_actor(object: &Value) -> bool {
    object["type"]
        .as_str()
        .is_some_and(|kind| !matches!(ActorKind::from(kind.to_owned()), ActorKind::Other(_)))
}

/// The activity types of ActivityStreams and the extensions peers send (`EmojiReact`,
/// Lemmy's `Lock`): an `Announce` whose object has one of these shares an activity
/// (FEP-1b12), not a post. `Question` is left out: it is posted as a poll.
const ACTIVITY_TYPES: &[&str] = &[
    "Accept",
    "Add",
    "Announce",
    "Arrive",
    "Block",
    "Create",
    "Delete",
    "Dislike",
    "EmojiReact",
    "Flag",
    "Follow",
    "Ignore",
    "Invite",
    "Join",
    "Leave",
    "Like",
    "Listen",
    "Lock",
    "Move",
    "Offer",
    "Read",
    "Reject",
    "Remove",
    "TentativeAccept",
    "TentativeReject",
    "Travel",
    "Undo",
    "Update",
    "View",
];

/// Whether an embedded object's `type` (the first, if several) is an activity type.
pub fn is_activity(object: &Value) -> bool {
    let kind = match &object["type"] {
        Value::Array(kinds) => kinds.first().and_then(Value::as_str),
        other => other.as_str(),
    };
    kind.is_some_and(|kind| ACTIVITY_TYPES.contains(&kind))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_id_is_read_from_a_uri_or_an_embedded_object() {
        assert_eq!(
            object_id(&json!("https://a.example/1")),
            Some("https://a.example/1")
        );
        let embedded = json!({ "id": "https://a.example/2", "type": "Note" });
        assert_eq!(object_id(&embedded), Some("https://a.example/2"));
        assert_eq!(object_id(&json!({ "type": "Note" })), None);
        assert_eq!(object_id(&Value::Null), None);
        assert_eq!(object_id(&json!(["https://a.example/3"])), None);
    }

    #[test]
    fn the_first_author_of_several_is_the_attribution() {
        let one = json!({ "attributedTo": "https://a.example/users/x" });
        assert_eq!(attributed_to(&one), Some("https://a.example/users/x"));
        let several = json!({ "attributedTo": [
            { "id": "https://a.example/users/y", "type": "Person" },
            "https://a.example/users/z"
        ] });
        assert_eq!(attributed_to(&several), Some("https://a.example/users/y"));
        assert_eq!(attributed_to(&json!({})), None);
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        assert!(same_origin(
            "https://a.example/1",
            "https://a.example/users/x"
        ));
        assert!(!same_origin("https://a.example/1", "https://b.example/1"));
        assert!(!same_origin("https://a.example/1", "http://a.example/1"));
        assert!(!same_origin(
            "https://a.example/1",
            "https://a.example:8443/1"
        ));
        assert!(!same_origin("not a url", "not a url"));
    }

    #[test]
    fn shared_activities_are_told_from_shared_posts() {
        for kind in ["Create", "Update", "Delete", "Like", "Dislike", "Undo"] {
            assert!(is_activity(&json!({ "type": kind })), "{kind}");
        }
        assert!(is_activity(&json!({ "type": ["Create", "Extra"] })));
        for kind in ["Page", "Note", "Article", "Question"] {
            assert!(!is_activity(&json!({ "type": kind })), "{kind}");
        }
        assert!(!is_activity(&json!("https://a.example/activities/1")));
    }

    #[test]
    fn actor_types_are_told_from_posts() {
        for kind in ["Person", "Service", "Application", "Group", "Organization"] {
            assert!(is_actor(&json!({ "type": kind })), "{kind}");
        }
        assert!(!is_actor(&json!({ "type": "Note" })));
        assert!(!is_actor(&json!("https://a.example/users/x")));
    }
}
