-- SPDX-License-Identifier: AGPL-3.0-or-later
-- Full-text search of statuses (issue 17): a stored generated tsvector on statuses, kept
-- in step by PostgreSQL itself on every insert and edit (in the writing transaction), and
-- a GIN index over it. See docs/architecture.md "Search" and db::search.
--
-- Accents are folded by the `unaccent` dictionary (PostgreSQL contrib, a trusted
-- extension: the database owner may create it). Each text search configuration Roost
-- uses is a copy of PostgreSQL's with `unaccent` before its stemmer, so documents and
-- queries are folded alike.
CREATE EXTENSION IF NOT EXISTS unaccent;

DO $$
DECLARE
    config text;
BEGIN
    CREATE TEXT SEARCH CONFIGURATION roost_simple (COPY = simple);
    ALTER TEXT SEARCH CONFIGURATION roost_simple
        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
    FOREACH config IN ARRAY ARRAY['arabic', 'armenian', 'basque', 'catalan', 'danish', 'dutch',
        'english', 'finnish', 'french', 'german', 'greek', 'hindi', 'hungarian', 'indonesian',
        'irish', 'italian', 'lithuanian', 'nepali', 'norwegian', 'portuguese', 'romanian',
        'russian', 'serbian', 'spanish', 'swedish', 'tamil', 'turkish', 'yiddish'] LOOP
        -- A configuration this PostgreSQL lacks is left out: its language uses roost_simple.
        CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = config)
            OR NOT EXISTS (SELECT 1 FROM pg_ts_dict WHERE dictname = config || '_stem');
        EXECUTE format('CREATE TEXT SEARCH CONFIGURATION roost_%s (COPY = %I)', config, config);
        EXECUTE format('ALTER TEXT SEARCH CONFIGURATION roost_%s ALTER MAPPING FOR hword, '
            'hword_part, word WITH unaccent, %I', config, config || '_stem');
    END LOOP;
END
$$;

-- The configuration for a status language (an ISO 639-1 code such as `fr` or `pt-BR`):
-- its language's stemming configuration, roost_simple for other and unknown languages.
-- IMMUTABLE as the configurations it names never change once this migration ran.
CREATE FUNCTION roost_search_config(language text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce((SELECT c.oid::regconfig FROM pg_ts_config c WHERE c.cfgname = 'roost_' ||
        CASE split_part(lower(coalesce(language, '')), '-', 1)
        WHEN 'ar' THEN 'arabic' WHEN 'hy' THEN 'armenian' WHEN 'eu' THEN 'basque'
        WHEN 'ca' THEN 'catalan' WHEN 'da' THEN 'danish' WHEN 'nl' THEN 'dutch'
        WHEN 'en' THEN 'english' WHEN 'fi' THEN 'finnish' WHEN 'fr' THEN 'french'
        WHEN 'de' THEN 'german' WHEN 'el' THEN 'greek' WHEN 'hi' THEN 'hindi'
        WHEN 'hu' THEN 'hungarian' WHEN 'id' THEN 'indonesian' WHEN 'ga' THEN 'irish'
        WHEN 'it' THEN 'italian' WHEN 'lt' THEN 'lithuanian' WHEN 'ne' THEN 'nepali'
        WHEN 'no' THEN 'norwegian' WHEN 'nb' THEN 'norwegian' WHEN 'nn' THEN 'norwegian'
        WHEN 'pt' THEN 'portuguese' WHEN 'ro' THEN 'romanian' WHEN 'ru' THEN 'russian'
        WHEN 'sr' THEN 'serbian' WHEN 'es' THEN 'spanish' WHEN 'sv' THEN 'swedish'
        WHEN 'ta' THEN 'tamil' WHEN 'tr' THEN 'turkish' WHEN 'yi' THEN 'yiddish'
        ELSE 'simple' END), 'roost_simple'::regconfig)
$$;

-- The plain text of a status's HTML: paragraph and line breaks become spaces, other
-- tags are dropped (a mention's `@<span>bob</span>` reads `@bob`), and the entities
-- Roost's and Mastodon's sanitisers write are decoded.
CREATE FUNCTION roost_search_text(html text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT replace(replace(replace(replace(replace(replace(
        regexp_replace(regexp_replace(html, '<(/?p|br)(\s[^>]*)?/?>', ' ', 'gi'), '<[^>]*>', '', 'g'),
        '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&#39;', ''''), '&nbsp;', ' '), '&amp;', '&')
$$;

-- The searchable words of a status: stemmed in its language and, so that exact words,
-- prefixes and statuses of unknown language are found with one query language, as
-- they are (roost_simple). Boosts carry no text of their own and are not indexed.
ALTER TABLE statuses ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    CASE WHEN reblog_of_id IS NULL THEN
        to_tsvector(roost_search_config(language), roost_search_text(spoiler_text || ' ' || content))
        || to_tsvector('roost_simple'::regconfig, roost_search_text(spoiler_text || ' ' || content))
    END) STORED;

CREATE INDEX statuses_search_idx ON statuses USING gin (search_vector) WHERE deleted_at IS NULL;
