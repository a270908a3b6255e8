//! Form bodies of the web pages. Every form carries `authenticity_token` (Mastodon's
//! name for the CSRF token); [`WebForm`] reads it beside the form's own fields, and
//! [`WebForm::checked`] refuses the form unless it is the visitor's token.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::state::AppState;
use crate::web::render::PageError;
use crate::web::session::Visitor;

/// A submitted `application/x-www-form-urlencoded` form and its CSRF token.
pub struct WebForm<T> {
    pub token: String,
    pub fields: T,
}

#[derive(Deserialize)]
struct TokenField {
    #[serde(default)]
    authenticity_token: String,
}

impl<T: DeserializeOwned> FromRequest<AppState> for WebForm<T> {
    type Rejection = PageError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, PageError> {
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|_| PageError::BadForm)?;
        let token: TokenField =
            serde_urlencoded::from_bytes(&body).map_err(|_| PageError::BadForm)?;
        let fields: T = serde_urlencoded::from_bytes(&body).map_err(|_| PageError::BadForm)?;
        Ok(WebForm {
            token: token.authenticity_token,
            fields,
        })
    }
}

impl<T> WebForm<T> {
    /// The fields, when the token is `visitor`'s; a CSRF failure otherwise.
    pub fn checked(self, visitor: &Visitor) -> Result<T, PageError> {
        if visitor.csrf_matches(&self.token) {
            Ok(self.fields)
        } else {
            Err(PageError::BadForm)
        }
    }
}
