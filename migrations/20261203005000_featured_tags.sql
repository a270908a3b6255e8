-- Featured hashtags (https://docs.joinmastodon.org/methods/featured_tags/): the
-- hashtags an account shows on its profile, local accounts' set through the API and
-- remote accounts' learnt from their actor's `featuredTags` collection and from
-- Add/Remove of a Hashtag. Their use (statuses_count, last_status_at) is computed
-- when read, from the account's statuses.

CREATE TABLE featured_tags (
    id         bigint PRIMARY KEY DEFAULT timestamp_id(),
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    tag_id     bigint NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, tag_id)
);

-- A remote actor's `featuredTags` collection URL: Add/Remove of a Hashtag must
-- target it. Not part of the account row the rest of Roost reads.
ALTER TABLE accounts ADD COLUMN featured_tags_url text;
