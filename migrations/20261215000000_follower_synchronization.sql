-- Follower synchronisation (FEP-8fcf, Mastodon's `Collection-Synchronization`). See
-- src/services/follower_sync.rs and docs/federation.md.

-- The `Collection-Synchronization` header an inbound activity carried, kept only when
-- its HTTP signature covered it, so the inbox worker can compare the sender's digest
-- of its followers here with this server's after applying the activity.
ALTER TABLE inbox_activities ADD COLUMN collection_synchronization text;

-- When the followers of a remote account were last fetched to reconcile a digest
-- mismatch: at most one fetch per account per interval, shared by every process, so a
-- peer sending wrong digests cannot make Roost fetch on every activity.
CREATE TABLE follower_synchronizations (
    account_id bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    synced_at  timestamptz NOT NULL
);

-- Every delivery of a followers-addressed activity computes the digest of the sender's
-- followers on the receiving server: found through that server's accounts, not by
-- scanning all of a popular sender's followers once per inbox.
CREATE INDEX accounts_domain_idx ON accounts (domain) WHERE domain IS NOT NULL;
