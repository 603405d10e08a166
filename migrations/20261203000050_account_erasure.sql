-- Patients' data rights (issue 15): a patient's account can be erased (by the patient, or by an
-- admin on request). Everything here is an ADDITION to the design document; every field and
-- constraint of the document stays.
--
-- An erased account keeps its row, so the financial records the law requires (payments, the
-- ledger, card operations) and the reviews stay tied to it, but the row holds nothing personal
-- any more: it is an anonymous id. Its remaining wallet balance, if any, is money the clinic owes
-- the former patient (no payout card was given, or the payout was declined); the admin's users
-- list shows it beside the account.

-- ADDITION: when the account was erased (NULL = never).
ALTER TABLE users ADD COLUMN erased_at TIMESTAMPTZ;

-- ADDITION: the database itself keeps an erased row anonymous and closed: the name, email,
-- phone and password are replaced by fixed values derived from the id alone, it cannot be
-- reactivated, and nothing can put personal data back into it.
ALTER TABLE users ADD CONSTRAINT users_erased_check CHECK (
    erased_at IS NULL OR (
        NOT is_active
        AND username = 'erased-' || id
        AND email = 'erased-' || id || '@erased.invalid'
        AND first_name = '' AND last_name = '' AND phone_number = ''
        AND password_hash = '!erased'
        AND email_verified_at IS NULL AND last_login IS NULL
    )
);
CREATE INDEX users_erased_at_idx ON users (erased_at) WHERE erased_at IS NOT NULL;

-- ADDITION: no appointment is ever booked for an erased patient. A booking that raced the
-- erasure waited for the patient's wallet row, which the erasure holds; once it commits, the
-- booking's insert sees the erased row and is refused here.
CREATE FUNCTION appointments_refuse_erased_patient() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM users WHERE id = NEW.patient_id AND erased_at IS NOT NULL) THEN
        RAISE EXCEPTION 'patient % has been erased', NEW.patient_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'appointments_patient_not_erased';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER appointments_patient_not_erased BEFORE INSERT ON appointments
    FOR EACH ROW EXECUTE FUNCTION appointments_refuse_erased_patient();

-- ADDITION: the audit log stays append-only, with one more exception an erasure needs (beside
-- the retention's emptying of old detail, 20261203000040, which this function keeps allowing):
-- a personal value inside an entry's `before`/`after` (a username, a cancellation's reason in
-- the patient's words) may be replaced by the string "[erased]". Nothing else about an entry
-- can change: its actor, action, target and time stay, every key stays, and every other value
-- stays.
CREATE FUNCTION audit_redacts(old_value JSONB, new_value JSONB) RETURNS BOOLEAN
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT old_value IS NOT DISTINCT FROM new_value
        OR (jsonb_typeof(old_value) = 'object' AND jsonb_typeof(new_value) = 'object'
            AND (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(old_value) k)
                = (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(new_value) k)
            AND NOT EXISTS (
                SELECT 1 FROM jsonb_each(old_value) o JOIN jsonb_each(new_value) n USING (key)
                 WHERE n.value <> o.value AND n.value <> '"[erased]"'::jsonb))
$$;

CREATE FUNCTION audit_log_refuse_all_but_redaction() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Retention: past its age an entry loses its detail whole, every other column as it was.
    IF TG_OP = 'UPDATE'
       AND NEW.before IS NULL AND NEW.after IS NULL
       AND to_jsonb(NEW) - 'before' - 'after' = to_jsonb(OLD) - 'before' - 'after' THEN
        RETURN NEW;
    END IF;
    -- As refuse_history_change: a cascade from another table's trigger passes.
    IF pg_trigger_depth() > 1 THEN
        RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'UPDATE'
       AND NEW.id = OLD.id
       AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
       AND NEW.action = OLD.action
       AND NEW.target_type = OLD.target_type
       AND NEW.target_id IS NOT DISTINCT FROM OLD.target_id
       AND NEW.created_at = OLD.created_at
       AND audit_redacts(OLD.before, NEW.before)
       AND audit_redacts(OLD.after, NEW.after) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only: rows cannot be changed or removed'
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
DROP TRIGGER audit_log_append_only ON audit_log;
CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_all_but_redaction();
-- The retention's own function is folded into the one above.
DROP FUNCTION refuse_audit_change();
