-- Stories: photo or video posts that disappear after a while (24 hours unless
-- configured), shown to followers, to everyone signed in, or to a close friends list,
-- and never in timelines. See src/services/stories.rs and docs/api.md.

-- One story, local or remote. `uri` is its ActivityPub id. `audience` says who may see
-- it: 'public' (anyone signed in), 'followers' (accepted followers) or 'close_friends'
-- (the accounts in `story_recipients`: a local author's close friends when it was
-- posted, or the local accounts a remote story was addressed to). `bearer_token` is
-- what a Pixelfed server presents to fetch a local story through its bearcap URL.
CREATE TABLE stories (
    id            bigint PRIMARY KEY DEFAULT timestamp_id(),
    account_id    bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uri           text NOT NULL UNIQUE,
    audience      text NOT NULL CHECK (audience IN ('public', 'followers', 'close_friends')),
    -- How long an app shows it, in seconds (a photo's default, a video's length).
    duration      integer NOT NULL CHECK (duration BETWEEN 1 AND 300),
    can_reply     boolean NOT NULL DEFAULT true,
    bearer_token  text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    CHECK (expires_at > created_at)
);
CREATE INDEX stories_account_idx ON stories (account_id, expires_at);
CREATE INDEX stories_expires_idx ON stories (expires_at);

-- Who may see a 'close_friends' story.
CREATE TABLE story_recipients (
    story_id   bigint NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (story_id, account_id)
);

-- Who saw a story, and when: the author's viewers list and the unseen-first order of
-- the row of stories. Remote viewers arrive as `View` activities.
CREATE TABLE story_views (
    story_id   bigint NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    viewed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (story_id, account_id)
);

-- A local user's close friends: who sees their 'close_friends' stories.
CREATE TABLE close_friends (
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    friend_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, friend_id),
    CHECK (account_id <> friend_id)
);

-- A story's picture or video is a media row like a post's: a local upload, or a remote
-- file by reference. While the story lives the row is not an orphan; when the story
-- goes, the row is detached and the orphan sweep removes it with its files.
ALTER TABLE media_attachments
    ADD COLUMN story_id bigint REFERENCES stories (id) ON DELETE SET NULL;
CREATE INDEX media_attachments_story_idx ON media_attachments (story_id)
    WHERE story_id IS NOT NULL;
