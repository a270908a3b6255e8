-- Stamps other servers issued for local replies (GoToSocial's `ReplyAuthorization`,
-- the `result` of the `Accept` answering a reply): kept so that the reply's Note names
-- it as `replyAuthorization`, which third servers dereference before they show the
-- reply in the thread. See services::reply_controls.
CREATE TABLE reply_stamps (
    status_id         bigint PRIMARY KEY REFERENCES statuses (id) ON DELETE CASCADE,
    authorization_uri text NOT NULL
);
