//! Reply controls' values: who may reply to a status ([`ReplyPolicy`]). Its author always
//! may; the wire form is GoToSocial's `interactionPolicy.canReply`.
//! Spec: <https://docs.gotosocial.org/en/latest/federation/interaction_policy/>.

use serde::Serialize;

/// Who may reply to a status (besides its author).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReplyPolicy {
    /// Anyone who can see it.
    #[default]
    Everyone,
    /// The author's followers and the accounts it mentions.
    Followers,
    /// The accounts it mentions.
    Mentioned,
    /// The author alone.
    Nobody,
}

impl ReplyPolicy {
    /// The policy named `name` as the API and the database spell it.
    pub fn parse(name: &str) -> Option<ReplyPolicy> {
        match name {
            "everyone" | "public" => Some(ReplyPolicy::Everyone),
            "followers" => Some(ReplyPolicy::Followers),
            "mentioned" => Some(ReplyPolicy::Mentioned),
            "nobody" => Some(ReplyPolicy::Nobody),
            _ => None,
        }
    }

    /// Its name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyPolicy::Everyone => "everyone",
            ReplyPolicy::Followers => "followers",
            ReplyPolicy::Mentioned => "mentioned",
            ReplyPolicy::Nobody => "nobody",
        }
    }

    /// Whether someone other than the author may reply: `follows` whether they follow
    /// the author, `mentioned` whether the status mentions them.
    pub fn allows(self, follows: bool, mentioned: bool) -> bool {
        match self {
            ReplyPolicy::Everyone => true,
            ReplyPolicy::Followers => follows || mentioned,
            ReplyPolicy::Mentioned => mentioned,
            ReplyPolicy::Nobody => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ReplyPolicy;

    #[test]
    fn each_policy_allows_whom_it_names() {
        let cases = [(false, false), (true, false), (false, true)];
        let allowed = |policy: ReplyPolicy| cases.map(|(f, m)| policy.allows(f, m));
        assert_eq!(allowed(ReplyPolicy::Everyone), [true, true, true]);
        assert_eq!(allowed(ReplyPolicy::Followers), [false, true, true]);
        assert_eq!(allowed(ReplyPolicy::Mentioned), [false, false, true]);
        assert_eq!(allowed(ReplyPolicy::Nobody), [false, false, false]);
    }

    #[test]
    fn names_round_trip() {
        for name in ["everyone", "followers", "mentioned", "nobody"] {
            assert_eq!(
                ReplyPolicy::parse(name).map(ReplyPolicy::as_str),
                Some(name)
            );
        }
        assert_eq!(ReplyPolicy::parse("friends"), None);
    }
}
