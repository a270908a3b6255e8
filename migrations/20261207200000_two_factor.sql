-- Two-factor sign-in with TOTP (RFC 6238): one row per user who set it up
-- (`services::two_factor`). The secret is sealed with AES-256-GCM under a key derived
-- from the instance's secret key (`auth::two_factor_keys`), never stored in clear.
CREATE TABLE user_two_factor (
    user_id          bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- nonce || ciphertext || tag
    sealed_secret    bytea NOT NULL,
    -- NULL while the setup waits for its first code; set once confirmed.
    enabled_at       timestamptz,
    -- The last time step whose code was accepted: a code is accepted once.
    last_used_step   bigint,
    -- Wrong codes within the current window (the per-user lockout).
    failed_attempts  integer NOT NULL DEFAULT 0,
    failures_since   timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now()
);

-- Single-use recovery codes, stored as keyed digests (HMAC-SHA256); spending one
-- deletes its row.
CREATE TABLE user_recovery_codes (
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_digest  text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, code_digest)
);
