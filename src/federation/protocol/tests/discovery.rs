//! WebFinger and NodeInfo documents from Mastodon, GoToSocial and Akkoma, `acct:`
//! parsing, and Roost's own discovery documents.

use serde_json::{json, Map};

use super::{base, fixture, keys, parse, url};
use crate::federation::protocol::nodeinfo::{
    NodeInfoVersion, Software, Usage, NODEINFO_2_0_REL, NODEINFO_2_1_REL,
};
use crate::federation::protocol::webfinger::{is_activitypub_media_type, AcctUriError};
use crate::federation::protocol::{AcctUri, Jrd, LocalActorUrls, NodeInfo, NodeInfoLinks};

#[test]
fn mastodons_webfinger_gives_actor_profile_and_subscribe_template() {
    let jrd: Jrd = parse("mastodon jrd", fixture!("mastodon/webfinger.json"));
    assert_eq!(jrd.subject, "acct:Gargron@mastodon.social");
    assert_eq!(
        jrd.activitypub_actor(),
        Some(url("https://mastodon.social/users/Gargron"))
    );
    assert_eq!(
        jrd.profile_page(),
        Some(url("https://mastodon.social/@Gargron"))
    );
    assert_eq!(
        jrd.subscribe_template(),
        Some("https://mastodon.social/authorize_interaction?uri={uri}")
    );
    let subject = AcctUri::parse(&jrd.subject).expect("an acct: subject");
    assert_eq!(
        (subject.username.as_str(), subject.domain.as_str()),
        ("Gargron", "mastodon.social")
    );
}

#[test]
fn gotosocials_webfinger_has_a_port_in_its_subject_and_no_template() {
    let jrd: Jrd = parse("gotosocial jrd", fixture!("gotosocial/webfinger.json"));
    assert_eq!(
        jrd.activitypub_actor(),
        Some(url("http://localhost:8080/users/the_mighty_zork"))
    );
    assert_eq!(jrd.subscribe_template(), None);
    let subject = AcctUri::parse(&jrd.subject).expect("an acct: subject");
    assert_eq!(subject.domain, "localhost:8080");
    assert_eq!(subject.to_string(), jrd.subject);
}

#[test]
fn a_self_link_of_ld_json_with_profile_counts_as_the_actor() {
    let jrd: Jrd = serde_json::from_value(json!({
        "subject": "acct:a@b.example",
        "links": [
            {"rel": "self", "type": "text/html", "href": "https://b.example/@a"},
            {"rel": "self",
             "type": "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"",
             "href": "https://b.example/users/a"},
            {"rel": "broken"}, "not a link"
        ]
    }))
    .expect("parses");
    assert_eq!(jrd.links.len(), 3);
    assert_eq!(
        jrd.activitypub_actor(),
        Some(url("https://b.example/users/a"))
    );
    assert!(is_activitypub_media_type(
        "Application/Activity+JSON; charset=utf-8"
    ));
    assert!(!is_activitypub_media_type("application/json"));
}

#[test]
fn roosts_webfinger_answer_has_mastodons_shape() {
    let urls = LocalActorUrls::new(&base(), "alice").expect("a valid base");
    let acct = AcctUri::parse("acct:alice@roost.example").expect("valid");
    let jrd = Jrd::local(&acct, &urls, &base()).expect("a valid base");
    let value = serde_json::to_value(&jrd).expect("serializes");
    assert_eq!(
        value,
        json!({
            "subject": "acct:alice@roost.example",
            "aliases": ["https://roost.example/@alice", "https://roost.example/users/alice"],
            "links": [
                {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html",
                 "href": "https://roost.example/@alice"},
                {"rel": "self", "type": "application/activity+json",
                 "href": "https://roost.example/users/alice"},
                {"rel": "http://ostatus.org/schema/1.0/subscribe",
                 "template": "https://roost.example/authorize_interaction?uri={uri}"}
            ]
        })
    );
    let read_back: Jrd = parse("roost jrd", &value.to_string());
    assert_eq!(read_back.activitypub_actor(), Some(urls.id));
}

#[test]
fn acct_resources_are_parsed_leniently() {
    let cases = [
        ("acct:alice@example.com", "alice", "example.com"),
        ("ACCT:alice@Example.COM", "alice", "example.com"),
        ("acct:@alice@example.com", "alice", "example.com"),
        ("@Alice@example.com", "Alice", "example.com"),
        ("alice@example.com", "alice", "example.com"),
        (" alice@localhost:8080 ", "alice", "localhost:8080"),
        ("acct:alice@example.com:443", "alice", "example.com"),
        ("acct:alice@[::1]:3000", "alice", "[::1]:3000"),
    ];
    for (resource, username, domain) in cases {
        let acct = AcctUri::parse(resource).unwrap_or_else(|error| panic!("{resource}: {error}"));
        assert_eq!(
            (acct.username.as_str(), acct.domain.as_str()),
            (username, domain),
            "{resource}"
        );
    }
    assert_eq!(
        AcctUri::parse("alice@example.com").map(|a| a.handle()),
        Ok("alice@example.com".to_owned())
    );
}

#[test]
fn malformed_acct_resources_say_why() {
    let cases = [
        ("https://example.com/users/alice", AcctUriError::NotAcct),
        ("mailto:alice@example.com", AcctUriError::NotAcct),
        ("acct:alice", AcctUriError::MissingDomain),
        ("acct:@example.com", AcctUriError::MissingDomain),
        ("acct:@@example.com", AcctUriError::InvalidUsername),
        ("acct:al ice@example.com", AcctUriError::InvalidUsername),
        ("acct:a@b@example.com", AcctUriError::InvalidDomain),
        ("acct:alice@", AcctUriError::InvalidDomain),
        ("acct:alice@example.com/path", AcctUriError::InvalidDomain),
        ("acct:alice@example.com:99999", AcctUriError::InvalidDomain),
    ];
    for (resource, error) in cases {
        assert_eq!(AcctUri::parse(resource), Err(error), "{resource}");
    }
}

#[test]
fn mastodons_nodeinfo_2_0_parses() {
    let info: NodeInfo = parse("mastodon nodeinfo", fixture!("mastodon/nodeinfo_2.0.json"));
    assert_eq!(info.version, NodeInfoVersion::V2_0);
    assert_eq!(
        (info.software.name.as_str(), info.software.version.as_str()),
        ("mastodon", "4.1.0")
    );
    assert_eq!(info.protocols, ["activitypub"]);
    assert!(info.open_registrations);
    assert_eq!(info.usage.users.total, Some(10360));
    assert_eq!(info.usage.users.active_month, Some(4627));
    assert_eq!(info.usage.users.active_halfyear, Some(10089));
    assert_eq!(info.usage.local_posts, Some(1033206));
}

#[test]
fn akkomas_nodeinfo_2_1_parses_with_its_repository_and_metadata() {
    let info: NodeInfo = parse("akkoma nodeinfo", fixture!("akkoma/nodeinfo_2.1.json"));
    assert_eq!(info.version, NodeInfoVersion::V2_1);
    assert_eq!(info.software.name, "akkoma");
    assert_eq!(
        info.software.repository,
        Some(url("https://akkoma.dev/AkkomaGang/akkoma"))
    );
    assert_eq!(info.usage.users.active_month, None);
    assert_eq!(info.metadata["nodeName"], "fedi.absturztau.be");
}

#[test]
fn roosts_nodeinfo_uses_nodeinfo_key_names_and_drops_2_1_fields_from_2_0() {
    let mut metadata = Map::new();
    metadata.insert("upstream".to_owned(), json!({"name": "mastodon"}));
    let mut software = Software::roost();
    software.repository = Some(url("https://code.example/roost"));
    let usage = Usage::new(3, 2, 3, 40);
    let v21 = NodeInfo::local(
        NodeInfoVersion::V2_1,
        software.clone(),
        true,
        usage.clone(),
        metadata.clone(),
    );
    let value = serde_json::to_value(&v21).expect("serializes");
    assert_eq!(
        keys(&value),
        [
            "version",
            "software",
            "protocols",
            "services",
            "openRegistrations",
            "usage",
            "metadata"
        ]
    );
    assert_eq!(value["version"], "2.1");
    assert_eq!(value["software"]["name"], "roost");
    assert_eq!(
        value["software"]["repository"],
        "https://code.example/roost"
    );
    assert_eq!(value["protocols"], json!(["activitypub"]));
    assert_eq!(value["services"], json!({"inbound": [], "outbound": []}));
    assert_eq!(
        value["usage"],
        json!({"users": {"total": 3, "activeMonth": 2, "activeHalfyear": 3}, "localPosts": 40})
    );
    assert_eq!(value["metadata"]["upstream"]["name"], "mastodon");
    assert_eq!(
        parse::<NodeInfo>("roost nodeinfo 2.1", &value.to_string()),
        v21
    );

    let v20 = NodeInfo::local(NodeInfoVersion::V2_0, software, false, usage, metadata);
    let value = serde_json::to_value(&v20).expect("serializes");
    assert_eq!(value["version"], "2.0");
    assert_eq!(keys(&value["software"]), ["name", "version"]);
}

#[test]
fn roosts_well_known_nodeinfo_links_both_schemas() {
    let links = NodeInfoLinks::local(&base()).expect("a valid base");
    assert_eq!(
        serde_json::to_value(&links).expect("serializes"),
        json!({"links": [
            {"rel": NODEINFO_2_0_REL, "href": "https://roost.example/nodeinfo/2.0"},
            {"rel": NODEINFO_2_1_REL, "href": "https://roost.example/nodeinfo/2.1"}
        ]})
    );
    assert_eq!(
        links.preferred().map(|link| link.rel.as_str()),
        Some(NODEINFO_2_1_REL)
    );
    let only_2_0: NodeInfoLinks = serde_json::from_value(json!({"links": [
        {"rel": format!("{NODEINFO_2_0_REL}#"), "href": "https://m.example/nodeinfo/2.0"},
        {"rel": "http://nodeinfo.diaspora.software/ns/schema/1.0", "href": "https://m.example/1.0"}
    ]}))
    .expect("parses");
    assert_eq!(
        only_2_0.preferred().map(|link| link.href.as_str()),
        Some("https://m.example/nodeinfo/2.0")
    );
}
