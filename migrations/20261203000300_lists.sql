-- Lists (https://docs.joinmastodon.org/methods/lists/): a user's named groups of the
-- accounts they follow, each with its own timeline.

CREATE TABLE lists (
    id             bigint PRIMARY KEY DEFAULT timestamp_id(),
    account_id     bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    title          text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 256),
    -- Which replies of members the list's timeline shows: to any followed account, to
    -- list members, or none (replies to oneself and to the owner always show).
    replies_policy text NOT NULL DEFAULT 'list'
                   CHECK (replies_policy IN ('followed', 'list', 'none')),
    -- Members' posts stay out of the home timeline (read in the list only).
    exclusive      boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lists_account_idx ON lists (account_id, id);

CREATE TABLE list_accounts (
    list_id    bigint NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (list_id, account_id)
);
-- "The lists containing account X" (GET /api/v1/accounts/:id/lists, a follow ending).
CREATE INDEX list_accounts_account_idx ON list_accounts (account_id, list_id);

-- A member must be followed by the list's owner (accepted or requested, as Mastodon
-- 4.3): when the follow row goes, by whatever path (unfollow, a rejected request, a
-- block, a domain block, a suspension), the account leaves the owner's lists.
CREATE FUNCTION lists_follow_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM list_accounts la USING lists l
    WHERE la.list_id = l.id AND l.account_id = OLD.account_id
      AND la.account_id = OLD.target_account_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER follows_leave_lists AFTER DELETE ON follows
    FOR EACH ROW EXECUTE FUNCTION lists_follow_ended();
