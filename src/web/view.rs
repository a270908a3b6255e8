//! What templates show of statuses and accounts, made from the Mastodon entities the
//! client API renders (`api::entities`): one batch-loading path for both, so a page
//! shows exactly what an app would. Stored HTML (contents, bios, field values) was
//! sanitised when written and is inserted as is; every other value is escaped by the
//! templates.

use crate::api::entities::status::Status;
use crate::api::entities::{Account, MediaAttachment};
use crate::domain::Visibility;
use crate::web::texts::EN;

/// An account as a page links to and shows it.
pub struct AccountView {
    pub name: String,
    /// `@user` for local accounts, `@user@domain` for others.
    pub handle: String,
    /// Where its page is: this server's for local accounts, its own server's otherwise.
    pub path: String,
    pub avatar: String,
    pub local: bool,
}

impl AccountView {
    pub fn from_entity(account: &Account) -> AccountView {
        let local = !account.acct.contains('@');
        let name = if account.display_name.trim().is_empty() {
            account.username.clone()
        } else {
            account.display_name.clone()
        };
        AccountView {
            name,
            handle: format!("@{}", account.acct),
            path: if local {
                format!("/@{}", account.acct)
            } else {
                account.url.clone()
            },
            avatar: account.avatar.clone(),
            local,
        }
    }
}

/// One photo, video or sound of a post.
pub struct MediaView {
    /// `image`, `video`, `gifv`, `audio` or `unknown`.
    pub kind: String,
    pub url: String,
    pub preview: String,
    /// The description (alt text); empty when the author gave none.
    pub alt: String,
}

impl MediaView {
    fn from_entity(media: &MediaAttachment) -> MediaView {
        let url = media
            .url
            .clone()
            .or_else(|| media.remote_url.clone())
            .unwrap_or_default();
        MediaView {
            kind: media.kind.clone(),
            preview: media.preview_url.clone().unwrap_or_else(|| url.clone()),
            url,
            alt: media.description.clone().unwrap_or_default(),
        }
    }

    pub fn is_image(&self) -> bool {
        self.kind == "image"
    }
    pub fn is_video(&self) -> bool {
        self.kind == "video" || self.kind == "gifv"
    }
    pub fn is_audio(&self) -> bool {
        self.kind == "audio"
    }
}

/// A post's music track as a page shows it: artwork, "Artist – Title", the link to the
/// track and a player of its clip.
pub struct MusicView {
    pub title: String,
    pub artist: String,
    /// The track on a music service; empty without one.
    pub link: String,
    /// The artwork's URL; empty without one.
    pub artwork: String,
    /// The clip's URL; empty without one.
    pub clip: String,
}

impl MusicView {
    pub fn from_entity(track: &crate::api::entities::music::MusicTrack) -> MusicView {
        MusicView {
            title: track.title.clone(),
            artist: track.artist.clone(),
            link: track.url.clone().unwrap_or_default(),
            artwork: track.artwork_url.clone().unwrap_or_default(),
            clip: (track.clip.as_ref())
                .map(|clip| clip.url.clone())
                .unwrap_or_default(),
        }
    }
}

/// What was typed in a form's music fields (`music_fields.html`), shown again when the
/// form is refused.
#[derive(Default)]
pub struct MusicFormView {
    pub title: String,
    pub artist: String,
    pub url: String,
}

impl MusicFormView {
    /// The fields as sent (empty when none were).
    pub fn from_params(params: Option<&crate::api::v1::statuses::MusicParams>) -> MusicFormView {
        let text = |value: Option<&Option<String>>| value.cloned().flatten().unwrap_or_default();
        MusicFormView {
            title: text(params.map(|p| &p.title)),
            artist: text(params.map(|p| &p.artist)),
            url: text(params.map(|p| &p.url)),
        }
    }
}

/// One choice of a poll with its share of the votes.
pub struct PollChoice {
    pub title: String,
    pub percent: i64,
}

/// A poll as a page shows it.
pub struct PollView {
    pub choices: Vec<PollChoice>,
    pub total: i64,
    pub expired: bool,
}

/// A post as a page shows it (the boosted post, for a boost, with who boosted it).
pub struct PostView {
    pub id: String,
    /// The post's page on this server.
    pub path: String,
    pub author: AccountView,
    pub created_at: String,
    /// `2026-12-03 17:30` (UTC), for people.
    pub created_label: String,
    pub content: String,
    pub spoiler: String,
    pub sensitive: bool,
    pub visibility: &'static str,
    pub media: Vec<MediaView>,
    pub poll: Option<PollView>,
    /// The music track it carries: shown as a small player.
    pub music: Option<MusicView>,
    pub replies: i64,
    pub boosts: i64,
    pub likes: i64,
    pub liked: bool,
    pub boosted: bool,
    pub bookmarked: bool,
    pub boosted_by: Option<AccountView>,
    /// Whether the viewer wrote it (and may delete it).
    pub own: bool,
    /// Public or unlisted: it may be boosted.
    pub boostable: bool,
}

impl PostView {
    /// The view of `status` for a viewer whose account id is `viewer`.
    pub fn from_entity(status: &Status, viewer: Option<i64>) -> PostView {
        let (shown, boosted_by) = match &status.reblog {
            Some(inner) => (
                inner.as_ref(),
                Some(AccountView::from_entity(&status.account)),
            ),
            None => (status, None),
        };
        let author = AccountView::from_entity(&shown.account);
        let path = if author.local {
            format!("{}/{}", author.path, shown.id)
        } else {
            format!("/@{}/{}", shown.account.acct, shown.id)
        };
        PostView {
            id: shown.id.to_string(),
            path,
            created_label: label_time(&shown.created_at),
            created_at: shown.created_at.clone(),
            content: shown.content.clone(),
            spoiler: shown.spoiler_text.clone(),
            sensitive: shown.sensitive,
            visibility: visibility_label(shown.visibility),
            media: shown
                .media_attachments
                .iter()
                .map(MediaView::from_entity)
                .collect(),
            poll: shown.poll.as_ref().map(poll_view),
            music: shown.music.as_ref().map(MusicView::from_entity),
            replies: shown.replies_count,
            boosts: shown.reblogs_count,
            likes: shown.favourites_count,
            liked: shown.favourited.unwrap_or(false),
            boosted: shown.reblogged.unwrap_or(false),
            bookmarked: shown.bookmarked.unwrap_or(false),
            boosted_by,
            own: viewer.is_some_and(|viewer| shown.account.id.0 == viewer),
            boostable: matches!(shown.visibility, Visibility::Public | Visibility::Unlisted),
            author,
        }
    }

    /// The first photo (for link previews and the photo grid).
    pub fn first_image(&self) -> Option<&MediaView> {
        self.media.iter().find(|media| media.is_image())
    }

    /// A one-line plain-text summary: the content warning, or the text without tags.
    pub fn summary(&self) -> String {
        if !self.spoiler.is_empty() {
            return self.spoiler.clone();
        }
        let text = strip_tags(&self.content);
        let short: String = text.chars().take(200).collect();
        short
    }
}

fn poll_view(poll: &crate::api::entities::poll::Poll) -> PollView {
    let total: i64 = poll.options.iter().filter_map(|o| o.votes_count).sum();
    PollView {
        choices: poll
            .options
            .iter()
            .map(|option| {
                let votes = option.votes_count.unwrap_or(0);
                PollChoice {
                    title: option.title.clone(),
                    percent: if total > 0 { votes * 100 / total } else { 0 },
                }
            })
            .collect(),
        total: poll.votes_count,
        expired: poll.expired,
    }
}

/// The words for a visibility.
pub fn visibility_label(visibility: Visibility) -> &'static str {
    match visibility {
        Visibility::Public => EN.visibility_public,
        Visibility::Unlisted => EN.visibility_unlisted,
        Visibility::Private => EN.visibility_private,
        Visibility::Direct => EN.visibility_direct,
    }
}

/// `2026-12-03T17:30:52.000Z` → `2026-12-03 17:30`.
pub fn label_time(iso: &str) -> String {
    let date_and_time: String = iso.chars().take(16).collect();
    date_and_time.replacen('T', " ", 1)
}

/// The text of sanitised HTML, tags removed and entities of the sanitiser's output
/// decoded, whitespace collapsed (for summaries in metadata, which are escaped again).
pub fn strip_tags(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let decoded = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_tags_leaves_the_words_of_html() {
        assert_eq!(
            strip_tags("<p>Hello <b>you</b> &amp; me</p><p>again</p>"),
            "Hello you & me again"
        );
    }

    #[test]
    fn time_labels_drop_seconds_and_the_t() {
        assert_eq!(label_time("2026-12-03T17:30:52.000Z"), "2026-12-03 17:30");
    }
}
