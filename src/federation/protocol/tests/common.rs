//! The shared helpers: one-or-many values, object references, the public collection and
//! Roost's JSON-LD context.

use serde::Deserialize;
use serde_json::json;
use url::Url;

use super::url;
use crate::federation::protocol::{
    context, deserialize_one_or_many, is_public, public_url, EmbeddedObject, ObjectRef, OneOrMany,
    ACTIVITY_STREAMS_CONTEXT, PUBLIC, SECURITY_CONTEXT,
};

#[test]
fn one_or_many_reads_a_value_or_an_array_and_writes_the_same_form() {
    let one: OneOrMany<String> = serde_json::from_value(json!("a")).expect("parses");
    let many: OneOrMany<String> = serde_json::from_value(json!(["a", "b"])).expect("parses");
    assert_eq!(one.iter().collect::<Vec<_>>(), ["a"]);
    assert_eq!(many.first().map(String::as_str), Some("a"));
    assert_eq!(many.clone().into_vec(), ["a", "b"]);
    assert_eq!(serde_json::to_value(&one).expect("serializes"), json!("a"));
    assert_eq!(
        serde_json::to_value(&many).expect("serializes"),
        json!(["a", "b"])
    );
}

#[derive(Deserialize)]
struct Holder {
    #[serde(default, deserialize_with = "deserialize_one_or_many")]
    values: Vec<Url>,
}

#[test]
fn deserialize_one_or_many_treats_null_and_absence_as_empty() {
    let read = |value| serde_json::from_value::<Holder>(value).map(|holder| holder.values.len());
    assert_eq!(read(json!({"values": "https://a.example/"})).ok(), Some(1));
    assert_eq!(
        read(json!({"values": ["https://a.example/", "https://b.example/"]})).ok(),
        Some(2)
    );
    assert_eq!(read(json!({"values": null})).ok(), Some(0));
    assert_eq!(read(json!({})).ok(), Some(0));
    assert!(read(json!({"values": ["https://a.example/", "not a url"]})).is_err());
}

#[test]
fn the_public_collection_is_recognised_in_all_its_spellings() {
    assert!(is_public(PUBLIC));
    assert!(is_public("as:Public"));
    assert!(is_public("Public"));
    assert!(!is_public("https://www.w3.org/ns/activitystreams#public"));
    assert!(!is_public("https://a.example/users/a/followers"));
    assert_eq!(public_url().as_str(), PUBLIC);
}

#[test]
fn an_object_ref_is_a_uri_or_an_embedded_object_with_an_id() {
    let uri: ObjectRef = serde_json::from_value(json!("https://a.example/1")).expect("parses");
    assert_eq!(uri.id(), &url("https://a.example/1"));
    assert!(uri.as_object().is_none());
    let embedded: ObjectRef =
        serde_json::from_value(json!({"id": "https://a.example/2", "type": "Follow", "x": 1}))
            .expect("parses");
    assert_eq!(embedded.id(), &url("https://a.example/2"));
    let object: &EmbeddedObject = embedded.as_object().expect("embedded");
    assert_eq!(object.kind.as_deref(), Some("Follow"));
    assert_eq!(object.properties["x"], 1);
    assert_eq!(serde_json::to_value(&embedded).expect("serializes")["x"], 1);
    assert!(serde_json::from_value::<ObjectRef>(json!({"type": "Follow"})).is_err());
    assert!(serde_json::from_value::<ObjectRef>(json!("not a uri")).is_err());
}

#[test]
fn roosts_context_names_activity_streams_security_and_the_mastodon_terms_it_uses() {
    let context = context();
    assert_eq!(context[0], ACTIVITY_STREAMS_CONTEXT);
    assert_eq!(context[1], SECURITY_CONTEXT);
    let terms = &context[2];
    assert_eq!(
        terms["manuallyApprovesFollowers"],
        "as:manuallyApprovesFollowers"
    );
    assert_eq!(terms["toot"], "http://joinmastodon.org/ns#");
    assert_eq!(
        terms["featured"],
        json!({"@id": "toot:featured", "@type": "@id"})
    );
    assert_eq!(terms["discoverable"], "toot:discoverable");
    assert_eq!(terms["indexable"], "toot:indexable");
    assert_eq!(terms["PropertyValue"], "schema:PropertyValue");
}
