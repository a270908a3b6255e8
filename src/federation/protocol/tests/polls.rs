//! Polls on the wire: real `Question` documents from Mastodon, Misskey and Pleroma,
//! votes from Mastodon and GoToSocial (several in one `Create`), and the `Question`
//! and vote Roost sends.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::{fixture, parse, url};
use crate::db::polls::PollRow;
use crate::federation::builders::polls::{question, vote, Vote};
use crate::federation::protocol::note::{Closed, Create, LocalNote, Note, NoteKind, Visibility};

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().expect("test timestamps are valid")
}

fn titles_and_votes(note: &Note) -> Vec<(String, i64)> {
    let options = note.question.options();
    options
        .iter()
        .map(|o| (o.name.clone(), o.votes()))
        .collect()
}

#[test]
fn a_mastodon_question_carries_single_choice_options_with_counts_and_an_end() {
    let create: Create = parse("mastodon poll", fixture!("mastodon/create_question.json"));
    let poll = &create.object.question;
    assert!(poll.is_poll() && !poll.multiple());
    assert_eq!(
        titles_and_votes(&create.object),
        [
            ("Dunno".to_owned(), 0),
            ("Everyone knows that!".to_owned(), 1),
            ("25 char limit is dumb".to_owned(), 0),
            ("I can't even fit a funny".to_owned(), 1),
        ]
    );
    assert_eq!(poll.end_time, Some(utc("2019-05-11T09:03:36Z")));
    assert_eq!((poll.closed_at(), poll.voters_count), (None, None));
}

#[test]
fn a_misskey_question_without_an_end_parses() {
    let note: Note = parse(
        "misskey poll",
        fixture!("misskey/question_no_end_date.json"),
    );
    assert_eq!(note.kind, NoteKind::Question);
    assert_eq!(note.question.end_time, None);
    assert_eq!(
        titles_and_votes(&note),
        [("Working".to_owned(), 0), ("Broken af".to_owned(), 1)]
    );
}

#[test]
fn a_closed_pleroma_question_without_a_time_zone_counts_as_closed_in_utc() {
    let note: Note = parse("pleroma poll", fixture!("pleroma/question_closed.json"));
    let closed = note.question.closed_at().expect("closed");
    assert_eq!(closed.to_rfc3339(), "2019-09-19T00:32:36.785333+00:00");
    assert_eq!(
        titles_and_votes(&note),
        [("yes".to_owned(), 8), ("no".to_owned(), 3)]
    );
}

#[test]
fn a_mastodon_vote_is_a_named_note_without_content_replying_to_the_question() {
    let create: Create = parse("mastodon vote", fixture!("mastodon/vote.json"));
    let vote = &create.object;
    assert_eq!(vote.name.as_deref(), Some("suya.."));
    assert_eq!(vote.html_content(), None);
    assert!(!vote.question.is_poll());
    assert_eq!(
        vote.in_reply_to_id(),
        Some(&url(
            "https://testing.uguu.ltd/objects/9d300947-2dcb-445d-8978-9a3b4b84fa14"
        ))
    );
    assert_eq!(vote.to, [url("https://testing.uguu.ltd/users/rin")]);
}

#[test]
fn gotosocial_sends_a_multiple_choice_vote_as_one_create_of_several_notes() {
    let create: Value = parse(
        "gotosocial votes",
        fixture!("gotosocial/create_poll_votes.json"),
    );
    let objects = create["object"].as_array().expect("an array of votes");
    let votes: Vec<Note> = objects
        .iter()
        .map(|o| parse("vote", &o.to_string()))
        .collect();
    let names: Vec<_> = votes.iter().filter_map(|v| v.name.as_deref()).collect();
    assert_eq!(names, ["tissues", "financial times"]);
    assert!(votes.iter().all(|v| v.html_content().is_none()));
}

fn poll(multiple: bool, closed: bool) -> PollRow {
    let at = utc("2026-12-04T10:00:00Z");
    PollRow {
        id: 1,
        status_id: 2,
        account_id: 3,
        options: vec!["tea".into(), "coffee".into()],
        votes_counts: vec![4, 5],
        multiple,
        hide_totals: false,
        expires_at: Some(at),
        voters_count: 7,
        closed_at: closed.then_some(at),
        created_at: at,
    }
}

fn local_note() -> Note {
    Note::local(LocalNote {
        id: url("https://roost.example/users/alice/statuses/2"),
        author: url("https://roost.example/users/alice"),
        followers: url("https://roost.example/users/alice/followers"),
        content: "<p>Tea or coffee?</p>".into(),
        published: utc("2026-12-03T10:00:00Z"),
        visibility: Visibility::Public,
        tag: Vec::new(),
        in_reply_to: None,
        summary: None,
        sensitive: false,
        url: None,
        conversation: None,
    })
}

#[test]
fn roost_sends_a_poll_as_a_question_that_reads_back_the_same() {
    let sent = question(local_note(), &poll(false, false));
    let json = serde_json::to_value(&sent).expect("serializes");
    assert_eq!(json["type"], "Question");
    assert_eq!(
        json["oneOf"],
        json!([
            { "type": "Note", "name": "tea", "replies": { "type": "Collection", "totalItems": 4 } },
            { "type": "Note", "name": "coffee", "replies": { "type": "Collection", "totalItems": 5 } }
        ])
    );
    assert_eq!(
        (json["endTime"].clone(), json["votersCount"].clone()),
        (json!("2026-12-04T10:00:00Z"), json!(7))
    );
    assert!(json.get("anyOf").is_none() && json.get("closed").is_none());
    let read: Note = parse("roost question", &json.to_string());
    assert_eq!(read, sent);

    let closed =
        serde_json::to_value(question(local_note(), &poll(true, true))).expect("serializes");
    assert!(closed.get("oneOf").is_none() && closed["anyOf"].is_array());
    assert_eq!(closed["closed"], "2026-12-04T10:00:00Z");
    let read: Note = parse("closed question", &closed.to_string());
    assert_eq!(
        read.question.closed,
        Some(Closed::At(utc("2026-12-04T10:00:00Z")))
    );
}

#[test]
fn roost_sends_a_vote_only_to_the_poll_author_without_content() {
    let create = vote(&Vote {
        id: url("https://roost.example/activities/v1"),
        voter: url("https://roost.example/users/bob"),
        question: url("https://remote.example/notes/q"),
        poll_author: url("https://remote.example/users/carol"),
        option: "tea",
    })
    .expect("builds");
    let json = serde_json::to_value(&create).expect("serializes");
    let object = &json["object"];
    assert_eq!(object["name"], "tea");
    assert_eq!(object["inReplyTo"], "https://remote.example/notes/q");
    assert_eq!(object["to"], json!(["https://remote.example/users/carol"]));
    assert!(object.get("content").is_none() && object.get("cc").is_none());
    assert_eq!(json["to"], json!(["https://remote.example/users/carol"]));
    assert_eq!(json["id"], "https://roost.example/activities/v1/activity");
}
