-- Administration: instance-level domain blocks and allows, instance rules, and the
-- `sensitive` moderation action on accounts.

-- What the instance does with a whole remote domain (Mastodon's DomainBlock).
-- `suspend`: nothing is accepted from, delivered to or fetched from it, and its
-- accounts are suspended; `silence`: its posts stay out of public timelines; `noop`:
-- only the media/report rejections apply.
CREATE TABLE domain_blocks (
    id              bigint PRIMARY KEY DEFAULT timestamp_id(),
    domain          text NOT NULL UNIQUE CHECK (domain = lower(domain) AND length(domain) <= 253),
    severity        text NOT NULL DEFAULT 'silence' CHECK (severity IN ('silence', 'suspend', 'noop')),
    reject_media    boolean NOT NULL DEFAULT false,
    reject_reports  boolean NOT NULL DEFAULT false,
    private_comment text,
    public_comment  text,
    obfuscate       boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Domains that may federate when ROOST_ALLOWLIST_MODE is on (Mastodon's DomainAllow).
CREATE TABLE domain_allows (
    id         bigint PRIMARY KEY DEFAULT timestamp_id(),
    domain     text NOT NULL UNIQUE CHECK (domain = lower(domain) AND length(domain) <= 253),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The instance's rules, shown at sign-up and in reports (GET /api/v1/instance/rules).
CREATE TABLE instance_rules (
    id         bigint PRIMARY KEY DEFAULT timestamp_id(),
    text       text NOT NULL CHECK (length(text) BETWEEN 1 AND 1000),
    hint       text NOT NULL DEFAULT '' CHECK (length(hint) <= 1000),
    position   integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Moderators can force an account's media to be marked sensitive.
ALTER TABLE accounts ADD COLUMN sensitized_at timestamptz;
