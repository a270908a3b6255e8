-- The accounts a page of statuses shows are kept per process (`api::entities::account_cache`).
-- A kept account is used only while its row's version (`xmin`, read with the page) is the
-- one it was read at, so any change to the row itself is seen at once. What the version
-- does not cover is the custom emoji its name and bio show: the links of `account_emojis`
-- and the emoji themselves. Those changes announce themselves on channel `roost_accounts`,
-- whichever process or tool makes them: the payload is the account's id, or empty when
-- an emoji changed (every account that shows it is forgotten: emoji change rarely).
CREATE FUNCTION roost_account_emojis_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('roost_accounts', OLD.account_id::text);
    ELSE
        PERFORM pg_notify('roost_accounts', NEW.account_id::text);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER account_emojis_changed
    AFTER INSERT OR UPDATE OR DELETE ON account_emojis FOR EACH ROW
    EXECUTE FUNCTION roost_account_emojis_changed();

CREATE FUNCTION roost_custom_emoji_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('roost_accounts', '');
    RETURN NULL;
END
$$;

-- An emoji's image, shortcode, visibility or state changed (a remote emoji seen again
-- unchanged only moves `updated_at`, and is not announced). A deleted emoji takes its
-- `account_emojis` links with it, which announce themselves above.
CREATE TRIGGER custom_emojis_changed
    AFTER UPDATE ON custom_emojis FOR EACH ROW
    WHEN ((to_jsonb(OLD) - 'updated_at') IS DISTINCT FROM (to_jsonb(NEW) - 'updated_at'))
    EXECUTE FUNCTION roost_custom_emoji_changed();
