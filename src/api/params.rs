//! Request parameters the way Mastodon reads them: from the query string merged with a
//! JSON, `application/x-www-form-urlencoded` or `multipart/form-data` body, with Rails'
//! nested keys (`fields_attributes[0][name]`, `types[]`). Mastodon.py sends forms,
//! masto.js sends JSON: both must work everywhere.
//!
//! Form values arrive as strings, so parameter structs use the lenient deserializers
//! here for booleans and lists. Text containing a NUL character is refused here, for
//! every endpoint at once (422; see [`crate::domain::nul`]).

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header::CONTENT_TYPE;
use serde::de::{self, DeserializeOwned, Deserializer};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::domain::nul::json_has_nul;
use crate::error::ApiError;
use crate::state::AppState;

/// Largest body the parameter extractor reads (uploads use their own limit).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// At most this many form pairs are read: a bound on work per request.
const MAX_PAIRS: usize = 1000;
/// At most this many bracket levels in one key.
const MAX_DEPTH: usize = 6;

/// Parameters of type `T` from the query string and body together (body wins).
#[derive(Debug)]
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, ApiError> {
        let (value, _) = read_params(request, MAX_BODY_BYTES, Files::Skip).await?;
        Ok(Params(deserialize(value)?))
    }
}

/// The parameters as `T`; text with a NUL character anywhere (a key or a value) is
/// refused before any handler sees it.
fn deserialize<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    if json_has_nul(&value) {
        return Err(ApiError::Unprocessable(
            "Invalid parameters: text must not contain NUL characters".into(),
        ));
    }
    T::deserialize(value)
        .map_err(|error| ApiError::Unprocessable(format!("Invalid parameters: {error}")))
}

/// A file part of a multipart body (`file`, `thumbnail`, `avatar`, `header`).
#[derive(Debug)]
pub struct FilePart {
    /// The form field's name.
    pub name: String,
    /// The content as sent; its type is decided from these bytes, never from the
    /// part's file name or Content-Type.
    pub bytes: bytes::Bytes,
}

/// Parameters as [`Params`] reads them, plus the file parts of a multipart body, for
/// the endpoints that take uploads. The body may be as large as two files of
/// `ROOST_MAX_UPLOAD_BYTES` plus 1 MiB of other fields (413 beyond that); each file's
/// own size is checked by the handler (422), as Mastodon does.
#[derive(Debug)]
pub struct ParamsWithFiles<T> {
    pub params: T,
    pub files: Vec<FilePart>,
}

impl<T> ParamsWithFiles<T> {
    /// Removes and returns the file sent as `name`, if any.
    pub fn take_file(&mut self, name: &str) -> Option<FilePart> {
        let index = self.files.iter().position(|file| file.name == name)?;
        Some(self.files.swap_remove(index))
    }
}

impl<T: DeserializeOwned> FromRequest<AppState> for ParamsWithFiles<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let max_file = usize::try_from(state.config.max_upload_bytes).unwrap_or(usize::MAX);
        let limit = max_file.saturating_mul(2).saturating_add(MAX_BODY_BYTES);
        let (value, files) = read_params(request, limit, Files::Keep).await?;
        Ok(ParamsWithFiles {
            params: deserialize(value)?,
            files,
        })
    }
}

/// Whether file parts of a multipart body are kept or skipped.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Files {
    Keep,
    Skip,
}

/// Reads query and body into one JSON object (and the file parts, if asked).
async fn read_params(
    request: Request,
    limit: usize,
    files: Files,
) -> Result<(Value, Vec<FilePart>), ApiError> {
    let (parts, body) = request.into_parts();
    let mut params = Value::Object(Map::new());
    if let Some(query) = parts.uri.query() {
        insert_pairs(
            &mut params,
            form_urlencoded::parse(query.as_bytes()).into_owned(),
        )?;
    }
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| ApiError::PayloadTooLarge)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok((params, Vec::new()));
    }
    let mut file_parts = Vec::new();
    if content_type.starts_with("multipart/form-data") {
        let request = Request::from_parts(parts, Body::from(bytes));
        let multipart = Multipart::from_request(request, &())
            .await
            .map_err(|error| ApiError::BadRequest(error.body_text()))?;
        let (pairs, found) = multipart_fields(multipart, files).await?;
        insert_pairs(&mut params, pairs)?;
        file_parts = found;
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        insert_pairs(&mut params, form_urlencoded::parse(&bytes).into_owned())?;
    } else {
        // JSON, also when the client forgot the Content-Type.
        let body: Value = serde_json::from_slice(&bytes)
            .map_err(|error| ApiError::BadRequest(format!("Invalid JSON body: {error}")))?;
        let Value::Object(fields) = body else {
            return Err(ApiError::BadRequest(
                "The JSON body must be an object".into(),
            ));
        };
        if let Value::Object(target) = &mut params {
            target.extend(fields);
        }
    }
    Ok((params, file_parts))
}

/// Names of multipart fields that are files even when sent without a file name.
const FILE_FIELDS: [&str; 4] = ["file", "thumbnail", "avatar", "header"];

/// The text fields of a multipart body, and its file fields when `files` says so (at
/// most one per file field name).
async fn multipart_fields(
    mut multipart: Multipart,
    files: Files,
) -> Result<(Vec<(String, String)>, Vec<FilePart>), ApiError> {
    let bad =
        |error: axum::extract::multipart::MultipartError| ApiError::BadRequest(error.body_text());
    let mut pairs = Vec::new();
    let mut file_parts: Vec<FilePart> = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        let Some(name) = field.name().map(str::to_owned) else {
            continue;
        };
        if field.file_name().is_some() || FILE_FIELDS.contains(&name.as_str()) {
            if files == Files::Keep && !file_parts.iter().any(|f| f.name == name) {
                let bytes = field.bytes().await.map_err(bad)?;
                file_parts.push(FilePart { name, bytes });
            }
            continue;
        }
        pairs.push((name, field.text().await.map_err(bad)?));
    }
    Ok((pairs, file_parts))
}

/// Inserts `key=value` pairs with Rails-style nesting into `target`.
fn insert_pairs(
    target: &mut Value,
    pairs: impl IntoIterator<Item = (String, String)>,
) -> Result<(), ApiError> {
    for (count, (key, value)) in pairs.into_iter().enumerate() {
        if count >= MAX_PAIRS {
            return Err(ApiError::BadRequest("Too many parameters".into()));
        }
        let path = split_key(&key)
            .ok_or_else(|| ApiError::BadRequest(format!("Malformed parameter name: {key}")))?;
        insert_at(target, &path, value);
    }
    Ok(())
}

/// `a[b][]` → `["a", "b", ""]`. `None` for unbalanced brackets or too deep keys.
fn split_key(key: &str) -> Option<Vec<&str>> {
    let (head, mut rest) = match key.find('[') {
        Some(index) => (&key[..index], &key[index..]),
        None => (key, ""),
    };
    let mut path = vec![head];
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[')?;
        let close = inner.find(']')?;
        path.push(&inner[..close]);
        rest = &inner[close + 1..];
    }
    (!head.is_empty() && path.len() <= MAX_DEPTH).then_some(path)
}

fn insert_at(target: &mut Value, path: &[&str], value: String) {
    let Some((segment, rest)) = path.split_first() else {
        *target = Value::String(value);
        return;
    };
    if segment.is_empty() {
        if !target.is_array() {
            *target = Value::Array(Vec::new());
        }
        if let Value::Array(items) = target {
            // `a[][name]=x&a[][name]=y` starts a new element when the key repeats.
            let start_new = rest.is_empty() || items.last().is_none_or(|last| has_path(last, rest));
            if start_new {
                items.push(Value::Null);
            }
            if let Some(last) = items.last_mut() {
                insert_at(last, rest, value);
            }
        }
        return;
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(map) = target {
        insert_at(
            map.entry(segment.to_string()).or_insert(Value::Null),
            rest,
            value,
        );
    }
}

fn has_path(value: &Value, path: &[&str]) -> bool {
    match path.split_first() {
        None => true,
        Some((segment, rest)) => value
            .get(segment)
            .is_some_and(|inner| has_path(inner, rest)),
    }
}

/// Deserializes a boolean from `true`/`false`, `"true"`/`"1"`/`"on"`/`"yes"` and their
/// opposites, or 0/1, as Rails does for form input.
pub fn lenient_bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    Ok(lenient_opt_bool(deserializer)?.unwrap_or(false))
}

/// Like [`lenient_bool`] but keeps "absent" (null) apart from `false`.
pub fn lenient_opt_bool<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<bool>, D::Error> {
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(Value::Number(n)) => Ok(Some(n.as_f64() != Some(0.0))),
        Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "on" | "yes" | "t" => Ok(Some(true)),
            "false" | "0" | "off" | "no" | "f" | "" => Ok(Some(false)),
            other => Err(de::Error::custom(format!(
                "expected a boolean, got {other:?}"
            ))),
        },
        Some(other) => Err(de::Error::custom(format!(
            "expected a boolean, got {other}"
        ))),
    }
}

/// Deserializes a list of strings from an array, a map of index → string (Rails forms),
/// or one string split on whitespace (as `redirect_uris` and `scopes` may come).
pub fn string_list<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<String>>, D::Error> {
    let value = Option::<Value>::deserialize(deserializer)?;
    let items: Vec<Value> = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => {
            return Ok(Some(s.split_whitespace().map(str::to_owned).collect()))
        }
        Some(Value::Array(items)) => items,
        Some(Value::Object(map)) => indexed_values(map),
        Some(other) => return Err(de::Error::custom(format!("expected a list, got {other}"))),
    };
    items
        .into_iter()
        .map(|item| match item {
            Value::String(s) => Ok(s),
            other => Err(de::Error::custom(format!("expected a string, got {other}"))),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// Deserializes a list of records from an array or a map of index → record
/// (`fields_attributes[0][name]=…`), in the order given.
pub fn record_list<'de, D, T>(deserializer: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let items = match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(Value::Object(map)) => indexed_values(map),
        Some(other) => return Err(de::Error::custom(format!("expected a list, got {other}"))),
    };
    items
        .into_iter()
        .map(|item| serde_json::from_value(item).map_err(de::Error::custom))
        .collect::<Result<Vec<T>, _>>()
        .map(Some)
}

/// Values of an index-keyed map in the order the client sent them: Mastodon keeps
/// that order, not the numeric one (serde_json's map preserves insertion order here).
fn indexed_values(map: Map<String, Value>) -> Vec<Value> {
    map.into_iter().map(|(_, value)| value).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(pairs: &[(&str, &str)]) -> Value {
        let mut value = Value::Object(Map::new());
        insert_pairs(
            &mut value,
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())),
        )
        .expect("parses");
        value
    }

    #[test]
    fn rails_nested_keys_become_json() {
        let value = parse(&[
            ("display_name", "Ann"),
            ("fields_attributes[0][name]", "Site"),
            ("fields_attributes[0][value]", "https://a.example"),
            ("fields_attributes[1][name]", "Pronouns"),
            ("types[]", "follow"),
            ("types[]", "mention"),
            ("source[privacy]", "unlisted"),
        ]);
        assert_eq!(value["display_name"], "Ann");
        assert_eq!(value["fields_attributes"]["1"]["name"], "Pronouns");
        assert_eq!(value["types"], json!(["follow", "mention"]));
        assert_eq!(value["source"]["privacy"], "unlisted");
    }

    #[test]
    fn arrays_of_records_start_a_new_record_when_a_key_repeats() {
        let value = parse(&[("a[][n]", "1"), ("a[][v]", "x"), ("a[][n]", "2")]);
        assert_eq!(value["a"], json!([{"n": "1", "v": "x"}, {"n": "2"}]));
    }

    #[test]
    fn malformed_and_too_deep_keys_are_rejected() {
        assert!(split_key("a[b").is_none());
        assert!(split_key("[a]").is_none());
        assert!(split_key("a[1][2][3][4][5][6]").is_none());
        assert_eq!(split_key("a[b][]"), Some(vec!["a", "b", ""]));
    }

    #[derive(Deserialize)]
    struct Flags {
        #[serde(default, deserialize_with = "lenient_opt_bool")]
        locked: Option<bool>,
        #[serde(default, deserialize_with = "string_list")]
        uris: Option<Vec<String>>,
    }

    #[test]
    fn lenient_deserializers_accept_form_strings_and_json_values() {
        let flags: Flags =
            serde_json::from_value(json!({"locked": "1", "uris": "a b"})).expect("ok");
        assert_eq!(flags.locked, Some(true));
        assert_eq!(flags.uris, Some(vec!["a".into(), "b".into()]));
        let flags: Flags =
            serde_json::from_value(json!({"locked": false, "uris": {"1": "b", "0": "a"}}))
                .expect("ok");
        assert_eq!(flags.locked, Some(false));
        assert_eq!(flags.uris, Some(vec!["b".into(), "a".into()]));
        assert!(serde_json::from_value::<Flags>(json!({"locked": "maybe"})).is_err());
        let flags: Flags = serde_json::from_value(json!({})).expect("ok");
        assert_eq!(flags.locked, None);
    }
}
