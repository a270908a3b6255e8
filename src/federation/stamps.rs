//! Interaction stamps issued by other servers (FEP-044f's `QuoteAuthorization`,
//! GoToSocial's `ReplyAuthorization`): a post that quotes or replies under an
//! approval names the stamp, and the stamp is only believed once it is fetched from
//! the approving author's server and says what it is claimed to say. One rule for
//! every kind of stamp.
//!
//! Spec: <https://codeberg.org/fediverse/fep/src/branch/main/fep/044f/fep-044f.md>,
//! <https://docs.gotosocial.org/en/latest/federation/interaction_controls/>.

use url::Url;

use super::fetch;
use super::protocol::interaction_policy::InteractionAuthorization;
use crate::state::AppState;

/// What a stamp must approve.
#[derive(Clone, Copy, Debug)]
pub struct Claim<'a> {
    /// `QuoteAuthorization` or `ReplyAuthorization`.
    pub kind: &'a str,
    /// The approving author: the stamp's `attributedTo`, on whose origin it must be.
    pub author: &'a Url,
    /// The quote or the reply (`interactingObject`).
    pub interacting: &'a Url,
    /// The quoted post or the post replied to (`interactionTarget`).
    pub target: &'a Url,
}

/// Whether `stamp` dereferences, on the approving author's own origin and under the
/// id it was fetched at, to a stamp that approves `claim`. Any failure (unreachable,
/// malformed, another object) is a stamp that does not verify.
pub async fn verifies(state: &AppState, stamp: &Url, claim: Claim<'_>) -> bool {
    if stamp.origin() != claim.author.origin() {
        return false;
    }
    let Ok(document) = fetch::fetch_object(state, stamp).await else {
        return false;
    };
    let Ok(found) = serde_json::from_value::<InteractionAuthorization>(document) else {
        return false;
    };
    found.id == *stamp
        && found.authorizes(claim.kind, claim.author, claim.interacting, claim.target)
}
