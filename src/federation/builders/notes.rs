//! The Note of a local status and the Create, Update and Delete activities that carry
//! it to other servers, built from what `services::statuses` wrote (the status row, its
//! author, mentioned accounts, hashtags, custom emoji, media and the parent's id). Pure: no database,
//! no AppState; who receives them (the audience's inboxes) is the service's business.
//!
//! Spec: <https://docs.joinmastodon.org/spec/activitypub/#status> (the Note Mastodon
//! reads), <https://www.w3.org/TR/activitypub/#create-activity-outbox>.

use url::Url;

use crate::config::Config;
use crate::db::accounts::AccountRow;
use crate::db::custom_emojis::CustomEmojiRow;
use crate::db::media::MediaRow;
use crate::db::statuses::StatusRow;
use crate::domain::HttpUrl;
use crate::federation::attachments;
use crate::federation::protocol::note::{Audience, Create, Delete, LocalNote, Note, Update};
use crate::federation::protocol::Tag;
use crate::urls;

/// The ActivityPub id of a local status: `https://DOMAIN/users/NAME/statuses/ID`.
pub fn status_uri(config: &Config, author: &str, id: i64) -> String {
    urls::status(config, author, id)
}

/// Everything a local status's Note is made of.
#[derive(Clone, Copy, Debug)]
pub struct NoteParts<'a> {
    /// The local author.
    pub author: &'a AccountRow,
    /// The status as written.
    pub status: &'a StatusRow,
    /// The accounts it mentions (each is addressed).
    pub mentioned: &'a [AccountRow],
    /// Its hashtags' names, without `#`.
    pub tags: &'a [String],
    /// The id of the status it replies to, if any.
    pub in_reply_to: Option<&'a str>,
    /// Its media, in position order.
    pub media: &'a [MediaRow],
    /// The custom emoji its text and content warning use (sent as `Emoji` tags).
    pub emojis: &'a [CustomEmojiRow],
    /// The id of the group (FEP-1b12) it is posted in, if it is sent to one: named in
    /// `cc` and as `audience`, as Lemmy and Mbin expect of a comment.
    pub group: Option<&'a str>,
}

/// The Note of a local status, as served at its id and sent in Create/Update.
/// Fails only on a URL that does not parse (a stored remote id that is not one).
pub fn note(config: &Config, parts: &NoteParts<'_>) -> anyhow::Result<Note> {
    let NoteParts { author, status, .. } = *parts;
    let actor_urls = urls::local_actor(config, &author.username);
    let mut tag = mention_tags(config, parts.mentioned)?;
    for name in parts.tags {
        let href = HttpUrl::parse(&urls::tag(config, name))?;
        tag.push(Tag::hashtag(href, format!("#{name}")));
    }
    tag.extend(super::emojis::tags(config, parts.emojis)?);
    let mut note = Note::local(LocalNote {
        id: Url::parse(&status_uri(config, &author.username, status.id))?,
        author: actor_urls.id.clone(),
        followers: actor_urls.followers.clone(),
        content: status.content.clone(),
        published: status.created_at,
        visibility: status.visibility.into(),
        tag,
        in_reply_to: parts.in_reply_to.map(Url::parse).transpose()?,
        summary: (!status.spoiler_text.is_empty()).then(|| status.spoiler_text.clone()),
        sensitive: status.sensitive,
        url: Some(Url::parse(&urls::status_page(
            config,
            &author.username,
            status.id,
        ))?),
        conversation: status.conversation.clone(),
    });
    note.updated = status.edited_at;
    // As Mastodon: the body once more under its language, which peers store.
    note.content_map = status
        .language
        .as_ref()
        .map(|language| [(language.clone(), status.content.clone())].into());
    note.attachment = attachments::outbound_all(config, parts.media)?;
    note.replies = Some(urls::replies_collection(config, &author.username, status.id).into());
    if let Some(group) = parts.group.map(Url::parse).transpose()? {
        if !note.to.contains(&group) && !note.cc.contains(&group) {
            note.cc.push(group.clone());
        }
        note.audience = Some(group);
    }
    Ok(note)
}

/// `Mention` tags of the mentioned accounts (`@user@domain`, linking to the actor id).
fn mention_tags(config: &Config, mentioned: &[AccountRow]) -> anyhow::Result<Vec<Tag>> {
    mentioned
        .iter()
        .map(|account| {
            let href = HttpUrl::parse(&urls::account_ap_id(config, account))?;
            let domain = account.domain.as_deref().unwrap_or(&config.domain);
            Ok(Tag::mention(
                href,
                format!("@{}@{domain}", account.username),
            ))
        })
        .collect()
}

/// The `Create` of a new local status's Note by its local `author`, with the fresh
/// `activity_id`.
pub fn create(config: &Config, activity_id: Url, author: &AccountRow, note: Note) -> Create {
    Create::new(activity_id, actor_id(config, author), note)
}

/// The `Update` of an edited local status's Note (its `updated` set) by its local
/// `author`, with the fresh `activity_id`.
pub fn update(config: &Config, activity_id: Url, author: &AccountRow, note: Note) -> Update {
    Update::new(activity_id, actor_id(config, author), note)
}

fn actor_id(config: &Config, author: &AccountRow) -> Url {
    urls::local_actor(config, &author.username).id
}

/// The `Delete` of a local status (a `Tombstone` of its id), addressed as the status
/// was so it reaches everyone who received it.
pub fn delete(
    config: &Config,
    activity_id: Url,
    author: &AccountRow,
    status: &StatusRow,
    mentioned: &[AccountRow],
) -> anyhow::Result<Delete> {
    let actor_urls = urls::local_actor(config, &author.username);
    let recipients = mention_tags(config, mentioned)?
        .into_iter()
        .filter_map(|tag| tag.href.map(HttpUrl::into_url))
        .collect::<Vec<Url>>();
    let visibility: crate::federation::protocol::note::Visibility = status.visibility.into();
    let Audience { to, cc } = visibility.audience(&actor_urls.followers, &recipients);
    Ok(Delete::new(
        activity_id,
        actor_urls.id.clone(),
        Url::parse(&status_uri(config, &author.username, status.id))?,
        Audience { to, cc },
    ))
}
