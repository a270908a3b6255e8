//! Quote posts' values: who may quote a status ([`QuotePolicy`], Mastodon 4.5's
//! `quote_approval_policy`) and where a quote stands ([`QuoteState`]).
//! Spec: <https://docs.joinmastodon.org/entities/Status/#quote_approval>,
//! <https://docs.joinmastodon.org/entities/Quote/>.

use serde::Serialize;

/// Who may quote a status and have the quote accepted at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum QuotePolicy {
    /// Anyone.
    Public,
    /// The author's followers (and the author).
    Followers,
    /// The author alone.
    Nobody,
}

impl QuotePolicy {
    /// The policy named `name` as the API and the database spell it.
    pub fn parse(name: &str) -> Option<QuotePolicy> {
        match name {
            "public" => Some(QuotePolicy::Public),
            "followers" => Some(QuotePolicy::Followers),
            "nobody" => Some(QuotePolicy::Nobody),
            _ => None,
        }
    }

    /// Its name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            QuotePolicy::Public => "public",
            QuotePolicy::Followers => "followers",
            QuotePolicy::Nobody => "nobody",
        }
    }

    /// Whether a quote by someone other than the author is accepted at once;
    /// `follows`: whether the quoter follows the author.
    pub fn approves(self, follows: bool) -> bool {
        match self {
            QuotePolicy::Public => true,
            QuotePolicy::Followers => follows,
            QuotePolicy::Nobody => false,
        }
    }
}

/// Where a quote stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum QuoteState {
    /// Asked for, not answered yet.
    Pending,
    /// Authorized by the quoted author (or their policy).
    Accepted,
    /// Refused.
    Rejected,
    /// Authorized, then withdrawn by the quoted author.
    Revoked,
    /// The quoted status is gone.
    Deleted,
}

impl QuoteState {
    /// The state named `name` in the database; unknown names read as pending.
    pub fn parse(name: &str) -> QuoteState {
        match name {
            "accepted" => QuoteState::Accepted,
            "rejected" => QuoteState::Rejected,
            "revoked" => QuoteState::Revoked,
            "deleted" => QuoteState::Deleted,
            _ => QuoteState::Pending,
        }
    }

    /// Its name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            QuoteState::Pending => "pending",
            QuoteState::Accepted => "accepted",
            QuoteState::Rejected => "rejected",
            QuoteState::Revoked => "revoked",
            QuoteState::Deleted => "deleted",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_round_trip_and_approve_as_mastodon() {
        for name in ["public", "followers", "nobody"] {
            assert_eq!(
                QuotePolicy::parse(name).map(QuotePolicy::as_str),
                Some(name)
            );
        }
        assert_eq!(QuotePolicy::parse("everyone"), None);
        assert!(QuotePolicy::Public.approves(false));
        assert!(!QuotePolicy::Followers.approves(false));
        assert!(QuotePolicy::Followers.approves(true));
        assert!(!QuotePolicy::Nobody.approves(true));
    }
}
