-- Streaming events cross processes through NOTIFY on channel `roost_stream`, sent by
-- triggers so that every path that changes the data (API, inbox, admin) announces
-- it, and only when its transaction commits. The payload carries ids only.

CREATE FUNCTION roost_stream_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM pg_notify('roost_stream', json_build_object('k', 'update', 's', NEW.id)::text);
    ELSIF NEW.deleted_at IS NOT NULL AND OLD.deleted_at IS NULL THEN
        PERFORM pg_notify('roost_stream', json_build_object('k', 'delete', 's', NEW.id)::text);
    ELSIF NEW.edited_at IS DISTINCT FROM OLD.edited_at THEN
        PERFORM pg_notify('roost_stream', json_build_object('k', 'status.update', 's', NEW.id)::text);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER statuses_stream AFTER INSERT OR UPDATE OF deleted_at, edited_at ON statuses
    FOR EACH ROW EXECUTE FUNCTION roost_stream_status();

CREATE FUNCTION roost_stream_notification() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('roost_stream',
        json_build_object('k', 'notification', 'n', NEW.id, 'a', NEW.account_id)::text);
    RETURN NULL;
END;
$$;

CREATE TRIGGER notifications_stream AFTER INSERT ON notifications
    FOR EACH ROW EXECUTE FUNCTION roost_stream_notification();
