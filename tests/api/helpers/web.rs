//! A browser-like HTTP client for the web pages without a browser: it keeps cookies,
//! does not follow redirects (tests look at them), and fills in the CSRF token of the
//! last page it read, as a form submitted from that page would carry it.

use std::collections::BTreeMap;

use reqwest::{Client, StatusCode};

use super::TestApp;

/// The `Accept` header Chromium sends when navigating.
pub const BROWSER_ACCEPT: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

/// A page as fetched.
pub struct Page {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    /// Where a redirect points, if it is one.
    pub fn location(&self) -> Option<&str> {
        self.headers.get("location").and_then(|v| v.to_str().ok())
    }

    /// The value of a response header.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// One visitor's browser (its own cookies).
pub struct WebClient<'a> {
    app: &'a TestApp,
    client: Client,
    cookies: BTreeMap<String, String>,
    token: String,
}

impl<'a> WebClient<'a> {
    pub fn new(app: &'a TestApp) -> WebClient<'a> {
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        WebClient {
            app,
            client,
            cookies: BTreeMap::new(),
            token: String::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn keep(&mut self, response: reqwest::Response) -> Page {
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap_or_default();
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() || text.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.expect("body");
        if let Some(token) = csrf_token(&body) {
            self.token = token;
        }
        Page {
            status,
            headers,
            body,
        }
    }

    /// `GET path` as a browser navigating.
    pub async fn get(&mut self, path: &str) -> Page {
        let response = self
            .client
            .get(self.app.url(path))
            .header("accept", BROWSER_ACCEPT)
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("sent");
        self.keep(response).await
    }

    /// Submits a form to `path` with the last page's CSRF token added.
    pub async fn submit(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        let token = self.token.clone();
        form.push(("authenticity_token", &token));
        self.post_raw(path, &form).await
    }

    /// Posts a form exactly as given (no token added).
    pub async fn post_raw(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let response = self
            .client
            .post(self.app.url(path))
            .header("accept", BROWSER_ACCEPT)
            .header("cookie", self.cookie_header())
            .header("referer", self.app.url("/home"))
            .form(form)
            .send()
            .await
            .expect("sent");
        self.keep(response).await
    }

    /// Posts a multipart form with the last page's CSRF token added.
    pub async fn submit_multipart(&mut self, path: &str, form: reqwest::multipart::Form) -> Page {
        let form = form.text("authenticity_token", self.token.clone());
        let response = self
            .client
            .post(self.app.url(path))
            .header("accept", BROWSER_ACCEPT)
            .header("cookie", self.cookie_header())
            .multipart(form)
            .send()
            .await
            .expect("sent");
        self.keep(response).await
    }

    /// Signs in through the form; returns the answer to the form post.
    pub async fn sign_in(&mut self, login: &str, password: &str) -> Page {
        self.get("/auth/sign_in").await;
        self.submit("/auth/sign_in", &[("login", login), ("password", password)])
            .await
    }

    /// Whether a session cookie is held.
    pub fn has_session(&self) -> bool {
        self.cookies.contains_key("roost_session")
    }

    /// The `Cookie` header this browser sends.
    pub fn cookies(&self) -> String {
        self.cookie_header()
    }
}

/// The CSRF token in a page's forms.
pub fn csrf_token(html: &str) -> Option<String> {
    let rest = html.split("name=\"authenticity_token\" value=\"").nth(1)?;
    Some(rest.split('"').next()?.to_owned())
}
