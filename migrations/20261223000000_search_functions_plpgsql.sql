-- SPDX-License-Identifier: AGPL-3.0-or-later
-- The two functions statuses' stored `search_vector` is generated with (see
-- 20261205030000_status_search.sql), the same rules in PL/pgSQL. As SQL functions they
-- were inlined into the generated column's expression, and PostgreSQL prepares that
-- expression at the start of every INSERT into statuses: it parsed and planned both
-- bodies again for every post (about 5 % of PostgreSQL's CPU in a profile of B1, 0.4 ms
-- per insert). A PL/pgSQL function keeps its plans for the session instead. The results
-- are unchanged, so the stored vectors stay valid.
CREATE OR REPLACE FUNCTION roost_search_config(language text) RETURNS regconfig
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN coalesce((SELECT c.oid::regconfig FROM pg_ts_config c WHERE c.cfgname = 'roost_' ||
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
        ELSE 'simple' END), 'roost_simple'::regconfig);
END
$$;

CREATE OR REPLACE FUNCTION roost_search_text(html text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN replace(replace(replace(replace(replace(replace(
        regexp_replace(regexp_replace(html, '<(/?p|br)(\s[^>]*)?/?>', ' ', 'gi'), '<[^>]*>', '', 'g'),
        '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&#39;', ''''), '&nbsp;', ' '), '&amp;', '&');
END
$$;
