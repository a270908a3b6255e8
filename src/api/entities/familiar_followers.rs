//! The FamiliarFollowers entity
//! (<https://docs.joinmastodon.org/entities/FamiliarFollowers/>): for one account, the
//! accounts the signed-in user follows that follow it too.

use serde::Serialize;
use utoipa::ToSchema;

use super::Account;
use crate::config::Config;
use crate::db::accounts::AccountRow;
use crate::domain::Id;

/// Familiar followers of the account `id`.
#[derive(Debug, Serialize, ToSchema)]
pub struct FamiliarFollowers {
    /// The account asked about.
    #[schema(value_type = String)]
    pub id: Id,
    /// Accounts the user follows that follow it.
    pub accounts: Vec<Account>,
}

impl FamiliarFollowers {
    /// The entity of `target` and its familiar followers.
    pub fn of(target: &AccountRow, familiar: &[AccountRow], config: &Config) -> FamiliarFollowers {
        FamiliarFollowers {
            id: Id(target.id),
            accounts: familiar
                .iter()
                .map(|row| Account::from_row(row, config))
                .collect(),
        }
    }
}
