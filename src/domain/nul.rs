//! NUL characters (U+0000) in text from outside. PostgreSQL stores none in `text` or
//! `jsonb` columns: one NUL fails the whole statement, which answered clients with a
//! 500 and made peers retry a poisoned activity for days. No person types one, so:
//!
//! - client input that contains one is refused with a 4xx, once, where parameters are
//!   read (`api::params`, and the request URI check in `input`);
//! - documents from other servers have theirs removed before anything reads or stores
//!   them (`federation::inbox`, `federation::fetch`): the rest of the activity is still
//!   worth processing.

use serde_json::Value;

/// Whether `text` contains a NUL character.
pub fn has_nul(text: &str) -> bool {
    text.contains('\0')
}

/// Whether any string in `value` (object keys included, at any depth) contains a NUL.
pub fn json_has_nul(value: &Value) -> bool {
    match value {
        Value::String(text) => has_nul(text),
        Value::Array(items) => items.iter().any(json_has_nul),
        Value::Object(map) => map
            .iter()
            .any(|(key, value)| has_nul(key) || json_has_nul(value)),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

/// Removes every NUL character from every string in `value`, object keys included, at
/// any depth. A key that becomes equal to another key replaces it (the later one wins,
/// as with a duplicate key in the JSON text).
pub fn strip_nul(value: &mut Value) {
    match value {
        Value::String(text) => {
            if has_nul(text) {
                text.retain(|character| character != '\0');
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nul),
        Value::Object(map) => {
            map.values_mut().for_each(strip_nul);
            if map.keys().any(|key| has_nul(key)) {
                let entries = std::mem::take(map);
                for (mut key, value) in entries {
                    key.retain(|character| character != '\0');
                    map.insert(key, value);
                }
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nul_is_found_in_nested_values_and_keys() {
        assert!(!json_has_nul(&json!({"a": ["b", {"c": 1}], "d": null})));
        assert!(json_has_nul(&json!({"a": ["b", {"c": "x\u{0}"}]})));
        assert!(json_has_nul(&json!({"a\u{0}": true})));
        assert!(json_has_nul(&json!(["\u{0}"])));
    }

    #[test]
    fn stripping_removes_every_nul_and_keeps_everything_else() {
        let mut activity: Value = serde_json::from_str(
            r##"{"type": "Create", "object": {"content": "a\u0000b\u0000",
                "tag": [{"name": "#x\u0000"}], "odd\u0000key": 1}, "n": 2}"##,
        )
        .expect("JSON");
        strip_nul(&mut activity);
        assert_eq!(
            activity,
            json!({"type": "Create", "object": {"content": "ab",
                "tag": [{"name": "#x"}], "oddkey": 1}, "n": 2})
        );
        assert!(!json_has_nul(&activity));
    }
}
