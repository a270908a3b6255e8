-- Announcements the admins publish to the instance's users (Mastodon's Announcement),
-- written with `roost admin announcement-add`; published as soon as added.
CREATE TABLE announcements (
    id           bigint PRIMARY KEY DEFAULT timestamp_id(),
    text         text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 5000),
    -- The event's time range shown to users; past `ends_at` it is no longer listed.
    starts_at    timestamptz,
    ends_at      timestamptz CHECK (ends_at > starts_at),
    all_day      boolean NOT NULL DEFAULT false,
    published_at timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Who has read (dismissed) which announcement.
CREATE TABLE announcement_dismissals (
    announcement_id bigint NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    account_id      bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (announcement_id, account_id)
);

-- Users' emoji reactions: a unicode emoji or a local custom emoji's shortcode.
CREATE TABLE announcement_reactions (
    announcement_id bigint NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    account_id      bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (announcement_id, account_id, name)
);
