-- Annual reports ("Wrapstodon", https://docs.joinmastodon.org/methods/annual_reports/):
-- a local account's year in numbers, computed by services::annual_reports and kept
-- once the year is over (the current year's is computed afresh each time).

CREATE TABLE annual_reports (
    account_id     bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    year           integer NOT NULL,
    data           jsonb NOT NULL,
    schema_version integer NOT NULL,
    viewed_at      timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, year)
);
