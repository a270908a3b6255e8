-- Reply controls: a local author's default reply policy (`posting:default:reply_policy`,
-- set with `source[reply_policy]`); everyone without a row.
CREATE TABLE reply_policy_defaults (
    account_id bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    policy     text NOT NULL CHECK (policy IN ('everyone', 'followers', 'mentioned', 'nobody'))
);
