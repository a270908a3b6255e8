-- Groups (FEP-1b12: Lemmy communities, Mbin magazines, PieFed, NodeBB categories,
-- Friendica forums): the group a status was posted in. Remote posts name it in their
-- `audience` or addressing, or arrive through the group's `Announce`; a local reply
-- takes its parent's. Replies are sent to the group's inbox too, so the group shares
-- them with its members. Whether an account is a group is its `actor_type`.
CREATE TABLE status_groups (
    status_id bigint PRIMARY KEY REFERENCES statuses (id) ON DELETE CASCADE,
    group_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE
);

CREATE INDEX status_groups_group_id_idx ON status_groups (group_id);
