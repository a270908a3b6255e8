//! Posts between servers, outbound: the Note of a local status, and the Create,
//! Update, Delete, Like, Announce and Undo activities that carry changes to the
//! followers' (shared) inboxes and to mentioned and replied-to accounts. Every function
//! queues its deliveries on the caller's transaction.

use std::collections::BTreeSet;

use sqlx::PgConnection;
use url::Url;

use super::outbound;
use super::protocol::note::{
    Announce, Audience, Create, Delete, Like, LocalNote, Note, Update, Visibility,
};
use super::protocol::Tag;
use crate::db::accounts::{self, AccountRow};
use crate::db::follows;
use crate::db::statuses::{self, StatusRow};
use crate::domain::HttpUrl;
use crate::state::AppState;
use crate::urls;

/// The ActivityPub id of a local status: `https://DOMAIN/users/NAME/statuses/ID`.
pub fn status_uri(state: &AppState, author: &str, id: i64) -> String {
    urls::status(&state.config, author, id)
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
    urls::local_status_id(&state.config, uri)
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
        let href = HttpUrl::parse(&urls::tag(&state.config, &name))?;
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
        url: Some(parse(&urls::status_page(
            &state.config,
            &author.username,
            row.id,
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

/// Queues a Like (or its Undo) of a remote status by a local account.
pub async fn send_like(
    state: &AppState,
    conn: &mut PgConnection,
    liker: &AccountRow,
    status: &StatusRow,
    like_id: &str,
    undo: bool,
) -> anyhow::Result<()> {
    let Some(author) = accounts::find_by_id(&mut *conn, status.account_id)
        .await?
        .filter(|a| !a.is_local())
    else {
        return Ok(());
    };
    let (Some(object), Some(inbox)) = (status.ap_id.as_deref(), outbound::delivery_inbox(&author))
    else {
        return Ok(());
    };
    let actor = parse(&urls::actor(&state.config, &liker.username))?;
    let like = Like::new(
        parse(like_id)?,
        actor.clone(),
        parse(object)?,
        parse(&urls::account_ap_id(&state.config, &author))?,
    );
    let activity = if undo {
        let undo = super::protocol::activity::Undo::of_like(
            parse(&urls::new_activity(&state.config))?,
            like,
        );
        serde_json::to_value(undo)?
    } else {
        serde_json::to_value(like)?
    };
    outbound::deliver(conn, &activity, liker, &[inbox]).await?;
    Ok(())
}

/// Queues an Announce (or its Undo) of a status by a local account: to the booster's
/// followers and the original's remote author.
pub async fn send_announce(
    state: &AppState,
    conn: &mut PgConnection,
    booster: &AccountRow,
    boost: &StatusRow,
    original: &StatusRow,
    undo: bool,
) -> anyhow::Result<()> {
    let original_author = accounts::find_by_id(&mut *conn, original.account_id).await?;
    let mut inboxes: BTreeSet<String> = follows::follower_inboxes(&mut *conn, booster.id)
        .await?
        .into_iter()
        .collect();
    if let Some(inbox) = original_author
        .as_ref()
        .filter(|a| !a.is_local())
        .and_then(outbound::delivery_inbox)
    {
        inboxes.insert(inbox.to_string());
    }
    let inboxes: Vec<Url> = inboxes.iter().filter_map(|i| Url::parse(i).ok()).collect();
    let Some(object) = ap_id_of(state, conn, original).await? else {
        return Ok(());
    };
    if inboxes.is_empty() {
        return Ok(());
    }
    let actor_urls = urls::local_actor(&state.config, &booster.username);
    let recipients: Vec<Url> = original_author
        .iter()
        .filter_map(|a| Url::parse(&urls::account_ap_id(&state.config, a)).ok())
        .collect();
    let audience = visibility_of(boost).audience(&actor_urls.followers, &recipients);
    let announce_id = parse(&urls::status_activity(
        &state.config,
        &booster.username,
        boost.id,
    ))?;
    let announce = Announce::new(
        announce_id,
        actor_urls.id.clone(),
        parse(&object)?,
        audience,
        boost.created_at,
    );
    let activity = if undo {
        serde_json::to_value(super::protocol::activity::Undo::of_announce(
            parse(&urls::new_activity(&state.config))?,
            announce,
        ))?
    } else {
        serde_json::to_value(announce)?
    };
    outbound::deliver(conn, &activity, booster, &inboxes).await?;
    Ok(())
}
