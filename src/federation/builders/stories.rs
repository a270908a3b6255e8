// SPDX-License-Identifier: AGPL-3.0-or-later
//! The story documents Roost sends (see `federation::protocol::story` for the
//! vocabulary): the `Story` served at a local story's id, its `Add` (the story embedded
//! with its bearcap), its `Delete`, and the `View` of a remote story. Pure: rows in,
//! typed documents out; `services::stories` queues them.

use url::Url;

use crate::config::Config;
use crate::db::media::MediaRow;
use crate::db::music_tracks::TrackRow;
use crate::db::stories::StoryRow;
use crate::federation::attachments::outbound_all;
use crate::federation::protocol::note::ROOST_NAMESPACE;
use crate::federation::protocol::story::{Story, StoryActivity, StoryRef};
use crate::federation::protocol::{context, public_url};
use crate::urls;

/// Who a story is addressed to: the author's followers (and the public), or named
/// accounts (a close friends story).
#[derive(Clone, Debug)]
pub enum Addressing {
    /// Everyone signed in: followers, with the public collection in `cc`.
    Public,
    /// The author's followers.
    Followers,
    /// These actors only.
    Accounts(Vec<Url>),
}

impl Addressing {
    /// `(to, cc)` for a story of local `username`.
    fn to_and_cc(&self, config: &Config, username: &str) -> (Vec<Url>, Vec<Url>) {
        let followers = urls::local_actor(config, username).followers;
        match self {
            Addressing::Public => (vec![followers], vec![public_url()]),
            Addressing::Followers => (vec![followers], Vec::new()),
            Addressing::Accounts(actors) => (actors.clone(), Vec::new()),
        }
    }
}

/// The `Story` document of local story `story` by `username`, with its picture or video
/// `media` (an `Image` or `Video` attachment, as Pixelfed sends) and its `music` track.
pub fn story(
    config: &Config,
    username: &str,
    story: &StoryRow,
    media: &MediaRow,
    music: Option<&TrackRow>,
    addressing: &Addressing,
) -> anyhow::Result<Story> {
    let (to, cc) = addressing.to_and_cc(config, username);
    let mut attachment = outbound_all(config, std::slice::from_ref(media))?
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("story {} has no stored file", story.id))?;
    attachment.kind = if media.kind == "video" || media.kind == "gifv" {
        "Video".to_owned()
    } else {
        "Image".to_owned()
    };
    Ok(Story {
        context: Some(story_context()),
        id: Url::parse(&story.uri)?,
        kind: "Story".to_owned(),
        object: None,
        attributed_to: Some(urls::local_actor(config, username).id),
        to,
        cc,
        published: Some(story.created_at),
        expires_at: Some(story.expires_at),
        duration: u32::try_from(story.duration).ok(),
        can_reply: Some(story.can_reply),
        can_react: Some(story.can_reply),
        attachment: Some(attachment),
        music: match music {
            Some(track) => super::music::attachments(config, track)?,
            None => Vec::new(),
        },
    })
}

/// The JSON-LD context of a story document: the common one with Roost's terms for its
/// music track.
fn story_context() -> serde_json::Value {
    let mut context = context();
    let terms = serde_json::json!({
        "roost": ROOST_NAMESPACE,
        "music": "roost:music",
        "musicTitle": "roost:musicTitle",
        "musicArtist": "roost:musicArtist"
    });
    if let (Some(serde_json::Value::Object(existing)), serde_json::Value::Object(terms)) =
        (context.get_mut(2), terms)
    {
        existing.extend(terms);
    }
    context
}

/// The `Add` that sends `document` (a story of `username`): the story embedded, with the
/// bearcap Pixelfed fetches it by, addressed as the story.
pub fn add(config: &Config, username: &str, document: &Story, token: &str) -> StoryActivity<Story> {
    let mut object = document.clone();
    object.context = None;
    object.object = Some(urls::story_bearcap(document.id.as_str(), token));
    StoryActivity {
        context: context(),
        id: activity_id(&document.id, "add"),
        kind: "Add".to_owned(),
        actor: urls::local_actor(config, username).id,
        to: document.to.clone(),
        cc: document.cc.clone(),
        object,
    }
}

/// The `Delete` of local story `story_uri` of `username`, to the story's audience.
pub fn delete(
    config: &Config,
    username: &str,
    story_uri: &Url,
    addressing: &Addressing,
) -> StoryActivity<StoryRef> {
    let (to, cc) = addressing.to_and_cc(config, username);
    StoryActivity {
        context: context(),
        id: activity_id(story_uri, "delete"),
        kind: "Delete".to_owned(),
        actor: urls::local_actor(config, username).id,
        to,
        cc,
        object: StoryRef {
            id: story_uri.clone(),
            kind: "Story".to_owned(),
            object: None,
        },
    }
}

/// The `View` local `viewer` sends the author of remote story `story_uri` (`author`).
pub fn view(
    config: &Config,
    viewer: &str,
    story_id: i64,
    story_uri: &Url,
    author: &Url,
) -> StoryActivity<StoryRef> {
    let actor = urls::local_actor(config, viewer).id;
    let mut id = actor.clone();
    id.set_fragment(Some(&format!("stories/{story_id}/view")));
    StoryActivity {
        context: context(),
        id,
        kind: "View".to_owned(),
        actor,
        to: vec![author.clone()],
        cc: Vec::new(),
        object: StoryRef {
            id: story_uri.clone(),
            kind: "Story".to_owned(),
            object: Some(story_uri.clone()),
        },
    }
}

/// `STORY#add` or `STORY#delete`: the activity ids of a local story, stable so a
/// redelivery is recognised.
fn activity_id(story_uri: &Url, what: &str) -> Url {
    let mut id = story_uri.clone();
    id.set_fragment(Some(what));
    id
}
