//! Groups (FEP-1b12): what Lemmy communities and Mbin magazines send their followers.
//! An `Announce` shares an activity of a member (embedded) or a post (embedded, or by
//! its id); posts carry the group as `audience` and in their addressing; titled posts
//! show their title.

use serde_json::Value;

use super::{fixture, parse, url};
use crate::federation::protocol::note::{Create, Note, NoteKind, Visibility};
use crate::federation::protocol::raw::{is_activity, object_id};
use crate::federation::protocol::{Activity, ActivityKind};

#[test]
fn a_lemmy_announce_of_a_page_shares_the_post_itself_for_mastodon() {
    let announce: Activity = parse("lemmy announce page", fixture!("lemmy/announce_page.json"));
    assert_eq!(announce.kind, ActivityKind::Announce);
    assert!(!is_activity(&announce.object), "a post, not an activity");
    let page: Note = parse("the announced page", &announce.object.to_string());
    assert_eq!(page.kind, NoteKind::Page);
    assert_eq!(page.id, url("http://ds9.lemmy.ml/post/1"));
    assert_eq!(
        page.audience,
        Some(url("https://enterprise.lemmy.ml/c/main"))
    );
    assert!(page
        .text_for_display()
        .starts_with("<p><strong>test post</strong></p><p>test body</p>"));
}

#[test]
fn a_lemmy_announce_of_a_like_shares_the_members_vote() {
    let announce: Activity = parse("lemmy announce like", fixture!("lemmy/announce_like.json"));
    assert!(is_activity(&announce.object));
    let like: Activity = parse("the announced like", &announce.object.to_string());
    assert_eq!(like.kind, ActivityKind::Like);
    assert_eq!(like.actor_id(), &url("http://ds9.lemmy.ml/u/lemmy_alpha"));
    assert_eq!(like.object_id(), Some(url("http://ds9.lemmy.ml/comment/1")));
    assert_ne!(
        like.id.origin(),
        announce.id.origin(),
        "the member's server is not the community's: the like must be fetched to be trusted"
    );
}

#[test]
fn an_mbin_announce_of_a_create_carries_an_entry_without_a_body() {
    let announce: Activity = parse(
        "mbin announce create",
        fixture!("mbin/announce_create_entry.json"),
    );
    assert!(is_activity(&announce.object));
    let create: Create = parse("the announced create", &announce.object.to_string());
    let entry = &create.object;
    assert_eq!(entry.kind, NoteKind::Page);
    assert_eq!(entry.in_reply_to, None, "`inReplyTo: null` is no parent");
    assert_eq!(entry.html_content(), None, "`content: null` is no body");
    assert_eq!(entry.audience, Some(url("https://kbin.test/m/test")));
    assert_eq!(create.actor.as_str(), "https://kbin.test/u/user");
    assert_eq!(
        entry.content_warning(),
        None,
        "a page's summary is no warning"
    );
    assert!(entry.text_for_display().starts_with(
        "<p><strong>test</strong></p><p>test #test</p>\
         <p><a href=\"https://kbin.test/m/test/t/1\">"
    ));
    assert_eq!(create.visibility(None, &[]), Visibility::Public);
}

#[test]
fn an_mbin_announce_of_a_like_and_a_boost_by_id_are_told_apart() {
    let like: Activity = parse(
        "mbin announce like",
        fixture!("mbin/announce_like_post.json"),
    );
    assert!(is_activity(&like.object));
    assert_eq!(like.object_kind(), Some("Like"));
    let boost: Activity = parse("mbin boost", fixture!("mbin/magazine_boost_entry.json"));
    assert!(!is_activity(&boost.object));
    assert_eq!(
        object_id(&boost.object),
        Some("https://kbin.test/m/test/t/1")
    );
}

#[test]
fn an_mbin_comment_names_its_magazine_as_audience_and_in_cc() {
    let create: Create = parse("mbin comment", fixture!("mbin/create_entry_comment.json"));
    let comment = &create.object;
    assert_eq!(comment.kind, NoteKind::Note);
    assert_eq!(
        comment.in_reply_to_id(),
        Some(&url("https://kbin.test/m/test/t/1"))
    );
    let magazine = url("https://kbin.test/m/test");
    assert_eq!(comment.audience.as_ref(), Some(&magazine));
    assert!(comment.cc.contains(&magazine));
    assert_eq!(comment.text_for_display(), "<p>test</p>\n");
}

#[test]
fn a_titled_note_shows_its_title_above_its_body_once() {
    let note = |name: &str, content: &str| -> Note {
        let document: Value = serde_json::json!({
            "id": "https://forum.example/post/1", "type": "Note",
            "attributedTo": "https://forum.example/uid/1",
            "name": name, "content": content,
        });
        parse("titled note", &document.to_string())
    };
    assert_eq!(
        note("Hello & welcome", "<p>First post</p>").text_for_display(),
        "<p><strong>Hello &amp; welcome</strong></p><p>First post</p>"
    );
    assert_eq!(
        note("Hello & welcome", "<p>Hello &amp; welcome, all</p>").text_for_display(),
        "<p>Hello &amp; welcome, all</p>",
        "a body that starts with the title does not repeat it"
    );
    assert_eq!(note("", "<p>x</p>").text_for_display(), "<p>x</p>");
}
