//! The test side's view of Mastodon's entities: the fields tests read, typed, and
//! nothing else (serde ignores unknown fields). They are deliberately not Roost's own
//! `roost::api::entities`: a test decodes what went over the wire, so a field renamed
//! or retyped on the server breaks the tests instead of changing with them.
//!
//! Add a field here when a test needs it. A field the server may leave out (viewer
//! flags for anonymous readers, `text` outside a delete) is an `Option`; note that
//! `None` then means "absent or null": a test that must tell the two apart reads the
//! raw JSON (`As::get::<serde_json::Value>`).
//!
//! Mastodon's entities: <https://docs.joinmastodon.org/entities/>.

use serde::Deserialize;
use serde_json::Value;

/// An account as the client API shows it (`Account`).
#[derive(Clone, Debug, Deserialize)]
pub struct Account {
    pub id: String,
    pub username: String,
    /// `name` for local accounts, `name@domain` for remote ones.
    pub acct: String,
    pub url: String,
    pub display_name: String,
    /// The profile's bio, as HTML.
    pub note: String,
    pub locked: bool,
    pub bot: bool,
    pub statuses_count: i64,
    pub followers_count: i64,
    pub following_count: i64,
    pub last_status_at: Option<String>,
}

/// A status (`Status`); a boost is a status whose `reblog` is the original.
#[derive(Clone, Debug, Deserialize)]
pub struct Status {
    pub id: String,
    /// The ActivityPub id.
    pub uri: String,
    /// The HTML page (none for boosts).
    pub url: Option<String>,
    pub created_at: String,
    pub account: Account,
    /// The rendered HTML.
    pub content: String,
    /// `public`, `unlisted`, `private` or `direct`.
    pub visibility: String,
    pub sensitive: bool,
    pub spoiler_text: String,
    pub in_reply_to_id: Option<String>,
    pub in_reply_to_account_id: Option<String>,
    pub reblog: Option<Box<Status>>,
    pub replies_count: i64,
    pub reblogs_count: i64,
    pub favourites_count: i64,
    pub edited_at: Option<String>,
    /// The source text: only in the answer to a delete ("delete and redraft").
    pub text: Option<String>,
    /// Viewer flags: absent for anonymous readers.
    pub favourited: Option<bool>,
    pub reblogged: Option<bool>,
    pub muted: Option<bool>,
    pub bookmarked: Option<bool>,
    pub pinned: Option<bool>,
    pub media_attachments: Vec<Value>,
    pub mentions: Vec<Value>,
    pub tags: Vec<Value>,
}

/// How the viewer and one account relate (`Relationship`).
#[derive(Clone, Debug, Deserialize)]
pub struct Relationship {
    /// The other account's id.
    pub id: String,
    pub following: bool,
    pub showing_reblogs: bool,
    pub notifying: bool,
    pub followed_by: bool,
    pub blocking: bool,
    pub blocked_by: bool,
    pub muting: bool,
    pub muting_notifications: bool,
    /// A follow request waits for the other account's approval.
    pub requested: bool,
    pub requested_by: bool,
    pub domain_blocking: bool,
    pub endorsed: bool,
    pub note: String,
}

/// A notification (`Notification`).
#[derive(Clone, Debug, Deserialize)]
pub struct Notification {
    pub id: String,
    /// `mention`, `status`, `reblog`, `follow`, `follow_request`, `favourite`,
    /// `update`, `admin.sign_up`, `admin.report`…
    #[serde(rename = "type")]
    pub kind: String,
    pub created_at: String,
    /// Who acted.
    pub account: Account,
    /// The status acted on, for the kinds that have one.
    pub status: Option<Status>,
    /// The report, for `admin.report`.
    pub report: Option<Value>,
}

/// The kinds of `notifications`, in order.
pub fn kinds(notifications: &[Notification]) -> Vec<&str> {
    notifications.iter().map(|n| n.kind.as_str()).collect()
}

/// The ids of `statuses`, in order.
pub fn ids(statuses: &[Status]) -> Vec<&str> {
    statuses.iter().map(|s| s.id.as_str()).collect()
}
