//! Polls on the wire, built from stored rows: a local status's Note turned into a
//! `Question` (options as `oneOf`/`anyOf` Notes with their counts in
//! `replies.totalItems`, `endTime`, `votersCount`, `closed` once ended), and a local
//! vote on a remote poll as a `Create` of a Note naming the option, addressed only to
//! the poll's author. Pure: no database, no AppState.
//!
//! Spec: <https://docs.joinmastodon.org/spec/activitypub/#Question>,
//! <https://www.w3.org/TR/activitystreams-vocabulary/#dfn-question>.

use url::Url;

use crate::db::polls::PollRow;
use crate::federation::protocol::note::{
    Closed, Create, Note, NoteKind, QuestionFields, QuestionOption,
};

/// `note` (a local status's Note) as the `Question` of `poll`.
pub fn question(mut note: Note, poll: &PollRow) -> Note {
    let options: Vec<QuestionOption> = (poll.options.iter())
        .zip(poll.votes_counts.iter().chain(std::iter::repeat(&0)))
        .map(|(name, votes)| QuestionOption::new(name.clone(), *votes))
        .collect();
    let (one_of, any_of) = if poll.multiple {
        (Vec::new(), options)
    } else {
        (options, Vec::new())
    };
    note.kind = NoteKind::Question;
    note.question = QuestionFields {
        one_of,
        any_of,
        end_time: poll.expires_at,
        closed: poll.closed_at.map(Closed::At),
        voters_count: Some(poll.voters_count),
    };
    note
}

/// Where a local vote goes and what it names.
#[derive(Clone, Debug)]
pub struct Vote<'a> {
    /// The vote Note's id (stored on the vote row).
    pub id: Url,
    /// The local voter's actor id.
    pub voter: Url,
    /// The remote poll's Question id.
    pub question: Url,
    /// The poll's author's actor id (the only recipient).
    pub poll_author: Url,
    /// The chosen option's title.
    pub option: &'a str,
}

/// The `Create` of a local vote: a Note with `name` = the option and `inReplyTo` =
/// the Question, without content, addressed only to the poll's author (a vote is not
/// a post; Mastodon reads it this way).
pub fn vote(vote: &Vote<'_>) -> anyhow::Result<Create> {
    let mut note = Note::local(crate::federation::protocol::note::LocalNote {
        id: vote.id.clone(),
        author: vote.voter.clone(),
        followers: vote.voter.clone(),
        content: String::new(),
        published: chrono::Utc::now(),
        visibility: crate::federation::protocol::note::Visibility::Direct,
        tag: Vec::new(),
        in_reply_to: Some(vote.question.clone()),
        summary: None,
        sensitive: false,
        url: None,
        conversation: None,
    });
    note.content = None;
    note.sensitive = None;
    note.name = Some(vote.option.to_owned());
    note.to = vec![vote.poll_author.clone()];
    note.cc = Vec::new();
    let activity_id = Url::parse(&crate::urls::activity_of(vote.id.as_str()))?;
    Ok(Create::new(activity_id, vote.voter.clone(), note))
}
