//! The Application and CredentialApplication entities
//! (<https://docs.joinmastodon.org/entities/Application/>).

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::oauth::AppRow;
use crate::domain::Id;

/// A registered client app. `client_id`/`client_secret` are present only in the
/// response to `POST /api/v1/apps` (the secret is not stored in readable form).
#[derive(Debug, Serialize, ToSchema)]
pub struct Application {
    #[schema(value_type = String)]
    pub id: Id,
    pub name: String,
    pub website: Option<String>,
    pub scopes: Vec<String>,
    /// The redirect URIs, newline-joined (deprecated by Mastodon, kept for old clients).
    pub redirect_uri: String,
    pub redirect_uris: Vec<String>,
    /// Deprecated by Mastodon; empty because Roost has no Web Push key yet.
    pub vapid_key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// 0: client secrets do not expire.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret_expires_at: Option<i64>,
}

impl Application {
    /// The public view of an app, without credentials.
    pub fn from_row(row: &AppRow) -> Application {
        Application {
            id: Id(row.id),
            name: row.name.clone(),
            website: row.website.clone(),
            scopes: row.scopes.clone(),
            redirect_uri: row.redirect_uris.join("\n"),
            redirect_uris: row.redirect_uris.clone(),
            vapid_key: String::new(),
            client_id: None,
            client_secret: None,
            client_secret_expires_at: None,
        }
    }

    /// The view returned once, at registration, with the credentials.
    pub fn with_credentials(row: &AppRow, client_secret: String) -> Application {
        Application {
            client_id: Some(row.client_id.clone()),
            client_secret: Some(client_secret),
            client_secret_expires_at: Some(0),
            ..Application::from_row(row)
        }
    }
}
