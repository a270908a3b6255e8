//! The Admin::Account entity (<https://docs.joinmastodon.org/entities/Admin_Account/>):
//! an account with what moderators see of it (its user's e-mail, role and state, its
//! restrictions).

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::api::entities::account::RoleEntity;
use crate::api::entities::{timestamp, Account};
use crate::db::accounts::AccountRow;
use crate::db::moderation;
use crate::db::users::UserRow;
use crate::domain::Id;
use crate::state::AppState;

/// An account as moderators see it. Roost records no IPs, invites or applications of
/// sign-ups, so those fields are always empty.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AdminAccount {
    #[schema(value_type = String)]
    pub id: Id,
    pub username: String,
    /// `null` for local accounts.
    pub domain: Option<String>,
    pub created_at: String,
    /// The user's e-mail address (`null` for remote accounts).
    pub email: Option<String>,
    /// Always `null`.
    pub ip: Option<String>,
    /// Always empty.
    pub ips: Vec<String>,
    pub locale: Option<String>,
    /// Always `null`.
    pub invite_request: Option<String>,
    /// The user's role (`null` for remote accounts).
    pub role: Option<RoleEntity>,
    /// Whether a local user exists (Roost confirms at sign-up).
    pub confirmed: bool,
    pub approved: bool,
    pub disabled: bool,
    pub silenced: bool,
    pub suspended: bool,
    pub sensitized: bool,
    pub account: Account,
    /// Always `null`.
    pub created_by_application_id: Option<String>,
    /// Always `null`.
    pub invited_by_account_id: Option<String>,
}

impl AdminAccount {
    /// Builds the entity from an account, its user (local accounts) and whether its
    /// media are forced sensitive.
    pub fn new(
        state: &AppState,
        row: &AccountRow,
        user: Option<&UserRow>,
        sensitized: bool,
    ) -> AdminAccount {
        AdminAccount {
            id: Id(row.id),
            username: row.username.clone(),
            domain: row.domain.clone(),
            created_at: timestamp(row.created_at),
            email: user.map(|u| u.email.clone()),
            ip: None,
            ips: Vec::new(),
            locale: user.map(|u| u.locale.clone()),
            invite_request: None,
            role: user.map(|u| RoleEntity::for_role(u.role())),
            confirmed: user.is_some_and(|u| u.confirmed_at.is_some()),
            approved: user.is_none_or(|u| u.approved),
            disabled: user.is_some_and(|u| u.disabled),
            silenced: row.silenced_at.is_some(),
            suspended: row.suspended_at.is_some(),
            sensitized,
            account: Account::from_row(row, &state.config),
            created_by_application_id: None,
            invited_by_account_id: None,
        }
    }
}

/// Renders accounts (in order) with their users and moderation flags, loaded in batches.
pub async fn render(state: &AppState, rows: &[AccountRow]) -> sqlx::Result<Vec<AdminAccount>> {
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let users: HashMap<i64, UserRow> = moderation::users_of(&state.db, &ids)
        .await?
        .into_iter()
        .map(|user| (user.account_id, user))
        .collect();
    let sensitized = moderation::sensitized(&state.db, &ids).await?;
    Ok(rows
        .iter()
        .map(|row| AdminAccount::new(state, row, users.get(&row.id), sensitized.contains(&row.id)))
        .collect())
}

/// Renders one account.
pub async fn render_one(state: &AppState, row: &AccountRow) -> sqlx::Result<AdminAccount> {
    let mut rendered = render(state, std::slice::from_ref(row)).await?;
    Ok(rendered.pop().expect("render returns one entity per row"))
}
