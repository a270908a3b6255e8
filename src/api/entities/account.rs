//! The Account and CredentialAccount entities
//! (<https://docs.joinmastodon.org/entities/Account/>).

use serde::Serialize;
use utoipa::ToSchema;

use super::{timestamp, CustomEmoji};
use crate::config::Config;
use crate::db::accounts::AccountRow;
use crate::db::users::UserRow;
use crate::domain::{Id, Role};
use crate::urls::{self, Address};

/// A profile field as shown.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Field {
    /// Label.
    pub name: String,
    /// Value: HTML in `fields`, plain text in `source.fields`.
    pub value: String,
    /// When a link in the value was verified (rel="me"), or null.
    pub verified_at: Option<String>,
}

/// A user-facing account.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Account {
    #[schema(value_type = String)]
    pub id: Id,
    pub username: String,
    /// `username` for local accounts, `username@domain` for remote ones.
    pub acct: String,
    pub url: String,
    pub uri: String,
    pub display_name: String,
    /// Biography, HTML.
    pub note: String,
    pub avatar: String,
    pub avatar_static: String,
    pub header: String,
    pub header_static: String,
    pub locked: bool,
    pub fields: Vec<Field>,
    /// The custom emoji the display name, note and fields use.
    pub emojis: Vec<CustomEmoji>,
    pub bot: bool,
    pub group: bool,
    pub discoverable: Option<bool>,
    pub indexable: bool,
    pub hide_collections: Option<bool>,
    pub noindex: Option<bool>,
    /// Creation day (midnight UTC), as Mastodon reports it.
    pub created_at: String,
    /// Day of the latest status, or null.
    pub last_status_at: Option<String>,
    pub statuses_count: i64,
    pub followers_count: i64,
    pub following_count: i64,
    #[schema(value_type = Vec<Object>)]
    pub roles: Vec<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspended: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limited: Option<bool>,
    /// The account this one moved to; absent when it did not move (Mastodon's
    /// serializer leaves it out then), and never nested in a `moved` account.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub moved: Option<Box<Account>>,
}

/// The signed-in user's own account, with `source` and `role`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CredentialAccount {
    #[serde(flatten)]
    pub account: Account,
    pub source: Source,
    pub role: RoleEntity,
}

/// What the user typed, and posting defaults.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Source {
    pub privacy: crate::domain::Visibility,
    pub sensitive: bool,
    pub language: Option<String>,
    pub note: String,
    pub fields: Vec<Field>,
    pub follow_requests_count: i64,
    pub hide_collections: bool,
    pub discoverable: bool,
    pub indexable: bool,
    #[schema(value_type = Vec<String>)]
    pub attribution_domains: Vec<String>,
}

/// Mastodon's Role entity for the user's role.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RoleEntity {
    pub id: String,
    pub name: String,
    /// Bitmask of Mastodon permission flags, as a decimal string.
    pub permissions: String,
    pub color: String,
    pub highlighted: bool,
}

impl Account {
    /// Builds the entity from a row; `config` supplies the instance's URLs.
    pub fn from_row(row: &AccountRow, config: &Config) -> Account {
        let Address { acct, url, uri } = Address::of(row, config);
        let suspended = row.suspended_at.is_some();
        let avatar = urls::avatar(config, row);
        let header = urls::header(config, row);
        let day = |at: chrono::DateTime<chrono::Utc>| {
            let midnight = at
                .date_naive()
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default()
                .and_utc();
            timestamp(midnight)
        };
        let mut account = Account {
            id: Id(row.id),
            username: row.username.clone(),
            acct,
            url,
            uri,
            display_name: row.display_name.clone(),
            note: row.note.clone(),
            avatar: avatar.clone(),
            avatar_static: avatar,
            header: header.clone(),
            header_static: header,
            locked: row.locked,
            fields: row
                .fields
                .iter()
                .map(|f| Field {
                    name: f.name.clone(),
                    value: f.value.clone(),
                    verified_at: f.verified_at.map(timestamp),
                })
                .collect(),
            emojis: CustomEmoji::all(&row.emojis, config),
            bot: row.bot,
            group: row.is_group(),
            discoverable: Some(row.discoverable),
            indexable: row.indexable,
            hide_collections: Some(row.hide_collections),
            noindex: Some(!row.indexable),
            created_at: day(row.created_at),
            last_status_at: row.last_status_at.map(|at| at.date_naive().to_string()),
            statuses_count: row.statuses_count,
            followers_count: row.followers_count,
            following_count: row.following_count,
            roles: Vec::new(),
            suspended: suspended.then_some(true),
            limited: row.silenced_at.is_some().then_some(true),
            moved: row
                .moved_to
                .as_ref()
                .map(|target| Box::new(Account::from_row(&target.0, config))),
        };
        if suspended {
            account.blank_profile();
        }
        account
    }

    /// A suspended account keeps its identity but shows nothing else (as Mastodon).
    fn blank_profile(&mut self) {
        self.display_name.clear();
        self.note.clear();
        self.fields.clear();
        self.emojis.clear();
        self.locked = false;
        self.bot = false;
        self.statuses_count = 0;
        self.followers_count = 0;
        self.following_count = 0;
        self.last_status_at = None;
    }
}

impl CredentialAccount {
    /// Builds the signed-in user's view of their own account.
    pub fn from_rows(row: &AccountRow, user: &UserRow, config: &Config) -> CredentialAccount {
        let source_fields = row
            .fields
            .iter()
            .map(|f| Field {
                name: f.name.clone(),
                value: f.source.clone().unwrap_or_else(|| f.value.clone()),
                verified_at: f.verified_at.map(timestamp),
            })
            .collect();
        CredentialAccount {
            account: Account::from_row(row, config),
            source: Source {
                privacy: user.default_privacy,
                sensitive: user.default_sensitive,
                language: user.default_language.clone(),
                note: row.note_source.clone(),
                fields: source_fields,
                follow_requests_count: 0,
                hide_collections: row.hide_collections,
                discoverable: row.discoverable,
                indexable: row.indexable,
                attribution_domains: Vec::new(),
            },
            role: RoleEntity::for_role(user.role()),
        }
    }
}

impl RoleEntity {
    /// Roost's three roles mapped onto Mastodon's role entity. Permission bits follow
    /// Mastodon's flags: administrator (0x1) for admins; manage reports (0x10), view
    /// audit log (0x20), manage users (0x400) and manage taxonomies (0x100) for moderators.
    pub fn for_role(role: Role) -> RoleEntity {
        let (id, name, permissions, color, highlighted) = match role {
            Role::User => ("-99", "", 0, "", false),
            Role::Moderator => ("1", "Moderator", 0x10 | 0x20 | 0x100 | 0x400, "", true),
            Role::Admin => ("2", "Admin", 0x1, "", true),
        };
        RoleEntity {
            id: id.into(),
            name: name.into(),
            permissions: permissions.to_string(),
            color: color.into(),
            highlighted,
        }
    }
}
