-- Follow suggestions computed for a user, kept for a while (Mastodon keeps them 15
-- minutes) so that opening Explore again does not walk the follow graph again: with
-- 200 follows of 200 follows each, friends of friends alone is 40,000 rows. The
-- candidates are kept best first, each with its sources as bits (1 featured, 2 friends
-- of friends, 4 similar to recently followed, 8 most followed); accounts ruled out
-- since (followed, blocked, dismissed, suspended…) are dropped when read.
CREATE TABLE suggestion_caches (
    account_id  bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    computed_at timestamptz NOT NULL DEFAULT now(),
    target_ids  bigint[] NOT NULL,
    sources     smallint[] NOT NULL,
    CHECK (cardinality(target_ids) = cardinality(sources))
);
