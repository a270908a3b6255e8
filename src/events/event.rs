//! Prepared events and the in-memory filter every subscriber applies.
//!
//! The hub (`super::hub`) turns each database change into one [`Prepared`] event:
//! the status rendered once, and the verdicts of [`crate::db::stream_audience`] for
//! the anonymous public and every signed-in viewer streaming from this process. A
//! subscriber then decides with [`Prepared::for_subscriber`], a lookup without I/O.
//!
//! Who receives what:
//! - `update` and `status.update`: on `user`, statuses of the viewer's home timeline
//!   (own, or followed under the home rules); on `list`, statuses of that list's
//!   timeline; on `public` (`:local`, `:remote`, `:media`) and `hashtag` (`:local`),
//!   statuses of those public timelines. Always only statuses the viewer may see,
//!   never hidden by the viewer's mutes or domain blocks.
//! - `delete`: only to subscribers who could see the status: on `user`, if it was on
//!   their home timeline or they wrote it or were mentioned; on list, public and
//!   hashtag streams, exactly where its `update` went (so anonymous streams never
//!   carry the ids of followers-only or direct posts).
//! - `notification`: on `user` and `user:notification`, to the notified account;
//!   `user:notification` carries nothing else.
//! - `conversation`: on `direct`, to the conversation's owner; and `delete` of a
//!   direct status to those it involved.
//! - `filters_changed`: on `user`, to the account whose filters changed (no payload).
//! - `announcement`, `announcement.reaction`, `announcement.delete`: on `user`, to
//!   every signed-in user (the admins' announcements are for everyone).
//! - A viewer's content filters: a `hide` filter of the `home` context keeps a posted
//!   or edited status off the viewer's `user` and `list` streams, one of the `public`
//!   context off their public and hashtag streams; `warn` and `blur` filters put
//!   their results in the viewer's own rendering (`filtered`).

use std::collections::{HashMap, HashSet};

use crate::db::stream_audience::{Audience, Verdict};

/// Which statuses of the public timeline a public or hashtag stream wants, by origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Local and remote statuses.
    Any,
    /// Statuses posted on this instance (`public:local`, `hashtag:local`).
    Local,
    /// Statuses from other servers (`public:remote`).
    Remote,
}

impl Origin {
    fn admits(self, local: bool) -> bool {
        match self {
            Origin::Any => true,
            Origin::Local => local,
            Origin::Remote => !local,
        }
    }
}

/// Which stream a subscriber asked for (Mastodon's channels, see
/// `crate::api::streaming::channel` for their names).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subscription {
    /// The signed-in account's home timeline and notifications (`user`), or only its
    /// notifications (`user:notification`).
    User {
        viewer: i64,
        notifications_only: bool,
    },
    /// The public timeline, by origin, perhaps only statuses with media.
    Public { origin: Origin, only_media: bool },
    /// Public statuses with a hashtag (kept lowercase, compared without case).
    Hashtag { tag: String, origin: Origin },
    /// The timeline of one of the viewer's lists (ownership is checked on subscribing).
    List { viewer: i64, list_id: i64 },
    /// The viewer's direct-message conversations.
    Direct { viewer: i64 },
}

impl Subscription {
    /// The `user` stream of `viewer`.
    pub fn user(viewer: i64) -> Subscription {
        Subscription::User {
            viewer,
            notifications_only: false,
        }
    }

    /// A hashtag subscription; the tag is compared without case.
    pub fn hashtag(tag: &str, origin: Origin) -> Subscription {
        Subscription::Hashtag {
            tag: tag.to_lowercase(),
            origin,
        }
    }

    /// The viewer whose own timeline this is (`user`, `list`), whose rendering of a
    /// status (with their marks) the stream carries.
    fn personal_viewer(&self) -> Option<i64> {
        match self {
            Subscription::User { viewer, .. } | Subscription::List { viewer, .. } => Some(*viewer),
            _ => None,
        }
    }
}

/// What happened to a status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusChange {
    /// Posted (Mastodon's `update` event).
    Created,
    /// Edited (`status.update`).
    Edited,
    /// Deleted (`delete`, whose payload is the bare id).
    Deleted,
}

impl StatusChange {
    /// Mastodon's event name.
    pub fn event_name(self) -> &'static str {
        match self {
            StatusChange::Created => "update",
            StatusChange::Edited => "status.update",
            StatusChange::Deleted => "delete",
        }
    }
}

/// A status event, rendered once for every subscriber of the process.
#[derive(Clone, Debug)]
pub struct StatusEvent {
    /// What happened.
    pub change: StatusChange,
    /// The rendered status (as for a client without a token: Mastodon's public
    /// streams carry no per-viewer `favourited`, `reblogged`…), or the id for a delete.
    /// `user` streams get [`StatusEvent::home_payloads`] instead.
    pub payload: String,
    /// Posted on this instance (for `public:local` and `public:remote`).
    pub local: bool,
    /// It has media attachments (for `public:media`).
    pub has_media: bool,
    /// A direct message (whose `delete` goes to the `direct` stream too).
    pub direct: bool,
    /// Its hashtags, lowercase.
    pub tags: Vec<String>,
    /// Whether it belongs on the public timelines at all.
    pub in_public: bool,
    /// The anonymous public's verdict.
    pub anonymous: Verdict,
    /// The verdict of each signed-in viewer streaming when the event was prepared.
    pub viewers: HashMap<i64, Verdict>,
    /// The lists of those viewers whose timelines the status belongs on.
    pub lists: HashMap<i64, Vec<i64>>,
    /// The status rendered for each viewer whose `user` or `list` stream gets it, with
    /// their own favourite, boost, bookmark and pin marks (Mastodon renders home and
    /// list statuses for their owner); see [`StatusEvent::personal_recipients`].
    pub personal_payloads: HashMap<i64, String>,
    /// The status rendered for each signed-in viewer whose filters of the `public`
    /// context matched it (with their `filtered`), for their public and hashtag
    /// streams; others get the shared payload there.
    pub public_payloads: HashMap<i64, String>,
    /// The viewers whose `hide` filters of the `home` context keep it off their `user`
    /// and `list` streams.
    pub hidden_from_home: HashSet<i64>,
    /// The viewers whose `hide` filters of the `public` context keep it off their
    /// public and hashtag streams.
    pub hidden_from_public: HashSet<i64>,
}

impl StatusEvent {
    /// A status event from its audience (see [`crate::db::stream_audience::audience`]).
    pub fn new(change: StatusChange, facts: StatusFacts, audience: Audience) -> StatusEvent {
        StatusEvent {
            change,
            payload: facts.payload,
            local: facts.local,
            has_media: facts.has_media,
            direct: facts.direct,
            tags: facts.tags.iter().map(|tag| tag.to_lowercase()).collect(),
            in_public: audience.in_public,
            anonymous: audience.anonymous,
            viewers: audience.viewers.into_iter().collect(),
            lists: audience.lists.into_iter().collect(),
            personal_payloads: HashMap::new(),
            public_payloads: HashMap::new(),
            hidden_from_home: HashSet::new(),
            hidden_from_public: HashSet::new(),
        }
    }

    /// The signed-in viewers whose public and hashtag streams may get this posted or
    /// edited status (those whose `public` filters the hub applies).
    pub fn public_recipients(&self) -> Vec<i64> {
        if self.change == StatusChange::Deleted || !self.in_public {
            return Vec::new();
        }
        let shown = self.viewers.iter();
        let shown = shown.filter(|(_, verdict)| verdict.visible && verdict.shown_in_feeds);
        shown.map(|(viewer, _)| *viewer).collect()
    }

    /// The signed-in viewers whose `user` or `list` stream gets this posted or edited
    /// status (none for a delete, whose payload is the bare id): those the hub renders
    /// it for.
    pub fn personal_recipients(&self) -> Vec<i64> {
        if self.change == StatusChange::Deleted {
            return Vec::new();
        }
        self.viewers
            .keys()
            .copied()
            .filter(|viewer| {
                self.wanted(Some(*viewer), &Subscription::user(*viewer))
                    || self
                        .lists
                        .get(viewer)
                        .is_some_and(|lists| !lists.is_empty())
            })
            .collect()
    }

    /// The payload for `viewer` on `subscription`: its owner's own rendering on a
    /// `user` or `list` stream when the hub made one, the viewer's filtered rendering
    /// on a public or hashtag stream when their filters matched, else the shared one.
    fn payload_for(&self, viewer: Option<i64>, subscription: &Subscription) -> &str {
        let own = match subscription {
            Subscription::User { .. } | Subscription::List { .. } => subscription
                .personal_viewer()
                .and_then(|viewer| self.personal_payloads.get(&viewer)),
            Subscription::Public { .. } | Subscription::Hashtag { .. } => {
                viewer.and_then(|viewer| self.public_payloads.get(&viewer))
            }
            Subscription::Direct { .. } => None,
        };
        own.map_or(self.payload.as_str(), String::as_str)
    }

    /// Whether `viewer`'s `hide` filters keep this posted or edited status off
    /// `subscription`.
    fn hidden_by_filters(&self, viewer: Option<i64>, subscription: &Subscription) -> bool {
        let Some(viewer) = viewer else {
            return false;
        };
        if self.change == StatusChange::Deleted {
            return false;
        }
        match subscription {
            Subscription::User { .. } | Subscription::List { .. } => {
                self.hidden_from_home.contains(&viewer)
            }
            Subscription::Public { .. } | Subscription::Hashtag { .. } => {
                self.hidden_from_public.contains(&viewer)
            }
            Subscription::Direct { .. } => false,
        }
    }

    /// Whether `viewer` (None: no token) gets this event on `subscription`.
    fn wanted(&self, viewer: Option<i64>, subscription: &Subscription) -> bool {
        let verdict = match viewer {
            None => self.anonymous,
            // A viewer who was not streaming when the event was prepared: nothing.
            Some(viewer) => match self.viewers.get(&viewer) {
                Some(verdict) => *verdict,
                None => return false,
            },
        };
        if !verdict.visible || self.hidden_by_filters(viewer, subscription) {
            return false;
        }
        match subscription {
            Subscription::User {
                notifications_only: true,
                ..
            } => false,
            Subscription::User { .. } => match self.change {
                StatusChange::Deleted => verdict.in_home || verdict.involved,
                _ => verdict.in_home && verdict.shown_in_feeds,
            },
            Subscription::List { viewer, list_id } => {
                verdict.shown_in_feeds
                    && self
                        .lists
                        .get(viewer)
                        .is_some_and(|lists| lists.contains(list_id))
            }
            Subscription::Public { origin, only_media } => {
                self.in_public
                    && origin.admits(self.local)
                    && (self.has_media || !only_media)
                    && verdict.shown_in_feeds
            }
            Subscription::Direct { .. } => {
                self.change == StatusChange::Deleted && self.direct && verdict.involved
            }
            Subscription::Hashtag { tag, origin } => {
                self.in_public
                    && origin.admits(self.local)
                    && self.tags.contains(tag)
                    && verdict.shown_in_feeds
            }
        }
    }
}

/// What the hub knows of a status when it prepares its event.
#[derive(Clone, Debug, Default)]
pub struct StatusFacts {
    /// The shared rendering (as for a client without a token), or the id for a delete.
    pub payload: String,
    /// Posted on this instance.
    pub local: bool,
    /// Its hashtags.
    pub tags: Vec<String>,
    /// It has media attachments.
    pub has_media: bool,
    /// A direct message.
    pub direct: bool,
}

/// One change, prepared for every subscriber of the process.
#[derive(Clone, Debug)]
pub enum Prepared {
    /// A status was posted, edited or deleted (boxed: the other events are small).
    Status(Box<StatusEvent>),
    /// A notification for `recipient`, rendered for them.
    Notification { recipient: i64, payload: String },
    /// A new or changed conversation of `owner`, rendered for them.
    Conversation { owner: i64, payload: String },
    /// `account` changed its filters (Mastodon's `filters_changed`, without payload).
    FiltersChanged { account: i64 },
    /// An announcement was published, reacted to or removed: the same payload for
    /// every signed-in user.
    Announcement {
        event: &'static str,
        payload: String,
    },
}

impl Prepared {
    /// The event name and payload `viewer` gets on `subscription`, or `None`. Pure:
    /// no I/O, so an event costs a subscriber no query.
    pub fn for_subscriber(
        &self,
        viewer: Option<i64>,
        subscription: &Subscription,
    ) -> Option<(&'static str, &str)> {
        match self {
            Prepared::Notification { recipient, payload } => matches!(subscription,
                Subscription::User { viewer, .. } if viewer == recipient)
            .then_some(("notification", payload.as_str())),
            Prepared::Conversation { owner, payload } => matches!(subscription,
                Subscription::Direct { viewer } if viewer == owner)
            .then_some(("conversation", payload.as_str())),
            Prepared::FiltersChanged { account } => matches!(subscription,
                Subscription::User { viewer, notifications_only: false } if viewer == account)
            .then_some(("filters_changed", "")),
            Prepared::Announcement { event, payload } => matches!(
                subscription,
                Subscription::User {
                    notifications_only: false,
                    ..
                }
            )
            .then_some((*event, payload.as_str())),
            Prepared::Status(event) => event.wanted(viewer, subscription).then(|| {
                (
                    event.change.event_name(),
                    event.payload_for(viewer, subscription),
                )
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: i64 = 1;
    const BOB: i64 = 2;
    const CAROL: i64 = 3;
    const LIST: i64 = 10;

    const EVERYWHERE: Verdict = Verdict {
        visible: true,
        shown_in_feeds: true,
        in_home: true,
        involved: false,
    };
    const NOWHERE: Verdict = Verdict {
        visible: false,
        shown_in_feeds: true,
        in_home: false,
        involved: false,
    };

    fn event(change: StatusChange, in_public: bool, viewers: &[(i64, Verdict)]) -> Prepared {
        let visible_to_anyone = Verdict {
            in_home: false,
            ..EVERYWHERE
        };
        Prepared::Status(Box::new(StatusEvent::new(
            change,
            StatusFacts {
                payload: "payload".into(),
                local: true,
                tags: vec!["Cats".into()],
                has_media: false,
                direct: false,
            },
            Audience {
                in_public,
                anonymous: if in_public {
                    visible_to_anyone
                } else {
                    NOWHERE
                },
                viewers: viewers.to_vec(),
                lists: vec![(BOB, vec![LIST])],
            },
        )))
    }

    fn public() -> Subscription {
        Subscription::Public {
            origin: Origin::Any,
            only_media: false,
        }
    }

    #[test]
    fn a_public_post_reaches_public_and_hashtag_streams_of_everyone() {
        let posted = event(StatusChange::Created, true, &[(BOB, EVERYWHERE)]);
        for viewer in [None, Some(BOB)] {
            assert!(posted.for_subscriber(viewer, &public()).is_some());
            assert!(posted
                .for_subscriber(
                    viewer,
                    &Subscription::Public {
                        origin: Origin::Local,
                        only_media: false,
                    }
                )
                .is_some());
            assert!(posted
                .for_subscriber(viewer, &Subscription::hashtag("CATS", Origin::Any))
                .is_some());
            assert!(posted
                .for_subscriber(viewer, &Subscription::hashtag("dogs", Origin::Any))
                .is_none());
        }
        assert_eq!(
            posted.for_subscriber(Some(BOB), &Subscription::user(BOB)),
            Some(("update", "payload"))
        );
    }

    #[test]
    fn a_deleted_followers_only_post_reaches_only_those_who_could_see_it() {
        let deleted = event(
            StatusChange::Deleted,
            false,
            &[(BOB, EVERYWHERE), (CAROL, NOWHERE)],
        );
        assert!(deleted.for_subscriber(None, &public()).is_none());
        assert!(deleted.for_subscriber(Some(CAROL), &public()).is_none());
        assert!(deleted
            .for_subscriber(Some(CAROL), &Subscription::user(CAROL))
            .is_none());
        assert!(
            deleted.for_subscriber(Some(BOB), &public()).is_none(),
            "not a public post: not on the public stream even for a follower"
        );
        assert_eq!(
            deleted.for_subscriber(Some(BOB), &Subscription::user(BOB)),
            Some(("delete", "payload"))
        );
    }

    #[test]
    fn a_mentioned_account_hears_of_a_delete_but_a_muting_one_gets_no_update() {
        let mentioned = Verdict {
            in_home: false,
            involved: true,
            ..EVERYWHERE
        };
        let muting = Verdict {
            shown_in_feeds: false,
            ..EVERYWHERE
        };
        let viewers = [(BOB, mentioned), (CAROL, muting)];
        let deleted = event(StatusChange::Deleted, true, &viewers);
        assert!(deleted
            .for_subscriber(Some(BOB), &Subscription::user(BOB))
            .is_some());
        let posted = event(StatusChange::Created, true, &viewers);
        assert!(posted
            .for_subscriber(Some(BOB), &Subscription::user(BOB))
            .is_none());
        for subscription in [Subscription::user(CAROL), public()] {
            assert!(posted.for_subscriber(Some(CAROL), &subscription).is_none());
        }
    }

    #[test]
    fn a_viewer_the_event_was_not_prepared_for_gets_nothing() {
        let posted = event(StatusChange::Created, true, &[]);
        assert!(posted.for_subscriber(Some(ALICE), &public()).is_none());
    }

    #[test]
    fn a_notification_goes_to_its_recipients_user_stream_only() {
        let notification = Prepared::Notification {
            recipient: ALICE,
            payload: "{}".into(),
        };
        assert_eq!(
            notification.for_subscriber(Some(ALICE), &Subscription::user(ALICE)),
            Some(("notification", "{}"))
        );
        assert!(notification
            .for_subscriber(Some(BOB), &Subscription::user(BOB))
            .is_none());
        assert!(notification
            .for_subscriber(Some(ALICE), &public())
            .is_none());
    }

    #[test]
    fn the_notification_stream_carries_notifications_and_nothing_else() {
        let only = Subscription::User {
            viewer: BOB,
            notifications_only: true,
        };
        let posted = event(StatusChange::Created, true, &[(BOB, EVERYWHERE)]);
        assert!(posted.for_subscriber(Some(BOB), &only).is_none());
        let notification = Prepared::Notification {
            recipient: BOB,
            payload: "{}".into(),
        };
        assert!(notification.for_subscriber(Some(BOB), &only).is_some());
    }

    #[test]
    fn a_list_stream_gets_what_its_timeline_shows_and_the_origin_streams_split() {
        let posted = event(StatusChange::Created, true, &[(BOB, EVERYWHERE)]);
        let list = |list_id| Subscription::List {
            viewer: BOB,
            list_id,
        };
        assert!(posted.for_subscriber(Some(BOB), &list(LIST)).is_some());
        assert!(posted.for_subscriber(Some(BOB), &list(LIST + 1)).is_none());
        let remote = Subscription::Public {
            origin: Origin::Remote,
            only_media: false,
        };
        assert!(
            posted.for_subscriber(None, &remote).is_none(),
            "a local post"
        );
        let media = Subscription::Public {
            origin: Origin::Any,
            only_media: true,
        };
        assert!(posted.for_subscriber(None, &media).is_none(), "no media");
        let local_tag = Subscription::hashtag("cats", Origin::Local);
        assert!(posted.for_subscriber(None, &local_tag).is_some());
    }

    #[test]
    fn a_viewers_hide_filters_keep_a_status_off_their_streams_only() {
        let mut status = StatusEvent::new(
            StatusChange::Created,
            StatusFacts {
                payload: "shared".into(),
                ..StatusFacts::default()
            },
            Audience {
                in_public: true,
                anonymous: EVERYWHERE,
                viewers: vec![(BOB, EVERYWHERE), (CAROL, EVERYWHERE)],
                lists: vec![(BOB, vec![LIST])],
            },
        );
        status.hidden_from_home.insert(BOB);
        status.hidden_from_public.insert(CAROL);
        status.public_payloads.insert(BOB, "bob's".into());
        let posted = Prepared::Status(Box::new(status));
        let list = Subscription::List {
            viewer: BOB,
            list_id: LIST,
        };
        assert!(posted
            .for_subscriber(Some(BOB), &Subscription::user(BOB))
            .is_none());
        assert!(posted.for_subscriber(Some(BOB), &list).is_none());
        assert_eq!(
            posted.for_subscriber(Some(BOB), &public()),
            Some(("update", "bob's"))
        );
        assert!(posted.for_subscriber(Some(CAROL), &public()).is_none());
        assert!(posted
            .for_subscriber(Some(CAROL), &Subscription::user(CAROL))
            .is_some());
        assert_eq!(
            posted.for_subscriber(None, &public()),
            Some(("update", "shared"))
        );
    }

    #[test]
    fn announcements_go_to_every_user_stream_but_not_notification_streams() {
        let event = Prepared::Announcement {
            event: "announcement.delete",
            payload: "7".into(),
        };
        assert_eq!(
            event.for_subscriber(Some(ALICE), &Subscription::user(ALICE)),
            Some(("announcement.delete", "7"))
        );
        let notifications = Subscription::User {
            viewer: BOB,
            notifications_only: true,
        };
        assert_eq!(event.for_subscriber(Some(BOB), &notifications), None);
        let direct = Subscription::Direct { viewer: BOB };
        assert_eq!(event.for_subscriber(Some(BOB), &direct), None);
    }

    #[test]
    fn filters_changed_goes_to_the_owners_user_stream_only() {
        let changed = Prepared::FiltersChanged { account: BOB };
        assert_eq!(
            changed.for_subscriber(Some(BOB), &Subscription::user(BOB)),
            Some(("filters_changed", ""))
        );
        let only = Subscription::User {
            viewer: BOB,
            notifications_only: true,
        };
        assert!(changed.for_subscriber(Some(BOB), &only).is_none());
        assert!(changed
            .for_subscriber(Some(CAROL), &Subscription::user(CAROL))
            .is_none());
    }
}
