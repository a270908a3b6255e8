-- Reply controls, the wire part (issue 16, item 4): the GoToSocial `ReplyAuthorization`
-- stamps a local author issued for remote replies to their posts. A stamp is served at
-- https://DOMAIN/users/NAME/reply_authorizations/STATUS_ID while its row stands (the
-- reply's deletion removes it, and the stamp answers 404).
CREATE TABLE reply_authorizations (
    -- The (remote) reply the stamp approves.
    status_id   bigint PRIMARY KEY REFERENCES statuses (id) ON DELETE CASCADE,
    -- The local status it answers.
    parent_id   bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    -- The `ReplyRequest` answered, when the reply came as one (not as a plain Create).
    request_uri text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reply_authorizations_parent ON reply_authorizations (parent_id);
