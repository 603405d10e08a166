-- Accounts (issue 3): one-time codes for more than email verification, sign-in throttling, and the
-- email outbox. Every table and column here is an ADDITION to the design document.

-- One-time codes serve three purposes now. The document's columns stay as they are; a code is
-- live while it is neither used (is_verified) nor invalidated (superseded, or too many wrong tries).
ALTER TABLE otp_verifications
    ADD COLUMN purpose VARCHAR(20) NOT NULL DEFAULT 'verify_email'
        CONSTRAINT otp_verifications_purpose_check
        CHECK (purpose IN ('verify_email', 'reset_password', 'change_email')),
    ADD COLUMN failed_attempts SMALLINT NOT NULL DEFAULT 0
        CONSTRAINT otp_verifications_failed_attempts_check CHECK (failed_attempts BETWEEN 0 AND 5),
    ADD COLUMN invalidated_at TIMESTAMPTZ,
    -- The address being proven, for a change of email.
    ADD COLUMN new_email VARCHAR(254),
    ADD CONSTRAINT otp_verifications_new_email_check
        CHECK ((purpose = 'change_email') = (new_email IS NOT NULL));
-- At most one live code per user and purpose: issuing a new one invalidates the old in the same
-- transaction, and this index makes a forgotten invalidation impossible.
CREATE UNIQUE INDEX otp_verifications_one_live_code
    ON otp_verifications (user_id, purpose)
    WHERE NOT is_verified AND invalidated_at IS NULL;
-- "Resend allowed once a minute" looks up the newest code of a user and purpose.
CREATE INDEX otp_verifications_user_purpose_created_idx
    ON otp_verifications (user_id, purpose, created_at DESC);

-- Failed sign-ins, counted per account and per client address over a sliding window.
CREATE TABLE sign_in_failures (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The identifier as typed, lower-cased: unknown accounts are throttled like known ones, so
    -- the throttle does not reveal which accounts exist.
    account_key    VARCHAR(254) NOT NULL,
    client_address INET,
    failed_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_failures_account_idx ON sign_in_failures (account_key, failed_at);
CREATE INDEX sign_in_failures_address_idx ON sign_in_failures (client_address, failed_at);

-- Email waits here, written in the same transaction as the change that causes it, until the
-- delivery worker has handed it to the mail server. A mail outage delays mail; it loses none.
CREATE TABLE email_outbox (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    to_address      VARCHAR(254) NOT NULL,
    subject         VARCHAR(200) NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    attempts        INTEGER NOT NULL DEFAULT 0 CONSTRAINT email_outbox_attempts_check CHECK (attempts >= 0),
    -- Also the lease: a worker that claims a message moves this forward, so no other worker
    -- (in this or another server instance) takes it while it is being sent.
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at         TIMESTAMPTZ,
    last_error      TEXT
);
CREATE INDEX email_outbox_due_idx ON email_outbox (next_attempt_at) WHERE sent_at IS NULL;

-- Sessions, in the layout tower-sessions-sqlx-store expects (it would create the same table at
-- run time; creating it here keeps the whole schema in migrations and in the test template).
CREATE SCHEMA IF NOT EXISTS tower_sessions;
CREATE TABLE IF NOT EXISTS tower_sessions.session (
    id          TEXT PRIMARY KEY NOT NULL,
    data        BYTEA NOT NULL,
    expiry_date TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS session_expiry_date_idx ON tower_sessions.session (expiry_date);

-- A session is valid only while it carries the user's current epoch. Resetting or changing the
-- password bumps it, which ends every other session of that user at once.
ALTER TABLE users ADD COLUMN auth_epoch INTEGER NOT NULL DEFAULT 0;
