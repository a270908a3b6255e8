//! Post visibility: how Mastodon reads it from `to`/`cc`, and how Roost addresses its own
//! posts and boosts for each visibility.
//!
//! Spec: <https://docs.joinmastodon.org/spec/activitypub/#Mention> (visibility from
//! addressing); Mastodon's `ActivityPub::TagManager#to`/`#cc` for the outbound side.

use url::Url;

use crate::federation::protocol::{is_public, public_url};

/// Who may see a post, as Mastodon tells from its addressing. Deliberately not
/// [`crate::domain::Visibility`] (what Roost stores and its API shows): the wire has a
/// fifth level, `Limited`, which Roost stores with the direct rule; the two `From`
/// impls below are the one mapping between them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Visibility {
    /// Addressed to the public in `to`: shown everywhere.
    Public,
    /// Public only in `cc`: visible to all but kept off public timelines.
    Unlisted,
    /// Addressed to the author's followers: followers (and the addressed) only.
    Private,
    /// Addressed to chosen actors, some not mentioned (or Pleroma's `directMessage: false`).
    /// Mastodon shows it only to those actors and reports it as `private` in its API.
    Limited,
    /// Addressed only to mentioned actors (or to no one): a direct message.
    Direct,
}

/// The `to` and `cc` of a document Roost sends.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Audience {
    /// Primary recipients.
    pub to: Vec<Url>,
    /// Secondary recipients.
    pub cc: Vec<Url>,
}

impl Visibility {
    /// Mastodon's rule. Public in `to` → `Public`. Public in `cc` → `Unlisted`.
    /// `followers_url` (the author's followers collection) in `to` or `cc` → `Private`
    /// (Mastodon itself looks only in `to`). Otherwise `Limited` if `direct_message` is
    /// `false` or a recipient is not in `mentioned`, else `Direct`. Without
    /// `followers_url` a followers-only post comes out `Limited`, which stays safe.
    /// Compare actor URIs, not profile URLs.
    pub fn from_audience(
        (to, cc): (&[Url], &[Url]),
        followers_url: Option<&Url>,
        mentioned: &[Url],
        direct_message: Option<bool>,
    ) -> Visibility {
        let public = |uris: &[Url]| uris.iter().any(|uri| is_public(uri.as_str()));
        let recipients = || to.iter().chain(cc);
        let to_followers = followers_url.is_some_and(|url| recipients().any(|r| r == url));
        let unmentioned = recipients().any(|recipient| !mentioned.contains(recipient));
        if public(to) {
            Visibility::Public
        } else if public(cc) {
            Visibility::Unlisted
        } else if to_followers {
            Visibility::Private
        } else if direct_message == Some(false) || unmentioned {
            Visibility::Limited
        } else {
            Visibility::Direct
        }
    }

    /// Mastodon's name for it: `public`, `unlisted`, `private`, `limited` or `direct`.
    /// Mastodon's client API shows `limited` as `private`.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Unlisted => "unlisted",
            Visibility::Private => "private",
            Visibility::Limited => "limited",
            Visibility::Direct => "direct",
        }
    }

    /// The visibility a Mastodon name stands for (the inverse of [`Visibility::as_str`]);
    /// `None` for any other name.
    pub fn from_name(name: &str) -> Option<Visibility> {
        match name {
            "public" => Some(Visibility::Public),
            "unlisted" => Some(Visibility::Unlisted),
            "private" => Some(Visibility::Private),
            "limited" => Some(Visibility::Limited),
            "direct" => Some(Visibility::Direct),
            _ => None,
        }
    }

    /// The addressing Roost sends, as Mastodon does. Public: `to` Public, `cc` followers.
    /// Unlisted: `to` followers, `cc` Public. Private: `to` followers. Each adds
    /// `recipients` to `cc`. Direct and Limited: `to` is only `recipients`.
    pub fn audience(self, followers: &Url, recipients: &[Url]) -> Audience {
        let (to, mut cc) = match self {
            Visibility::Public => (vec![public_url()], vec![followers.clone()]),
            Visibility::Unlisted => (vec![followers.clone()], vec![public_url()]),
            Visibility::Private => (vec![followers.clone()], Vec::new()),
            Visibility::Limited | Visibility::Direct => (recipients.to_vec(), Vec::new()),
        };
        if !matches!(self, Visibility::Limited | Visibility::Direct) {
            for recipient in recipients {
                if !cc.contains(recipient) {
                    cc.push(recipient.clone());
                }
            }
        }
        Audience { to, cc }
    }
}

/// A stored visibility, as addressed on the wire.
impl From<crate::domain::Visibility> for Visibility {
    fn from(visibility: crate::domain::Visibility) -> Self {
        match visibility {
            crate::domain::Visibility::Public => Visibility::Public,
            crate::domain::Visibility::Unlisted => Visibility::Unlisted,
            crate::domain::Visibility::Private => Visibility::Private,
            crate::domain::Visibility::Direct => Visibility::Direct,
        }
    }
}

/// How Roost stores what the wire said: limited posts are shown only to their
/// addressees, which is the direct rule.
impl From<Visibility> for crate::domain::Visibility {
    fn from(visibility: Visibility) -> Self {
        match visibility {
            Visibility::Public => crate::domain::Visibility::Public,
            Visibility::Unlisted => crate::domain::Visibility::Unlisted,
            Visibility::Private => crate::domain::Visibility::Private,
            Visibility::Limited | Visibility::Direct => crate::domain::Visibility::Direct,
        }
    }
}
