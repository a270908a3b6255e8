//! Request extractors shared by every HTTP transport (the client API, federation
//! documents, web pages) beyond authentication (which lives in `auth::extractor`):
//! path parameters whose failure means "no such record". Here rather than under
//! `api/` so that transports need not import each other.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Path parameters, e.g. `Path<Id>` or `Path<(Id, Id)>`. Unlike axum's own `Path`, a
/// value that does not parse (`/api/v1/statuses/abc`) is Mastodon's 404 "Record not
/// found": no record can have that id, and a 400 would tell clients something else.
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Path(value))
            .map_err(|_| ApiError::NotFound)
    }
}
