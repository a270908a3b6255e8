//! The keys a remote actor document publishes besides its main `publicKey`: further
//! `publicKey` entries (an array; Fedify lists an RSA and an Ed25519 key) and FEP-521a
//! Multikeys in `assertionMethod`. An RFC 9421 signature may name any of them as its
//! `keyid`, so they are stored with the actor (`db::actor_keys`).
//!
//! A key counts only when it says it belongs to the actor (`owner` / `controller` is
//! the actor's id), its id is on the actor's origin, and it parses. At most
//! [`MAX_KEYS`] are kept. Pure: no I/O.
//!
//! Spec: FEP-521a <https://codeberg.org/fediverse/fep/src/branch/main/fep/521a/fep-521a.md>.

use serde_json::Value;
use url::Url;

use super::protocol::actor::Actor;
use super::signatures::VerifyingKey;
use crate::db::actor_keys::{ActorKey, KeyFormat};

/// Most further keys kept per actor.
pub const MAX_KEYS: usize = 8;

/// The further keys of `actor` (parsed from `document`), main key excluded.
pub fn further_keys(document: &Value, actor: &Actor) -> Vec<ActorKey> {
    let main = actor.public_key.id.as_str();
    let pems = document["publicKey"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| pem_key(entry, &actor.id));
    let multikeys = actor.assertion_method.iter().filter_map(|key| {
        let usable = key.controller == actor.id
            && key.id.origin() == actor.id.origin()
            && VerifyingKey::from_multibase(&key.public_key_multibase).is_ok();
        usable.then(|| ActorKey {
            key_id: key.id.to_string(),
            format: KeyFormat::Multibase,
            public_key: key.public_key_multibase.clone(),
        })
    });
    let mut keys: Vec<ActorKey> = Vec::new();
    for key in pems.chain(multikeys) {
        if key.key_id != main && !keys.iter().any(|kept| kept.key_id == key.key_id) {
            keys.push(key);
        }
        if keys.len() == MAX_KEYS {
            break;
        }
    }
    keys
}

/// A `publicKey` array entry that belongs to `actor_id` and parses.
fn pem_key(entry: &Value, actor_id: &Url) -> Option<ActorKey> {
    let id = Url::parse(entry["id"].as_str()?).ok()?;
    let owner = entry["owner"].as_str()?;
    let pem = entry["publicKeyPem"].as_str()?;
    let usable = owner == actor_id.as_str()
        && id.origin() == actor_id.origin()
        && VerifyingKey::from_pem(pem).is_ok();
    usable.then(|| ActorKey {
        key_id: id.to_string(),
        format: KeyFormat::Pem,
        public_key: pem.to_owned(),
    })
}

/// The verifying key of a stored further key.
pub fn verifying_key(key: &ActorKey) -> Option<VerifyingKey> {
    match key.format {
        KeyFormat::Pem => VerifyingKey::from_pem(&key.public_key).ok(),
        KeyFormat::Multibase => VerifyingKey::from_multibase(&key.public_key).ok(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::federation::signatures::generate_ed25519_keypair;

    fn multibase() -> String {
        let pair = generate_ed25519_keypair().expect("key pair");
        let key = VerifyingKey::from_pem(&pair.public_pem).expect("parses");
        key.public_key_multibase()
            .expect("an Ed25519 key has a Multikey")
    }

    fn rsa_pem() -> String {
        crate::federation::signatures::generate_rsa_keypair()
            .expect("key pair")
            .public_pem
    }

    #[test]
    fn keys_listed_as_an_array_and_as_multikeys_are_kept_when_they_belong_to_the_actor() {
        let (main_pem, second_pem, ed) = (rsa_pem(), rsa_pem(), multibase());
        let actor_id = "https://fedify.example/users/alice";
        let document = json!({
            "id": actor_id, "type": "Person", "inbox": format!("{actor_id}/inbox"),
            "publicKey": [
                { "id": format!("{actor_id}#main-key"), "owner": actor_id, "publicKeyPem": main_pem },
                { "id": format!("{actor_id}#key-2"), "owner": actor_id, "publicKeyPem": second_pem },
                { "id": "https://elsewhere.example/k", "owner": actor_id, "publicKeyPem": second_pem },
                { "id": format!("{actor_id}#key-3"), "owner": "https://fedify.example/users/bob",
                  "publicKeyPem": second_pem },
                { "id": format!("{actor_id}#key-4"), "owner": actor_id, "publicKeyPem": "nonsense" },
            ],
            "assertionMethod": [
                { "id": format!("{actor_id}#ed"), "type": "Multikey", "controller": actor_id,
                  "publicKeyMultibase": ed },
                { "id": format!("{actor_id}#ed-bad"), "type": "Multikey", "controller": actor_id,
                  "publicKeyMultibase": "z-not-base58" },
                { "id": format!("{actor_id}#ed-other"), "type": "Multikey",
                  "controller": "https://fedify.example/users/bob", "publicKeyMultibase": ed },
            ],
        });
        let actor: Actor = serde_json::from_value(document.clone()).expect("parses");
        let keys = further_keys(&document, &actor);
        let ids: Vec<&str> = keys.iter().map(|key| key.key_id.as_str()).collect();
        assert_eq!(
            ids,
            [format!("{actor_id}#key-2"), format!("{actor_id}#ed")],
            "only the actor's own, parseable keys on its origin, the main key left out"
        );
        assert_eq!(keys[1].format, KeyFormat::Multibase);
        assert!(keys.iter().all(|key| verifying_key(key).is_some()));
    }

    #[test]
    fn a_fedify_actor_gives_its_ed25519_multikey_and_not_its_main_key_again() {
        let document: Value =
            serde_json::from_str(include_str!("../../tests/fixtures/fedify/person.json"))
                .expect("JSON");
        let actor: Actor = serde_json::from_value(document.clone()).expect("parses");
        let keys = further_keys(&document, &actor);
        assert_eq!(keys.len(), 1, "{keys:?}");
        assert_eq!(keys[0].key_id, "https://fedify.example/users/alice#key-2");
        let key = verifying_key(&keys[0]).expect("an Ed25519 Multikey");
        assert_eq!(
            key.key_type(),
            crate::federation::signatures::KeyType::Ed25519
        );
    }

    #[test]
    fn at_most_max_keys_are_kept() {
        let ed = multibase();
        let actor_id = "https://many.example/u/a";
        let methods: Vec<Value> = (0..50)
            .map(|n| {
                json!({ "id": format!("{actor_id}#k{n}"), "type": "Multikey",
                        "controller": actor_id, "publicKeyMultibase": ed })
            })
            .collect();
        let document = json!({
            "id": actor_id, "type": "Person", "inbox": format!("{actor_id}/inbox"),
            "publicKey": { "id": format!("{actor_id}#main-key"), "owner": actor_id,
                           "publicKeyPem": rsa_pem() },
            "assertionMethod": methods,
        });
        let actor: Actor = serde_json::from_value(document.clone()).expect("parses");
        assert_eq!(further_keys(&document, &actor).len(), MAX_KEYS);
    }
}
