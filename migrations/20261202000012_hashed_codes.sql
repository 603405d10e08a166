-- One-time codes are kept as argon2id hashes (PHC strings), never as the code itself: someone
-- who reads the table (a backup, a replica, a support query) cannot use a live code. The
-- column keeps its name (the design document's `otp_code`) and widens for the hash.
ALTER TABLE otp_verifications DROP CONSTRAINT otp_verifications_otp_code_check;
ALTER TABLE otp_verifications ALTER COLUMN otp_code TYPE VARCHAR(200);
-- Codes issued before this change were stored as they are: they stop working (a new one is a
-- click away) and their digits are forgotten.
UPDATE otp_verifications
   SET invalidated_at = coalesce(invalidated_at, now()), otp_code = 'forgotten'
 WHERE otp_code ~ '^[0-9]{6}$';
ALTER TABLE otp_verifications ADD CONSTRAINT otp_verifications_otp_code_check
    CHECK (otp_code LIKE '$argon2id$%' OR (otp_code = 'forgotten' AND invalidated_at IS NOT NULL));
