-- Ed25519 key pairs of local actors (issue 19: RFC 9421 signatures and FEP-521a
-- `assertionMethod`), beside their RSA keys in `accounts`. Made on first use (the
-- actor document), so existing accounts need no backfill.
CREATE TABLE account_ed25519_keys (
    account_id            bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    private_key_pem       text NOT NULL,
    public_key_multibase  text NOT NULL,
    created_at            timestamptz NOT NULL DEFAULT now()
);
