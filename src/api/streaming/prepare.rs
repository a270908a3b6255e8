//! The client API's preparation of stream events: loads a changed status or
//! notification, asks [`crate::db::stream_audience`] once for every streaming
//! viewer's verdict, and renders the Mastodon entities the streams carry. The hub
//! (`crate::events::Hub`) calls it once per change, whatever the number of
//! subscribers; who receives what is decided in [`crate::events::event`]. The
//! content filters of the viewers a status may reach are loaded in one query per
//! event and applied here (`api::entities::filter`).

use std::collections::HashMap;

use futures_util::future::BoxFuture;
use futures_util::FutureExt;

use crate::api::entities::announcement::Announcement;
use crate::api::entities::conversation;
use crate::api::entities::filter::{self, Judgement};
use crate::api::entities::status::Status;
use crate::db::{announcements, conversations, notifications, statuses, stream_audience};
use crate::domain::filters::FilterContext;
use crate::events::event::{StatusChange, StatusEvent, StatusFacts};
use crate::events::{Change, Prepare, Prepared};
use crate::services::announcements::Listing;
use crate::services::filters::{self, ActiveFilters};
use crate::state::AppState;

/// Prepares stream events with the entities of the client API.
pub struct Renderer {
    state: AppState,
}

impl Renderer {
    /// A renderer reading and rendering with `state`.
    pub fn new(state: AppState) -> Renderer {
        Renderer { state }
    }

    async fn prepare_change(
        &self,
        change: &Change,
        viewers: &[i64],
    ) -> anyhow::Result<Option<Prepared>> {
        match change.k.as_str() {
            "notification" => self.notification(change).await,
            "conversation" => self.conversation(change).await,
            "update" => self.status(change, viewers, StatusChange::Created).await,
            "status.update" => self.status(change, viewers, StatusChange::Edited).await,
            "delete" => self.status(change, viewers, StatusChange::Deleted).await,
            "filters_changed" => Ok(change.a.map(|account| Prepared::FiltersChanged { account })),
            "announcement" => self.announcement(change).await,
            "announcement.reaction" => self.announcement_reaction(change).await,
            "announcement.delete" => Ok(change.an.map(|id| Prepared::Announcement {
                event: "announcement.delete",
                payload: id.to_string(),
            })),
            _ => Ok(None),
        }
    }

    /// A published announcement, as a user who has not read it sees it.
    async fn announcement(&self, change: &Change) -> anyhow::Result<Option<Prepared>> {
        let Some(id) = change.an else {
            return Ok(None);
        };
        let Some(row) = announcements::find(&self.state.db, id).await? else {
            return Ok(None);
        };
        let listing = Listing {
            announcements: vec![row],
            reactions: Vec::new(),
            emojis: Vec::new(),
        };
        let Some(rendered) = Announcement::all(&listing, &self.state.config).pop() else {
            return Ok(None);
        };
        Ok(Some(Prepared::Announcement {
            event: "announcement",
            payload: serde_json::to_string(&rendered)?,
        }))
    }

    /// A reaction's new count: Mastodon's `{name, count, announcement_id}`.
    async fn announcement_reaction(&self, change: &Change) -> anyhow::Result<Option<Prepared>> {
        let (Some(id), Some(name)) = (change.an, change.r.as_deref()) else {
            return Ok(None);
        };
        let Some(count) = announcements::reaction_count(&self.state.db, id, name).await? else {
            return Ok(None);
        };
        let payload = serde_json::json!({
            "name": name,
            "count": count,
            "announcement_id": id.to_string(),
        });
        Ok(Some(Prepared::Announcement {
            event: "announcement.reaction",
            payload: payload.to_string(),
        }))
    }

    async fn notification(&self, change: &Change) -> anyhow::Result<Option<Prepared>> {
        let (Some(recipient), Some(id)) = (change.a, change.n) else {
            return Ok(None);
        };
        let Some(row) = notifications::find(&self.state.db, recipient, id).await? else {
            return Ok(None);
        };
        let rendered = crate::api::v1::notifications::render_one(&self.state, recipient, row)
            .await
            .map_err(|error| anyhow::anyhow!("rendering a notification: {error}"))?;
        rendered
            .map(|notification| {
                Ok(Prepared::Notification {
                    recipient,
                    payload: serde_json::to_string(&notification)?,
                })
            })
            .transpose()
    }

    async fn conversation(&self, change: &Change) -> anyhow::Result<Option<Prepared>> {
        let (Some(owner), Some(id)) = (change.a, change.c) else {
            return Ok(None);
        };
        let Some(row) = conversations::find_owned(&self.state.db, owner, id).await? else {
            return Ok(None);
        };
        let rendered = conversation::render(&self.state, owner, vec![row]).await?;
        rendered
            .first()
            .map(|conversation| {
                Ok(Prepared::Conversation {
                    owner,
                    payload: serde_json::to_string(conversation)?,
                })
            })
            .transpose()
    }

    async fn status(
        &self,
        change: &Change,
        viewers: &[i64],
        kind: StatusChange,
    ) -> anyhow::Result<Option<Prepared>> {
        let state = &self.state;
        let Some(id) = change.s else {
            return Ok(None);
        };
        let Some(audience) = stream_audience::audience(&state.db, id, viewers).await? else {
            return Ok(None);
        };
        let Some(row) = statuses::find_many(&state.db, &[id]).await?.pop() else {
            return Ok(None);
        };
        let local = row.local;
        let direct = row.visibility == crate::domain::Visibility::Direct;
        let marked = [Some(id), row.reblog_of_id];
        let (facts, rendered) = if kind == StatusChange::Deleted {
            let facts = StatusFacts {
                payload: id.to_string(),
                local,
                direct,
                ..StatusFacts::default()
            };
            (facts, None)
        } else {
            if row.deleted_at.is_some() {
                // Deleted before its event was prepared: its `delete` follows.
                return Ok(None);
            }
            // Rendered once, as for a client without a token (see `StatusEvent`).
            let Some(rendered) = crate::api::entities::status::render(state, None, vec![row])
                .await?
                .pop()
            else {
                return Ok(None);
            };
            let facts = StatusFacts {
                payload: serde_json::to_string(&rendered)?,
                local,
                tags: rendered.tags.iter().map(|tag| tag.name.clone()).collect(),
                has_media: !rendered.media_attachments.is_empty(),
                direct,
            };
            (facts, Some(rendered))
        };
        let mut event = StatusEvent::new(kind, facts, audience);
        if let Some(rendered) = rendered {
            let ids: Vec<i64> = marked.into_iter().flatten().collect();
            let filters = viewers_filters(state, &event).await?;
            event.personal_payloads =
                personal_payloads(state, &rendered, &mut event, &ids, &filters).await?;
            public_payloads(&rendered, &mut event, &filters)?;
        }
        Ok(Some(Prepared::Status(Box::new(event))))
    }
}

impl Prepare for Renderer {
    fn prepare<'a>(
        &'a self,
        change: &'a Change,
        viewers: &'a [i64],
    ) -> BoxFuture<'a, anyhow::Result<Option<Prepared>>> {
        self.prepare_change(change, viewers).boxed()
    }
}

/// The active filters of every viewer whose `user`, `list`, public or hashtag stream
/// may get the event, from one query (viewers without filters are absent).
async fn viewers_filters(
    state: &AppState,
    event: &StatusEvent,
) -> anyhow::Result<HashMap<i64, ActiveFilters>> {
    let mut viewers = event.personal_recipients();
    viewers.extend(event.public_recipients());
    viewers.sort_unstable();
    viewers.dedup();
    filters::active_of_many(state, &viewers)
        .await
        .map_err(|error| anyhow::anyhow!("loading filters: {error}"))
}

/// For each viewer whose filters of the `public` context match the status: hidden
/// from their public and hashtag streams (`hide`), or their own rendering with
/// `filtered` there.
fn public_payloads(
    rendered: &Status,
    event: &mut StatusEvent,
    filters: &HashMap<i64, ActiveFilters>,
) -> anyhow::Result<()> {
    for viewer in event.public_recipients() {
        let Some(active) = filters.get(&viewer) else {
            continue;
        };
        match filter::judge(active, FilterContext::Public, viewer, rendered) {
            Judgement::Hidden => {
                event.hidden_from_public.insert(viewer);
            }
            Judgement::Shown(results) if !results.is_empty() => {
                let own =
                    filter::apply_one(active, FilterContext::Public, viewer, rendered.clone());
                if let Some(own) = own {
                    event
                        .public_payloads
                        .insert(viewer, serde_json::to_string(&own)?);
                }
            }
            Judgement::Shown(_) => {}
        }
    }
    Ok(())
}

/// The status rendered for each recipient of it on a `user` or `list` stream, with
/// their own marks on it (and on the status it boosts), from one query for all of
/// them, and the results of their filters of the `home` context; those whose `hide`
/// filters match are marked hidden instead.
async fn personal_payloads(
    state: &AppState,
    rendered: &Status,
    event: &mut StatusEvent,
    ids: &[i64],
    filters: &HashMap<i64, ActiveFilters>,
) -> anyhow::Result<HashMap<i64, String>> {
    let recipients = event.personal_recipients();
    if recipients.is_empty() {
        return Ok(HashMap::new());
    }
    let mut marks: HashMap<i64, HashMap<i64, statuses::ViewerMarks>> = HashMap::new();
    for row in statuses::viewer_marks_of_many(&state.db, &recipients, ids).await? {
        marks
            .entry(row.viewer)
            .or_default()
            .insert(row.marks.status_id, row.marks);
    }
    let mut payloads = HashMap::with_capacity(recipients.len());
    let none = ActiveFilters::default();
    for viewer in recipients {
        let own = rendered.with_viewer_marks(marks.get(&viewer).unwrap_or(&HashMap::new()));
        let active = filters.get(&viewer).unwrap_or(&none);
        match filter::apply_one(active, FilterContext::Home, viewer, own) {
            Some(own) => {
                payloads.insert(viewer, serde_json::to_string(&own)?);
            }
            None => {
                event.hidden_from_home.insert(viewer);
            }
        }
    }
    Ok(payloads)
}
