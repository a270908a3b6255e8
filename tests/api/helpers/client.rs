//! A typed client for tests: requests made as one user, answers decoded into the
//! test-side [`entities`], refusals into an [`ApiError`] with the status and
//! Mastodon's `error` string.
//!
//! ```ignore
//! let app = TestApp::spawn(db).await;
//! let alice = app.sign_up("alice").await;
//! let bob = app.sign_up("bob").await;
//!
//! let hello = app.as_(&alice).post_status("hello").await.expect("alice posts");
//! let follow = app.as_(&bob).follow(&alice).await.expect("bob follows alice");
//! assert!(follow.following);
//! let liked = app.as_(&bob).favourite(&hello).await.expect("bob likes it");
//! assert_eq!(liked.favourites_count, 1);
//! assert_eq!(kinds(&app.as_(&alice).notifications().await.expect("read")), ["favourite", "follow"]);
//!
//! let refused = app.as_(&bob).delete_status(&hello).await.expect_err("not bob's");
//! assert_eq!(refused.status, 404);
//! assert_eq!(refused.error, "Record not found");
//! ```
//!
//! - [`TestApp::as_`] acts as a signed-up [`TestUser`]; [`TestApp::with_token`] with any
//!   bearer token (a staff token from `helpers::staff`, a narrow-scope token);
//!   [`TestApp::anonymous`] with none.
//! - Every call answers `Result<T, ApiError>`: `Ok` only for `200 OK`, so a test that
//!   `expect`s success asserts exactly what `expect_json(…, 200)` did. Any other status
//!   is an `Err`, and must carry a non-empty `error` string (as `expect_error` checks),
//!   or the test panics with the body.
//! - Accounts are named by anything [`AccountId`] (a `TestUser`, an `Account`, an id
//!   string such as a remote account's id on this instance); statuses by [`StatusId`].
//! - For an endpoint without a method here, [`As::get`], [`As::post`] and friends
//!   decode into any `Deserialize` type (`serde_json::Value` for raw JSON), and
//!   [`As::request`] gives the authenticated `RequestBuilder` itself.
//!
//! New tests use this client; older tests still use the untyped helpers
//! (`expect_json`, `call`, `read`) and move over when they are next touched.

pub mod entities;

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{TestApp, TestUser};
use entities::{Account, Notification, Relationship, Status};

/// A refusal: any answer but `200 OK`, with Mastodon's error body.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    /// The `error` string, never empty.
    pub error: String,
    /// The whole body, for assertions on other fields.
    pub body: Value,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.status, self.error)
    }
}

/// What the typed client answers.
pub type ApiResult<T> = Result<T, ApiError>;

/// Names an account by its id on the instance under test.
pub trait AccountId {
    fn account_id(&self) -> &str;
}

impl AccountId for TestUser {
    fn account_id(&self) -> &str {
        &self.account_id
    }
}

impl AccountId for Account {
    fn account_id(&self) -> &str {
        &self.id
    }
}

impl AccountId for str {
    fn account_id(&self) -> &str {
        self
    }
}

impl AccountId for String {
    fn account_id(&self) -> &str {
        self
    }
}

/// Names a status by its id on the instance under test.
pub trait StatusId {
    fn status_id(&self) -> &str;
}

impl StatusId for Status {
    fn status_id(&self) -> &str {
        &self.id
    }
}

impl StatusId for str {
    fn status_id(&self) -> &str {
        self
    }
}

impl StatusId for String {
    fn status_id(&self) -> &str {
        self
    }
}

impl TestApp {
    /// The typed client acting as `user` (their registration token).
    pub fn as_<'a>(&'a self, user: &'a TestUser) -> As<'a> {
        self.with_token(&user.access_token)
    }

    /// The typed client sending `token` as its bearer token.
    pub fn with_token<'a>(&'a self, token: &'a str) -> As<'a> {
        As {
            app: self,
            token: Some(token),
        }
    }

    /// The typed client without a token: what a logged-out reader sees.
    pub fn anonymous(&self) -> As<'_> {
        As {
            app: self,
            token: None,
        }
    }
}

/// Requests to one [`TestApp`] as one user (or nobody); made by [`TestApp::as_`].
#[derive(Clone, Copy)]
pub struct As<'a> {
    app: &'a TestApp,
    token: Option<&'a str>,
}

impl As<'_> {
    /// A request to `path` with this client's token, for anything the typed calls
    /// do not cover (headers, multipart, raw status codes).
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let request = self.app.client.request(method, self.app.url(path));
        match self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// GET `path` (query string included).
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> ApiResult<T> {
        decode(self.request(Method::GET, path).send().await).await
    }

    /// POST `path` with `form` as an urlencoded body.
    pub async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        form: &[(&str, &str)],
    ) -> ApiResult<T> {
        decode(self.request(Method::POST, path).form(form).send().await).await
    }

    /// PUT `path` with `form` as an urlencoded body.
    pub async fn put<T: DeserializeOwned>(
        &self,
        path: &str,
        form: &[(&str, &str)],
    ) -> ApiResult<T> {
        decode(self.request(Method::PUT, path).form(form).send().await).await
    }

    /// PATCH `path` with `form` as an urlencoded body.
    pub async fn patch<T: DeserializeOwned>(
        &self,
        path: &str,
        form: &[(&str, &str)],
    ) -> ApiResult<T> {
        decode(self.request(Method::PATCH, path).form(form).send().await).await
    }

    /// DELETE `path`.
    pub async fn delete<T: DeserializeOwned>(&self, path: &str) -> ApiResult<T> {
        decode(self.request(Method::DELETE, path).send().await).await
    }

    /// Posts a public status with `text`.
    pub async fn post_status(&self, text: &str) -> ApiResult<Status> {
        self.post_status_with(&[("status", text)]).await
    }

    /// Posts a status with Mastodon's form parameters (`status`, `visibility`,
    /// `in_reply_to_id`, `spoiler_text`, `media_ids[]`…).
    pub async fn post_status_with(&self, form: &[(&str, &str)]) -> ApiResult<Status> {
        self.post("/api/v1/statuses", form).await
    }

    /// Replies to `parent` with `text`.
    pub async fn reply(&self, parent: &(impl StatusId + ?Sized), text: &str) -> ApiResult<Status> {
        let form = [("status", text), ("in_reply_to_id", parent.status_id())];
        self.post_status_with(&form).await
    }

    /// Reads one status.
    pub async fn status(&self, status: &(impl StatusId + ?Sized)) -> ApiResult<Status> {
        self.get(&status_path(status, "")).await
    }

    /// Replaces a status's text (an edit).
    pub async fn edit_status(
        &self,
        status: &(impl StatusId + ?Sized),
        text: &str,
    ) -> ApiResult<Status> {
        self.put(&status_path(status, ""), &[("status", text)])
            .await
    }

    /// Deletes a status; the answer carries its source `text`.
    pub async fn delete_status(&self, status: &(impl StatusId + ?Sized)) -> ApiResult<Status> {
        self.delete(&status_path(status, "")).await
    }

    /// Favourites a status; answers the status.
    pub async fn favourite(&self, status: &(impl StatusId + ?Sized)) -> ApiResult<Status> {
        self.post(&status_path(status, "/favourite"), &[]).await
    }

    /// Takes a favourite back; answers the status.
    pub async fn unfavourite(&self, status: &(impl StatusId + ?Sized)) -> ApiResult<Status> {
        self.post(&status_path(status, "/unfavourite"), &[]).await
    }

    /// Boosts a status; answers the boost, whose `reblog` is the original.
    pub async fn reblog(&self, status: &(impl StatusId + ?Sized)) -> ApiResult<Status> {
        self.post(&status_path(status, "/reblog"), &[]).await
    }

    /// Takes a boost back; answers the original.
    pub async fn unreblog(&self, status: &(impl StatusId + ?Sized)) -> ApiResult<Status> {
        self.post(&status_path(status, "/unreblog"), &[]).await
    }

    /// Bookmarks a status; answers the status.
    pub async fn bookmark(&self, status: &(impl StatusId + ?Sized)) -> ApiResult<Status> {
        self.post(&status_path(status, "/bookmark"), &[]).await
    }

    /// Reads an account.
    pub async fn account(&self, account: &(impl AccountId + ?Sized)) -> ApiResult<Account> {
        self.get(&account_path(account, "")).await
    }

    /// The signed-in account (`verify_credentials`).
    pub async fn me(&self) -> ApiResult<Account> {
        self.get("/api/v1/accounts/verify_credentials").await
    }

    /// Follows an account (or asks to, if it is locked).
    pub async fn follow(&self, account: &(impl AccountId + ?Sized)) -> ApiResult<Relationship> {
        self.follow_with(account, &[]).await
    }

    /// Follows an account with Mastodon's options (`reblogs`, `notify`, `languages[]`).
    pub async fn follow_with(
        &self,
        account: &(impl AccountId + ?Sized),
        form: &[(&str, &str)],
    ) -> ApiResult<Relationship> {
        self.post(&account_path(account, "/follow"), form).await
    }

    /// Stops following an account (or withdraws the request).
    pub async fn unfollow(&self, account: &(impl AccountId + ?Sized)) -> ApiResult<Relationship> {
        self.post(&account_path(account, "/unfollow"), &[]).await
    }

    /// Blocks an account.
    pub async fn block(&self, account: &(impl AccountId + ?Sized)) -> ApiResult<Relationship> {
        self.post(&account_path(account, "/block"), &[]).await
    }

    /// Lifts a block.
    pub async fn unblock(&self, account: &(impl AccountId + ?Sized)) -> ApiResult<Relationship> {
        self.post(&account_path(account, "/unblock"), &[]).await
    }

    /// Mutes an account (notifications included).
    pub async fn mute(&self, account: &(impl AccountId + ?Sized)) -> ApiResult<Relationship> {
        self.post(&account_path(account, "/mute"), &[]).await
    }

    /// Accepts `account`'s request to follow the signed-in user.
    pub async fn authorize_follow_request(
        &self,
        account: &(impl AccountId + ?Sized),
    ) -> ApiResult<Relationship> {
        let path = format!("/api/v1/follow_requests/{}/authorize", account.account_id());
        self.post(&path, &[]).await
    }

    /// How the signed-in user and `account` relate.
    pub async fn relationship(
        &self,
        account: &(impl AccountId + ?Sized),
    ) -> ApiResult<Relationship> {
        let path = format!(
            "/api/v1/accounts/relationships?id[]={}",
            account.account_id()
        );
        let mut found: Vec<Relationship> = self.get(&path).await?;
        assert_eq!(found.len(), 1, "one relationship per id asked");
        Ok(found.remove(0))
    }

    /// The first page of the home timeline.
    pub async fn home(&self) -> ApiResult<Vec<Status>> {
        self.get("/api/v1/timelines/home").await
    }

    /// The first page of an account's statuses, as the signed-in user may see them.
    pub async fn account_statuses(
        &self,
        account: &(impl AccountId + ?Sized),
    ) -> ApiResult<Vec<Status>> {
        self.get(&account_path(account, "/statuses")).await
    }

    /// The first page of the public timeline.
    pub async fn public(&self) -> ApiResult<Vec<Status>> {
        self.get("/api/v1/timelines/public").await
    }

    /// The first page of notifications.
    pub async fn notifications(&self) -> ApiResult<Vec<Notification>> {
        self.get("/api/v1/notifications").await
    }

    /// Notifications filtered by Mastodon's query parameters (`types[]`, `max_id`…).
    pub async fn notifications_where(
        &self,
        query: &[(&str, &str)],
    ) -> ApiResult<Vec<Notification>> {
        let request = self
            .request(Method::GET, "/api/v1/notifications")
            .query(query);
        decode(request.send().await).await
    }
}

/// `/api/v1/statuses/{id}{action}`.
fn status_path(status: &(impl StatusId + ?Sized), action: &str) -> String {
    format!("/api/v1/statuses/{}{action}", status.status_id())
}

/// `/api/v1/accounts/{id}{action}`.
fn account_path(account: &(impl AccountId + ?Sized), action: &str) -> String {
    format!("/api/v1/accounts/{}{action}", account.account_id())
}

/// `200 OK` decodes into `T`; anything else is an [`ApiError`]. Panics (failing the
/// test with the body) when a 200 does not fit `T` or a refusal lacks its `error`.
async fn decode<T: DeserializeOwned>(response: reqwest::Result<Response>) -> ApiResult<T> {
    let response = response.expect("request sent");
    let status = response.status();
    let text = response.text().await.expect("body read");
    if status == StatusCode::OK {
        let decoded = serde_json::from_str(&text);
        return Ok(decoded.unwrap_or_else(|error| {
            let wanted = std::any::type_name::<T>();
            panic!("the answer is no {wanted}: {error}; body: {text}")
        }));
    }
    let body: Value = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("the {status} answer is not JSON: {text}"));
    let error = match body["error"].as_str() {
        Some(error) if !error.is_empty() => error.to_owned(),
        _ => panic!("the {status} answer lacks `error`: {body}"),
    };
    Err(ApiError {
        status,
        error,
        body,
    })
}
