-- Issue 19, RFC 9421 wiring.
--
-- Keys a remote actor publishes besides its main `publicKey`: further `publicKey`
-- entries (PEM) and FEP-521a Multikeys in `assertionMethod` (multibase). An RFC 9421
-- signature names one of them as its `keyid` (Fedify signs with `…#key-2`, Roost with
-- `…#ed25519-key`). Replaced as a whole each time the actor document is stored.
CREATE TABLE remote_actor_keys (
    key_id      text PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    format      text NOT NULL CHECK (format IN ('pem', 'multibase')),
    public_key  text NOT NULL
);
CREATE INDEX remote_actor_keys_account ON remote_actor_keys (account_id);

-- Which signature scheme a domain accepted last (double-knocking: RFC 9421 first,
-- draft-cavage after a 400/401/403), so later deliveries knock once.
CREATE TABLE domain_signature_schemes (
    domain      text PRIMARY KEY,
    scheme      text NOT NULL CHECK (scheme IN ('rfc9421-ed25519', 'rfc9421-rsa', 'cavage')),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
