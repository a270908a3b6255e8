-- The few suspended and silenced accounts, indexed apart. Every status read asks
-- whether its author is suspended (`db::statuses::VISIBLE_TO_VIEWER`) and search asks
-- whether they are silenced; PostgreSQL answers such NOT EXISTS once per query from the
-- accounts that are, and without these indexes it reads the whole accounts table to
-- find them (5 ms per search with 10,000 accounts, and growing with every remote
-- account known). With them it reads a handful of index entries.
CREATE INDEX accounts_suspended_idx ON accounts (id) WHERE suspended_at IS NOT NULL;
CREATE INDEX accounts_silenced_idx ON accounts (id) WHERE silenced_at IS NOT NULL;
