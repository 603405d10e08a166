-- The doctor directory (issue 4): indexes that fit each filter and sort, trigram name search, and
-- each doctor's next free slot kept beside the doctor so "soonest available" can be sorted and
-- filtered through an index. Everything here is an ADDITION to the design document, made for the
-- directory's speed at scale (10,000 doctors, 1,000,000 slots).

-- Name search matches any part of a name ("ann" finds "Joanna"); trigrams make that an index scan.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Only doctors are searched by name, so the name indexes cover doctors' user rows only; queries
-- repeat `user_type = 'doctor'` so the planner can use them.
CREATE INDEX users_doctor_name_trgm_idx ON users
    USING gin ((first_name || ' ' || last_name) gin_trgm_ops)
    WHERE user_type = 'doctor';
-- Trigrams need three characters; one- and two-character searches match the start of the first
-- or the last name instead, through these.
CREATE INDEX users_doctor_first_name_prefix_idx ON users (lower(first_name) text_pattern_ops)
    WHERE user_type = 'doctor';
CREATE INDEX users_doctor_last_name_prefix_idx ON users (lower(last_name) text_pattern_ops)
    WHERE user_type = 'doctor';

-- The earliest free slot of the doctor, in clinic-local time, or NULL when there is none.
-- Kept by the trigger below as slots are added, booked, freed or removed, so it is never later
-- than the doctor's real next free slot. When that slot's start passes, the value falls behind
-- until `refresh_next_free_slots` moves it on (the server runs it every minute); readers that
-- show it recompute it for the rows they show.
ALTER TABLE doctors ADD COLUMN next_free_slot_at TIMESTAMP;

-- Keyset pagination walks these in order (the descending sorts walk them backwards); each sort
-- ends with the id so that ties have a fixed order. Only active doctors are ever listed.
CREATE INDEX doctors_directory_rating_idx
    ON doctors (average_rating, total_reviews, id) WHERE is_active;
CREATE INDEX doctors_directory_fee_idx
    ON doctors (consultation_fee, id) WHERE is_active;
CREATE INDEX doctors_directory_experience_idx
    ON doctors (experience_years, id) WHERE is_active;
CREATE INDEX doctors_directory_soonest_idx
    ON doctors ((COALESCE(next_free_slot_at, 'infinity'::timestamp)), id) WHERE is_active;
CREATE INDEX doctors_directory_specialty_rating_idx
    ON doctors (specialty_id, average_rating, total_reviews, id) WHERE is_active;

-- A doctor's free slots in time order: the next-free lookup and the doctor's page read only
-- these, never the (far more numerous) booked and past ones.
CREATE INDEX time_slots_free_doctor_start_idx
    ON time_slots (doctor_id, date, start_time) WHERE is_available;

-- Keeps doctors.next_free_slot_at no later than the doctor's earliest free slot:
-- * a slot that becomes free (added, or freed again) can only bring it earlier;
-- * when the slot it points at stops being free (booked, marked unavailable, moved or removed),
--   it moves to the next free slot after that one. Slots of one doctor never overlap, so no
--   other slot starts at the same time.
-- The lower bound is read from the doctor row being updated, which concurrent writers of the same
-- doctor update one at a time, so racing bookings cannot leave it pointing at a booked slot.
CREATE FUNCTION time_slots_track_next_free() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.is_available
       AND (TG_OP = 'DELETE' OR NOT NEW.is_available OR NEW.date <> OLD.date
            OR NEW.start_time <> OLD.start_time OR NEW.doctor_id <> OLD.doctor_id) THEN
        UPDATE doctors d
           SET next_free_slot_at = (
                   SELECT min(t.date + t.start_time)
                     FROM time_slots t
                    WHERE t.doctor_id = d.id AND t.is_available
                      AND t.date + t.start_time > d.next_free_slot_at)
         WHERE d.id = OLD.doctor_id
           AND d.next_free_slot_at = OLD.date + OLD.start_time;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.is_available THEN
        UPDATE doctors d
           SET next_free_slot_at = NEW.date + NEW.start_time
         WHERE d.id = NEW.doctor_id
           AND (d.next_free_slot_at IS NULL OR d.next_free_slot_at > NEW.date + NEW.start_time);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER time_slots_next_free
    AFTER INSERT OR DELETE OR UPDATE OF doctor_id, date, start_time, is_available ON time_slots
    FOR EACH ROW EXECUTE FUNCTION time_slots_track_next_free();

-- Moves next_free_slot_at past slots that have started (`now_local` is the clinic's local time),
-- for the doctors whose value is behind, or for every doctor when `everyone` is true (after a
-- bulk load that bypassed the trigger). Returns how many doctors changed. Idempotent, so any
-- number of server instances may run it.
CREATE FUNCTION refresh_next_free_slots(now_local TIMESTAMP, everyone BOOLEAN DEFAULT FALSE)
RETURNS INTEGER
LANGUAGE plpgsql AS $$
DECLARE
    changed INTEGER;
BEGIN
    UPDATE doctors d
       SET next_free_slot_at = fresh.at
      FROM (SELECT d2.id,
                   (SELECT min(t.date + t.start_time)
                      FROM time_slots t
                     WHERE t.doctor_id = d2.id AND t.is_available
                       AND t.date + t.start_time > now_local) AS at
              FROM doctors d2
             WHERE everyone OR d2.next_free_slot_at <= now_local) AS fresh
     WHERE d.id = fresh.id AND d.next_free_slot_at IS DISTINCT FROM fresh.at;
    GET DIAGNOSTICS changed = ROW_COUNT;
    RETURN changed;
END;
$$;
-- Finds the doctors whose value has fallen behind without reading the others.
CREATE INDEX doctors_next_free_slot_at_idx ON doctors (next_free_slot_at);

-- The doctor's page shows the latest reviews first.
CREATE INDEX reviews_doctor_created_idx ON reviews (doctor_id, created_at DESC, id DESC);
