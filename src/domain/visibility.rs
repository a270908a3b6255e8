//! Who may see a status: Mastodon's four visibilities, stored in `statuses.visibility`
//! and `users.default_privacy` (TEXT, lowercase) and shown under the same names in the
//! client API. How a visibility is read from or written to ActivityPub addressing
//! (`to`/`cc`) is `federation::protocol::note::visibility`'s business, not this one's.
//!
//! Spec: <https://docs.joinmastodon.org/entities/Status/#visibility>.

use serde::{Deserialize, Serialize};

/// The audience of a status.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
#[sqlx(type_name = "TEXT", rename_all = "lowercase")]
pub enum Visibility {
    /// Anyone, and on public timelines.
    Public,
    /// Anyone, but kept off public timelines.
    Unlisted,
    /// The author's accepted followers and the mentioned accounts.
    Private,
    /// Only the mentioned accounts.
    Direct,
}

impl Visibility {
    /// Parses the API name (`public`, `unlisted`, `private`, `direct`); `None` for
    /// anything else.
    pub fn parse(name: &str) -> Option<Visibility> {
        match name {
            "public" => Some(Visibility::Public),
            "unlisted" => Some(Visibility::Unlisted),
            "private" => Some(Visibility::Private),
            "direct" => Some(Visibility::Direct),
            _ => None,
        }
    }

    /// The name in the API and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Unlisted => "unlisted",
            Visibility::Private => "private",
            Visibility::Direct => "direct",
        }
    }

    /// Whether anyone may see it (and boost it): public or unlisted.
    pub fn is_public_or_unlisted(self) -> bool {
        matches!(self, Visibility::Public | Visibility::Unlisted)
    }
}

#[cfg(test)]
mod tests {
    use super::Visibility;

    #[test]
    fn every_visibility_parses_back_from_its_name_and_serialises_to_it() {
        for visibility in [
            Visibility::Public,
            Visibility::Unlisted,
            Visibility::Private,
            Visibility::Direct,
        ] {
            assert_eq!(Visibility::parse(visibility.as_str()), Some(visibility));
            assert_eq!(
                serde_json::to_value(visibility).ok(),
                Some(serde_json::Value::from(visibility.as_str()))
            );
        }
        assert_eq!(Visibility::parse("limited"), None);
        assert_eq!(Visibility::parse("Public"), None);
    }
}
