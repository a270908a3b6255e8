//! GoToSocial's reply requests on the wire: its `ReplyRequest` (reply embedded as
//! `instrument`), its `Accept` of one (the request embedded, the stamp as `result`) and
//! its `ReplyAuthorization` stamp parse into the types Roost answers and verifies with,
//! and Roost's own `Accept` of a request has GoToSocial's shape.

use serde_json::{json, Value};

use super::{fixture, url};
use crate::federation::builders::answers::{self, Answer};
use crate::federation::protocol::interaction_policy::{
    reply_context, InteractionAuthorization, InteractionRequest,
};
use crate::federation::protocol::note::Note;
use crate::federation::protocol::raw::object_id;
use crate::federation::protocol::ObjectRef;

#[test]
fn a_gotosocial_reply_request_carries_the_reply_it_asks_for() {
    let text = fixture!("gotosocial/reply_request.json");
    let request: InteractionRequest = serde_json::from_str(text).expect("parses");
    assert_eq!(request.kind, "ReplyRequest");
    let parent = url("http://localhost:8080/users/admin/statuses/01F8MH75CBF9JFX4ZAD54N0W0R");
    assert_eq!(request.object, parent);
    let Some(ObjectRef::Object(instrument)) = &request.instrument else {
        panic!("the reply is embedded: {:?}", request.instrument);
    };
    let raw: Value = serde_json::from_str(text).expect("JSON");
    let note: Note = serde_json::from_value(raw["instrument"].clone()).expect("a Note");
    assert_eq!(note.id, instrument.id);
    assert_eq!(note.in_reply_to_id(), Some(&parent));
    assert_eq!(note.author_id(), Some(&request.actor));
}

#[test]
fn a_gotosocial_accept_names_the_request_and_the_stamp() {
    let accept: Value =
        serde_json::from_str(fixture!("gotosocial/accept_reply_request.json")).expect("JSON");
    let request: InteractionRequest =
        serde_json::from_value(accept["object"].clone()).expect("the request");
    assert_eq!(object_id(&accept["object"]), Some(request.id.as_str()));
    assert_eq!(
        object_id(&accept["result"]),
        Some("http://fossbros-anonymous.io/users/foss_satan/authorizations/1234")
    );
    assert!(matches!(request.instrument, Some(ObjectRef::Uri(_))));
}

#[test]
fn roosts_accept_of_a_request_has_gotosocials_shape() {
    let theirs: Value =
        serde_json::from_str(fixture!("gotosocial/accept_reply_request.json")).expect("JSON");
    let request: InteractionRequest =
        serde_json::from_value(theirs["object"].clone()).expect("the request");
    let stamp = url("https://roost.example/users/alice/reply_authorizations/7");
    let ours = answers::accept(Answer {
        context: reply_context(),
        id: url("https://roost.example/activities/1"),
        actor: url("https://roost.example/users/alice"),
        to: &request.actor,
        object: answers::embedded(&request),
        target: None,
        result: Some(&stamp),
    });
    assert_eq!(ours["type"], "Accept");
    assert_eq!(
        ours["object"], theirs["object"],
        "the request, as GoToSocial embeds it"
    );
    assert_eq!(ours["result"], json!(stamp));
    assert_eq!(ours["to"], json!([request.actor]));
}

#[test]
fn a_gotosocial_stamp_authorizes_exactly_its_reply() {
    let stamp: InteractionAuthorization =
        serde_json::from_str(fixture!("gotosocial/reply_authorization.json")).expect("parses");
    let author = url("https://example.org/users/someone");
    let reply =
        url("https://boobs.example.org/users/boobslover6969/statuses/01KFGBRPFJJCP0FM4039H4VDVQ");
    let parent = url("https://example.org/users/someone/statuses/01KFGBJN586W5EZFHE16R7FMJ1");
    assert!(stamp.authorizes("ReplyAuthorization", &author, &reply, &parent));
    assert!(!stamp.authorizes("QuoteAuthorization", &author, &reply, &parent));
    assert!(!stamp.authorizes("ReplyAuthorization", &author, &parent, &reply));
    assert!(
        !stamp.approves(&author, &reply, &parent),
        "not a quote stamp"
    );
}
