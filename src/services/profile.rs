//! Profiles: a local user changing theirs (`PATCH /api/v1/accounts/update_credentials`),
//! which other servers learn through an `Update` of the actor, and a remote actor's
//! `Update` of itself received through the inbox.
//!
//! Who may see a profile and how it renders are not here (`api::entities::account`,
//! `federation::actors`); nor is sign-up (`auth::signup`).
//!
//! Specs: <https://docs.joinmastodon.org/methods/accounts/#update_credentials>,
//! <https://docs.joinmastodon.org/spec/activitypub/#profile>.

use serde_json::Value;
use sqlx::PgConnection;
use url::Url;

use crate::db::accounts::{self, AccountRow, ProfileImage, ProfileUpdate, StoredField};
use crate::db::featured_tags::{self, FeaturedTagRow};
use crate::db::follows;
use crate::db::users::{self, UserRow};
use crate::domain::text::{field_value_to_html, plain_to_html};
use crate::domain::{LanguageCode, Visibility};
use crate::error::check_length;
use crate::error::{ApiError, ApiResult};
use crate::federation::builders::profile::actor_update;
use crate::federation::{actors, outbound, resolve};
use crate::media::process::Processed;
use crate::media::spool::SpooledFile;
use crate::media::{upload, Kind};
use crate::services::custom_emojis;
use crate::state::AppState;
use crate::urls;

/// Mastodon's profile limits.
const MAX_DISPLAY_NAME: usize = 30;
const MAX_NOTE: usize = 500;
const MAX_FIELDS: usize = 4;
const MAX_FIELD_TEXT: usize = 255;

/// A local account with its user: what `verify_credentials` and `update_credentials`
/// show.
#[derive(Clone, Debug)]
pub struct OwnProfile {
    pub account: AccountRow,
    pub user: UserRow,
}

/// One profile field as submitted (plain text).
#[derive(Clone, Debug, Default)]
pub struct FieldInput {
    pub name: String,
    pub value: String,
}

/// A profile change; `None` keeps what is stored.
#[derive(Debug, Default)]
pub struct ProfileChanges {
    pub display_name: Option<String>,
    /// The biography as typed (plain text); stored with its HTML rendering.
    pub note: Option<String>,
    pub locked: Option<bool>,
    pub bot: Option<bool>,
    pub discoverable: Option<bool>,
    pub indexable: Option<bool>,
    pub hide_collections: Option<bool>,
    /// Replaces every field; blank ones (name and value) are dropped.
    pub fields: Option<Vec<FieldInput>>,
    /// Default visibility of new posts: `public`, `unlisted` or `private`.
    pub privacy: Option<String>,
    /// Whether new posts' media are sensitive by default.
    pub sensitive: Option<bool>,
    /// Default language of new posts (an ISO 639 code).
    pub language: Option<String>,
    /// Who may quote new posts by default: `public`, `followers` or `nobody`.
    pub quote_policy: Option<String>,
    /// Who may reply to new posts by default: `everyone`, `followers`, `mentioned` or
    /// `nobody`.
    pub reply_policy: Option<String>,
    /// New avatar and/or header, as uploaded.
    pub images: Vec<(ProfileImage, SpooledFile)>,
}

/// The signed-in user's own profile. Errors: `NotFound` when `account_id` has no user.
pub async fn own(state: &AppState, account_id: i64) -> ApiResult<OwnProfile> {
    let account = accounts::find_by_id(&state.db, account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let user = users::find_by_account_id(&state.db, account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(OwnProfile { account, user })
}

/// The signed-in user's profile with its featured hashtags: what `/api/v1/profile`
/// shows (Mastodon 4.6). Errors: `NotFound` when `account_id` has no user.
pub async fn with_featured_tags(
    state: &AppState,
    account_id: i64,
) -> ApiResult<(OwnProfile, Vec<FeaturedTagRow>)> {
    let own = own(state, account_id).await?;
    let featured = featured_tags::list(&state.db, account_id).await?;
    Ok((own, featured))
}

/// Changes the profile of the local account `account_id` and its posting defaults,
/// stores new avatar/header images (removing the files they replace), and queues an
/// `Update` of the actor to its followers' servers, all in one transaction. Errors:
/// `Validation` (lengths, fields, `source[privacy]`, `source[language]`, an image
/// that is not one), `NotFound` when the account has no user.
pub async fn update_credentials(
    state: &AppState,
    account_id: i64,
    changes: ProfileChanges,
) -> ApiResult<OwnProfile> {
    let images = process_images(state, changes.images).await?;
    check_length(
        "display_name",
        changes.display_name.as_deref(),
        MAX_DISPLAY_NAME,
    )?;
    check_length("note", changes.note.as_deref(), MAX_NOTE)?;
    let fields = changes.fields.map(validate_fields).transpose()?;
    let fields_changed = fields.is_some();
    validate_source(changes.privacy.as_deref(), changes.language.as_deref())?;
    let quote_policy = super::quotes::default_policy_change(changes.quote_policy.as_deref())?;
    let reply_policy =
        super::reply_controls::default_policy_change(changes.reply_policy.as_deref())?;
    let update = ProfileUpdate {
        note_html: changes.note.as_deref().map(plain_to_html),
        note_source: changes.note,
        display_name: changes.display_name,
        fields,
        locked: changes.locked,
        bot: changes.bot,
        discoverable: changes.discoverable,
        indexable: changes.indexable,
        hide_collections: changes.hide_collections,
    };
    let mut transaction = state.db.begin().await?;
    let replaced = store_images(state, &mut transaction, account_id, images).await?;
    let fields_before = match fields_changed {
        true => accounts::find_by_id(&mut *transaction, account_id).await?,
        false => None,
    };
    let mut account = accounts::update_profile(&mut *transaction, account_id, update)
        .await?
        .ok_or(ApiError::NotFound)?;
    if let Some(before) = fields_before {
        super::profile_links::settle_fields(&mut transaction, &before.fields.0, &mut account)
            .await?;
    }
    custom_emojis::link_local_profile(&mut transaction, &mut account).await?;
    let user = users::update_defaults(
        &mut *transaction,
        account_id,
        changes.privacy.as_deref().and_then(Visibility::parse),
        changes.sensitive,
        changes.language.as_deref().map(stored_language),
    )
    .await?
    .ok_or(ApiError::NotFound)?;
    if let Some(policy) = quote_policy {
        crate::db::quotes::set_default_policy(&mut *transaction, account_id, policy.as_str())
            .await?;
    }
    if let Some(policy) = reply_policy {
        crate::db::reply_controls::set_default_policy(
            &mut *transaction,
            account_id,
            policy.as_str(),
        )
        .await?;
    }
    queue_actor_update(state, &mut transaction, &account).await?;
    transaction.commit().await?;
    upload::remove_files(state, &replaced).await;
    Ok(OwnProfile { account, user })
}

/// Removes the avatar or header of the local account `account_id` (`DELETE
/// /api/v1/profile/avatar|header`): the account shows the placeholder again, its
/// followers' servers get an `Update` of the actor without the image, and the file is
/// deleted once that committed. Removing an image that is not there changes nothing
/// but still succeeds, as Mastodon. Errors: `NotFound` when the account has no user.
pub async fn remove_image(
    state: &AppState,
    account_id: i64,
    which: ProfileImage,
) -> ApiResult<OwnProfile> {
    let mut transaction = state.db.begin().await?;
    let replaced = accounts::set_profile_image(&mut *transaction, account_id, which, None).await?;
    let account = accounts::find_by_id(&mut *transaction, account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let user = users::find_by_account_id(&mut *transaction, account_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if replaced.is_some() {
        queue_actor_update(state, &mut transaction, &account).await?;
    }
    transaction.commit().await?;
    upload::remove_files(state, &replaced.into_iter().collect::<Vec<_>>()).await;
    Ok(OwnProfile { account, user })
}

/// Checks and processes the uploaded images (422 when one is not an acceptable image).
async fn process_images(
    state: &AppState,
    uploads: Vec<(ProfileImage, SpooledFile)>,
) -> ApiResult<Vec<(ProfileImage, Processed)>> {
    let mut images = Vec::new();
    for (which, file) in uploads {
        let processed = upload::process_upload(state, which.as_str(), file).await?;
        if processed.kind != Kind::Image {
            return Err(ApiError::validation(
                which.as_str(),
                "ERR_UNSUPPORTED",
                "Only images are accepted",
            ));
        }
        images.push((which, processed));
    }
    Ok(images)
}

/// Stores the processed images and points the account at them; returns the keys of
/// the files they replace, to remove once the transaction committed.
async fn store_images(
    state: &AppState,
    conn: &mut PgConnection,
    account_id: i64,
    images: Vec<(ProfileImage, Processed)>,
) -> ApiResult<Vec<String>> {
    let mut replaced = Vec::new();
    for (which, processed) in images {
        let key = upload::store_profile_image(state, account_id, which.as_str(), processed).await?;
        let old = accounts::set_profile_image(&mut *conn, account_id, which, Some(&key)).await?;
        replaced.extend(old);
    }
    Ok(replaced)
}

/// Drops fields whose name and value are both blank; bounds count and lengths.
fn validate_fields(fields: Vec<FieldInput>) -> ApiResult<Vec<StoredField>> {
    let fields: Vec<FieldInput> = fields
        .into_iter()
        .filter(|f| !f.name.trim().is_empty() || !f.value.trim().is_empty())
        .collect();
    if fields.len() > MAX_FIELDS {
        return Err(ApiError::validation(
            "fields",
            "ERR_TOO_LONG",
            format!("at most {MAX_FIELDS} fields"),
        ));
    }
    fields
        .into_iter()
        .map(|field| {
            check_length("fields", Some(&field.name), MAX_FIELD_TEXT)?;
            check_length("fields", Some(&field.value), MAX_FIELD_TEXT)?;
            Ok(StoredField {
                name: field.name.trim().to_owned(),
                value: field_value_to_html(&field.value),
                source: Some(field.value.trim().to_owned()),
                verified_at: None,
            })
        })
        .collect()
}

/// The posting defaults: a visibility a default may have, an ISO 639-1 language code
/// (or empty, which clears it).
fn validate_source(privacy: Option<&str>, language: Option<&str>) -> ApiResult<()> {
    if let Some(privacy) = privacy {
        if !Visibility::parse(privacy).is_some_and(|v| v != Visibility::Direct) {
            return Err(ApiError::validation(
                "source[privacy]",
                "ERR_INCLUSION",
                "Privacy is not included in the list",
            ));
        }
    }
    if let Some(language) = language.filter(|l| !l.trim().is_empty()) {
        if LanguageCode::parse(language).is_none() {
            return Err(ApiError::validation(
                "source[language]",
                "ERR_INVALID",
                "Language is not an ISO 639-1 code",
            ));
        }
    }
    Ok(())
}

/// A checked `source[language]` as stored: the code in lowercase, or `""` (cleared).
fn stored_language(language: &str) -> &'static str {
    LanguageCode::parse(language).map_or("", |code| code.as_str())
}

/// Queues an `Update` carrying the actor document of `account` as it now is to its
/// followers' inboxes, in the caller's transaction; nothing when it has no followers
/// elsewhere.
pub(crate) async fn queue_actor_update(
    state: &AppState,
    conn: &mut PgConnection,
    account: &AccountRow,
) -> ApiResult<()> {
    let inboxes: Vec<Url> = follows::follower_inboxes(&mut *conn, account.id)
        .await?
        .iter()
        .filter_map(|inbox| Url::parse(inbox).ok())
        .collect();
    if inboxes.is_empty() {
        return Ok(());
    }
    let document = actors::actor_document(state, account).await?;
    let activity_id =
        Url::parse(&urls::new_activity(&state.config)).map_err(anyhow::Error::from)?;
    let activity = actor_update(activity_id, document);
    let activity = serde_json::to_value(&activity).map_err(anyhow::Error::from)?;
    outbound::deliver(conn, &activity, account, &inboxes).await?;
    Ok(())
}

/// Applies a remote actor's `Update` of itself: `object` must be the document of
/// `sender` (same id, same origin); its profile, keys, avatar and header replace the
/// stored ones (and the custom emoji of its profile), exactly as a refetch of the actor
/// would. Returns the stored account.
/// Errors: `Forbidden` when the object is another actor, `Unprocessable` when it is
/// not a usable actor document.
pub async fn receive_actor_update(
    state: &AppState,
    sender: &AccountRow,
    object: &Value,
) -> ApiResult<AccountRow> {
    let sender_id = sender
        .ap_id
        .as_deref()
        .and_then(|id| Url::parse(id).ok())
        .ok_or_else(|| ApiError::Unprocessable("sender has no actor id".into()))?;
    if object["id"].as_str() != Some(sender_id.as_str()) {
        return Err(ApiError::Forbidden(
            "an actor may only update itself".into(),
        ));
    }
    let actor = resolve::remote_actor(object, &sender_id)
        .map_err(|error| ApiError::Unprocessable(error.to_string()))?;
    if actor.ap_id != sender_id.as_str() {
        return Err(ApiError::Forbidden("actor id mismatch".into()));
    }
    let account = resolve::store_actor(&state.db, &actor).await?;
    resolve::read_collections(state, &account, object).await;
    Ok(resolve::link_moved_to(state, account, actor.moved_to.as_deref()).await)
}
