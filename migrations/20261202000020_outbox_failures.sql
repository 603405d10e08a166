-- A message that can never be sent (an address the mailer refuses, a permanent 5xx answer from
-- the mail server) is parked here as failed instead of being retried forever ahead of the rest
-- of the queue; admins see the failed messages with their last error.
ALTER TABLE email_outbox ADD COLUMN failed_at TIMESTAMPTZ;

ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_sent_or_failed_check
    CHECK (sent_at IS NULL OR failed_at IS NULL);

DROP INDEX email_outbox_due_idx;
CREATE INDEX email_outbox_due_idx ON email_outbox (next_attempt_at)
    WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX email_outbox_failed_idx ON email_outbox (failed_at DESC) WHERE failed_at IS NOT NULL;
