//! `GET /users/:name/collections/endorsements`: the accounts a local actor endorses
//! (features on its profile), as an `OrderedCollection` of actor ids listed inline,
//! newest endorsement first, suspended accounts left out. The actor names it in its
//! `endorsements` property (`toot:endorsements`); see docs/federation.md.

use axum::extract::{Path, State};
use axum::response::Response;
use url::Url;

use super::{activity_json, local_account};
use crate::db::Page;
use crate::error::ApiResult;
use crate::federation::protocol::collection::OrderedCollection;
use crate::federation::protocol::{EmbeddedObject, ObjectRef};
use crate::services::account_notes::{self, MAX_ENDORSEMENTS};
use crate::state::AppState;
use crate::urls;

/// The collection of the accounts `name` endorses.
pub async fn endorsements(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    let account = local_account(&state, &name).await?;
    let id = urls::local_actor(&state.config, &account.username).endorsements;
    let page = Page {
        max_id: None,
        since_id: None,
        min_id: None,
        limit: MAX_ENDORSEMENTS,
    };
    let (endorsed, _) = account_notes::endorsed(&state, account.id, &page).await?;
    let items = endorsed
        .iter()
        .filter_map(|row| Url::parse(&urls::account_ap_id(&state.config, row)).ok())
        .map(ObjectRef::Uri)
        .collect();
    let collection: OrderedCollection<EmbeddedObject> = OrderedCollection::with_items(id, items);
    Ok(activity_json(&collection))
}
