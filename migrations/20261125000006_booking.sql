-- Booking, payments and the wallet (issue 6), and the audit log every money movement writes to.
-- Everything here is an ADDITION to the design document, with the reason beside it.

-- ---------------------------------------------------------------------------------------------
-- Appointments: the life of a booking
-- ---------------------------------------------------------------------------------------------
ALTER TABLE appointments
    -- ADDITION: a pending appointment holds its slot until this instant while the patient tops
    -- up and pays; the expiry job cancels it afterwards and frees the slot.
    ADD COLUMN hold_expires_at  TIMESTAMPTZ,
    -- ADDITION: who ended an appointment, when and why, so history tells the whole story.
    ADD COLUMN cancelled_at     TIMESTAMPTZ,
    ADD COLUMN cancelled_by     BIGINT REFERENCES users (id),
    ADD COLUMN cancellation_reason VARCHAR(200) NOT NULL DEFAULT '',
    -- ADDITION: a reschedule cancels this appointment and books its successor in one
    -- transaction (each keeps its own payment and ledger rows); this points at the successor.
    ADD COLUMN rescheduled_to   BIGINT REFERENCES appointments (id),
    ADD COLUMN completed_at     TIMESTAMPTZ,
    -- ADDITION: the 24-hour reminder is sent once; this records that it was queued.
    ADD COLUMN reminder_queued_at TIMESTAMPTZ;

-- Existing appointments get the values their status implies (last change as the moment), so
-- the rules below hold for old rows too. updated_at is left as it was.
ALTER TABLE appointments DISABLE TRIGGER appointments_set_updated_at;
UPDATE appointments SET cancelled_at = updated_at WHERE status = 'cancelled';
UPDATE appointments SET completed_at = updated_at WHERE status = 'completed';
UPDATE appointments SET hold_expires_at = created_at + interval '15 minutes' WHERE status = 'pending';
ALTER TABLE appointments ENABLE TRIGGER appointments_set_updated_at;

ALTER TABLE appointments
    -- A pending appointment always has a hold.
    ADD CONSTRAINT appointments_pending_hold_check
        CHECK (status <> 'pending' OR hold_expires_at IS NOT NULL),
    ADD CONSTRAINT appointments_cancelled_at_check
        CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
    ADD CONSTRAINT appointments_completed_at_check
        CHECK ((status = 'completed') = (completed_at IS NOT NULL)),
    ADD CONSTRAINT appointments_rescheduled_to_check
        CHECK (rescheduled_to IS NULL OR status = 'cancelled');

-- ADDITION: the database keeps the status machine. pending -> confirmed | cancelled,
-- confirmed -> completed | cancelled; completed and cancelled are final. It also stamps
-- cancelled_at and completed_at (like updated_at, no code path can forget them).
CREATE FUNCTION appointments_follow_status() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.status <> OLD.status AND NOT (
           (OLD.status = 'pending' AND NEW.status IN ('confirmed', 'cancelled'))
        OR (OLD.status = 'confirmed' AND NEW.status IN ('completed', 'cancelled'))) THEN
        RAISE EXCEPTION 'an appointment cannot go from % to %', OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'appointments_status_transition';
    END IF;
    IF NEW.status = 'cancelled' AND NEW.cancelled_at IS NULL THEN
        NEW.cancelled_at := now();
    END IF;
    IF NEW.status = 'completed' AND NEW.completed_at IS NULL THEN
        NEW.completed_at := now();
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER appointments_follow_status BEFORE INSERT OR UPDATE OF status ON appointments
    FOR EACH ROW EXECUTE FUNCTION appointments_follow_status();

-- The expiry job walks only live holds, in expiry order.
CREATE INDEX appointments_hold_expiry_idx ON appointments (hold_expires_at)
    WHERE status = 'pending';
-- The reminder job walks only confirmed appointments still waiting for their reminder.
CREATE INDEX appointments_reminder_due_idx ON appointments (time_slot_id)
    WHERE status = 'confirmed' AND reminder_queued_at IS NULL;
CREATE INDEX appointments_cancelled_by_idx ON appointments (cancelled_by);
CREATE INDEX appointments_rescheduled_to_idx ON appointments (rescheduled_to);
-- "My appointments" and the doctor's agenda list by party, newest first.
CREATE INDEX appointments_doctor_created_idx ON appointments (doctor_id, created_at);

-- ---------------------------------------------------------------------------------------------
-- The ledger is append-only, and each appointment is paid and refunded at most once
-- ---------------------------------------------------------------------------------------------
-- ADDITION: history is never rewritten: an UPDATE or DELETE statement on the ledger is refused.
-- The document's foreign-key actions still apply (erasing a user erases their ledger, deleting an
-- appointment unlinks its rows): PostgreSQL carries them out from its own referential-integrity
-- triggers, so they arrive here one trigger level deep, and only those are let through. The
-- application never deletes users or appointments (accounts are deactivated instead).
CREATE FUNCTION refuse_history_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_LEVEL = 'ROW' AND pg_trigger_depth() > 1 THEN
        RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    RAISE EXCEPTION '% is append-only: rows cannot be changed or removed', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER wallet_transactions_append_only
    BEFORE UPDATE OR DELETE ON wallet_transactions
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER wallet_transactions_no_truncate
    BEFORE TRUNCATE ON wallet_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change();

-- ADDITION: the database itself refuses a second charge or a second refund for one
-- appointment, whatever the application does.
CREATE UNIQUE INDEX wallet_transactions_one_payment_per_appointment
    ON wallet_transactions (appointment_id) WHERE transaction_type = 'payment';
CREATE UNIQUE INDEX wallet_transactions_one_refund_per_appointment
    ON wallet_transactions (appointment_id) WHERE transaction_type = 'refund';
-- ADDITION: deposits and withdrawals never name an appointment. (Payments and refunds always do
-- when written; the document's ON DELETE SET NULL may unlink them later, so that half is the
-- application's rule, checked by the invariant checker.)
ALTER TABLE wallet_transactions ADD CONSTRAINT wallet_transactions_appointment_check
    CHECK (transaction_type IN ('payment', 'refund') OR appointment_id IS NULL);
-- The wallet page pages through one user's history newest first.
CREATE INDEX wallet_transactions_user_id_idx ON wallet_transactions (user_id, id);

-- ---------------------------------------------------------------------------------------------
-- Card operations through the payment gateway (top-ups and withdrawals)
-- ---------------------------------------------------------------------------------------------
-- ADDITION: every request to the gateway is written down before it is made, so an answer that
-- never arrives leaves a pending row to reconcile, never money nobody can account for.
CREATE TABLE gateway_operations (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         BIGINT NOT NULL REFERENCES users (id),
    kind            VARCHAR(20) NOT NULL
                    CONSTRAINT gateway_operations_kind_check CHECK (kind IN ('deposit', 'withdrawal')),
    amount          NUMERIC(10, 2) NOT NULL CONSTRAINT gateway_operations_amount_check CHECK (amount > 0),
    status          VARCHAR(20) NOT NULL DEFAULT 'pending'
                    CONSTRAINT gateway_operations_status_check
                    CHECK (status IN ('pending', 'succeeded', 'declined', 'failed')),
    gateway         VARCHAR(40) NOT NULL,
    card_last4      CHAR(4) NOT NULL,
    -- The gateway's own id for the operation, once it has answered.
    external_id     VARCHAR(100) CONSTRAINT gateway_operations_external_id_key UNIQUE,
    message         VARCHAR(300) NOT NULL DEFAULT '',
    -- The ledger row the operation produced (a deposit, or the withdrawal it paid out).
    wallet_transaction_id BIGINT REFERENCES wallet_transactions (id),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    settled_at      TIMESTAMPTZ,
    CONSTRAINT gateway_operations_settled_check CHECK ((status = 'pending') = (settled_at IS NULL)),
    CONSTRAINT gateway_operations_success_check
        CHECK (status <> 'succeeded' OR (external_id IS NOT NULL AND wallet_transaction_id IS NOT NULL))
);
CREATE INDEX gateway_operations_user_idx ON gateway_operations (user_id, created_at);
CREATE INDEX gateway_operations_pending_idx ON gateway_operations (created_at) WHERE status = 'pending';
CREATE INDEX gateway_operations_wallet_transaction_idx ON gateway_operations (wallet_transaction_id);

-- ---------------------------------------------------------------------------------------------
-- Idempotency keys
-- ---------------------------------------------------------------------------------------------
-- ADDITION: every booking and payment request carries a key chosen when its form was shown.
-- The first request with a key stores its answer in the same transaction as its effect; a
-- repeat (double click, retry, replay) waits for that transaction and gets the same answer.
CREATE TABLE idempotency_keys (
    user_id     BIGINT NOT NULL REFERENCES users (id),
    key         VARCHAR(64) NOT NULL CONSTRAINT idempotency_keys_key_check CHECK (key ~ '^[A-Za-z0-9_-]{16,64}$'),
    -- What the key was first used for; the same key for another request is refused.
    operation   VARCHAR(40) NOT NULL,
    fingerprint TEXT NOT NULL,
    response    JSONB NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);

-- ---------------------------------------------------------------------------------------------
-- Emails about an appointment
-- ---------------------------------------------------------------------------------------------
ALTER TABLE email_outbox
    -- ADDITION: the appointment whose confirmation this is; delivering it sets the
    -- appointment's confirmation_sent.
    ADD COLUMN confirms_appointment_id BIGINT REFERENCES appointments (id),
    -- ADDITION: one optional attachment (the confirmation's calendar event).
    ADD COLUMN attachment_name VARCHAR(100),
    ADD COLUMN attachment_type VARCHAR(100),
    ADD COLUMN attachment_body TEXT,
    ADD CONSTRAINT email_outbox_attachment_check
        CHECK ((attachment_name IS NULL) = (attachment_body IS NULL)
           AND (attachment_name IS NULL) = (attachment_type IS NULL));
CREATE INDEX email_outbox_confirms_appointment_idx ON email_outbox (confirms_appointment_id);

-- ---------------------------------------------------------------------------------------------
-- The audit log
-- ---------------------------------------------------------------------------------------------
-- ADDITION: every admin action and every money movement, with who did it (NULL: the system, such
-- as the hold-expiry job), what, to what, the state before and after, and when. Append-only.
CREATE TABLE audit_log (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor_id    BIGINT REFERENCES users (id),
    action      VARCHAR(60) NOT NULL,
    target_type VARCHAR(40) NOT NULL,
    target_id   BIGINT,
    before      JSONB,
    after       JSONB,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_created_at_idx ON audit_log (created_at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, created_at);
CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id);
CREATE INDEX audit_log_action_idx ON audit_log (action, created_at);
CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change();
