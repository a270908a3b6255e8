-- Followed hashtags (https://docs.joinmastodon.org/methods/tags/#follow): a local
-- account's home timeline also shows the public posts, local and federated, that
-- carry a hashtag it follows.

CREATE TABLE tag_follows (
    id         bigint PRIMARY KEY DEFAULT timestamp_id(),
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    tag_id     bigint NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    UNIQUE (account_id, tag_id)
);
-- "Who follows tag X", when a post with it fans out.
CREATE INDEX tag_follows_tag_idx ON tag_follows (tag_id, account_id);

-- A public post filed under a followed hashtag goes into the feeds of the tag's
-- followers (the home read then applies the full conditions, see db::timelines). Fired
-- by status_tags, which are written after their status in the same transaction.
CREATE FUNCTION home_feed_tag_fan_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO home_feed_entries (account_id, status_id, author_id)
    SELECT tf.account_id, s.id, s.account_id
    FROM statuses s JOIN tag_follows tf ON tf.tag_id = NEW.tag_id
    WHERE s.id = NEW.status_id AND s.visibility = 'public' AND s.reblog_of_id IS NULL
      AND home_feed_wants_reply(tf.account_id, s.account_id, s.in_reply_to_account_id)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE TRIGGER status_tags_home_feed_fan_out AFTER INSERT ON status_tags
    FOR EACH ROW EXECUTE FUNCTION home_feed_tag_fan_out();
