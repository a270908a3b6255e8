//! The plain HTML pages a browser gets at a local actor's or post's URL: enough to see
//! who or what it is and to find the ActivityStreams document (`rel="alternate"`). The
//! same URLs answer ActivityStreams JSON to servers (see `federation::actors`), so
//! every page varies on `Accept`.
//!
//! Stored HTML (a bio, a post's content) is sanitised when written and inserted as is;
//! every other value is escaped here.

use axum::http::header::VARY;
use axum::response::{Html, IntoResponse, Response};

use crate::config::Config;
use crate::db::accounts::AccountRow;
use crate::db::statuses::StatusRow;
use crate::domain::text::escape_html;
use crate::urls;

/// A local account's profile page: name, handle, bio and follow counts.
pub fn profile(config: &Config, account: &AccountRow) -> Response {
    let name = if account.display_name.is_empty() {
        &account.username
    } else {
        &account.display_name
    };
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <link rel=\"alternate\" type=\"application/activity+json\" href=\"{actor}\"></head>\
         <body><h1>{title}</h1><p>@{user}@{domain}</p><div>{note}</div>\
         <p>{followers} followers · {following} following</p></body></html>",
        title = escape_html(name),
        actor = escape_html(&urls::actor(config, &account.username)),
        user = escape_html(&account.username),
        domain = escape_html(&config.domain),
        note = account.note,
        followers = account.followers_count,
        following = account.following_count,
    );
    ([(VARY, "Accept")], Html(html)).into_response()
}

/// A local post's page: its author's username and its content.
pub fn status(author: &AccountRow, status: &StatusRow) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{name}</title></head>\
         <body><article><h1>{name}</h1>{content}</article></body></html>",
        name = escape_html(&author.username),
        content = status.content,
    );
    ([(VARY, "Accept")], Html(html)).into_response()
}
