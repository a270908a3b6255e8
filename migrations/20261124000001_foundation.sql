-- Foundation schema: time-ordered ids, accounts, local users, OAuth apps and tokens.

-- Time-ordered 64-bit ids: milliseconds since the epoch in the high 48 bits, a shared
-- sequence in the low 16 bits. Mastodon clients page and compare by these ids.
CREATE SEQUENCE timestamp_id_seq;

CREATE FUNCTION timestamp_id() RETURNS bigint
LANGUAGE sql VOLATILE AS $$
  SELECT ((floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) << 16)
         | (nextval('timestamp_id_seq') & 65535)
$$;

-- Every actor, local (domain IS NULL) or remote.
CREATE TABLE accounts (
    id               bigint PRIMARY KEY DEFAULT timestamp_id(),
    username         text NOT NULL,
    domain           text,
    display_name     text NOT NULL DEFAULT '',
    -- note is HTML; note_source is what a local user typed (empty for remote accounts).
    note             text NOT NULL DEFAULT '',
    note_source      text NOT NULL DEFAULT '',
    -- [{"name": …, "value": HTML, "source": typed text or null, "verified_at": null}]
    fields           jsonb NOT NULL DEFAULT '[]',
    locked           boolean NOT NULL DEFAULT false,
    bot              boolean NOT NULL DEFAULT false,
    discoverable     boolean NOT NULL DEFAULT true,
    indexable        boolean NOT NULL DEFAULT false,
    hide_collections boolean NOT NULL DEFAULT false,
    followers_count  bigint NOT NULL DEFAULT 0,
    following_count  bigint NOT NULL DEFAULT 0,
    statuses_count   bigint NOT NULL DEFAULT 0,
    last_status_at   timestamptz,
    suspended_at     timestamptz,
    silenced_at      timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX accounts_username_domain_key
    ON accounts (lower(username), coalesce(lower(domain), ''));

-- Credentials and settings of local accounts only.
CREATE TABLE users (
    id                 bigint PRIMARY KEY DEFAULT timestamp_id(),
    account_id         bigint NOT NULL UNIQUE REFERENCES accounts (id) ON DELETE CASCADE,
    email              text NOT NULL,
    password_hash      text NOT NULL,
    role               text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'moderator', 'admin')),
    approved           boolean NOT NULL DEFAULT true,
    disabled           boolean NOT NULL DEFAULT false,
    locale             text NOT NULL DEFAULT 'en',
    sign_up_reason     text,
    sign_up_ip         text,
    default_privacy    text NOT NULL DEFAULT 'public',
    default_sensitive  boolean NOT NULL DEFAULT false,
    default_language   text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    last_sign_in_at    timestamptz
);

CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- Client applications registered through POST /api/v1/apps.
CREATE TABLE oauth_apps (
    id                 bigint PRIMARY KEY DEFAULT timestamp_id(),
    name               text NOT NULL,
    website            text,
    redirect_uris      text[] NOT NULL,
    scopes             text[] NOT NULL,
    client_id          text NOT NULL UNIQUE,
    client_secret_hash text NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now()
);

-- Authorization codes (RFC 6749 §4.1), stored hashed, single use.
CREATE TABLE oauth_authorization_codes (
    code_hash             text PRIMARY KEY,
    app_id                bigint NOT NULL REFERENCES oauth_apps (id) ON DELETE CASCADE,
    account_id            bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    redirect_uri          text NOT NULL,
    scopes                text[] NOT NULL,
    code_challenge        text,
    family_id             uuid NOT NULL,
    expires_at            timestamptz NOT NULL,
    used_at               timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now()
);

-- One row per issued access token (the JWT's jti). A token is valid only while its
-- row says so, which makes revocation immediate on every process.
CREATE TABLE oauth_access_tokens (
    id           uuid PRIMARY KEY,
    family_id    uuid NOT NULL,
    app_id       bigint NOT NULL REFERENCES oauth_apps (id) ON DELETE CASCADE,
    account_id   bigint REFERENCES accounts (id) ON DELETE CASCADE,
    scopes       text[] NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    last_used_at timestamptz
);

CREATE INDEX oauth_access_tokens_family_idx ON oauth_access_tokens (family_id);
CREATE INDEX oauth_access_tokens_account_idx ON oauth_access_tokens (account_id);

-- Opaque refresh tokens, stored hashed. Each use spends the token and issues a new
-- one in the same family; presenting a spent token revokes the whole family.
CREATE TABLE oauth_refresh_tokens (
    id           bigint PRIMARY KEY DEFAULT timestamp_id(),
    token_hash   text NOT NULL UNIQUE,
    family_id    uuid NOT NULL,
    app_id       bigint NOT NULL REFERENCES oauth_apps (id) ON DELETE CASCADE,
    account_id   bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    scopes       text[] NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,
    revoked_at   timestamptz
);

CREATE INDEX oauth_refresh_tokens_family_idx ON oauth_refresh_tokens (family_id);
