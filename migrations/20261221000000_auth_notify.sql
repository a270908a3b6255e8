-- Token checks are kept per process (`auth::token_cache`). Every change that can alter
-- what a check answers announces itself on channel `roost_auth`, whichever process or
-- tool makes it, and each process empties its cache when it hears one. The payload is
-- empty: auth changes are rare, so one rule (forget everything) serves them all, and
-- PostgreSQL folds a transaction's identical notifications into one.
CREATE FUNCTION roost_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('roost_auth', '');
    RETURN NULL;
END
$$;

-- A token revoked, its expiry moved, or the row deleted (with its app, its account's
-- data, or by the daily sweep).
CREATE TRIGGER oauth_access_tokens_auth_changed
    AFTER UPDATE ON oauth_access_tokens FOR EACH ROW
    WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at
          OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
          OR OLD.scopes IS DISTINCT FROM NEW.scopes
          OR OLD.account_id IS DISTINCT FROM NEW.account_id)
    EXECUTE FUNCTION roost_auth_changed();
CREATE TRIGGER oauth_access_tokens_auth_deleted
    AFTER DELETE ON oauth_access_tokens FOR EACH STATEMENT
    EXECUTE FUNCTION roost_auth_changed();

-- A user's role, approval, confirmation or sign-in switch.
CREATE TRIGGER users_auth_changed
    AFTER UPDATE ON users FOR EACH ROW
    WHEN (OLD.role IS DISTINCT FROM NEW.role
          OR OLD.approved IS DISTINCT FROM NEW.approved
          OR OLD.confirmed_at IS DISTINCT FROM NEW.confirmed_at
          OR OLD.disabled IS DISTINCT FROM NEW.disabled
          OR OLD.account_id IS DISTINCT FROM NEW.account_id)
    EXECUTE FUNCTION roost_auth_changed();
CREATE TRIGGER users_auth_deleted
    AFTER DELETE ON users FOR EACH STATEMENT
    EXECUTE FUNCTION roost_auth_changed();

-- A local account suspended or unsuspended, or deleted.
CREATE TRIGGER accounts_auth_changed
    AFTER UPDATE ON accounts FOR EACH ROW
    WHEN (OLD.domain IS NULL AND OLD.suspended_at IS DISTINCT FROM NEW.suspended_at)
    EXECUTE FUNCTION roost_auth_changed();
CREATE TRIGGER accounts_auth_deleted
    AFTER DELETE ON accounts FOR EACH STATEMENT
    EXECUTE FUNCTION roost_auth_changed();
