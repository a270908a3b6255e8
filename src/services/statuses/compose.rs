//! Turning what a local author typed into a status body: mentions resolved (local
//! accounts, known remote accounts, and unknown remote ones through WebFinger, a few at
//! most), HTML rendered as Mastodon renders it, hashtags collected, the custom emoji of
//! the text and content warning found. Posting and editing both compose; remote
//! statuses arrive as HTML and are never composed here.

use std::collections::HashMap;

use crate::db::accounts::{self, AccountRow};
use crate::db::custom_emojis::CustomEmojiRow;
use crate::domain::polls::ValidPoll;
use crate::domain::status_text::{self, MentionTarget};
use crate::federation::resolve;
use crate::state::AppState;
use crate::urls::Address;

/// Mentions resolved per status at most (the rest stay plain text).
const MAX_MENTIONS: usize = 30;
/// Unknown remote mentions looked up over the network per status at most.
const MAX_REMOTE_LOOKUPS: usize = 5;

/// A rendered status body.
#[derive(Debug)]
pub struct Composed {
    /// The HTML content.
    pub html: String,
    /// Accounts mentioned (they may see a direct status, and are notified later).
    pub mentioned: Vec<AccountRow>,
    /// Hashtags, lowercased, each once.
    pub tags: Vec<String>,
    /// The enabled local custom emoji the text, content warning and poll options use.
    pub emojis: Vec<CustomEmojiRow>,
}

/// Renders `text` (with content warning `spoiler_text` and `poll`) for posting. Network lookups
/// of unknown remote handles are bounded; a handle that cannot be resolved stays plain
/// text, as in Mastodon, and so does an unknown or disabled `:shortcode:`.
pub async fn compose(
    state: &AppState,
    text: &str,
    spoiler_text: &str,
    poll: Option<&ValidPoll>,
) -> sqlx::Result<Composed> {
    let mut found: HashMap<String, AccountRow> = HashMap::new();
    let mut lookups = 0;
    for mention in status_text::extract_mentions(text)
        .into_iter()
        .take(MAX_MENTIONS)
    {
        let domain = mention
            .domain
            .as_deref()
            .filter(|d| !d.eq_ignore_ascii_case(&state.config.domain));
        let known = accounts::find_visible_by_acct(&state.db, &mention.username, domain).await?;
        let account = match (known, domain) {
            (Some(account), _) => Some(account),
            (None, Some(domain)) if lookups < MAX_REMOTE_LOOKUPS => {
                lookups += 1;
                resolve::resolve_acct(state, &mention.username, domain)
                    .await
                    .ok()
            }
            _ => None,
        };
        if let Some(account) = account.filter(|a| a.suspended_at.is_none()) {
            found.insert(key(&mention.username, mention.domain.as_deref()), account);
        }
    }
    let parsed = status_text::render(text, &state.config.base_url(), |username, domain| {
        found.get(&key(username, domain)).map(|account| {
            let shown = Address::of(account, &state.config);
            MentionTarget {
                url: shown.url,
                acct: shown.acct,
            }
        })
    });
    let mut mentioned: Vec<AccountRow> = Vec::new();
    for mention in &parsed.mentions {
        if let Some(account) = found.get(&key(&mention.username, mention.domain.as_deref())) {
            if !mentioned.iter().any(|m| m.id == account.id) {
                mentioned.push(account.clone());
            }
        }
    }
    // As Mastodon: the emoji of the poll's options are the status's too.
    let options = poll.map_or(&[][..], |poll| poll.options.as_slice());
    let texts = [text, spoiler_text]
        .into_iter()
        .chain(options.iter().map(String::as_str));
    let emojis = crate::services::custom_emojis::local_used_in(&state.db, texts).await?;
    Ok(Composed {
        html: parsed.html,
        mentioned,
        tags: parsed.tags,
        emojis,
    })
}

fn key(username: &str, domain: Option<&str>) -> String {
    match domain {
        Some(domain) => format!("{}@{}", username.to_lowercase(), domain.to_lowercase()),
        None => username.to_lowercase(),
    }
}
