-- Media attachments (uploads of local users, references to remote files) and profile
-- images (avatar and header) of accounts.

CREATE TABLE media_attachments (
    id              bigint PRIMARY KEY DEFAULT timestamp_id(),
    account_id      bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- NULL until a status uses it; uploads never attached are removed after a day.
    status_id       bigint REFERENCES statuses (id) ON DELETE CASCADE,
    position        smallint NOT NULL DEFAULT 0,
    kind            text NOT NULL CHECK (kind IN ('image', 'gifv', 'video', 'audio', 'unknown')),
    content_type    text NOT NULL,
    -- Storage keys of a local upload (original and preview); NULL for remote files.
    file_key        text,
    preview_key     text,
    file_size       bigint,
    -- Where a remote file lives; NULL for local uploads.
    remote_url      text,
    description     text NOT NULL DEFAULT '',
    blurhash        text,
    width           integer,
    height          integer,
    preview_width   integer,
    preview_height  integer,
    focus_x         real NOT NULL DEFAULT 0,
    focus_y         real NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (file_key IS NOT NULL OR remote_url IS NOT NULL)
);

CREATE INDEX media_attachments_status ON media_attachments (status_id, position)
    WHERE status_id IS NOT NULL;
CREATE INDEX media_attachments_unattached ON media_attachments (created_at)
    WHERE status_id IS NULL;

-- Profile images: a storage key for local uploads, a URL for remote accounts.
ALTER TABLE accounts
    ADD COLUMN avatar_key        text,
    ADD COLUMN header_key        text,
    ADD COLUMN avatar_remote_url text,
    ADD COLUMN header_remote_url text;
