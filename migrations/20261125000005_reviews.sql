-- Reviews and ratings (issue 7): an admin can hide an abusive review, and the doctor's page and
-- the rating aggregates read only the visible ones. Everything here is an ADDITION to the design
-- document, which has no moderation.

-- ADDITION: a hidden review stays in the table (its author and the admin can still see it, and it
-- can be restored), but leaves the public page and the doctor's average. Who hid it, when and why
-- are recorded together or not at all.
ALTER TABLE reviews
    ADD COLUMN hidden_at     TIMESTAMPTZ,
    ADD COLUMN hidden_reason TEXT,
    -- No ON DELETE action: an admin who hid reviews keeps their account (deactivate it instead),
    -- so the record of who hid what stays whole.
    ADD COLUMN hidden_by     BIGINT REFERENCES users (id),
    ADD CONSTRAINT reviews_hidden_reason_check
        CHECK (hidden_reason IS NULL OR btrim(hidden_reason) <> ''),
    ADD CONSTRAINT reviews_hidden_together_check
        CHECK ((hidden_at IS NULL) = (hidden_reason IS NULL)
               AND (hidden_at IS NULL) = (hidden_by IS NULL));
CREATE INDEX reviews_hidden_by_idx ON reviews (hidden_by) WHERE hidden_by IS NOT NULL;

-- ADDITION: the doctor's page lists visible reviews newest first, all of them or those of one star
-- rating, and draws the distribution; these serve each without reading hidden rows.
CREATE INDEX reviews_doctor_visible_created_idx
    ON reviews (doctor_id, created_at DESC, id DESC) WHERE hidden_at IS NULL;
CREATE INDEX reviews_doctor_visible_rating_created_idx
    ON reviews (doctor_id, rating, created_at DESC, id DESC) WHERE hidden_at IS NULL;
