-- Conversations (https://docs.joinmastodon.org/methods/conversations/): each local
-- account's direct-message threads, one row per thread and set of other participants,
-- as Mastodon's account_conversations. Written by services::conversations when a
-- direct status is stored (local or remote) or deleted.

CREATE TABLE account_conversations (
    id              bigint PRIMARY KEY DEFAULT timestamp_id(),
    account_id      bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The thread: the statuses' `conversation` (or the root status when it has none).
    conversation    text NOT NULL,
    -- The other participants (author and mentioned accounts but the owner), sorted:
    -- another set of people in the same thread is another conversation.
    participant_ids bigint[] NOT NULL,
    -- The thread's direct statuses, and the newest of them (paging is by this id).
    status_ids      bigint[] NOT NULL,
    last_status_id  bigint NOT NULL,
    unread          boolean NOT NULL DEFAULT false,
    UNIQUE (account_id, conversation, participant_ids)
);
CREATE INDEX account_conversations_page_idx ON account_conversations (account_id, last_status_id DESC);

-- The direct messages stored before this migration, filed as the service files new
-- ones (read: they are old news). Between the markers: a test replays it.
-- backfill:begin
WITH direct AS (
    SELECT s.id,
           COALESCE(s.conversation, 'roost:status:' || COALESCE(s.in_reply_to_id, s.id)) AS thread,
           ARRAY(SELECT s.account_id UNION
                 SELECT m.account_id FROM mentions m WHERE m.status_id = s.id) AS everyone
    FROM statuses s
    WHERE s.visibility = 'direct' AND s.deleted_at IS NULL AND s.reblog_of_id IS NULL
), owners AS (
    SELECT d.id, d.thread, a.id AS owner,
           ARRAY(SELECT DISTINCT p FROM unnest(d.everyone) p WHERE p <> a.id ORDER BY p) AS others
    FROM direct d JOIN accounts a ON a.id = ANY (d.everyone) AND a.domain IS NULL
)
INSERT INTO account_conversations
    (account_id, conversation, participant_ids, status_ids, last_status_id, unread)
SELECT owner, thread, others, array_agg(id ORDER BY id), max(id), false
FROM owners GROUP BY owner, thread, others;
-- backfill:end

-- The `direct` stream's `conversation` event, on every new or changed conversation.
CREATE FUNCTION roost_stream_conversation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('roost_stream',
        json_build_object('k', 'conversation', 'c', NEW.id, 'a', NEW.account_id)::text);
    RETURN NULL;
END;
$$;

CREATE TRIGGER account_conversations_stream
    AFTER INSERT OR UPDATE OF status_ids, last_status_id ON account_conversations
    FOR EACH ROW EXECUTE FUNCTION roost_stream_conversation();

-- "The conversations holding status X", when a direct status is deleted.
CREATE INDEX account_conversations_statuses_idx ON account_conversations USING gin (status_ids);
