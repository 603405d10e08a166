-- A message that carries a one-time code names it here, so that once it is delivered the code
-- can be taken out of the kept copy (housekeeping): delivered mail is kept a month for support,
-- the codes in it are not.
ALTER TABLE email_outbox ADD COLUMN secret VARCHAR(20);
CREATE INDEX email_outbox_secret_idx ON email_outbox (id) WHERE secret IS NOT NULL;
