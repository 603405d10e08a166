-- How a doctor's name is written ("Dr. Ada Lovelace"), in one place for every query that shows
-- it; app/src/domain/format.rs::doctor_name writes the same in Rust. A one-expression SQL
-- function, which PostgreSQL inlines into the query that calls it.
CREATE FUNCTION doctor_display_name(first_name TEXT, last_name TEXT) RETURNS TEXT
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT 'Dr. ' || first_name || ' ' || last_name $$;
