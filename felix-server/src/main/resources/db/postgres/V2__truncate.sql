-- TRUNCATE fires no row triggers. So before the rows go, a statement trigger records a deletion for
-- every entry the table holds (tombstones are already deleted) and wakes the nodes.
--
-- TRUNCATE locks the table before its trigger runs, the reverse of every other writer's order
-- (the write lock, then the table). Waiting for the write lock here could deadlock with a writer
-- that holds it and waits for the table, so the trigger only tries: a TRUNCATE that finds writes in
-- progress fails at once and says how to run it, with the write lock taken first.
CREATE FUNCTION felix_record_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    entry_kind text := CASE TG_TABLE_NAME WHEN 'guilds' THEN 'guild' ELSE 'user' END;
BEGIN
    IF NOT pg_try_advisory_xact_lock(440729135480) THEN
        RAISE EXCEPTION 'entry writes are in progress; truncate in a transaction that first runs SELECT felix_write_lock()'
            USING ERRCODE = 'lock_not_available';
    END IF;
    EXECUTE format('INSERT INTO change_log (seq, kind, id, data) '
                   'SELECT nextval(''change_seq''), %L, id, NULL FROM %I WHERE data IS NOT NULL',
                   entry_kind, TG_TABLE_NAME);
    PERFORM pg_notify('felix_changes', '');
    RETURN NULL;
END
$$
;
CREATE TRIGGER guilds_record_truncate BEFORE TRUNCATE ON guilds
    FOR EACH STATEMENT EXECUTE FUNCTION felix_record_truncate()
;
CREATE TRIGGER users_record_truncate BEFORE TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION felix_record_truncate()
;
