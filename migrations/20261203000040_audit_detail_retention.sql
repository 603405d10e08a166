-- Retention of audit detail (CLINIC_RETAIN_AUDIT_DETAIL_DAYS): past a stated age an audit entry
-- keeps who did what to which record and when, and loses the values before and after the
-- change, which can carry names, reasons and notes. The log stays append-only for everything
-- else: the one change allowed is emptying the detail, every other column left as it was
-- (compared as a whole row, so a column added later is guarded too).
CREATE FUNCTION refuse_audit_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.before IS NULL AND NEW.after IS NULL
       AND to_jsonb(NEW) - 'before' - 'after' = to_jsonb(OLD) - 'before' - 'after' THEN
        RETURN NEW;
    END IF;
    -- As refuse_history_change: a cascade from another table's trigger passes.
    IF pg_trigger_depth() > 1 THEN
        RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    RAISE EXCEPTION '% is append-only: rows cannot be changed or removed', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

DROP TRIGGER audit_log_append_only ON audit_log;
CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();

-- The entries still holding detail, oldest first: each clean-up reads only those it may strip,
-- never the years of entries already stripped.
CREATE INDEX audit_log_with_detail_idx ON audit_log (created_at)
    WHERE before IS NOT NULL OR after IS NOT NULL;
