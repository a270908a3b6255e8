//! What a Status says about reply controls: `interaction_policy.can_reply` in
//! GoToSocial's API shape (`automatic_approval`/`manual_approval` of `public`,
//! `followers`, `mentioned`, `me`), plus `current_user` (`automatic`, `denied` or
//! `unknown` when signed out), and what it is judged from for a page of statuses.
//! Spec: <https://docs.gotosocial.org/en/latest/api/swagger/> (`interactionPolicy`).

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::statuses::StatusRow;
use crate::domain::replies::ReplyPolicy;

/// A status's `interaction_policy` (Roost fills `can_reply`).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct InteractionPolicy {
    /// Who may reply to it.
    pub can_reply: ReplyApproval,
}

/// Who may reply to a status, and whether the viewer may.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReplyApproval {
    /// Approved at once: `public`, `followers`, `mentioned`, `me` (the author).
    pub automatic_approval: Vec<&'static str>,
    /// Reviewed by the author (Roost's policies leave this empty).
    pub manual_approval: Vec<&'static str>,
    /// `automatic` or `denied` for the viewer; `unknown` when signed out.
    pub current_user: &'static str,
}

/// The reply policies of a page of statuses (from its
/// [`PageFacts`](crate::db::page_facts::PageFacts)) and the viewer's follows of their
/// authors.
#[derive(Debug, Default)]
pub struct ReplyFacts {
    viewer: Option<i64>,
    policies: HashMap<i64, ReplyPolicy>,
    followed: HashSet<i64>,
}

impl ReplyFacts {
    /// The reply facts of a page for `viewer`: the reply `policies` of its statuses
    /// (by policy name; unknown names are left out) and the authors the viewer follows.
    pub fn new(
        viewer: Option<i64>,
        policies: Vec<(i64, String)>,
        followed: HashSet<i64>,
    ) -> ReplyFacts {
        ReplyFacts {
            viewer,
            policies: (policies.into_iter())
                .filter_map(|(id, name)| Some((id, ReplyPolicy::parse(&name)?)))
                .collect(),
            followed,
        }
    }

    /// The facts of a status its author has just written, without a query.
    pub fn written(author: i64, status_id: i64, policy: ReplyPolicy) -> ReplyFacts {
        ReplyFacts {
            viewer: Some(author),
            policies: HashMap::from([(status_id, policy)]),
            followed: HashSet::new(),
        }
    }

    /// `interaction_policy` of `row`, which mentions the accounts `mentions`.
    pub fn policy(&self, row: &StatusRow, mentions: &[i64]) -> InteractionPolicy {
        let policy = self.policies.get(&row.id).copied().unwrap_or_default();
        let mut automatic = match policy {
            ReplyPolicy::Everyone => vec!["public"],
            ReplyPolicy::Followers => vec!["followers", "mentioned"],
            ReplyPolicy::Mentioned => vec!["mentioned"],
            ReplyPolicy::Nobody => Vec::new(),
        };
        automatic.push("me");
        let current_user = match self.viewer {
            None => "unknown",
            Some(viewer) if viewer == row.account_id => "automatic",
            Some(viewer) => {
                let follows = self.followed.contains(&row.account_id);
                if policy.allows(follows, mentions.contains(&viewer)) {
                    "automatic"
                } else {
                    "denied"
                }
            }
        };
        InteractionPolicy {
            can_reply: ReplyApproval {
                automatic_approval: automatic,
                manual_approval: Vec::new(),
                current_user,
            },
        }
    }
}
