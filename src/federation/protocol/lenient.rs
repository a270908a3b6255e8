//! Forgiving field readers for the wire types: each one accepts the inconsistent forms
//! real servers send for a property (a value or an array, `null` for absent, a compacted
//! IRI, one bad element among good ones) and keeps what it can use instead of failing the
//! whole document. Used through `#[serde(default, deserialize_with = "...")]`.
//!
//! These never make a *required* field optional: a document without an `id` or an
//! `inbox` still fails to parse, which is what callers want.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use url::Url;

use super::{is_public, public_url, ObjectRef, OneOrMany};
use crate::domain::HttpUrl;

/// Reads a field whose `null` means "absent": `null` becomes `T::default()`.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Reads an optional single value: from a value, or the first element of an array that
/// parses. `null`, an empty array or a value that does not parse as `T` become `None`.
pub(crate) fn first_valid<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(match Value::deserialize(deserializer)? {
        Value::Array(items) => items.into_iter().find_map(parse),
        other => parse(other),
    })
}

/// Reads a value-or-array field into a `Vec`, skipping `null` and every element that
/// does not parse as `T` (an `IdentityProof` among `PropertyValue`s, an odd tag).
pub(crate) fn valid_items<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(match Value::deserialize(deserializer)? {
        Value::Array(items) => items.into_iter().filter_map(parse).collect(),
        other => parse(other).into_iter().collect(),
    })
}

/// Reads an optional value-or-array field, keeping its form: an array keeps the
/// elements that parse as `T` (`None` if none do), a single value that does not parse
/// becomes `None`.
pub(crate) fn one_or_many_valid<'de, D, T>(
    deserializer: D,
) -> Result<Option<OneOrMany<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(match Value::deserialize(deserializer)? {
        Value::Array(items) => {
            let items: Vec<T> = items.into_iter().filter_map(parse).collect();
            (!items.is_empty()).then_some(OneOrMany::Many(items))
        }
        other => parse(other).map(OneOrMany::One),
    })
}

/// Reads a reference to another object that clients may follow (`inReplyTo`) like
/// [`first_valid`], and drops it unless its id is an [`HttpUrl`].
pub(crate) fn http_reference<'de, D>(deserializer: D) -> Result<Option<ObjectRef>, D::Error>
where
    D: Deserializer<'de>,
{
    let reference: Option<ObjectRef> = first_valid(deserializer)?;
    Ok(reference.filter(|reference| HttpUrl::from_url(reference.id().clone()).is_ok()))
}

/// Reads an addressing field (`to`, `cc`): a URI or an array of them. The compacted
/// public spellings (`as:Public`, `Public`) become the full [`super::PUBLIC`] URL, embedded
/// objects count by their `id`, and entries that are not URLs are dropped (they cannot
/// address anyone).
pub(crate) fn audience<'de, D>(deserializer: D) -> Result<Vec<Url>, D::Error>
where
    D: Deserializer<'de>,
{
    let items = match Value::deserialize(deserializer)? {
        Value::Array(items) => items,
        Value::Null => Vec::new(),
        other => vec![other],
    };
    Ok(items.iter().filter_map(audience_entry).collect())
}

fn audience_entry(value: &Value) -> Option<Url> {
    let uri = super::raw::object_id(value)?;
    if is_public(uri) {
        Some(public_url())
    } else {
        Url::parse(uri).ok()
    }
}

/// Reads a required field that some servers send as an array (a `publicKey` list): a
/// value, or the first element of a non-empty array. Anything else is an error.
pub(crate) fn first_of<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    OneOrMany::<T>::deserialize(deserializer)?
        .into_vec()
        .into_iter()
        .next()
        .ok_or_else(|| D::Error::custom("expected a value, found an empty array"))
}

fn parse<T: DeserializeOwned>(value: Value) -> Option<T> {
    if value.is_null() {
        return None;
    }
    serde_json::from_value(value).ok()
}
