-- Rate-limit counters shared by every server instance (app/src/services/rate_limits.rs): one
-- row per bucket (action and who: `sign_in:ip:192.0.2.1`, `register:all`, `mail:ann@...`) and
-- fixed window. Counting is one upsert, so parallel requests cannot all pass under a limit.
CREATE TABLE rate_limit_counters (
    bucket       TEXT        NOT NULL CHECK (length(bucket) <= 400),
    window_start TIMESTAMPTZ NOT NULL,
    hits         INTEGER     NOT NULL CHECK (hits > 0),
    PRIMARY KEY (bucket, window_start)
);

-- Housekeeping deletes windows that have long ended.
CREATE INDEX rate_limit_counters_window_idx ON rate_limit_counters (window_start);
