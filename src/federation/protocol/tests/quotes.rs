//! Interaction policies and quotes as GoToSocial, Mastodon-compatible and Misskey
//! servers send them, and Roost's own quote activities and stamps.

use serde_json::json;

use super::{fixture, http, url};
use crate::domain::quotes::QuotePolicy;
use crate::federation::protocol::interaction_policy::{
    InteractionPolicy, QuoteAuthorization, QuoteRequest, Rule,
};
use crate::federation::protocol::note::{Create, Note};
use crate::federation::protocol::public_url;
use crate::federation::protocol::ObjectRef;

fn parse<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> T {
    serde_json::from_str(text).unwrap_or_else(|error| panic!("{what} parses: {error}"))
}

#[test]
fn a_gotosocial_note_carries_all_four_sub_policies() {
    let create: Create = parse(
        "gts create",
        fixture!("gotosocial/create_note_interaction_policy.json"),
    );
    let policy = create.object.interaction_policy.expect("a policy");
    let zork = url("http://localhost:8080/users/the_mighty_zork");
    let quote = policy.can_quote.expect("canQuote");
    assert_eq!(quote.automatic_approval, vec![zork.clone()]);
    assert_eq!(
        quote.quote_policy(None),
        QuotePolicy::Nobody,
        "the author alone"
    );
    let reply = policy.can_reply.expect("canReply");
    assert_eq!(reply.automatic_approval, vec![public_url()]);
    assert!(policy.can_like.is_some() && policy.can_announce.is_some());
}

#[test]
fn single_strings_and_manual_approval_parse() {
    let policy: InteractionPolicy = parse(
        "gts policy",
        fixture!("gotosocial/interaction_policy_limited.json"),
    );
    let reply = policy.can_reply.expect("canReply");
    assert_eq!(reply.automatic_approval.len(), 3);
    assert_eq!(reply.manual_approval, vec![public_url()]);
    let like = policy.can_like.expect("canLike");
    assert_eq!(like.automatic_approval, vec![public_url()]);
    let announce = policy.can_announce.expect("canAnnounce");
    let followers = url("https://example.org/users/the_mighty_zork/followers");
    assert_eq!(
        announce.quote_policy(Some(&followers)),
        QuotePolicy::Followers
    );
    assert!(policy.can_quote.is_none(), "absent: not enforced");
}

#[test]
fn the_deprecated_always_and_approval_required_names_still_read() {
    let note: Note = parse("gts mention", fixture!("gotosocial/note_mention.json"));
    let policy = note.interaction_policy.expect("a policy");
    let announce = policy.can_announce.expect("canAnnounce");
    assert_eq!(
        announce.automatic_approval,
        vec![public_url()],
        "merged once"
    );
    let rule: Rule = serde_json::from_value(json!({
        "always": "https://a.example/users/x", "approvalRequired": ["https://www.w3.org/ns/activitystreams#Public"]
    }))
    .expect("parses");
    assert_eq!(
        rule.automatic_approval,
        vec![url("https://a.example/users/x")]
    );
    assert_eq!(rule.manual_approval, vec![public_url()]);
}

#[test]
fn older_servers_quotes_are_legacy_and_fep_quotes_are_not() {
    let sharkey: Note = parse("sharkey quote", fixture!("sharkey/quote_note.json"));
    assert!(sharkey.is_legacy_quote());
    let akkoma: Note = parse("akkoma quote", fixture!("akkoma/quote_note.json"));
    assert!(akkoma.is_legacy_quote());
    let fep: Note = serde_json::from_value(json!({
        "id": "https://a.example/1", "type": "Note", "quote": "https://b.example/2",
        "quoteUri": "https://b.example/2",
        "quoteAuthorization": "https://b.example/users/bob/quote_authorizations/3"
    }))
    .expect("parses");
    assert!(!fep.is_legacy_quote());
    assert_eq!(
        fep.quote_authorization,
        Some(http("https://b.example/users/bob/quote_authorizations/3"))
    );
}

#[test]
fn roost_quote_rules_requests_and_stamps_round_trip() {
    let author = url("https://r.example/users/alice");
    let followers = url("https://r.example/users/alice/followers");
    for policy in [
        QuotePolicy::Public,
        QuotePolicy::Followers,
        QuotePolicy::Nobody,
    ] {
        let rule = Rule::for_quotes(policy, &author, &followers);
        assert_eq!(rule.quote_policy(Some(&followers)), policy);
    }
    let policy = InteractionPolicy {
        can_quote: Some(Rule::for_quotes(QuotePolicy::Public, &author, &followers)),
        ..InteractionPolicy::default()
    };
    assert_eq!(
        serde_json::to_value(&policy).expect("json"),
        json!({ "canQuote": {
            "automaticApproval": ["https://www.w3.org/ns/activitystreams#Public"],
            "manualApproval": []
        } })
    );
    let quoting = url("https://q.example/users/bob/statuses/1");
    let quoted = url("https://r.example/users/alice/statuses/2");
    let request = QuoteRequest::new(
        url("https://q.example/activities/9"),
        url("https://q.example/users/bob"),
        quoted.clone(),
        quoting.clone(),
    );
    let back: QuoteRequest =
        serde_json::from_value(serde_json::to_value(&request).expect("json")).expect("parses");
    assert_eq!(
        back.instrument.map(|i| i.id().clone()),
        Some(quoting.clone())
    );
    let stamp = QuoteAuthorization::new(
        url("https://r.example/users/alice/quote_authorizations/1"),
        author.clone(),
        quoting.clone(),
        quoted.clone(),
    );
    let value = serde_json::to_value(&stamp).expect("json");
    assert_eq!(value["type"], "QuoteAuthorization");
    assert_eq!(value["interactingObject"], quoting.as_str());
    let back: QuoteAuthorization = serde_json::from_value(value).expect("parses");
    assert!(back.approves(&author, &quoting, &quoted));
    assert!(!back.approves(&author, &quoted, &quoting));
}

#[test]
fn a_followers_rule_lets_anyone_else_ask_for_review() {
    let author = url("https://r.example/users/alice");
    let followers = url("https://r.example/users/alice/followers");
    let rule = Rule::for_quotes(QuotePolicy::Followers, &author, &followers);
    assert_eq!(rule.automatic_approval, vec![followers.clone()]);
    assert_eq!(rule.manual_approval, vec![public_url()]);
    for policy in [QuotePolicy::Public, QuotePolicy::Nobody] {
        let rule = Rule::for_quotes(policy, &author, &followers);
        assert!(rule.manual_approval.is_empty(), "{policy:?}");
    }
}

#[test]
fn mastodons_quote_request_carries_the_quoting_note_inline() {
    let text = fixture!("mastodon/quote_request.json");
    let request: QuoteRequest = parse("mastodon quote request", text);
    assert_eq!(request.kind, "QuoteRequest");
    let quoted = "https://cb6e6126.ngrok.io/users/recipient/statuses/110000000000000001";
    assert_eq!(request.object, url(quoted));
    assert_eq!(request.actor, url("https://example.com/users/sender"));
    let Some(ObjectRef::Object(instrument)) = &request.instrument else {
        panic!("the quoting post is inlined: {:?}", request.instrument);
    };
    assert_eq!(instrument.id.as_str(), "https://example.com/unknown-status");
    let raw: serde_json::Value = parse("JSON", text);
    let note: Note = serde_json::from_value(raw["instrument"].clone()).expect("a Note");
    assert_eq!(note.quote, Some(http(quoted)), "FEP-044f's quote");
    assert!(
        !note.is_legacy_quote(),
        "an FEP-044f quote waits for its stamp"
    );
}
