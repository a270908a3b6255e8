-- Sign-up and access blocks set by admins (issue 15 item 9), as Mastodon's IpBlock,
-- EmailDomainBlock and CanonicalEmailBlock:
-- https://docs.joinmastodon.org/methods/admin/ip_blocks/ and the pages next to it.

-- An address or network and what it may not do. `ip` is stored as its network
-- (host bits cleared), so `192.168.1.7/24` and `192.168.1.0/24` are one block.
-- Expired rows no longer apply; they stay listed until an admin deletes them.
CREATE TABLE ip_blocks (
    id         bigint PRIMARY KEY DEFAULT timestamp_id(),
    ip         cidr NOT NULL UNIQUE,
    severity   text NOT NULL
        CHECK (severity IN ('sign_up_requires_approval', 'sign_up_block', 'no_access')),
    comment    text NOT NULL DEFAULT '',
    expires_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Sign-up asks "which blocks contain this address" (`ip >>= $1`).
CREATE INDEX ip_blocks_ip_containing ON ip_blocks USING gist (ip inet_ops);

-- An e-mail domain refused at sign-up (its subdomains too); with
-- `allow_with_approval` sign-up is allowed but waits for a moderator's approval.
CREATE TABLE email_domain_blocks (
    id                  bigint PRIMARY KEY DEFAULT timestamp_id(),
    domain              text NOT NULL UNIQUE,
    allow_with_approval boolean NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL DEFAULT now()
);

-- Sign-ups an e-mail domain block refused, for the block's 7-day `history`
-- (uses: attempts, accounts: distinct addresses they came from). Rows older than
-- the history are deleted when a new attempt is recorded.
CREATE TABLE email_domain_block_attempts (
    block_id     bigint NOT NULL REFERENCES email_domain_blocks (id) ON DELETE CASCADE,
    ip           inet,
    attempted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_domain_block_attempts_by_block
    ON email_domain_block_attempts (block_id, attempted_at);

-- A blocked address, kept only as the SHA-256 (hex) of its canonical form (lower
-- case, dots and `+suffix` removed from the local part), so `J.Doe+x@Mail.example`
-- is blocked with `jdoe@mail.example`.
CREATE TABLE canonical_email_blocks (
    id                   bigint PRIMARY KEY DEFAULT timestamp_id(),
    canonical_email_hash text NOT NULL UNIQUE,
    created_at           timestamptz NOT NULL DEFAULT now()
);
