-- The Clinic schema: every model of shared/seed/database-schema.md (written for the Django system
-- this replaces), translated to PostgreSQL. Each table keeps the document's fields, defaults,
-- foreign keys with their ON DELETE rules, unique and check constraints and indexes. Where our
-- design adds to the document, the addition is marked "ADDITION" with the reason beside it.
--
-- Conventions:
-- * Primary keys are auto-incrementing BIGINT identities named `id`, as in the document.
-- * Money is NUMERIC(10,2) (the document's max_digits=10, decimal_places=2); never floating point.
-- * Instants are TIMESTAMPTZ. A slot's `date`/`start_time`/`end_time` are local to the clinic's
--   configured time zone, exactly as the document models them.
-- * Django's CharField(choices=...) becomes VARCHAR plus a CHECK listing the documented values,
--   and blank=True text fields become NOT NULL DEFAULT '' (Django stores '' rather than NULL).
-- * Django indexes every foreign key automatically; so do we, unless a composite index already
--   starts with that column (then the composite serves both, and a comment says so).

-- ADDITION: btree_gist lets one exclusion constraint combine "same doctor" (=) with "overlapping
-- time" (&&), so overlapping slots are impossible even when two requests race.
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- ADDITION: `updated_at` is maintained by the database, so no code path can forget it (Django's
-- auto_now lived in the ORM and was skipped by bulk updates).
CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

-- ---------------------------------------------------------------------------------------------
-- User (Django AbstractUser + the document's fields)
-- ---------------------------------------------------------------------------------------------
CREATE TABLE users (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- AbstractUser: username max 150, unique (case-sensitive, as in Django).
    username        VARCHAR(150) NOT NULL,
    email           VARCHAR(254) NOT NULL,
    first_name      VARCHAR(150) NOT NULL DEFAULT '',
    last_name       VARCHAR(150) NOT NULL DEFAULT '',
    -- AbstractUser's `password`, named for what it holds: an argon2id PHC string, never a password.
    password_hash   TEXT NOT NULL,
    -- AbstractUser's `is_active`: an inactive account cannot sign in.
    is_active       BOOLEAN NOT NULL DEFAULT TRUE,
    -- AbstractUser's `last_login`.
    last_login      TIMESTAMPTZ,
    -- ADDITION: when the email address was proven with a one-time code (NULL = not yet). The
    -- document keeps this only implicitly in OTPVerification.is_verified; a column on the user
    -- makes "may this account book?" one indexed read.
    email_verified_at TIMESTAMPTZ,
    user_type       VARCHAR(20) NOT NULL
                    CONSTRAINT users_user_type_check CHECK (user_type IN ('admin', 'patient', 'doctor')),
    phone_number    VARCHAR(20) NOT NULL DEFAULT '',
    wallet_balance  NUMERIC(10, 2) NOT NULL DEFAULT 0
                    CONSTRAINT users_wallet_balance_check CHECK (wallet_balance >= 0),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT users_username_key UNIQUE (username),
    -- ADDITION: AbstractUser's is_staff/is_superuser are folded into user_type = 'admin'.
    CONSTRAINT users_username_not_blank CHECK (btrim(username) <> ''),
    CONSTRAINT users_email_not_blank CHECK (btrim(email) <> '')
);
-- The document's unique index on email, made case-insensitive: Ann@x.org and ann@x.org are one
-- address. It also serves every lookup by email (queries use lower(email)).
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_user_type_idx ON users (user_type);
CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ---------------------------------------------------------------------------------------------
-- OTPVerification
-- ---------------------------------------------------------------------------------------------
CREATE TABLE otp_verifications (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    otp_code    VARCHAR(6) NOT NULL
                -- ADDITION: a code is exactly six digits.
                CONSTRAINT otp_verifications_otp_code_check CHECK (otp_code ~ '^[0-9]{6}$'),
    is_verified BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL,
    -- ADDITION: a code cannot expire before it was issued.
    CONSTRAINT otp_verifications_expiry_check CHECK (expires_at > created_at)
);
CREATE INDEX otp_verifications_user_id_idx ON otp_verifications (user_id);

-- ---------------------------------------------------------------------------------------------
-- Specialty
-- ---------------------------------------------------------------------------------------------
CREATE TABLE specialties (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        VARCHAR(100) NOT NULL
                CONSTRAINT specialties_name_not_blank CHECK (btrim(name) <> ''),
    description TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- The document's unique index on name, made case-insensitive ("Cardiology" and "cardiology" are
-- one specialty).
CREATE UNIQUE INDEX specialties_name_key ON specialties (lower(name));

-- ---------------------------------------------------------------------------------------------
-- Doctor
-- ---------------------------------------------------------------------------------------------
CREATE TABLE doctors (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id          BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- ON DELETE CASCADE as in the document; the service refuses to delete a specialty that still
    -- has doctors, and says how many.
    specialty_id     BIGINT NOT NULL REFERENCES specialties (id) ON DELETE CASCADE,
    license_number   VARCHAR(50) NOT NULL
                     CONSTRAINT doctors_license_number_not_blank CHECK (btrim(license_number) <> ''),
    experience_years INTEGER NOT NULL
                     CONSTRAINT doctors_experience_years_check CHECK (experience_years >= 0),
    bio              TEXT NOT NULL,
    consultation_fee NUMERIC(10, 2) NOT NULL
                     CONSTRAINT doctors_consultation_fee_check CHECK (consultation_fee >= 0),
    is_active        BOOLEAN NOT NULL DEFAULT TRUE,
    average_rating   NUMERIC(3, 2) NOT NULL DEFAULT 0
                     -- ADDITION: an average of 1..5 star ratings (0 while there are none).
                     CONSTRAINT doctors_average_rating_check CHECK (average_rating BETWEEN 0 AND 5),
    total_reviews    INTEGER NOT NULL DEFAULT 0
                     CONSTRAINT doctors_total_reviews_check CHECK (total_reviews >= 0),
    created_by       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- OneToOneField(User).
    CONSTRAINT doctors_user_id_key UNIQUE (user_id),
    CONSTRAINT doctors_license_number_key UNIQUE (license_number)
);
CREATE INDEX doctors_specialty_id_idx ON doctors (specialty_id);
CREATE INDEX doctors_is_active_idx ON doctors (is_active);
CREATE INDEX doctors_average_rating_idx ON doctors (average_rating);
CREATE INDEX doctors_created_by_idx ON doctors (created_by);
CREATE TRIGGER doctors_set_updated_at BEFORE UPDATE ON doctors
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ---------------------------------------------------------------------------------------------
-- TimeSlot
-- ---------------------------------------------------------------------------------------------
CREATE TABLE time_slots (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    doctor_id    BIGINT NOT NULL REFERENCES doctors (id) ON DELETE CASCADE,
    date         DATE NOT NULL,
    start_time   TIME NOT NULL,
    end_time     TIME NOT NULL,
    is_available BOOLEAN NOT NULL DEFAULT TRUE,
    created_by   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT time_slots_time_range_check CHECK (end_time > start_time),
    -- ADDITION: two slots of one doctor never overlap, whatever races. Half-open ranges, so a
    -- 09:00-09:30 slot and a 09:30-10:00 slot touch without overlapping.
    CONSTRAINT time_slots_no_overlap EXCLUDE USING gist (
        doctor_id WITH =,
        tsrange(date + start_time, date + end_time) WITH &&
    ),
    -- ADDITION: lets appointments reference (slot, doctor) together, so an appointment's doctor
    -- is always the doctor of its slot.
    CONSTRAINT time_slots_id_doctor_key UNIQUE (id, doctor_id)
);
-- The composite index also serves the foreign key on doctor_id.
CREATE INDEX time_slots_doctor_date_start_idx ON time_slots (doctor_id, date, start_time);
CREATE INDEX time_slots_is_available_idx ON time_slots (is_available);
CREATE INDEX time_slots_date_idx ON time_slots (date);
CREATE INDEX time_slots_created_by_idx ON time_slots (created_by);

-- ---------------------------------------------------------------------------------------------
-- Appointment
-- ---------------------------------------------------------------------------------------------
CREATE TABLE appointments (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    patient_id        BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    doctor_id         BIGINT NOT NULL REFERENCES doctors (id) ON DELETE CASCADE,
    time_slot_id      BIGINT NOT NULL REFERENCES time_slots (id) ON DELETE CASCADE,
    status            VARCHAR(20) NOT NULL DEFAULT 'pending'
                      CONSTRAINT appointments_status_check
                      CHECK (status IN ('pending', 'confirmed', 'completed', 'cancelled')),
    consultation_fee  NUMERIC(10, 2) NOT NULL
                      -- ADDITION: the fee copied from the doctor obeys the doctor's rule.
                      CONSTRAINT appointments_consultation_fee_check CHECK (consultation_fee >= 0),
    notes             TEXT NOT NULL DEFAULT '',
    confirmation_sent BOOLEAN NOT NULL DEFAULT FALSE,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- ADDITION: the slot must belong to the appointment's doctor.
    CONSTRAINT appointments_slot_doctor_fkey FOREIGN KEY (time_slot_id, doctor_id)
        REFERENCES time_slots (id, doctor_id) ON DELETE CASCADE,
    -- ADDITION: lets reviews reference (appointment, patient, doctor) together.
    CONSTRAINT appointments_id_patient_doctor_key UNIQUE (id, patient_id, doctor_id)
);
-- The document's OneToOneField(TimeSlot), "one appointment per time slot", means one *live*
-- appointment per slot: a cancelled appointment keeps its history while the slot is booked
-- again. A partial unique index says exactly that.
CREATE UNIQUE INDEX appointments_live_time_slot_key ON appointments (time_slot_id)
    WHERE status <> 'cancelled';
-- Serves the foreign key on time_slot_id for cancelled rows too.
CREATE INDEX appointments_time_slot_id_idx ON appointments (time_slot_id);
CREATE INDEX appointments_patient_id_idx ON appointments (patient_id);
CREATE INDEX appointments_doctor_id_idx ON appointments (doctor_id);
CREATE INDEX appointments_status_idx ON appointments (status);
CREATE INDEX appointments_created_at_idx ON appointments (created_at);
CREATE INDEX appointments_patient_status_idx ON appointments (patient_id, status);
CREATE TRIGGER appointments_set_updated_at BEFORE UPDATE ON appointments
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Payment
-- ---------------------------------------------------------------------------------------------
CREATE TABLE payments (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    appointment_id BIGINT NOT NULL REFERENCES appointments (id) ON DELETE CASCADE,
    amount         NUMERIC(10, 2) NOT NULL
                   -- ADDITION: a payment moves money.
                   CONSTRAINT payments_amount_check CHECK (amount > 0),
    status         VARCHAR(20) NOT NULL DEFAULT 'pending'
                   CONSTRAINT payments_status_check
                   CHECK (status IN ('pending', 'completed', 'failed', 'refunded')),
    transaction_id VARCHAR(100) NOT NULL
                   CONSTRAINT payments_transaction_id_not_blank CHECK (btrim(transaction_id) <> ''),
    paid_at        TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- OneToOneField(Appointment).
    CONSTRAINT payments_appointment_id_key UNIQUE (appointment_id),
    CONSTRAINT payments_transaction_id_key UNIQUE (transaction_id),
    -- ADDITION: a payment that went through (completed, or completed and later refunded) has a
    -- payment time; one that did not has none.
    CONSTRAINT payments_paid_at_check
        CHECK ((status IN ('completed', 'refunded')) = (paid_at IS NOT NULL))
);
CREATE INDEX payments_status_idx ON payments (status);
CREATE INDEX payments_paid_at_idx ON payments (paid_at);

-- ---------------------------------------------------------------------------------------------
-- WalletTransaction (the ledger)
-- ---------------------------------------------------------------------------------------------
CREATE TABLE wallet_transactions (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id          BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    transaction_type VARCHAR(20) NOT NULL
                     CONSTRAINT wallet_transactions_type_check
                     CHECK (transaction_type IN ('deposit', 'withdrawal', 'payment', 'refund')),
    -- Signed: positive for money in, negative for money out (the document's convention).
    amount           NUMERIC(10, 2) NOT NULL,
    description      VARCHAR(200) NOT NULL,
    balance_after    NUMERIC(10, 2) NOT NULL
                     -- ADDITION: mirrors users.wallet_balance >= 0 at every step of the history.
                     CONSTRAINT wallet_transactions_balance_after_check CHECK (balance_after >= 0),
    appointment_id   BIGINT REFERENCES appointments (id) ON DELETE SET NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- ADDITION: the sign of the amount follows from the type, so a refund can never take money
    -- and a payment can never add it.
    CONSTRAINT wallet_transactions_amount_sign_check CHECK (
        CASE transaction_type
            WHEN 'deposit' THEN amount > 0
            WHEN 'refund' THEN amount > 0
            ELSE amount < 0
        END
    )
);
-- The composite index also serves the foreign key on user_id.
CREATE INDEX wallet_transactions_user_created_idx ON wallet_transactions (user_id, created_at);
CREATE INDEX wallet_transactions_type_idx ON wallet_transactions (transaction_type);
CREATE INDEX wallet_transactions_created_at_idx ON wallet_transactions (created_at);
CREATE INDEX wallet_transactions_appointment_id_idx ON wallet_transactions (appointment_id);

-- ---------------------------------------------------------------------------------------------
-- Review
-- ---------------------------------------------------------------------------------------------
CREATE TABLE reviews (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    appointment_id BIGINT NOT NULL REFERENCES appointments (id) ON DELETE CASCADE,
    patient_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    doctor_id      BIGINT NOT NULL REFERENCES doctors (id) ON DELETE CASCADE,
    rating         SMALLINT NOT NULL
                   CONSTRAINT reviews_rating_check CHECK (rating BETWEEN 1 AND 5),
    comment        TEXT NOT NULL DEFAULT '',
    is_anonymous   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- OneToOneField(Appointment): one review per appointment.
    CONSTRAINT reviews_appointment_id_key UNIQUE (appointment_id),
    -- ADDITION: the reviewer is the appointment's patient and the reviewed doctor its doctor.
    CONSTRAINT reviews_appointment_parties_fkey FOREIGN KEY (appointment_id, patient_id, doctor_id)
        REFERENCES appointments (id, patient_id, doctor_id) ON DELETE CASCADE
);
-- The composite (doctor, rating) index also serves the document's index on doctor.
CREATE INDEX reviews_doctor_rating_idx ON reviews (doctor_id, rating);
CREATE INDEX reviews_rating_idx ON reviews (rating);
CREATE INDEX reviews_created_at_idx ON reviews (created_at);
CREATE INDEX reviews_patient_id_idx ON reviews (patient_id);
CREATE TRIGGER reviews_set_updated_at BEFORE UPDATE ON reviews
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
