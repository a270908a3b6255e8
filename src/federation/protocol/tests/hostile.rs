//! Documents from a hostile server: every URL a client could be shown or follow is a
//! `javascript:`, `data:`, `file:` or `vbscript:` URL. Each must be dropped while the
//! document is parsed, and the rest of the document must still parse.

use super::{fixture, http, parse};
use crate::federation::protocol::note::{Create, Note};
use crate::federation::protocol::Actor;

#[test]
fn a_hostile_actor_parses_without_any_non_http_url() {
    let actor: Actor = parse("hostile person", fixture!("hostile/person.json"));
    assert_eq!(actor.preferred_username.as_deref(), Some("mallory"));
    assert_eq!(
        actor.url, None,
        "javascript: and data: profile URLs are dropped"
    );
    assert_eq!(actor.profile_url(), None);
    assert_eq!(actor.icon, None, "a data: avatar is dropped");
    assert_eq!(actor.image, None, "a file: header is dropped");
    let emoji = actor.tag.iter().find(|tag| tag.kind == "Emoji");
    assert_eq!(emoji.map(|tag| &tag.icon), Some(&None));
    let hashtag = actor.tag.iter().find(|tag| tag.kind == "Hashtag");
    assert_eq!(hashtag.map(|tag| &tag.href), Some(&None));
    // Field values and the bio stay HTML here; the sanitiser removes their bad links.
    assert_eq!(actor.attachment.len(), 1);
}

#[test]
fn a_hostile_note_keeps_its_text_and_loses_every_non_http_url() {
    let create: Create = parse("hostile create", fixture!("hostile/create_note.json"));
    let note: &Note = &create.object;
    assert!(note
        .html_content()
        .is_some_and(|html| html.contains("hello")));
    assert_eq!(note.url, None);
    assert_eq!(note.web_url(), None);
    assert_eq!(note.in_reply_to, None, "a javascript: inReplyTo is dropped");
    assert_eq!(note.quote_url(), None, "a data: quote is dropped");
    assert_eq!(note.mentions().count(), 0);
    let targets: Vec<_> = note.attachment.iter().map(|a| a.target()).collect();
    assert_eq!(
        targets,
        [
            None,
            None,
            None,
            Some(&http("https://evil.example/media/ok.png"))
        ]
    );
    let emoji = note.tag.iter().find(|tag| tag.kind == "Emoji");
    assert_eq!(emoji.map(|tag| &tag.icon), Some(&None));
}

#[test]
fn an_embedded_reply_target_with_a_script_id_is_dropped() {
    let note: Note = parse(
        "embedded parent",
        r#"{"id": "https://evil.example/n/2", "type": "Note",
            "inReplyTo": {"id": "javascript:alert(1)", "type": "Note"}}"#,
    );
    assert_eq!(note.in_reply_to_id(), None);
    let note: Note = parse(
        "http parent",
        r#"{"id": "https://evil.example/n/2", "type": "Note",
            "inReplyTo": "https://good.example/n/1"}"#,
    );
    assert_eq!(
        note.in_reply_to_id().map(url::Url::as_str),
        Some("https://good.example/n/1")
    );
}
