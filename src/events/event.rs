//! Prepared events and the in-memory filter every subscriber applies.
//!
//! The hub (`super::hub`) turns each database change into one [`Prepared`] event:
//! the status rendered once, and the verdicts of [`crate::db::stream_audience`] for
//! the anonymous public and every signed-in viewer streaming from this process. A
//! subscriber then decides with [`Prepared::for_subscriber`], a lookup without I/O.
//!
//! Who receives what:
//! - `update` and `status.update`: on `user`, statuses of the viewer's home timeline
//!   (own, or followed under the home rules); on `public`, `public:local` and
//!   `hashtag`, statuses of those public timelines. Always only statuses the viewer
//!   may see, never hidden by the viewer's mutes or domain blocks.
//! - `delete`: only to subscribers who could see the status: on `user`, if it was on
//!   their home timeline or they wrote it or were mentioned; on public and hashtag
//!   streams, exactly where its `update` went (so anonymous streams never carry the
//!   ids of followers-only or direct posts).
//! - `notification`: on `user`, to the notified account.

use std::collections::HashMap;

use crate::db::stream_audience::{Audience, Verdict};

/// Which stream a subscriber asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subscription {
    /// The signed-in account's home timeline and notifications.
    User(i64),
    /// The public timeline, or only its local statuses.
    Public { local_only: bool },
    /// Public statuses with a hashtag (kept lowercase, compared without case).
    Hashtag(String),
}

impl Subscription {
    /// A hashtag subscription; the tag is compared without case.
    pub fn hashtag(tag: &str) -> Subscription {
        Subscription::Hashtag(tag.to_lowercase())
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
    /// Posted on this instance (for `public:local`).
    pub local: bool,
    /// Its hashtags, lowercase.
    pub tags: Vec<String>,
    /// Whether it belongs on the public timelines at all.
    pub in_public: bool,
    /// The anonymous public's verdict.
    pub anonymous: Verdict,
    /// The verdict of each signed-in viewer streaming when the event was prepared.
    pub viewers: HashMap<i64, Verdict>,
    /// The status rendered for each viewer whose `user` stream gets it, with their own
    /// favourite, boost, bookmark and pin marks (Mastodon renders home-stream statuses
    /// for their recipient); see [`StatusEvent::home_recipients`].
    pub home_payloads: HashMap<i64, String>,
}

impl StatusEvent {
    /// A status event from its audience (see [`crate::db::stream_audience::audience`]).
    pub fn new(
        change: StatusChange,
        payload: String,
        local: bool,
        tags: Vec<String>,
        audience: Audience,
    ) -> StatusEvent {
        StatusEvent {
            change,
            payload,
            local,
            tags: tags.iter().map(|tag| tag.to_lowercase()).collect(),
            in_public: audience.in_public,
            anonymous: audience.anonymous,
            viewers: audience.viewers.into_iter().collect(),
            home_payloads: HashMap::new(),
        }
    }

    /// The signed-in viewers whose `user` stream gets this posted or edited status
    /// (none for a delete, whose payload is the bare id): those the hub renders it for.
    pub fn home_recipients(&self) -> Vec<i64> {
        if self.change == StatusChange::Deleted {
            return Vec::new();
        }
        self.viewers
            .keys()
            .copied()
            .filter(|viewer| self.wanted(Some(*viewer), &Subscription::User(*viewer)))
            .collect()
    }

    /// The payload for `viewer` on `subscription`: their own rendering on their
    /// `user` stream when the hub made one, else the shared one.
    fn payload_for(&self, subscription: &Subscription) -> &str {
        match subscription {
            Subscription::User(viewer) => self.home_payloads.get(viewer),
            _ => None,
        }
        .map_or(self.payload.as_str(), String::as_str)
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
        if !verdict.visible {
            return false;
        }
        match subscription {
            Subscription::User(_) => match self.change {
                StatusChange::Deleted => verdict.in_home || verdict.involved,
                _ => verdict.in_home && verdict.shown_in_feeds,
            },
            Subscription::Public { local_only } => {
                self.in_public && (self.local || !local_only) && verdict.shown_in_feeds
            }
            Subscription::Hashtag(tag) => {
                self.in_public && self.tags.contains(tag) && verdict.shown_in_feeds
            }
        }
    }
}

/// One change, prepared for every subscriber of the process.
#[derive(Clone, Debug)]
pub enum Prepared {
    /// A status was posted, edited or deleted.
    Status(StatusEvent),
    /// A notification for `recipient`, rendered for them.
    Notification { recipient: i64, payload: String },
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
            Prepared::Notification { recipient, payload } => (*subscription
                == Subscription::User(*recipient))
            .then_some(("notification", payload.as_str())),
            Prepared::Status(event) => event
                .wanted(viewer, subscription)
                .then(|| (event.change.event_name(), event.payload_for(subscription))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: i64 = 1;
    const BOB: i64 = 2;
    const CAROL: i64 = 3;

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
        Prepared::Status(StatusEvent::new(
            change,
            "payload".into(),
            true,
            vec!["Cats".into()],
            Audience {
                in_public,
                anonymous: if in_public {
                    visible_to_anyone
                } else {
                    NOWHERE
                },
                viewers: viewers.to_vec(),
            },
        ))
    }

    fn public() -> Subscription {
        Subscription::Public { local_only: false }
    }

    #[test]
    fn a_public_post_reaches_public_and_hashtag_streams_of_everyone() {
        let posted = event(StatusChange::Created, true, &[(BOB, EVERYWHERE)]);
        for viewer in [None, Some(BOB)] {
            assert!(posted.for_subscriber(viewer, &public()).is_some());
            assert!(posted
                .for_subscriber(viewer, &Subscription::Public { local_only: true })
                .is_some());
            assert!(posted
                .for_subscriber(viewer, &Subscription::hashtag("CATS"))
                .is_some());
            assert!(posted
                .for_subscriber(viewer, &Subscription::hashtag("dogs"))
                .is_none());
        }
        assert_eq!(
            posted.for_subscriber(Some(BOB), &Subscription::User(BOB)),
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
            .for_subscriber(Some(CAROL), &Subscription::User(CAROL))
            .is_none());
        assert!(
            deleted.for_subscriber(Some(BOB), &public()).is_none(),
            "not a public post: not on the public stream even for a follower"
        );
        assert_eq!(
            deleted.for_subscriber(Some(BOB), &Subscription::User(BOB)),
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
            .for_subscriber(Some(BOB), &Subscription::User(BOB))
            .is_some());
        let posted = event(StatusChange::Created, true, &viewers);
        assert!(posted
            .for_subscriber(Some(BOB), &Subscription::User(BOB))
            .is_none());
        for subscription in [Subscription::User(CAROL), public()] {
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
            notification.for_subscriber(Some(ALICE), &Subscription::User(ALICE)),
            Some(("notification", "{}"))
        );
        assert!(notification
            .for_subscriber(Some(BOB), &Subscription::User(BOB))
            .is_none());
        assert!(notification
            .for_subscriber(Some(ALICE), &public())
            .is_none());
    }
}
