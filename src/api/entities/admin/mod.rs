//! The entities of the admin API (`/api/v1/admin`, `/api/v2/admin`): Mastodon's
//! Admin::Account, Admin::Report, Admin::DomainBlock, Admin::DomainAllow, Admin::IpBlock,
//! Admin::EmailDomainBlock and Admin::CanonicalEmailBlock, and Roost's
//! own delivery view and relays. Spec: <https://docs.joinmastodon.org/entities/Admin_Account/> and
//! the pages next to it.

pub mod account;
pub mod blocks;
pub mod dashboard;
pub mod deliveries;
pub mod domains;
pub mod relay;
pub mod report;
pub mod tag;

pub use account::AdminAccount;
pub use blocks::{CanonicalEmailBlock, EmailDomainBlock, EmailDomainBlockHistory, IpBlock};
pub use deliveries::{Deliveries, Replayed};
pub use domains::{DomainAllow, DomainBlock, DomainBlockConflict};
pub use relay::Relay;
pub use report::AdminReport;
pub use tag::AdminTag;

use serde::Serialize;
use utoipa::ToSchema;

/// The empty object `{}` Mastodon answers an action with when it has nothing to show.
#[derive(Clone, Copy, Debug, Default, Serialize, ToSchema)]
pub struct Empty {}
