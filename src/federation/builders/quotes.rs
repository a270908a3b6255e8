//! The quote parts of a local status's Note and the FEP-044f activities of quotes,
//! built from stored rows. Pure: no database, no AppState.
//!
//! - [`decorate`] adds `interactionPolicy.canQuote` (who may quote it) and, for a quote,
//!   `quote` with the `quoteUri`/`_misskey_quote` copies Mastodon sends for older
//!   servers, and `quoteAuthorization` once the quote is accepted.
//! - [`request`], [`authorization`], [`accept`] and [`revocation`]: the `QuoteRequest`
//!   to the quoted author, the stamp they serve, the `Accept` carrying it, and its
//!   `Delete` when revoked.
//!
//! Spec: <https://codeberg.org/fediverse/fep/src/branch/main/fep/044f/fep-044f.md>,
//! <https://docs.joinmastodon.org/spec/activitypub/#quote-posts>.

use serde_json::{json, Value};
use url::Url;

use super::answers::{self, Answer};
use crate::config::Config;
use crate::db::accounts::AccountRow;
use crate::db::quotes::QuoteRow;
use crate::domain::quotes::QuotePolicy;
use crate::domain::HttpUrl;
use crate::federation::protocol::interaction_policy::{
    quote_context, InteractionPolicy, QuoteAuthorization, QuoteRequest, Rule,
};
use crate::federation::protocol::note::Note;
use crate::urls;

/// Adds the quote properties of a local status by `author` with quote `policy` and the
/// `quote` it makes (if any) to its `note`.
pub fn decorate(
    config: &Config,
    note: &mut Note,
    author: &AccountRow,
    policy: QuotePolicy,
    quote: Option<&QuoteRow>,
) -> anyhow::Result<()> {
    let actor = urls::local_actor(config, &author.username);
    note.interaction_policy = Some(InteractionPolicy {
        can_quote: Some(Rule::for_quotes(policy, &actor.id, &actor.followers)),
        ..InteractionPolicy::default()
    });
    let Some(quote) = quote else {
        return Ok(());
    };
    let quoted = HttpUrl::parse(&quote.quoted_uri)?;
    note.quote = Some(quoted.clone());
    note.quote_uri = Some(quoted.clone());
    note.misskey_quote = Some(quoted);
    note.quote_authorization = match (&quote.authorization_uri, quote.state.as_str()) {
        (Some(stamp), "accepted") => Some(HttpUrl::parse(stamp)?),
        _ => None,
    };
    Ok(())
}

/// The `QuoteRequest` (fresh `id`) by local `author` asking approval of their status
/// `quoting` quoting `quoted`.
pub fn request(
    config: &Config,
    id: Url,
    author: &AccountRow,
    quoting: Url,
    quoted: Url,
) -> QuoteRequest {
    let actor = urls::local_actor(config, &author.username).id;
    QuoteRequest::new(id, actor, quoted, quoting)
}

/// The stamp `stamp` by local `author` approving `quoting` quoting `quoted`.
pub fn authorization(
    config: &Config,
    stamp: Url,
    author: &AccountRow,
    quoting: Url,
    quoted: Url,
) -> QuoteAuthorization {
    let actor = urls::local_actor(config, &author.username).id;
    QuoteAuthorization::new(stamp, actor, quoting, quoted)
}

/// The `Accept` (fresh `id`) by local `author` of `request` (the `QuoteRequest` as
/// received), with the stamp's URI as `result`, addressed to the requester.
pub fn accept(
    config: &Config,
    id: Url,
    author: &AccountRow,
    request: &QuoteRequest,
    stamp: &Url,
) -> Value {
    answers::accept(Answer {
        context: quote_context(),
        id,
        actor: urls::local_actor(config, &author.username).id,
        to: &request.actor,
        object: answers::embedded(request),
        target: None,
        result: Some(stamp),
    })
}

/// The `Delete` (fresh `id`) of stamp `stamp` by local `author`, revoking it, addressed
/// to the quoting author `to` (their actor URI).
pub fn revocation(config: &Config, id: Url, author: &AccountRow, stamp: &Url, to: &Url) -> Value {
    let actor = urls::local_actor(config, &author.username).id;
    json!({
        "@context": quote_context(),
        "id": id,
        "type": "Delete",
        "actor": actor,
        "to": [to],
        "object": { "id": stamp, "type": "QuoteAuthorization" },
    })
}

/// The `Reject` (fresh `id`) by local `author` of `request` (a `QuoteRequest` of a post
/// nobody may quote), addressed to the requester.
pub fn reject(config: &Config, id: Url, author: &AccountRow, request: &QuoteRequest) -> Value {
    answers::reject(Answer {
        context: quote_context(),
        id,
        actor: urls::local_actor(config, &author.username).id,
        to: &request.actor,
        object: json!(request.id),
        target: None,
        result: None,
    })
}
