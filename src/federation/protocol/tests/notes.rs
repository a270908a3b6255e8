//! Posts and the activities about them: real-world documents from Mastodon, Misskey and
//! Sharkey, Pleroma and Akkoma, GoToSocial, Lemmy, Plume and PeerTube, Mastodon's
//! visibility rules, and Roost's outbound Note/Create/Update/Announce/Like/Delete/Undo.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::{fixture, http, keys, parse, url};
use crate::federation::protocol::note::{
    post_context, Announce, Attachment, Audience, Create, Delete, Like, LikeKind, LocalNote, Note,
    NoteKind, Update, Visibility,
};
use crate::federation::protocol::{context, Activity, ObjectRef, Tag, Undo, PUBLIC};

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().expect("test timestamps are valid")
}

fn mentions(note: &Note) -> Vec<url::Url> {
    note.mentions().cloned().collect()
}

#[test]
fn a_mastodon_post_with_a_mention_a_hashtag_and_a_content_warning_parses() {
    let create: Create = parse(
        "mastodon create",
        fixture!("mastodon/create_note_hashtag.json"),
    );
    let note = &create.object;
    let admin = url("http://mastodon.example.org/users/admin");
    assert_eq!(create.actor, admin);
    assert_eq!(note.kind, NoteKind::Note);
    assert_eq!(
        note.id,
        url("http://mastodon.example.org/users/admin/statuses/99512778738411822")
    );
    assert_eq!(note.author_id(), Some(&admin));
    assert!(note
        .html_content()
        .is_some_and(|html| html.ends_with("#moo</p>")));
    assert_eq!(note.content_warning(), Some("cw"));
    assert_eq!(note.sensitive, Some(true));
    assert_eq!(
        mentions(note),
        [url("http://localtesting.pleroma.lol/users/lain")]
    );
    assert_eq!(note.hashtags().collect::<Vec<_>>(), ["moo"]);
    assert_eq!(note.in_reply_to_id(), None);
    assert_eq!(
        note.web_url(),
        Some(&http(
            "http://mastodon.example.org/@admin/99512778738411822"
        ))
    );
    assert!(note
        .conversation
        .as_deref()
        .is_some_and(|c| c.starts_with("tag:")));
    assert_eq!(note.published, Some(utc("2018-02-12T14:08:20Z")));
    let followers = url("http://mastodon.example.org/users/admin/followers");
    assert_eq!(
        note.visibility(Some(&followers), &mentions(note)),
        Visibility::Public
    );
    assert_eq!(create.visibility(Some(&followers), &[]), Visibility::Public);
}

#[test]
fn a_mastodon_public_reply_with_public_only_in_cc_is_unlisted() {
    let create: Create = parse("mastodon reply", fixture!("mastodon/create_note.json"));
    let note = &create.object;
    assert_eq!(
        note.in_reply_to_id(),
        Some(&url(
            "https://mamot.fr/users/retiolus/statuses/107224244380204526"
        ))
    );
    assert_eq!(note.content_warning(), None);
    assert!(note
        .content_map
        .as_ref()
        .is_some_and(|map| map.contains_key("en")));
    assert_eq!(note.language().as_deref(), Some("en"));
    let followers = url("https://mastodon.madrid/users/felix/followers");
    let visibility = note.visibility(Some(&followers), &mentions(note));
    assert_eq!(visibility, Visibility::Unlisted);
}

#[test]
fn a_mastodon_edit_is_an_update_whose_note_has_updated() {
    let update: Update = parse("mastodon update", fixture!("mastodon/update_note.json"));
    let note = &update.object;
    assert_eq!(note.updated, Some(utc("2022-12-06T07:55:48Z")));
    assert_eq!(note.published, Some(utc("2022-12-06T06:20:13Z")));
    assert_eq!(update.actor, url("https://tech.lgbt/users/amy727"));
    let followers = url("https://tech.lgbt/users/amy727/followers");
    // Addressed to the one mentioned actor: a direct message.
    assert_eq!(
        update.visibility(Some(&followers), &mentions(note)),
        Visibility::Direct
    );
    // Without that mention it would be limited, not direct.
    assert_eq!(note.visibility(Some(&followers), &[]), Visibility::Limited);
}

#[test]
fn a_mastodon_poll_parses_as_a_question_post() {
    let create: Create = parse("mastodon poll", fixture!("mastodon/create_question.json"));
    assert_eq!(create.object.kind, NoteKind::Question);
    assert_eq!(
        create.object.text_for_display(),
        "<p>Why is Tenshi eating a corndog so cute?</p>"
    );
    assert_eq!(create.visibility(None, &[]), Visibility::Public);
}

#[test]
fn mastodon_attachments_carry_media_type_alt_text_blurhash_and_size() {
    let note: Note = parse("mastodon note", fixture!("mastodon/note_attachment.json"));
    let [attachment] = note.attachment.as_slice() else {
        panic!("one attachment expected, got {:?}", note.attachment);
    };
    assert_eq!(attachment.kind, "Document");
    assert_eq!(attachment.media_type.as_deref(), Some("image/png"));
    assert!(attachment
        .target()
        .is_some_and(|target| target.path().ends_with(".png")));
    assert!(attachment
        .description()
        .is_some_and(|alt| alt.starts_with("tweet by")));
    assert_eq!(
        attachment.blurhash.as_deref(),
        Some("U7RfkB00%MWBxuIUD%WB?b9FIUj[ogIURjWB")
    );
    assert_eq!(
        (attachment.width, attachment.height),
        (Some(512), Some(450))
    );
    assert_eq!(attachment.focal_point, None);
}

#[test]
fn a_focal_point_and_gotosocial_summary_alt_text_are_read() {
    let attachment: Attachment = serde_json::from_value(json!({
        "type": "Image", "mediaType": "image/jpeg", "url": "https://gts.example/a.jpg",
        "summary": "a cat", "focalPoint": [-0.5, 0.5], "width": "wide"
    }))
    .expect("parses");
    assert_eq!(attachment.focal_point, Some([-0.5, 0.5]));
    assert_eq!(attachment.description(), Some("a cat"));
    assert_eq!(attachment.width, None);
    let odd: Attachment =
        serde_json::from_value(json!({"type": "Image", "focalPoint": [0.1]})).expect("parses");
    assert_eq!((odd.focal_point, odd.target()), (None, None));
}

#[test]
fn a_mastodon_delete_carries_a_tombstone() {
    let delete: Delete = parse("mastodon delete", fixture!("mastodon/delete_note.json"));
    let status = url("https://mastodon.madrid/users/felix/statuses/107773559874184870");
    assert_eq!(delete.object_id(), &status);
    let tombstone = delete.object.as_object().expect("embedded tombstone");
    assert_eq!(tombstone.kind, "Tombstone");
    assert_eq!(delete.to, [url(PUBLIC)]);
    assert!(delete.id.is_some());
}

#[test]
fn gotosocial_and_misskey_deletes_without_id_or_addressing_parse() {
    let gts: Delete = parse("gotosocial delete", fixture!("gotosocial/delete_note.json"));
    assert_eq!(gts.id, None);
    assert_eq!(
        gts.object,
        ObjectRef::Uri(url(
            "http://localhost:8080/users/admin/statuses/01FF25D5Q0DH7CHD57CTRS6WK0"
        ))
    );
    assert_eq!(gts.cc.len(), 2);
    let sharkey: Delete = parse("sharkey delete", fixture!("sharkey/delete_note.json"));
    assert!(sharkey.to.is_empty() && sharkey.cc.is_empty());
    assert_eq!(
        sharkey.object_id(),
        &url("https://grimgreenfo.rest/notes/9wf90521y83w00p8")
    );
}

#[test]
fn likes_favourites_and_emoji_reactions_parse() {
    let mastodon: Like = parse("mastodon like", fixture!("mastodon/like.json"));
    assert_eq!(mastodon.kind, LikeKind::Like);
    assert_eq!(mastodon.reaction(), None);
    assert_eq!(
        mastodon.object,
        url("http://localtesting.pleroma.lol/objects/eb92579d-3417-42a8-8652-2492c2d4f454")
    );
    let misskey: Like = parse("misskey like", fixture!("misskey/like.json"));
    assert_eq!(misskey.reaction(), Some("pudding"));
    let sharkey: Like = parse("sharkey like", fixture!("sharkey/like_custom_emoji.json"));
    assert_eq!(sharkey.reaction(), Some(":cat_attack:"));
    let emoji = &sharkey.tag[0];
    assert_eq!(
        (emoji.kind.as_str(), emoji.name.as_deref()),
        ("Emoji", Some(":cat_attack:"))
    );
    assert!(emoji.icon.is_some());
    let pleroma: Like = parse("pleroma react", fixture!("pleroma/emoji_react.json"));
    assert_eq!(pleroma.kind, LikeKind::EmojiReact);
    assert_eq!(pleroma.reaction(), Some("👌"));
}

#[test]
fn boosts_parse_with_their_own_visibility() {
    let mastodon: Announce = parse("mastodon announce", fixture!("mastodon/announce.json"));
    assert_eq!(
        mastodon.object_id(),
        &url("http://mastodon.example.org/@admin/99541947525187367")
    );
    assert_eq!(mastodon.published, Some(utc("2018-02-17T19:39:15Z")));
    assert_eq!(mastodon.visibility(None), Visibility::Public);
    let json = fixture!("sharkey/announce_followers_only.json");
    let sharkey: Announce = parse("sharkey announce", json);
    let followers = url("https://grimgreenfo.rest/users/9sgt2c6wtxwi00xi/followers");
    assert_eq!(sharkey.visibility(Some(&followers)), Visibility::Private);
    assert_eq!(sharkey.visibility(None), Visibility::Limited);
}

#[test]
fn a_mastodon_unboost_is_an_undo_embedding_the_announce() {
    let undo: Undo<Announce> = parse("mastodon undo", fixture!("mastodon/undo_announce.json"));
    assert_eq!(
        undo.object_id(),
        &url("http://mastodon.example.org/users/admin/statuses/99542391527669785/activity")
    );
    let announce = undo.object.as_object().expect("embedded announce");
    assert_eq!(announce.actor, undo.actor);
    assert_eq!(
        announce.object_id(),
        &url("http://mastodon.example.org/@admin/99541947525187367")
    );
    let by_uri: Undo<Like> = parse("undo like", fixture!("mastodon/undo_like_uri.json"));
    assert!(by_uri.object.as_object().is_none());
}

#[test]
fn misskey_and_akkoma_quotes_give_one_quote_url() {
    let sharkey: Note = parse("sharkey quote", fixture!("sharkey/quote_note.json"));
    let quoted = http("https://eepy.zone/notes/0ojy918h4jw300g8");
    assert_eq!(sharkey.quote_url(), Some(&quoted));
    assert_eq!(sharkey.misskey_quote.as_ref(), Some(&quoted));
    assert_eq!(
        sharkey.misskey_content.as_deref(),
        Some("Wait have you guys seen this")
    );
    let source = sharkey.source.as_ref().expect("source");
    assert_eq!(source.media_type.as_deref(), Some("text/x.misskeymarkdown"));
    let akkoma: Note = parse("akkoma quote", fixture!("akkoma/quote_note.json"));
    assert_eq!(
        akkoma.quote_url(),
        Some(&http(
            "https://mas.to/users/bascule/statuses/112793660647233531"
        ))
    );
    assert_eq!((akkoma.sensitive, akkoma.content_warning()), (None, None));
    assert!(akkoma
        .thread
        .as_deref()
        .is_some_and(|t| t.starts_with("tag:mas.to")));
    let fep: Note = serde_json::from_value(json!({
        "id": "https://a.example/1", "type": "Note", "quote": "https://b.example/2",
        "quoteUrl": "https://c.example/3"
    }))
    .expect("parses");
    assert_eq!(fep.quote_url(), Some(&http("https://b.example/2")));
}

#[test]
fn a_misskey_create_keeps_mfm_source_and_attachments() {
    let create: Create = parse("misskey create", fixture!("misskey/create_note.json"));
    let note = &create.object;
    assert!(note
        .misskey_content
        .as_deref()
        .is_some_and(|mfm| mfm.contains("[支援]")));
    assert_eq!(note.attachment[0].media_type.as_deref(), Some("image/webp"));
    assert_eq!(note.attachment[0].description(), None);
    assert_eq!(note.quote_url(), None);
    assert_eq!(create.visibility(None, &[]), Visibility::Public);
}

#[test]
fn pleroma_and_akkoma_posts_with_their_quirks_parse() {
    let create: Create = parse("pleroma create", fixture!("pleroma/create_note.json"));
    let note = &create.object;
    assert_eq!(
        note.source, None,
        "Pleroma's plain-string source is dropped"
    );
    assert_eq!(
        note.content_warning(),
        None,
        "an empty summary is no warning"
    );
    assert_eq!(
        note.in_reply_to_id(),
        Some(&url("https://enterprise.lemmy.ml/post/55143"))
    );
    assert_eq!(note.thread, note.conversation);
    assert_eq!(create.visibility(None, &mentions(note)), Visibility::Public);
    let json = fixture!("akkoma/create_note_followers_only.json");
    let create: Create = parse("akkoma followers-only", json);
    let note = &create.object;
    let followers = url("https://akko.eepy.zone/users/harper/followers");
    assert_eq!(
        note.visibility(Some(&followers), &mentions(note)),
        Visibility::Private
    );
    assert_eq!(note.visibility(None, &mentions(note)), Visibility::Limited);
    assert_eq!(note.content_warning(), Some("test"));
}

#[test]
fn gotosocial_sends_single_values_where_others_send_arrays() {
    let json = fixture!("gotosocial/create_note_followers_only.json");
    let create: Create = parse("gotosocial create", json);
    let followers = url("http://localhost:8080/users/the_mighty_zork/followers");
    assert_eq!(create.object.to, std::slice::from_ref(&followers));
    assert_eq!(
        create.visibility(Some(&followers), &[]),
        Visibility::Private
    );
    assert_eq!(create.published, Some(utc("2022-06-02T10:22:21Z")));
    let note: Note = parse("gotosocial note", fixture!("gotosocial/note_mention.json"));
    let zork = url("http://localhost:8080/users/the_mighty_zork");
    assert_eq!(mentions(&note), std::slice::from_ref(&zork));
    assert_eq!(note.content_warning(), None);
    assert_eq!(note.visibility(None, &mentions(&note)), Visibility::Public);
}

#[test]
fn a_lemmy_post_is_a_page_in_a_community_with_its_link_as_an_attachment() {
    let create: Create = parse("lemmy page", fixture!("lemmy/create_page.json"));
    let page = &create.object;
    assert_eq!(page.kind, NoteKind::Page);
    assert_eq!(page.name.as_deref(), Some("test post"));
    assert_eq!(
        page.audience,
        Some(url("https://enterprise.lemmy.ml/c/main"))
    );
    assert_eq!(
        page.author_id(),
        Some(&url("http://ds9.lemmy.ml/u/lemmy_alpha"))
    );
    let link = &page.attachment[0];
    assert_eq!(link.kind, "Link");
    assert_eq!(
        link.target(),
        Some(&http("https://lemmy.ml/pictrs/image/xl8W7FZfk9.jpg"))
    );
    assert_eq!(
        page.text_for_display(),
        "<p><strong>test post</strong></p><p>test body</p>\n\
         <p><a href=\"http://ds9.lemmy.ml/post/1\">http://ds9.lemmy.ml/post/1</a></p>"
    );
    assert_eq!(create.visibility(None, &[]), Visibility::Public);
}

#[test]
fn a_lemmy_comment_replies_to_the_post_and_mentions_on_the_activity() {
    let create: Create = parse("lemmy comment", fixture!("lemmy/create_comment.json"));
    assert_eq!(
        create.object.in_reply_to_id(),
        Some(&url("http://ds9.lemmy.ml/post/1"))
    );
    assert_eq!(create.object.mentions().count(), 0);
    let mentioned: Vec<_> = create.mentions().cloned().collect();
    assert_eq!(mentioned, [url("http://ds9.lemmy.ml/u/lemmy_alpha")]);
}

#[test]
fn a_lemmy_community_announce_wraps_a_whole_activity() {
    let json = fixture!("lemmy/announce_create_page.json");
    let activity: Activity = parse("lemmy announce", json);
    assert_eq!(activity.object_kind(), Some("Create"));
    let announce: Announce = parse("lemmy announce", json);
    let wrapped = announce.object.as_object().expect("embedded");
    assert_eq!(wrapped.kind, NoteKind::Other("Create".to_owned()));
}

#[test]
fn a_plume_article_shows_title_body_and_link_like_mastodon() {
    let article: Note = parse("plume article", fixture!("plume/article.json"));
    assert_eq!(article.kind, NoteKind::Article);
    assert_eq!(
        article.author_id(),
        Some(&url("https://baptiste.gelez.xyz/@/BaptisteGelez"))
    );
    assert_eq!(article.mentions().count(), 3);
    let text = article.text_for_display();
    assert!(text.starts_with("<p><strong>This Month in Plume: June 2018</strong></p><p>It has"));
    let link = "https://baptiste.gelez.xyz/~/PlumeDevelopment/this-month-in-plume-june-2018/";
    assert!(text.ends_with(&format!("<p><a href=\"{link}\">{link}</a></p>")));
    assert_eq!(article.visibility(None, &[]), Visibility::Public);
}

#[test]
fn a_peertube_video_has_an_account_and_a_channel_as_authors() {
    let video: Note = parse("peertube video", fixture!("peertube/video.json"));
    assert_eq!(video.kind, NoteKind::Video);
    assert_eq!(
        video.author_id(),
        Some(&url("https://tilvids.com/accounts/thelinuxexperiment"))
    );
    assert_eq!(video.web_url().map(|page| page.as_url()), Some(&video.id));
    assert!(video
        .text_for_display()
        .starts_with("<p><strong>Mesa, Wayland"));
}

#[test]
fn unknown_types_odd_tags_and_junk_addressing_are_tolerated() {
    let note: Note = serde_json::from_value(json!({
        "id": "https://a.example/1", "type": ["Audio", "Note"],
        "attributedTo": {"id": "https://a.example/u", "type": "Person"},
        "name": "a <vote>",
        "to": [null, "as:Public"], "cc": "https://a.example/u/followers",
        "tag": [{"type": "WafrnHashtag", "name": "x"}, {"name": "no type"}, "junk"],
        "inReplyTo": {"id": "https://b.example/2", "type": "Note"},
        "sensitive": "yes", "contentMap": {"en": null}
    }))
    .expect("parses");
    assert_eq!(note.kind, NoteKind::Other("Audio".to_owned()));
    assert_eq!(note.author_id(), Some(&url("https://a.example/u")));
    assert_eq!(note.to, [url(PUBLIC)]);
    assert_eq!(note.tag.len(), 1);
    assert_eq!(note.hashtags().count(), 0);
    assert_eq!(note.in_reply_to_id(), Some(&url("https://b.example/2")));
    assert_eq!((note.sensitive, note.content_map.as_ref()), (None, None));
    assert_eq!(note.text_for_display(), "<p>a &lt;vote&gt;</p>");
    assert_eq!(
        serde_json::to_value(&note).expect("serializes")["type"],
        "Audio"
    );
    assert!(serde_json::from_value::<Note>(json!({"type": "Note"})).is_err());
}

#[test]
fn visibility_follows_mastodons_rules() {
    let followers = url("https://a.example/u/followers");
    let bob = url("https://b.example/bob");
    let public = url(PUBLIC);
    let see = |to: Vec<url::Url>, cc: Vec<url::Url>, mentioned: Vec<url::Url>, dm| {
        Visibility::from_audience((&to, &cc), Some(&followers), &mentioned, dm)
    };
    use Visibility::{Direct, Limited, Private, Public, Unlisted};
    assert_eq!(see(vec![public.clone()], vec![], vec![], None), Public);
    assert_eq!(see(vec![bob.clone()], vec![public], vec![], None), Unlisted);
    let to_followers = see(vec![bob.clone()], vec![followers.clone()], vec![], None);
    assert_eq!(to_followers, Private);
    assert_eq!(
        see(vec![bob.clone()], vec![], vec![bob.clone()], None),
        Direct
    );
    assert_eq!(see(vec![bob.clone()], vec![], vec![], None), Limited);
    let flagged = see(vec![bob.clone()], vec![], vec![bob], Some(false));
    assert_eq!(flagged, Limited);
    assert_eq!(see(vec![], vec![], vec![], None), Direct);
    assert_eq!(Unlisted.as_str(), "unlisted");
}

#[test]
fn every_visibility_reads_back_from_its_name() {
    use Visibility::{Direct, Limited, Private, Public, Unlisted};
    for visibility in [Public, Unlisted, Private, Limited, Direct] {
        assert_eq!(Visibility::from_name(visibility.as_str()), Some(visibility));
    }
    assert_eq!(Visibility::from_name("followers"), None);
}

fn local_note(visibility: Visibility) -> LocalNote {
    LocalNote {
        id: url("https://roost.example/users/alice/statuses/1"),
        author: url("https://roost.example/users/alice"),
        followers: url("https://roost.example/users/alice/followers"),
        content: "<p>hi @bob</p>".to_owned(),
        published: utc("2026-11-24T12:00:00Z"),
        visibility,
        tag: vec![
            Tag::mention(
                http("https://b.example/users/bob"),
                "@bob@b.example".to_owned(),
            ),
            Tag::hashtag(http("https://roost.example/tags/rust"), "#rust".to_owned()),
        ],
        in_reply_to: Some(url("https://b.example/users/bob/statuses/9")),
        summary: None,
        sensitive: false,
        url: Some(url("https://roost.example/@alice/1")),
        conversation: None,
    }
}

#[test]
fn roosts_note_is_addressed_by_visibility_and_reads_back_with_the_same_visibility() {
    let followers = url("https://roost.example/users/alice/followers");
    let bob = url("https://b.example/users/bob");
    let public = url(PUBLIC);
    let cases = [
        (
            Visibility::Public,
            vec![public.clone()],
            vec![followers.clone(), bob.clone()],
        ),
        (
            Visibility::Unlisted,
            vec![followers.clone()],
            vec![public, bob.clone()],
        ),
        (
            Visibility::Private,
            vec![followers.clone()],
            vec![bob.clone()],
        ),
        (Visibility::Direct, vec![bob.clone()], vec![]),
    ];
    for (visibility, to, cc) in cases {
        let note = Note::local(local_note(visibility));
        assert_eq!((&note.to, &note.cc), (&to, &cc), "{visibility:?}");
        let text = serde_json::to_string(&note).expect("serializes");
        let read: Note = parse("roost note", &text);
        assert_eq!(read, note);
        assert_eq!(
            read.visibility(Some(&followers), &mentions(&read)),
            visibility
        );
    }
    let value = serde_json::to_value(Note::local(local_note(Visibility::Public))).expect("json");
    assert_eq!(
        keys(&value),
        [
            "@context",
            "id",
            "type",
            "attributedTo",
            "content",
            "sensitive",
            "inReplyTo",
            "published",
            "url",
            "to",
            "cc",
            "tag"
        ]
    );
    assert_eq!(value["@context"], post_context());
    assert_eq!(value["type"], "Note");
    assert_eq!(value["attributedTo"], "https://roost.example/users/alice");
    assert_eq!(
        value["tag"][0],
        json!({"type": "Mention", "name": "@bob@b.example", "href": bob})
    );
}

#[test]
fn roosts_post_context_adds_the_terms_posts_use() {
    let post = post_context();
    assert_eq!(post[0], context()[0]);
    for term in [
        "sensitive",
        "Hashtag",
        "Emoji",
        "conversation",
        "blurhash",
        "quoteUrl",
    ] {
        assert!(post[2].get(term).is_some(), "{term} is defined");
    }
    assert_eq!(post[2]["toot"], "http://joinmastodon.org/ns#");
}

#[test]
fn roosts_create_and_update_embed_the_note_without_its_context() {
    let note = Note::local(local_note(Visibility::Unlisted));
    let create = Create::new(
        url("https://roost.example/users/alice/statuses/1/activity"),
        url("https://roost.example/users/alice"),
        note.clone(),
    );
    let value = serde_json::to_value(&create).expect("serializes");
    assert_eq!(
        keys(&value),
        [
            "@context",
            "id",
            "type",
            "actor",
            "object",
            "to",
            "cc",
            "published"
        ]
    );
    assert_eq!(value["type"], "Create");
    assert!(value["object"].get("@context").is_none());
    assert_eq!(value["to"], value["object"]["to"]);
    assert_eq!(parse::<Create>("roost create", &value.to_string()), create);
    assert_eq!(
        parse::<Activity>("roost create", &value.to_string()).object_kind(),
        Some("Note")
    );
    let mut edited = note;
    edited.updated = Some(utc("2026-11-24T13:00:00Z"));
    let update = Update::new(
        url("https://roost.example/users/alice/statuses/1#updates/1"),
        url("https://roost.example/users/alice"),
        edited,
    );
    assert_eq!(update.published, Some(utc("2026-11-24T13:00:00Z")));
    let text = serde_json::to_string(&update).expect("serializes");
    assert!(text.contains("\"type\":\"Update\"") && text.contains("\"updated\":"));
    assert_eq!(parse::<Update>("roost update", &text), update);
}

#[test]
fn roosts_like_and_its_undo_read_back() {
    let like = Like::new(
        url("https://roost.example/likes/1"),
        url("https://roost.example/users/alice"),
        url("https://b.example/users/bob/statuses/9"),
        url("https://b.example/users/bob"),
    );
    let value = serde_json::to_value(&like).expect("serializes");
    assert_eq!(
        keys(&value),
        ["@context", "id", "type", "actor", "object", "to"]
    );
    assert_eq!(value["type"], "Like");
    assert_eq!(parse::<Like>("roost like", &value.to_string()), like);
    let undo = Undo::of_like(url("https://roost.example/likes/1/undo"), like);
    let value = serde_json::to_value(&undo).expect("serializes");
    assert_eq!(
        keys(&value),
        ["@context", "id", "type", "actor", "object", "to"]
    );
    assert_eq!(value["object"]["type"], "Like");
    assert!(value["object"].get("@context").is_none());
    assert_eq!(value["to"], json!(["https://b.example/users/bob"]));
    let read: Undo<Like> = parse("roost undo like", &value.to_string());
    assert_eq!(read.object_id(), &url("https://roost.example/likes/1"));
    assert_eq!(read, undo);
}

#[test]
fn roosts_boost_and_its_undo_read_back() {
    let followers = url("https://roost.example/users/alice/followers");
    let bob = url("https://b.example/users/bob");
    let audience = Visibility::Public.audience(&followers, std::slice::from_ref(&bob));
    assert_eq!(
        audience,
        Audience {
            to: vec![url(PUBLIC)],
            cc: vec![followers, bob]
        }
    );
    let announce = Announce::new(
        url("https://roost.example/users/alice/statuses/2/activity"),
        url("https://roost.example/users/alice"),
        url("https://b.example/users/bob/statuses/9"),
        audience,
        utc("2026-11-24T12:00:00Z"),
    );
    let value = serde_json::to_value(&announce).expect("serializes");
    assert_eq!(
        keys(&value),
        [
            "@context",
            "id",
            "type",
            "actor",
            "object",
            "to",
            "cc",
            "published"
        ]
    );
    assert_eq!(value["object"], "https://b.example/users/bob/statuses/9");
    assert_eq!(
        parse::<Announce>("roost announce", &value.to_string()),
        announce
    );
    let undo = Undo::of_announce(url("https://roost.example/undo/2"), announce);
    assert_eq!(undo.to.len(), 3);
    let value: Value = serde_json::to_value(&undo).expect("serializes");
    assert_eq!(value["object"]["type"], "Announce");
    assert_eq!(
        parse::<Undo<Announce>>("roost undo boost", &value.to_string()),
        undo
    );
}

#[test]
fn roosts_delete_sends_a_tombstone_to_the_posts_audience() {
    let note = Note::local(local_note(Visibility::Private));
    let audience = Audience {
        to: note.to.clone(),
        cc: note.cc.clone(),
    };
    let delete = Delete::new(
        url("https://roost.example/users/alice/statuses/1#delete"),
        url("https://roost.example/users/alice"),
        note.id.clone(),
        audience,
    );
    let value = serde_json::to_value(&delete).expect("serializes");
    assert_eq!(
        keys(&value),
        ["@context", "id", "type", "actor", "object", "to", "cc"]
    );
    assert_eq!(
        value["object"],
        json!({"id": "https://roost.example/users/alice/statuses/1", "type": "Tombstone"})
    );
    assert_eq!(parse::<Delete>("roost delete", &value.to_string()), delete);
}

#[test]
fn the_language_is_the_content_map_key_of_the_content_as_an_iso_639_code() {
    let language = |map: Value| {
        let note: Note = serde_json::from_value(json!({
            "id": "https://remote.example/notes/1", "type": "Note",
            "content": "<p>Olá</p>", "contentMap": map
        }))
        .expect("a note");
        note.language()
    };
    assert_eq!(
        language(json!({"pt-BR": "<p>Olá</p>"})).as_deref(),
        Some("pt")
    );
    assert_eq!(
        language(json!({"de": "<p>Hallo</p>", "PT": "<p>Olá</p>"})).as_deref(),
        Some("pt"),
        "the key whose text is the content"
    );
    assert_eq!(language(json!({"e1": "<p>Olá</p>"})), None);
    assert_eq!(language(json!({"<script>": "<p>Olá</p>"})), None);
    assert_eq!(language(Value::Null), None);
}
