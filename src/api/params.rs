//! Request parameters the way Mastodon reads them: from the query string merged with a
//! JSON, `application/x-www-form-urlencoded` or `multipart/form-data` body, with Rails'
//! nested keys (`fields_attributes[0][name]`, `types[]`). Mastodon.py sends forms,
//! masto.js sends JSON: both must work everywhere.
//!
//! Form values arrive as strings, so parameter structs use the lenient deserializers
//! here for booleans and lists. Text containing a NUL character is refused here, for
//! every endpoint at once (422; see [`crate::domain::nul`]).
//!
//! Multipart bodies are read as they arrive (see [`multipart`]): files are never held
//! whole in memory.

mod multipart;

use axum::extract::{FromRequest, Request};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::request::Parts;
use serde::de::{self, DeserializeOwned, Deserializer};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::domain::nul::json_has_nul;
use crate::error::ApiError;
use crate::media::spool::{SpoolSettings, SpooledFile};
use crate::state::AppState;
use multipart::Uploads;

/// Largest body the parameter extractor reads (uploads use their own limit), and
/// the most text a multipart body may carry besides its files.
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
        let (value, _) = read_params(request, MAX_BODY_BYTES, None).await?;
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

/// A file part of a multipart body, spooled to disk.
#[derive(Debug)]
pub struct FilePart {
    /// The form field's name, one of the endpoint's [`FileFields::FILES`].
    pub name: &'static str,
    /// The content as sent; its type is decided from these bytes, never from the
    /// part's file name or Content-Type.
    pub file: SpooledFile,
}

/// The parameters of an endpoint that takes uploads name the file fields it reads
/// (e.g. `file`); other file parts are skipped without being stored.
pub trait FileFields {
    /// The multipart field names read as files.
    const FILES: &'static [&'static str];
}

/// Parameters as [`Params`] reads them, plus the file parts of a multipart body, for
/// the endpoints that take uploads. The body may be as large as two files of
/// `ROOST_MAX_UPLOAD_BYTES` plus 1 MiB of other fields (413 beyond that). A file
/// passing `ROOST_MAX_UPLOAD_BYTES` is refused with 422 (as Mastodon does) as soon as
/// it does, without reading the rest into memory or onto disk.
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

impl<T: DeserializeOwned + FileFields> FromRequest<AppState> for ParamsWithFiles<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let spool = SpoolSettings::from_config(&state.config);
        let max_file = usize::try_from(spool.max_bytes).unwrap_or(usize::MAX);
        let limit = max_file.saturating_mul(2).saturating_add(MAX_BODY_BYTES);
        let uploads = Uploads {
            fields: T::FILES,
            spool,
        };
        let (value, files) = read_params(request, limit, Some(&uploads)).await?;
        Ok(ParamsWithFiles {
            params: deserialize(value)?,
            files,
        })
    }
}

/// Reads query and body into one JSON object (and the file parts of `uploads`, if
/// given). A multipart body is at most `limit` bytes, any other at most
/// [`MAX_BODY_BYTES`].
async fn read_params(
    request: Request,
    limit: usize,
    uploads: Option<&Uploads>,
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
    if declared_length(&parts) == Some(0) {
        return Ok((params, Vec::new()));
    }
    if content_type.starts_with("multipart/form-data") {
        let (pairs, files) = multipart::read_multipart(parts, body, limit, uploads).await?;
        insert_pairs(&mut params, pairs)?;
        return Ok((params, files));
    }
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| ApiError::PayloadTooLarge)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok((params, Vec::new()));
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
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
    Ok((params, Vec::new()))
}

/// The Content-Length the client declared, if any.
fn declared_length(parts: &Parts) -> Option<u64> {
    parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse().ok())
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

/// `id[]=…` of the endpoints that take a list of ids (`GET /api/v1/accounts`,
/// `/api/v1/statuses`, `/api/v1/accounts/relationships`, `…/familiar_followers`).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IdsQuery {
    #[serde(default, deserialize_with = "string_list")]
    #[param(value_type = Vec<String>)]
    pub id: Option<Vec<String>>,
}

impl IdsQuery {
    /// The distinct ids asked for, in order; ids that are not numbers name nothing and
    /// are dropped (as Mastodon's `to_i` makes them 0). More than `max` distinct ids is
    /// a 422, as Mastodon answers.
    pub fn ids(&self, max: usize) -> crate::error::ApiResult<Vec<i64>> {
        let mut ids: Vec<i64> = Vec::new();
        let given = self.id.as_deref().unwrap_or_default();
        for id in given
            .iter()
            .filter_map(|id| id.parse::<crate::domain::Id>().ok())
        {
            if !ids.contains(&id.0) {
                ids.push(id.0);
            }
            if ids.len() > max {
                return Err(crate::error::ApiError::Unprocessable(format!(
                    "At most {max} ids may be asked for at once"
                )));
            }
        }
        Ok(ids)
    }
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
