-- TRUNCATE fires no row triggers. So before the rows go, a statement trigger records a deletion for
-- every entry the table holds (tombstones are already deleted), under the same write lock as every
-- other writer, and wakes the nodes.
CREATE FUNCTION felix_record_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    entry_kind text := CASE TG_TABLE_NAME WHEN 'guilds' THEN 'guild' ELSE 'user' END;
BEGIN
    PERFORM felix_write_lock();
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
