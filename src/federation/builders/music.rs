//! A post's music track on the wire. Outbound, two more `attachment`s of the Note:
//!
//! ```json
//! {"type": "Link", "mediaType": "text/html", "href": "https://music.example/track/1",
//!  "name": "Artist – Title", "musicArtist": "Artist", "musicTitle": "Title",
//!  "image": {"type": "Image", "mediaType": "image/png", "url": "https://roost.example/system/…"}}
//! {"type": "Audio", "mediaType": "audio/mp4", "url": "https://roost.example/system/….m4a",
//!  "name": "Artist – Title"}
//! ```
//!
//! The `Link` has the shape of a link preview card (`federation::cards`), so a server
//! that reads cards shows the track as one and others ignore it; the clip is an
//! ordinary `Audio` attachment every server shows. `musicArtist` and `musicTitle`
//! (Roost's terms, `roost:`) let another Roost show the track as music again
//! ([`inbound`]). Pure: no database.

use crate::config::Config;
use crate::db::music_tracks::TrackRow;
use crate::domain::HttpUrl;
use crate::federation::protocol::note::{Attachment, Note};
use crate::federation::protocol::UrlOrLink;

/// Longest URL kept from a peer.
const MAX_URL_CHARS: usize = 2048;

/// "Artist – Title", how a track is named where only one line fits.
pub fn display_name(artist: &str, title: &str) -> String {
    format!("{artist} – {title}")
}

/// The Note attachments of a local status's track: the `Link` and, with a clip, the
/// `Audio`.
pub fn attachments(config: &Config, track: &TrackRow) -> anyhow::Result<Vec<Attachment>> {
    let name = display_name(&track.artist, &track.title);
    let file_url =
        |key: &Option<String>, remote: &Option<String>| -> anyhow::Result<Option<HttpUrl>> {
            let url = match (key, remote) {
                (Some(key), _) => Some(crate::urls::media_file(config, key)),
                (None, Some(remote)) => Some(remote.clone()),
                (None, None) => None,
            };
            Ok(url.map(|url| HttpUrl::parse(&url)).transpose()?)
        };
    let image = file_url(&track.artwork_key, &track.artwork_url)?.map(|url| {
        Box::new(Attachment {
            url: Some(UrlOrLink::Url(url)),
            ..Attachment::empty("Image")
        })
    });
    let link = Attachment {
        media_type: Some("text/html".to_owned()),
        href: track.url.as_deref().map(HttpUrl::parse).transpose()?,
        name: Some(name.clone()),
        image,
        music_title: Some(track.title.clone()),
        music_artist: Some(track.artist.clone()),
        ..Attachment::empty("Link")
    };
    let mut all = vec![link];
    if let Some(url) = file_url(&track.clip_key, &track.clip_url)? {
        all.push(Attachment {
            media_type: track.clip_content_type.clone(),
            url: Some(UrlOrLink::Url(url)),
            name: Some(name),
            ..Attachment::empty("Audio")
        });
    }
    Ok(all)
}

/// The attachments of a received Note that are media of the post: all but the clip
/// of a Roost track (another Roost shows that as the track's player, not as a second
/// audio attachment of the post).
pub fn post_media(note: &Note) -> Vec<Attachment> {
    let clip = inbound(note).and_then(|track| track.clip_url);
    note.attachment
        .iter()
        .filter(|a| clip.is_none() || a.target().map(HttpUrl::as_str) != clip.as_deref())
        .cloned()
        .collect()
}

/// A track as a peer's Note carries it.
#[derive(Clone, Debug, PartialEq)]
pub struct WireTrack {
    pub title: String,
    pub artist: String,
    pub url: Option<String>,
    pub artwork_url: Option<String>,
    pub clip_url: Option<String>,
}

/// The track of a received Note: see [`inbound_attachments`].
pub fn inbound(note: &Note) -> Option<WireTrack> {
    inbound_attachments(&note.attachment)
}

/// The track among `attachments` (a Note's, or a Roost story's `music`): the first
/// `Link` with a non-blank `musicTitle` and `musicArtist`; the link only when `https`,
/// the clip the first audio attachment.
pub fn inbound_attachments(attachments: &[Attachment]) -> Option<WireTrack> {
    let link = attachments.iter().find(|a| {
        a.kind == "Link"
            && a.music_title
                .as_deref()
                .is_some_and(|t| !t.trim().is_empty())
            && a.music_artist
                .as_deref()
                .is_some_and(|t| !t.trim().is_empty())
    })?;
    let bounded = |url: &HttpUrl| {
        let text = url.as_str();
        (text.len() <= MAX_URL_CHARS).then(|| text.to_owned())
    };
    let clip = attachments.iter().find(|a| {
        a.kind == "Audio"
            || a.media_type
                .as_deref()
                .is_some_and(|t| t.starts_with("audio/"))
    });
    Some(WireTrack {
        title: link.music_title.clone().unwrap_or_default(),
        artist: link.music_artist.clone().unwrap_or_default(),
        url: (link.href.as_ref())
            .filter(|url| url.as_str().starts_with("https://"))
            .and_then(bounded),
        artwork_url: link
            .image
            .as_deref()
            .and_then(Attachment::target)
            .and_then(bounded),
        clip_url: clip.and_then(Attachment::target).and_then(bounded),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn note(attachments: serde_json::Value) -> Note {
        serde_json::from_value(json!({
            "id": "https://peer.example/notes/1", "type": "Note",
            "attributedTo": "https://peer.example/users/ann",
            "content": "<p>Listening</p>", "attachment": attachments
        }))
        .expect("parses")
    }

    #[test]
    fn a_peer_s_music_link_and_its_audio_make_a_track() {
        let read = inbound(&note(json!([
            {"type": "Link", "mediaType": "text/html", "href": "https://music.example/t/1",
             "name": "New Order – Blue Monday", "musicTitle": "Blue Monday",
             "musicArtist": "New Order",
             "image": {"type": "Image", "url": "https://peer.example/art.png"}},
            {"type": "Audio", "mediaType": "audio/mp4", "url": "https://peer.example/clip.m4a"}
        ])))
        .expect("a track");
        assert_eq!(
            read,
            WireTrack {
                title: "Blue Monday".into(),
                artist: "New Order".into(),
                url: Some("https://music.example/t/1".into()),
                artwork_url: Some("https://peer.example/art.png".into()),
                clip_url: Some("https://peer.example/clip.m4a".into()),
            }
        );
    }

    #[test]
    fn a_roost_track_s_clip_is_no_media_of_the_post_but_other_audio_is() {
        let with_track = note(json!([
            {"type": "Image", "url": "https://peer.example/photo.jpg"},
            {"type": "Link", "href": "https://music.example/t/1",
             "musicTitle": "Blue Monday", "musicArtist": "New Order"},
            {"type": "Audio", "mediaType": "audio/mp4", "url": "https://peer.example/clip.m4a"}
        ]));
        let kept: Vec<String> = post_media(&with_track)
            .iter()
            .map(|a| a.kind.clone())
            .collect();
        assert_eq!(kept, ["Image", "Link"]);
        let podcast = note(json!([
            {"type": "Audio", "mediaType": "audio/mpeg", "url": "https://peer.example/ep.mp3"}
        ]));
        assert_eq!(post_media(&podcast).len(), 1);
    }

    #[test]
    fn cards_blank_names_and_plain_http_links_are_not_music() {
        let card = json!([{"type": "Link", "href": "https://site.example/a", "name": "A page"}]);
        assert_eq!(inbound(&note(card)), None);
        let blank = json!([{"type": "Link", "musicTitle": " ", "musicArtist": "A"}]);
        assert_eq!(inbound(&note(blank)), None);
        let http = json!([{"type": "Link", "href": "http://music.example/t/1",
                           "musicTitle": "T", "musicArtist": "A"}]);
        let read = inbound(&note(http)).expect("a track");
        assert_eq!((read.url, read.clip_url), (None, None));
    }
}
