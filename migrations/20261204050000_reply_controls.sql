-- Reply controls (issue 16, item 4): who may reply to a status, and the replies its
-- author hid from the thread.

-- Who may reply to a status (its author always may). A status without a row lets
-- everyone reply. Remote statuses get a row from their Note's `interactionPolicy.canReply`.
CREATE TABLE status_reply_policies (
    status_id bigint PRIMARY KEY REFERENCES statuses (id) ON DELETE CASCADE,
    policy    text NOT NULL CHECK (policy IN ('everyone', 'followers', 'mentioned', 'nobody'))
);

-- Replies the author of the status they answer hid from its thread, for everyone but
-- the reply's own author.
CREATE TABLE hidden_replies (
    status_id  bigint PRIMARY KEY REFERENCES statuses (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);
