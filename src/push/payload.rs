//! The JSON inside a push message, shaped as Mastodon's (`Web::NotificationSerializer`):
//! clients show `title` and `body` at once and may fetch the notification by
//! `notification_id` with the `access_token` it carries.

use serde_json::{json, Value};

use crate::db::notifications::NotificationRow;
use crate::db::{accounts, oauth, push::SubscriptionRow, statuses, users};
use crate::domain::text::html_to_plain;
use crate::state::AppState;

/// Longest `body`, in characters (Mastodon truncates to 140 too).
const BODY_CHARS: usize = 140;

/// Builds the payload for `notification`, or `None` when it can no longer be sent
/// (the sender or the subscription's token is gone).
pub async fn build(
    state: &AppState,
    subscription: &SubscriptionRow,
    notification: &NotificationRow,
) -> anyhow::Result<Option<Value>> {
    let Some(token) =
        oauth::find_issued_access_token(&state.db, subscription.access_token_id).await?
    else {
        return Ok(None);
    };
    let Some(from) = accounts::find_by_id(&state.db, notification.from_account_id).await? else {
        return Ok(None);
    };
    let locale = users::find_by_account_id(&state.db, subscription.account_id)
        .await?
        .map_or_else(|| "en".to_owned(), |user| user.locale);
    let status = match notification.status_id {
        Some(id) => statuses::find_many(&state.db, &[id]).await?.pop(),
        None => None,
    };
    let body = match &status {
        Some(status) if !status.spoiler_text.is_empty() => status.spoiler_text.clone(),
        Some(status) => html_to_plain(&status.content),
        None if notification.r#type == "follow" => html_to_plain(&from.note),
        None => String::new(),
    };
    let name = if from.display_name.trim().is_empty() {
        from.username.clone()
    } else {
        from.display_name.clone()
    };
    Ok(Some(json!({
        "access_token": state.tokens.reissue(&token)?,
        "preferred_locale": locale,
        "notification_id": notification.id.to_string(),
        "notification_type": notification.r#type,
        "icon": crate::urls::avatar(&state.config, &from),
        "title": title(&notification.r#type, &name),
        "body": truncate(&body, BODY_CHARS),
    })))
}

/// The notification's headline, in Mastodon's English wording.
fn title(kind: &str, name: &str) -> String {
    match kind {
        "mention" => format!("You were mentioned by {name}"),
        "status" => format!("{name} just posted"),
        "reblog" => format!("{name} boosted your post"),
        "follow" => format!("{name} is now following you"),
        "follow_request" => format!("Pending follower: {name}"),
        "favourite" => format!("{name} favorited your post"),
        "update" => format!("{name} edited a post"),
        "move" => format!("{name} moved to a new account"),
        "admin.sign_up" => format!("{name} signed up"),
        "admin.report" => format!("{name} filed a report"),
        _ => format!("New notification from {name}"),
    }
}

/// At most `max` characters, with an ellipsis when cut.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_name_the_sender_like_mastodon() {
        assert_eq!(title("favourite", "Ann"), "Ann favorited your post");
        assert_eq!(title("follow", "Ann"), "Ann is now following you");
        assert_eq!(title("mention", "Ann"), "You were mentioned by Ann");
    }

    #[test]
    fn long_bodies_are_cut_with_an_ellipsis() {
        assert_eq!(truncate("short", 140), "short");
        let cut = truncate(&"é".repeat(200), 140);
        assert_eq!(cut.chars().count(), 140);
        assert!(cut.ends_with('…'));
    }
}
