//! Posts between servers, outbound: the Note of a local status, and the Create,
//! Update, Delete, Like, Announce and Undo activities that carry changes to the
//! followers' (shared) inboxes and to mentioned and replied-to accounts. Every function
//! queues its deliveries on the caller's transaction.

use std::collections::BTreeSet;

use sqlx::PgConnection;
use url::Url;

use super::protocol::note::{Audience, Create, Delete, LocalNote, Note, Update, Visibility};
use super::protocol::Tag;
use super::{outbound, urls};
use crate::db::accounts::{self, AccountRow};
use crate::db::follows;
use crate::db::statuses::{self, StatusRow};
use crate::domain::HttpUrl;
use crate::state::AppState;

/// The ActivityPub id of a local status: `https://DOMAIN/users/NAME/statuses/ID`.
pub fn status_uri(state: &AppState, author: &str, id: i64) -> String {
    format!("{}/statuses/{id}", urls::actor(&state.config, author))
}

/// The id of a status on any server: stored for remote statuses, derived for local.
pub async fn ap_id_of(
    state: &AppState,
    conn: &mut PgConnection,
    status: &StatusRow,
) -> sqlx::Result<Option<String>> {
    if let Some(ap_id) = &status.ap_id {
        return Ok(Some(ap_id.clone()));
    }
    let author = accounts::find_by_id(&mut *conn, status.account_id).await?;
    Ok(author.map(|author| status_uri(state, &author.username, status.id)))
}

/// The local status a URI of this instance names, if it is one.
pub fn local_status_id(state: &AppState, uri: &str) -> Option<i64> {
    let rest = uri.strip_prefix(&format!("{}/users/", state.config.base_url()))?;
    let (_, id) = rest.split_once("/statuses/")?;
    id.parse().ok()
}

fn visibility_of(row: &StatusRow) -> Visibility {
    match row.visibility.as_str() {
        "public" => Visibility::Public,
        "unlisted" => Visibility::Unlisted,
        "private" => Visibility::Private,
        _ => Visibility::Direct,
    }
}

fn parse(url: &str) -> anyhow::Result<Url> {
    Ok(Url::parse(url)?)
}

/// The Note of a local status, as served at its id and sent in Create/Update.
pub async fn note_of(
    state: &AppState,
    conn: &mut PgConnection,
    author: &AccountRow,
    row: &StatusRow,
) -> anyhow::Result<Note> {
    let actor_urls = urls::local_actor(&state.config, &author.username);
    let mut tag = Vec::new();
    let mentions = statuses::mentions(&mut *conn, &[row.id]).await?;
    let mentioned_ids: Vec<i64> = mentions.iter().map(|(_, account)| *account).collect();
    for account in accounts::find_many(&mut *conn, &mentioned_ids).await? {
        let href = HttpUrl::parse(&urls::account_ap_id(&state.config, &account))?;
        let name = match &account.domain {
            Some(domain) => format!("@{}@{domain}", account.username),
            None => format!("@{}@{}", account.username, state.config.domain),
        };
        tag.push(Tag::mention(href, name));
    }
    for (_, name) in statuses::tags(&mut *conn, &[row.id]).await? {
        let href = HttpUrl::parse(&format!(
            "{}/tags/{}",
            state.config.base_url(),
            name.to_lowercase()
        ))?;
        tag.push(Tag::hashtag(href, format!("#{name}")));
    }
    let in_reply_to = match row.in_reply_to_id {
        Some(parent) => match statuses::find_many(&mut *conn, &[parent]).await?.pop() {
            Some(parent) => ap_id_of(state, conn, &parent)
                .await?
                .map(|id| parse(&id))
                .transpose()?,
            None => None,
        },
        None => None,
    };
    let id = parse(&status_uri(state, &author.username, row.id))?;
    let mut note = Note::local(LocalNote {
        id,
        author: actor_urls.id.clone(),
        followers: actor_urls.followers.clone(),
        content: row.content.clone(),
        published: row.created_at,
        visibility: visibility_of(row),
        tag,
        in_reply_to,
        summary: (!row.spoiler_text.is_empty()).then(|| row.spoiler_text.clone()),
        sensitive: row.sensitive,
        url: Some(parse(&format!(
            "{}/@{}/{}",
            state.config.base_url(),
            author.username,
            row.id
        ))?),
        conversation: row.conversation.clone(),
    });
    note.updated = row.edited_at;
    note.attachment = super::attachments::attachments_of(state, conn, row.id).await?;
    Ok(note)
}

/// Where a status of `author` goes: followers' inboxes (unless direct), mentioned
/// remote accounts, and the remote author of the status it replies to, each once.
async fn audience_inboxes(
    conn: &mut PgConnection,
    author: &AccountRow,
    row: &StatusRow,
) -> anyhow::Result<Vec<Url>> {
    let mut inboxes: BTreeSet<String> = BTreeSet::new();
    if row.visibility != "direct" {
        inboxes.extend(follows::follower_inboxes(&mut *conn, author.id).await?);
    }
    let mut others: Vec<i64> = statuses::mentions(&mut *conn, &[row.id])
        .await?
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    others.extend(
        row.in_reply_to_account_id
            .filter(|_| row.visibility != "direct"),
    );
    if others.is_empty() {
        return Ok(parsed(inboxes));
    }
    for account in accounts::find_many(&mut *conn, &others).await? {
        if let Some(inbox) = outbound::delivery_inbox(&account).filter(|_| !account.is_local()) {
            inboxes.insert(inbox.to_string());
        }
    }
    Ok(parsed(inboxes))
}

fn parsed(inboxes: BTreeSet<String>) -> Vec<Url> {
    inboxes
        .iter()
        .filter_map(|inbox| Url::parse(inbox).ok())
        .collect()
}

/// Which change of a post to announce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PostChange {
    Created,
    Updated,
    Deleted,
}

/// Queues Create, Update or Delete of a local status to its audience.
pub async fn send_post_change(
    state: &AppState,
    conn: &mut PgConnection,
    author: &AccountRow,
    row: &StatusRow,
    change: PostChange,
) -> anyhow::Result<()> {
    let inboxes = audience_inboxes(conn, author, row).await?;
    if inboxes.is_empty() {
        return Ok(());
    }
    let actor = parse(&urls::actor(&state.config, &author.username))?;
    let note = note_of(state, conn, author, row).await?;
    let activity_id = parse(&urls::new_activity(&state.config))?;
    let activity = match change {
        PostChange::Created => serde_json::to_value(Create::new(activity_id, actor, note))?,
        PostChange::Updated => serde_json::to_value(Update::new(activity_id, actor, note))?,
        PostChange::Deleted => {
            let audience = Audience {
                to: note.to.clone(),
                cc: note.cc.clone(),
            };
            serde_json::to_value(Delete::new(activity_id, actor, note.id.clone(), audience))?
        }
    };
    outbound::deliver(conn, &activity, author, &inboxes).await?;
    Ok(())
}
