-- Muted conversations (https://docs.joinmastodon.org/methods/statuses/#mute): a user
-- hears nothing more of a thread (no notifications about its statuses), as Mastodon's
-- conversation mutes.

-- A status's thread: its `conversation`, or for a status without one (some servers
-- send none) the status it replies to, else itself. The one definition of a thread for
-- conversations and their mutes.
CREATE FUNCTION status_thread(conversation text, in_reply_to_id bigint, id bigint)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT COALESCE(conversation, 'roost:status:' || COALESCE(in_reply_to_id, id))
$$;

CREATE TABLE conversation_mutes (
    account_id   bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    conversation text NOT NULL,
    PRIMARY KEY (account_id, conversation)
);
