-- Home timelines, materialised: every local account has a feed of status ids, filled
-- when a status is written (fan-out on write) instead of joining all follows at every
-- read. The read (src/db/timelines.rs) still applies the full home, visibility, block
-- and mute conditions, but to a handful of rows. Feeds are bounded: a maintenance pass
-- keeps the newest 800 entries of each (as Mastodon's home feed).
--
-- Entries are a superset of what the home timeline shows: a status soft-deleted,
-- hidden by a later block or mute, or boosted by a follow with show_reblogs = false
-- stays in the feed and is filtered out at read time.
--
-- No foreign keys: a post fans out to every local follower, and a key check per
-- entry was a fifth of the cost of posting. Local accounts are deleted only when a
-- sign-up is rejected, which deletes the feed too (src/db/moderation.rs); statuses
-- are removed only with their author, and an entry whose status is gone drops out
-- of the read's join and out of the feed at the next trim.
CREATE TABLE home_feed_entries (
    -- The local account whose home timeline this is.
    account_id bigint NOT NULL,
    status_id  bigint NOT NULL,
    -- The status's author (the booster, for a boost), so an unfollow can remove what
    -- the follow brought.
    author_id  bigint NOT NULL,
    PRIMARY KEY (account_id, status_id)
);

-- Whether the local account `viewer` wants status `s` in its home feed when it comes
-- from an account it follows: not a reply to someone else that the viewer does not
-- follow (as Mastodon's home feed).
CREATE FUNCTION home_feed_wants_reply(viewer bigint, author bigint, replied_to bigint)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT replied_to IS NULL OR replied_to = author OR replied_to = viewer
        OR EXISTS (SELECT 1 FROM follows f WHERE f.account_id = viewer
                   AND f.target_account_id = replied_to AND f.accepted)
$$;

-- A new status goes into its local author's feed and the feeds of its local followers.
CREATE FUNCTION home_feed_fan_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO home_feed_entries (account_id, status_id, author_id)
    SELECT a.id, NEW.id, NEW.account_id FROM accounts a
    WHERE a.id = NEW.account_id AND a.domain IS NULL
    UNION ALL
    SELECT f.account_id, NEW.id, NEW.account_id
    FROM follows f JOIN accounts a ON a.id = f.account_id AND a.domain IS NULL
    WHERE f.target_account_id = NEW.account_id AND f.accepted
      AND home_feed_wants_reply(f.account_id, NEW.account_id, NEW.in_reply_to_account_id)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE TRIGGER statuses_home_feed_fan_out AFTER INSERT ON statuses
    FOR EACH ROW EXECUTE FUNCTION home_feed_fan_out();

-- A follow that becomes accepted merges the followed account's newest 400 statuses
-- into a local follower's feed; one that ends (or is no longer accepted) takes them out.
CREATE FUNCTION home_feed_follow_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.accepted AND NOT NEW.accepted) THEN
        DELETE FROM home_feed_entries
        WHERE account_id = OLD.account_id AND author_id = OLD.target_account_id;
        RETURN NULL;
    END IF;
    IF NEW.accepted AND (TG_OP = 'INSERT' OR NOT OLD.accepted)
       AND EXISTS (SELECT 1 FROM accounts a WHERE a.id = NEW.account_id AND a.domain IS NULL) THEN
        INSERT INTO home_feed_entries (account_id, status_id, author_id)
        SELECT NEW.account_id, s.id, s.account_id FROM statuses s
        WHERE s.account_id = NEW.target_account_id AND s.deleted_at IS NULL
          AND home_feed_wants_reply(NEW.account_id, s.account_id, s.in_reply_to_account_id)
        ORDER BY s.id DESC LIMIT 400
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER follows_home_feed AFTER INSERT OR UPDATE OF accepted OR DELETE ON follows
    FOR EACH ROW EXECUTE FUNCTION home_feed_follow_changed();

-- Feeds for the local accounts that exist already: their own statuses and those of
-- the accounts they follow, newest 800.
INSERT INTO home_feed_entries (account_id, status_id, author_id)
SELECT a.id, s.id, s.account_id
FROM accounts a
CROSS JOIN LATERAL (
    SELECT s.id, s.account_id FROM statuses s
    WHERE s.deleted_at IS NULL
      AND (s.account_id = a.id
           OR (EXISTS (SELECT 1 FROM follows f WHERE f.account_id = a.id
                       AND f.target_account_id = s.account_id AND f.accepted)
               AND home_feed_wants_reply(a.id, s.account_id, s.in_reply_to_account_id)))
    ORDER BY s.id DESC LIMIT 800
) s
WHERE a.domain IS NULL;
